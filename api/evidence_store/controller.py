"""Serves objects of the local directory store through signed, short-lived URLs.

The S3 store hands out presigned URLs of the object store itself; the embedded
default has no such server, so the API streams the file after checking the
signature. Either way a photo never has a public URL.
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery
from litestar.response import Stream

from api.errors import Forbidden, NotFound
from api.resources import resources_from_state
from media.local import LocalDirectoryStore
from media.store import ObjectNotFound


class LocalMediaController(Controller):
    path = "/api/v1/media/local"
    tags = ["media"]

    @get(
        "/{key:path}", summary="An object of the local store, by signed URL", exclude_from_auth=True
    )
    async def get_object(
        self, state: State, key: FromPath[str], expires: FromQuery[int], signature: FromQuery[str]
    ) -> Stream:
        store = resources_from_state(state).store
        key = key.lstrip("/")
        if not isinstance(store, LocalDirectoryStore):
            raise NotFound("This deployment serves media from its object store.")
        if not store.verify_signed_url(key, expires, signature):
            raise Forbidden("The link is invalid or has expired.", code="bad_signature")
        try:
            info = await store.stat(key)
        except ObjectNotFound:
            raise NotFound("No such object.") from None
        return Stream(
            store.open(key),
            media_type=info.content_type,
            headers={
                "Content-Length": str(info.size),
                "Cache-Control": "private, max-age=300",
                "X-Content-Type-Options": "nosniff",
            },
        )
