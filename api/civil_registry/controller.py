"""HTTP for the civil registry: credentials, extract uploads, events, findings, report.

The events endpoint takes no JWT: the caller is the civil registry's service account,
which presents an API key (``Authorization: Bearer vcr_…``). A person's valid access
token there answers 403 (``role_forbidden``); anything else 401.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED

from api.civil_registry import credentials, events, findings, imports, matching, report
from api.civil_registry.kinds import FindingKind, FindingState
from api.civil_registry.schemas import (
    CredentialCreate,
    CredentialIssued,
    CredentialOut,
    EventBatch,
    EventBatchResult,
    FindingPage,
    ImportJobOut,
    ReconcileRequest,
    ReconciliationReport,
)
from api.errors import Forbidden
from api.registry.queries import actor_of
from api.reports.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from api.resources import resources_from_state
from auth import service as auth_service
from auth.guards import requires_role
from auth.roles import Principal, Role
from auth.tokens import ALGORITHM, REQUIRED_CLAIMS, AccessToken

READERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
REGION_PATTERN = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"
RegionParam = Annotated[str, QueryParameter(pattern=REGION_PATTERN)]
MAX_EXTRACT_BYTES = 2 * 1024**3


async def civil_registry_key(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """The guard of the events endpoint: an active API key, or 401/403."""
    scheme, _sep, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException("Present the civil registry's API key.")
    if token.startswith(credentials.KEY_PREFIX):
        row = await credentials.active_credential(token)
        if row is None:
            raise NotAuthorizedException("Unknown or revoked API key.")
        ref = f"civil_registry:{row['id']}"
        connection.scope["user"] = Principal(
            user_id=0,
            username=ref,
            display_name=row["name"],
            role=Role.CIVIL_REGISTRY,
            scopes=(row["region_code"],),
            session_id=f"key:{row['id']}",
            extra={"credential_id": row["id"], "actor": ref},
        )
        return
    settings = resources_from_state(connection.app.state).settings
    try:
        decoded = AccessToken.decode(
            token,
            secret=settings.signing_key.decode(),
            algorithm=ALGORITHM,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            require_claims=list(REQUIRED_CLAIMS),
            strict_audience=True,
        )
    except Exception:  # any malformed or foreign token: not signed in
        raise NotAuthorizedException("Unknown token.") from None
    if await auth_service.principal_for_session(decoded.sid, decoded.sub) is None:
        raise NotAuthorizedException("The session has ended.")
    raise Forbidden("Only the civil registry's API key may push events.", code="role_forbidden")


class CivilRegistryEventsController(Controller):
    path = "/api/v1/civil-registry/events"
    tags = ["civil registry"]
    guards = [civil_registry_key]

    @post(
        "/",
        summary="A batch of life events (death, birth, move, KK change), each with its own id",
        exclude_from_auth=True,
        status_code=HTTP_200_OK,
    )
    async def push(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[EventBatch, Body(description="Up to 1000 events")],
    ) -> EventBatchResult:
        principal = request.scope["user"]
        assert isinstance(principal, Principal)
        return await events.receive(principal, data)


class CivilRegistryAdminController(Controller):
    """Credentials, extract imports and reconciliation runs: admins only."""

    path = "/api/v1/civil-registry"
    tags = ["civil registry"]
    guards = [requires_role(Role.ADMIN)]

    @post("/credentials", summary="Issue an API key for the civil registry (shown once)")
    async def issue_credential(
        self,
        request: Request[Principal, Any, Any],
        data: Annotated[CredentialCreate, Body()],
    ) -> Response[CredentialIssued]:
        issued = await credentials.issue(actor_of(request.user), data)
        return Response(issued, status_code=HTTP_201_CREATED)

    @get("/credentials", summary="The civil registry's API keys (never the keys themselves)")
    async def list_credentials(self) -> list[CredentialOut]:
        return await credentials.list_all()

    @delete("/credentials/{credential_id:int}", summary="Revoke an API key")
    async def revoke_credential(
        self, request: Request[Principal, Any, Any], credential_id: FromPath[int]
    ) -> None:
        await credentials.revoke(actor_of(request.user), credential_id)

    @post(
        "/imports",
        summary="Upload an extract (CSV or XLSX body); the import runs on, poll its progress",
        request_max_body_size=MAX_EXTRACT_BYTES,
        status_code=HTTP_202_ACCEPTED,
    )
    async def upload(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        file_name: Annotated[str, QueryParameter(max_length=200)] = "extract",
    ) -> Response[ImportJobOut]:
        spool = resources_from_state(state).settings.spool_dir
        spool.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=spool, prefix="civil-extract-", delete=False)
        with handle:
            async for chunk in request.stream():
                handle.write(chunk)
        path = Path(handle.name)
        job = await imports.create_job(actor_of(request.user), path, file_name)
        return Response(
            job,
            status_code=HTTP_202_ACCEPTED,
            background=BackgroundTask(imports.run_job, actor_of(request.user), job.id, path),
        )

    @get("/imports", summary="The latest extract uploads, newest first")
    async def latest_imports(self) -> list[ImportJobOut]:
        return await imports.latest_jobs()

    @get("/imports/{job_id:int}", summary="An extract import's progress and summary")
    async def import_job(self, job_id: FromPath[int]) -> ImportJobOut:
        return await imports.get_job(job_id)


class CivilRegistryFindingsController(Controller):
    """Findings and the reconciliation report, inside the caller's regions."""

    path = "/api/v1/civil-registry"
    tags = ["civil registry"]
    guards = [requires_role(*READERS)]

    @post(
        "/reconciliations",
        summary="Reconcile a region's households with the civil registry now",
        status_code=HTTP_200_OK,
        guards=[requires_role(Role.SUPERVISOR, Role.ADMIN)],
    )
    async def reconcile(
        self,
        request: Request[Principal, Any, Any],
        data: Annotated[ReconcileRequest, Body()],
    ) -> dict[str, Any]:
        await report.visible_region(request.user, data.region_code)
        summary = await matching.reconcile(
            actor_of(request.user), matching.Target(region=data.region_code)
        )
        return summary.as_dict()

    @get("/findings", summary="Findings, by household or region, kind and state")
    async def list_findings(
        self,
        request: Request[Principal, Any, Any],
        household: Annotated[int | None, QueryParameter(ge=1)] = None,
        region: Annotated[str | None, QueryParameter(pattern=REGION_PATTERN)] = None,
        kind: Annotated[FindingKind | None, QueryParameter()] = None,
        status: Annotated[FindingState | None, QueryParameter()] = None,
        after: Annotated[int | None, QueryParameter(ge=0)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> FindingPage:
        return await findings.list_findings(
            request.user,
            household_id=household,
            region=region,
            kind=kind,
            state=status,
            after=after,
            limit=limit,
        )

    @get("/report", summary="Counts of findings per village of a region")
    async def report_counts(
        self, request: Request[Principal, Any, Any], region: RegionParam
    ) -> ReconciliationReport:
        result = await report.counts(request.user, region)
        await report.record_download(request.user, region, "json")
        return result

    @get("/report.csv", summary="The findings of a region (CSV, masked NIK and No. KK)")
    async def report_csv(
        self, request: Request[Principal, Any, Any], region: RegionParam
    ) -> Stream:
        await report.visible_region(request.user, region)
        await report.record_download(request.user, region, "csv")
        return Stream(
            report.csv_stream(region),
            media_type=CSV_MEDIA_TYPE,
            headers=_attachment(region, "csv"),
        )

    @get("/report.xlsx", summary="The findings of a region (XLSX, masked NIK and No. KK)")
    async def report_xlsx(
        self, request: Request[Principal, Any, Any], region: RegionParam
    ) -> Stream:
        await report.visible_region(request.user, region)
        await report.record_download(request.user, region, "xlsx")
        return Stream(
            report.xlsx_stream(region),
            media_type=XLSX_MEDIA_TYPE,
            headers=_attachment(region, "xlsx"),
        )


def _attachment(region: str, fmt: str) -> dict[str, str]:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"verval-dukcapil-{region.replace('.', '_')}-{stamp}.{fmt}"
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


CIVIL_REGISTRY_CONTROLLERS = [
    CivilRegistryEventsController,
    CivilRegistryAdminController,
    CivilRegistryFindingsController,
]
