"""HTTP for auditors: verify the chain and the evidence, download evidence bundles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromQuery
from litestar.response import Stream

from api.audit import service as audit_service
from api.audit.bundle import BundleScope, build_bundle
from api.audit.service import Actor
from api.audit.verify import verify
from api.errors import NotFound, Unprocessable
from api.resources import resources_from_state
from auth.guards import requires_role
from auth.roles import Principal, Role, is_region_code

READERS = (Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN)


async def _scope(principal: Principal, region: str | None, household: int | None) -> BundleScope:
    """The region or household asked for, if the caller covers it (404 otherwise)."""
    if (region is None) == (household is None):
        raise Unprocessable("Give exactly one of region or household.", code="scope_required")
    if region is not None:
        if not is_region_code(region):
            raise Unprocessable(
                "region must be a Kemendagri code like 17.06.01.", code="bad_region"
            )
        if not principal.covers(region):
            raise NotFound("No such region in your scope.", code="region_not_found")
        return BundleScope(region=region)
    from api.registry.tables import Household

    row = await Household.select(Household.region_code).where(Household.id == household).first()
    if row is None or not principal.covers(row["region_code"]):
        raise NotFound("No such household in your scope.", code="household_not_found")
    return BundleScope(household_id=household)


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    guards = [requires_role(*READERS)]

    @get(
        "/verify", summary="Check the audit chain and re-hash the evidence of a region or household"
    )
    async def verify(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        region: FromQuery[str | None] = None,
        household: FromQuery[int | None] = None,
    ) -> dict[str, Any]:
        scope = await _scope(request.user, region, household)
        report = await verify(
            resources_from_state(state).store, region=scope.region, household_id=scope.household_id
        )
        result = report.as_dict()
        if not request.user.is_national:
            # The chain is shared by every region: name outside events only by number.
            for item in result["mismatches"]:
                if "photo_id" not in item:
                    item["detail"] = f"audit event {item.get('seq')}: {item['kind']}"
        return result

    @get("/bundles", summary="Stream an evidence bundle (ZIP) for a region or household")
    async def bundle(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        region: FromQuery[str | None] = None,
        household: FromQuery[int | None] = None,
    ) -> Stream:
        scope = await _scope(request.user, region, household)
        from api import db

        async with db.write_transaction():
            await audit_service.append_event(
                Actor.user(request.user.user_id),
                "audit.bundle_exported",
                "bundle",
                scope.region or f"household:{scope.household_id}",
                region_code=scope.region,
                details=scope.describe(),
            )
        name = (scope.region or f"household-{scope.household_id}").replace(".", "_")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return Stream(
            build_bundle(resources_from_state(state).store, scope),
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="verval-bundle-{name}-{stamp}.zip"',
                "Cache-Control": "no-store",
            },
        )
