"""HTTP for the offices' outputs: minutes PDF, register exports, GeoJSON, progress.

Supervisors and admins of the region may have everything; auditors read everything
with masked identity numbers; enumerators none of it (403). A region outside the
caller's scope answers 404. Every download is written to the audit log first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, Parameter, QueryParameter
from litestar.response import Stream

from api.errors import NotFound
from api.reports import exports, minutes
from api.reports.exports import Dataset, Format, Only
from api.reports.links import LINK_CONTROLLERS, export_download
from api.reports.progress import ProgressReport
from api.reports.progress import progress as progress_report
from api.reports.scope import READERS, Identity, record_download, resolve
from auth.guards import requires_role
from auth.roles import Principal

RegionParam = Annotated[
    str,
    Parameter(
        pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$",
        description="Kemendagri code of the region (province, regency, district or village).",
    ),
]
RoundParam = Annotated[
    int, QueryParameter(name="round", ge=1, le=2_147_483_647, description="Verification round id.")
]
IdentityParam = Annotated[
    Identity,
    Parameter(
        description="How NIK and No. KK appear: masked (default), or full for supervisors "
        "and admins of the region (for re-entry into SIKS-NG).",
    ),
]
OnlyParam = Annotated[
    Only, Parameter(description="all households, those visited in the round, or approved ones.")
]
ShortText = Annotated[str | None, Parameter(max_length=120)]


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


async def _export(
    request: Request[Principal, Any, Any],
    region: str,
    round_id: int,
    dataset: Dataset,
    fmt: Format,
    identity: Identity,
    only: Only,
) -> Stream:
    return await export_download(request.user, region, round_id, dataset, fmt, identity, only)


class ReportsController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]
    guards = [requires_role(*READERS)]

    @get("/progress", summary="Progress of a round in a region, per village and per enumerator")
    async def region_progress(
        self, request: Request[Principal, Any, Any], region: RegionParam, round_id: RoundParam
    ) -> ProgressReport:
        scope = await resolve(request.user, region, round_id)
        report = await progress_report(request.user, scope)
        await record_download(
            request.user, "report.progress_viewed", scope, f"progress:{region}", {}
        )
        return report

    @get(
        "/minutes/{filename:str}",
        summary="Berita acara of a village (PDF): GET /reports/minutes/{village_code}.pdf",
        media_type="application/pdf",
    )
    async def village_minutes(
        self,
        request: Request[Principal, Any, Any],
        filename: FromPath[str],
        round_id: RoundParam,
        on: Annotated[date | None, QueryParameter(name="date")] = None,
        place: ShortText = None,
        village_head: ShortText = None,
        supervisor: ShortText = None,
    ) -> Response[bytes]:
        village = filename.removesuffix(".pdf")
        if village == filename or village.count(".") != 3:
            raise NotFound("Minutes are at /reports/minutes/{village_code}.pdf.", code="not_found")
        scope = await resolve(request.user, village, round_id)
        options = minutes.MinutesOptions(
            on=on, place=place, village_head=village_head, supervisor=supervisor
        )
        document = await minutes.make_minutes(request.user, scope, options)
        await record_download(
            request.user,
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
        return Response(document.pdf, media_type="application/pdf", headers=_attachment(name))

    @get("/exports/households.csv", summary="Households and visit results (CSV, SIKS-NG columns)")
    async def households_csv(
        self,
        request: Request[Principal, Any, Any],
        region: RegionParam,
        round_id: RoundParam,
        identity: IdentityParam = Identity.MASKED,
        only: OnlyParam = Only.ALL,
    ) -> Stream:
        return await _export(
            request, region, round_id, Dataset.HOUSEHOLDS, Format.CSV, identity, only
        )

    @get("/exports/households.xlsx", summary="Households and visit results (XLSX, SIKS-NG columns)")
    async def households_xlsx(
        self,
        request: Request[Principal, Any, Any],
        region: RegionParam,
        round_id: RoundParam,
        identity: IdentityParam = Identity.MASKED,
        only: OnlyParam = Only.ALL,
    ) -> Stream:
        return await _export(
            request, region, round_id, Dataset.HOUSEHOLDS, Format.XLSX, identity, only
        )

    @get("/exports/members.csv", summary="Members of the households with their presence (CSV)")
    async def members_csv(
        self,
        request: Request[Principal, Any, Any],
        region: RegionParam,
        round_id: RoundParam,
        identity: IdentityParam = Identity.MASKED,
        only: OnlyParam = Only.ALL,
    ) -> Stream:
        return await _export(request, region, round_id, Dataset.MEMBERS, Format.CSV, identity, only)

    @get("/exports/members.xlsx", summary="Members of the households with their presence (XLSX)")
    async def members_xlsx(
        self,
        request: Request[Principal, Any, Any],
        region: RegionParam,
        round_id: RoundParam,
        identity: IdentityParam = Identity.MASKED,
        only: OnlyParam = Only.ALL,
    ) -> Stream:
        return await _export(
            request, region, round_id, Dataset.MEMBERS, Format.XLSX, identity, only
        )

    @get(
        "/visits.geojson",
        summary="Visits of a round as a GeoJSON FeatureCollection (no personal data)",
    )
    async def visits_geojson(
        self, request: Request[Principal, Any, Any], region: RegionParam, round_id: RoundParam
    ) -> Stream:
        scope = await resolve(request.user, region, round_id)
        await record_download(
            request.user, "report.geojson_downloaded", scope, f"visits.geojson:{region}", {}
        )
        name = f"verval-visits-{region.replace('.', '_')}-round{round_id}-{_stamp()}.geojson"
        return Stream(
            exports.geojson_stream(request.user, scope),
            media_type=exports.GEOJSON_MEDIA_TYPE,
            headers=_attachment(name),
        )


REPORT_CONTROLLERS = [ReportsController, *LINK_CONTROLLERS]
