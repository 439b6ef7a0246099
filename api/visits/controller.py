"""HTTP for visit intake from the phone: idempotent PUTs of records and photo bytes."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import Body, FromPath, FromQuery

from api.dependencies import KnownDistricts
from api.errors import Forbidden, NotFound
from api.jobs import runner
from api.pwa_shell import SKIP_COMPRESSION
from api.resources import resources_from_state
from api.review import service as review_service
from api.review.schemas import ReviewVisitDetail
from api.settings import Settings
from api.visits import photos, service, thumbnails
from api.visits.quality import QualityThresholds
from api.visits.schemas import PhotoReceipt, VisitReceipt, VisitSubmission
from auth.guards import ANY_ROLE, requires_role
from auth.roles import Principal, Role
from media.store import ObjectStore

PHOTO_CONTENT_TYPES = {"image/jpeg", "application/octet-stream"}
# The intake receipts are a few hundred bytes of JSON: the compression middleware would
# still make and close a gzip stream per response to find that out (issue 18).
NOT_COMPRESSED = {SKIP_COMPRESSION: True}


class VisitIntakeController(Controller):
    path = "/api/v1/visits"
    tags = ["visits"]
    # Each route names its roles (no class-wide guard as well): Litestar copies the route
    # handler for every guard it runs, and the intake PUTs are the hot path (issue 18).

    @put(
        "/{visit_id:uuid}",
        guards=[requires_role(Role.ENUMERATOR)],
        summary="Submit a visit record (idempotent by its UUID)",
        opt=NOT_COMPRESSED,
    )
    async def put_visit(
        self,
        request: Request[Principal, Any, Any],
        visit_id: FromPath[uuid.UUID],
        data: Annotated[VisitSubmission, Body(title="A visit record from the phone")],
        thresholds: NamedDependency[QualityThresholds],
        known_districts: NamedDependency[KnownDistricts],
    ) -> Response[VisitReceipt]:
        receipt, created = await service.submit(
            request.user, visit_id, data, thresholds, known_districts
        )
        return Response(receipt, status_code=201 if created else 200)

    @put(
        "/{visit_id:uuid}/photos/{photo_id:uuid}",
        guards=[requires_role(Role.ENUMERATOR)],
        summary="Upload a declared photo's JPEG bytes (idempotent)",
        request_max_body_size=None,
        opt=NOT_COMPRESSED,
    )
    async def put_photo(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        visit_id: FromPath[uuid.UUID],
        photo_id: FromPath[uuid.UUID],
    ) -> Response[PhotoReceipt]:
        resources = resources_from_state(state)
        settings = resources.settings
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in PHOTO_CONTENT_TYPES:
            return _unsupported(request, content_type)
        receipt, created = await photos.receive_photo(
            request.user,
            visit_id,
            photo_id,
            request.stream(),
            store=resources.store,
            max_bytes=settings.max_photo_bytes,
            spool_dir=settings.spool_dir,
            queue_analysis=settings.effective_analysis_runner == "queue",
            analyse_inline=partial(runner.after_photo_stored, resources)
            if settings.effective_analysis_runner == "inline"
            else None,
        )
        return Response(receipt, status_code=201 if created else 200)

    @get(
        "/{visit_id:uuid}",
        guards=[requires_role(*ANY_ROLE)],
        summary="One visit: record, photos, flags, baseline, decisions",
    )
    async def get_visit(
        self,
        request: Request[Principal, Any, Any],
        visit_id: FromPath[uuid.UUID],
        object_store: NamedDependency[ObjectStore],
        app_settings: NamedDependency[Settings],
    ) -> ReviewVisitDetail:
        # One detail for every reader (the phone and reviewers): service.visit_detail,
        # extended by review with the baseline, decisions and photo links.
        return await review_service.visit_detail(
            request.user,
            visit_id,
            object_store,
            thumbnail_link_key=thumbnails.link_key(app_settings.signing_key),
        )


class PhotoThumbnailController(Controller):
    """A review thumbnail kept in its photo's row (``api.visits.thumbnails``)."""

    path = thumbnails.THUMBNAIL_ROUTE
    tags = ["visits"]

    @get(
        "/{photo_id:uuid}",
        summary="A photo's review thumbnail, by signed URL",
        exclude_from_auth=True,
    )
    async def get_thumbnail(
        self,
        photo_id: FromPath[uuid.UUID],
        expires: FromQuery[int],
        signature: FromQuery[str],
        app_settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        # The signed link is the credential, as an object store's presigned URL is.
        key = thumbnails.link_key(app_settings.signing_key)
        if not thumbnails.link_is_valid(key, photo_id, expires, signature):
            raise Forbidden("The link is invalid or has expired.", code="bad_signature")
        data = await thumbnails.stored_thumbnail(photo_id)
        if data is None:
            raise NotFound("No such thumbnail.")
        return Response(
            data,
            media_type="image/jpeg",
            headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
        )


def _unsupported(request: Request[Any, Any, Any], content_type: str) -> Response[Any]:
    from api.errors import problem

    return problem(
        request,
        415,
        "unsupported_media_type",
        f"Send the photo as image/jpeg, not {content_type or 'nothing'}.",
    )
