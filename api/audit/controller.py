"""HTTP for auditors: verify the chain and the evidence, download evidence bundles.

A bundle can be large (a region's photos), so a browser should let its own download
manager write it to disk instead of holding it in page memory; but a plain link carries
no bearer token. ``POST /audit/bundles/link`` therefore answers a short-lived signed URL
(``api/signed_links.py``), and ``GET /audit/bundles/download`` checks the signature, then
the signer's session and scope again, exactly as the bearer route does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromQuery
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from api import signed_links
from api.audit.bundle import BundleScope, build_bundle, bundle_scope, record_bundle_export
from api.audit.verify import verify
from api.bounds import IdQuery, RequiredIdQuery
from api.resources import resources_from_state
from api.signed_links import SignedLink
from auth.guards import requires_role
from auth.roles import Principal, Role

READERS = (Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN)
_LINK_CONTEXT = b"verval-bundle-link/1"
DOWNLOAD_PATH = "/api/v1/audit/bundles/download"
BundleLink = SignedLink  # the name the OpenAPI schema and the PWA know


def _link_key(state: State) -> bytes:
    return signed_links.link_key(state, _LINK_CONTEXT)


def _scope_params(scope: BundleScope) -> dict[str, str | int | None]:
    return {"region": scope.region, "household": scope.household_id}


def signed_bundle_link(
    key: bytes, principal: Principal, scope: BundleScope, *, now: float | None = None
) -> SignedLink:
    return signed_links.sign(key, DOWNLOAD_PATH, _scope_params(scope), principal, now=now)


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    # Guards per route: the signed download carries no bearer token.

    @get(
        "/verify",
        guards=[requires_role(*READERS)],
        summary="Check the audit chain and re-hash the evidence of a region or household",
    )
    async def verify(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        region: FromQuery[str | None] = None,
        household: IdQuery = None,
    ) -> dict[str, Any]:
        scope = await bundle_scope(request.user, region, household)
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

    @get(
        "/bundles",
        guards=[requires_role(*READERS)],
        summary="Stream an evidence bundle (ZIP) for a region or household",
    )
    async def bundle(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        region: FromQuery[str | None] = None,
        household: IdQuery = None,
    ) -> Stream:
        scope = await bundle_scope(request.user, region, household)
        return await _bundle_stream(request.user, state, scope)

    @post(
        "/bundles/link",
        status_code=HTTP_200_OK,
        guards=[requires_role(*READERS)],
        summary="A short-lived signed URL for a bundle, so the browser downloads it to disk",
    )
    async def bundle_link(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        region: FromQuery[str | None] = None,
        household: IdQuery = None,
    ) -> SignedLink:
        scope = await bundle_scope(request.user, region, household)
        return signed_bundle_link(_link_key(state), request.user, scope)

    @get(
        "/bundles/download",
        summary="A bundle by signed URL (from POST /audit/bundles/link)",
        exclude_from_auth=True,
    )
    async def bundle_download(
        self,
        state: State,
        user: RequiredIdQuery,
        sid: FromQuery[str],
        expires: FromQuery[int],
        signature: FromQuery[str],
        region: FromQuery[str | None] = None,
        household: IdQuery = None,
    ) -> Stream:
        principal = await signed_links.signer(
            _link_key(state),
            DOWNLOAD_PATH,
            {"region": region, "household": household},
            user=user,
            sid=sid,
            expires=expires,
            signature=signature,
            roles=READERS,
        )
        # The scope must still be the signer's.
        scope = await bundle_scope(principal, region, household)
        return await _bundle_stream(principal, state, scope)


async def _bundle_stream(principal: Principal, state: State, scope: BundleScope) -> Stream:
    await record_bundle_export(principal, scope)
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
