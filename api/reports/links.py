"""SIKS-NG exports offered in the staff screens, saved straight to disk.

A regency's export is large; the screens must not fetch it into page memory to attach a
bearer token. ``POST /reports/exports/link`` checks the caller, region, round and identity
mode exactly as the export routes do, and answers a signed URL valid for two minutes
(``api/signed_links.py``); ``GET /reports/exports/download`` checks the signature and the
signer's session, then streams the same file as the bearer route, audited the same way.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromQuery, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from api import signed_links
from api.reports import service
from api.reports.exports import Dataset, Format, Only
from api.reports.responses import streamed_attachment
from api.reports.scope import READERS, Identity
from api.signed_links import SignedLink
from auth.guards import requires_role
from auth.roles import Principal

DOWNLOAD_PATH = "/api/v1/reports/exports/download"
_LINK_CONTEXT = b"verval-export-link/1"


class ExportFile(StrEnum):
    """The four exports, named as their bearer routes are (``/reports/exports/<file>``)."""

    HOUSEHOLDS_CSV = "households.csv"
    HOUSEHOLDS_XLSX = "households.xlsx"
    MEMBERS_CSV = "members.csv"
    MEMBERS_XLSX = "members.xlsx"

    @property
    def dataset(self) -> Dataset:
        return Dataset(self.value.split(".")[0])

    @property
    def file_format(self) -> Format:
        return Format(self.value.split(".")[1])


Region = Annotated[
    str,
    QueryParameter(
        pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$",
        description="Kemendagri code of the region (province, regency, district or village).",
    ),
]
RoundId = Annotated[
    int, QueryParameter(name="round", ge=1, le=2_147_483_647, description="Verification round id.")
]
File = Annotated[ExportFile, QueryParameter(description="Which export, as its route names it.")]
IdentityMode = Annotated[
    Identity, QueryParameter(description="masked (default), or full for supervisors and admins.")
]
Households = Annotated[Only, QueryParameter(description="all, visited or approved households.")]


def _link_key(state: State) -> bytes:
    return signed_links.link_key(state, _LINK_CONTEXT)


def _params(
    file: ExportFile, region: str, round_id: int, identity: Identity, only: Only
) -> dict[str, str | int | None]:
    return {
        "file": file.value,
        "region": region,
        "round": round_id,
        "identity": identity.value,
        "only": only.value,
    }


class ExportLinkController(Controller):
    path = "/api/v1/reports/exports/link"
    tags = ["reports"]
    guards = [requires_role(*READERS)]

    @post(
        "/",
        status_code=HTTP_200_OK,
        summary="A short-lived signed URL for a SIKS-NG export, so the browser saves it to disk",
    )
    async def export_link(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        file: File,
        region: Region,
        round_id: RoundId,
        identity: IdentityMode = Identity.MASKED,
        only: Households = Only.ALL,
    ) -> SignedLink:
        await service.check_export_allowed(request.user, region, round_id, identity)
        params = _params(file, region, round_id, identity, only)
        return signed_links.sign(_link_key(state), DOWNLOAD_PATH, params, request.user)


class ExportDownloadController(Controller):
    path = DOWNLOAD_PATH
    tags = ["reports"]
    # No guards: the signature is the credential; the signer's role and scope are checked.

    @get(
        "/",
        exclude_from_auth=True,
        summary="A SIKS-NG export by signed URL (from POST /reports/exports/link)",
    )
    async def export_by_link(
        self,
        state: State,
        file: File,
        region: Region,
        round_id: RoundId,
        user: FromQuery[int],
        sid: FromQuery[str],
        expires: FromQuery[int],
        signature: FromQuery[str],
        identity: IdentityMode = Identity.MASKED,
        only: Households = Only.ALL,
    ) -> Stream:
        principal = await signed_links.signer(
            _link_key(state),
            DOWNLOAD_PATH,
            _params(file, region, round_id, identity, only),
            user=user,
            sid=sid,
            expires=expires,
            signature=signature,
            roles=READERS,
        )
        export = await service.export_file(
            principal, region, round_id, file.dataset, file.file_format, identity, only
        )
        return streamed_attachment(export)


LINK_CONTROLLERS = [ExportLinkController, ExportDownloadController]
