"""Published forms for the phone and the review screens; immutable, so cached hard."""

from __future__ import annotations

from typing import cast

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from api.bounds import IdPath
from api.forms import service
from api.forms.schemas import FormSummary
from auth.guards import SIGNED_IN, requires_role
from survey_forms.model import FormDefinition

# A version never changes, so a client may keep it for a year; ETag for revalidation.
IMMUTABLE = "private, max-age=31536000, immutable"


class FormsController(Controller):
    path = "/api/v1/forms"
    tags = ["forms"]
    guards = [requires_role(*SIGNED_IN)]

    @get("", summary="The newest published version of each form")
    async def list_forms(self) -> list[FormSummary]:
        return await service.list_latest()

    @get("/{form_id:str}/versions/{version:int}", summary="One published form definition")
    async def get_version(
        self, request: Request, form_id: FromPath[str], version: IdPath
    ) -> Response[FormDefinition]:  # the stored JSON, sent as it was published
        definition, digest = await service.published_definition(form_id, version)
        etag = f'"sha256-{digest}"'
        headers = {"ETag": etag, "Cache-Control": IMMUTABLE}
        if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
            return cast("Response[FormDefinition]", Response(b"", status_code=304, headers=headers))
        sent = Response(definition.encode(), media_type="application/json", headers=headers)
        return cast("Response[FormDefinition]", sent)
