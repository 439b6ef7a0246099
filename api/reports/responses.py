"""How the reports' controllers shape a download: an attachment nobody caches."""

from __future__ import annotations

from litestar import Response
from litestar.response import Stream

from api.reports.service import StreamedFile, WholeFile


def attachment_headers(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


def streamed_attachment(file: StreamedFile) -> Stream:
    return Stream(file.chunks, media_type=file.media_type, headers=attachment_headers(file.name))


def whole_attachment(file: WholeFile, media_type: str) -> Response[bytes]:
    return Response(file.content, media_type=media_type, headers=attachment_headers(file.name))
