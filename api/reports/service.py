"""The rules behind the reports' routes: the region and round resolved in the caller's
scope, the identity mode checked, every download written to the audit log before its
first byte. The controllers (``controller.py``, ``links.py``) only parse HTTP and shape
the response; the files' contents come from ``progress.py``, ``minutes.py``, ``exports.py``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, datetime

from api.reports import exports
from api.reports.exports import Dataset, ExportOptions, Format, Only
from api.reports.minutes import MinutesOptions, make_minutes
from api.reports.progress import ProgressReport
from api.reports.progress import progress as progress_report
from api.reports.scope import Identity, check_identity, record_download, resolve
from auth.roles import Principal


@dataclass(frozen=True)
class StreamedFile:
    """A download whose body is produced while it is sent (the audit event already written)."""

    name: str
    media_type: str
    chunks: AsyncGenerator[bytes, None]


@dataclass(frozen=True)
class WholeFile:
    """A download made in full before it is sent (the audit event already written)."""

    name: str
    content: bytes


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


async def region_progress(
    principal: Principal, region: str, round_id: int, decile: str | None = None
) -> ProgressReport:
    scope = await resolve(principal, region, round_id)
    report = await progress_report(principal, scope, decile)
    await record_download(principal, "report.progress_viewed", scope, f"progress:{region}", {})
    return report


async def village_minutes(
    principal: Principal, village: str, round_id: int, options: MinutesOptions
) -> WholeFile:
    """The berita acara of a village as a PDF, its fingerprint in the audit event."""
    scope = await resolve(principal, village, round_id)
    document = await make_minutes(principal, scope, options)
    await record_download(
        principal,
        "report.minutes_downloaded",
        scope,
        f"minutes:{village}",
        {
            "sha256": document.fingerprint,
            "households": document.listed,
            "pending": document.pending,
            "date": document.data["date"]["iso"],
        },
    )
    name = f"berita-acara-{village.replace('.', '_')}-round{round_id}.pdf"
    return WholeFile(name=name, content=document.pdf)


async def check_export_allowed(
    principal: Principal, region: str, round_id: int, identity: Identity
) -> None:
    """Refuses exactly as the download would be refused: scope, round, identity mode."""
    await resolve(principal, region, round_id)
    check_identity(principal, identity)


async def export_file(
    principal: Principal,
    region: str,
    round_id: int,
    dataset: Dataset,
    fmt: Format,
    identity: Identity,
    only: Only,
) -> StreamedFile:
    """A SIKS-NG export (CSV or XLSX), its download audited before the first byte."""
    scope = await resolve(principal, region, round_id)
    check_identity(principal, identity)
    options = ExportOptions(dataset=dataset, identity=identity, only=only)
    await record_download(
        principal,
        "report.export_downloaded",
        scope,
        f"{dataset.value}.{fmt.value}:{region}",
        {"format": fmt.value, **options.describe()},
    )
    name = (
        f"verval-{dataset.value}-{region.replace('.', '_')}-round{round_id}-{_stamp()}.{fmt.value}"
    )
    media_type = exports.XLSX_MEDIA_TYPE if fmt is Format.XLSX else exports.CSV_MEDIA_TYPE
    return StreamedFile(
        name=name, media_type=media_type, chunks=exports.stream(fmt, principal, scope, options)
    )


async def visits_geojson(principal: Principal, region: str, round_id: int) -> StreamedFile:
    """The round's visits in the region as GeoJSON (no personal data), audited first."""
    scope = await resolve(principal, region, round_id)
    await record_download(
        principal, "report.geojson_downloaded", scope, f"visits.geojson:{region}", {}
    )
    name = f"verval-visits-{region.replace('.', '_')}-round{round_id}-{_stamp()}.geojson"
    return StreamedFile(
        name=name,
        media_type=exports.GEOJSON_MEDIA_TYPE,
        chunks=exports.geojson_stream(principal, scope),
    )
