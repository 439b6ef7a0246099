"""``GET /api/v1/config``: deployment settings the screens need (the map's tile server).

Tiles are configurable because a province may run its own tile cache, or have none: the
screens fall back to a plain map of the points when tiles don't load.
"""

from __future__ import annotations

import msgspec
from litestar import Controller, get
from litestar.datastructures import State

from api.resources import resources_from_state
from auth.guards import SIGNED_IN, requires_role


class MapConfig(msgspec.Struct):
    tile_url: str | None  # an {z}/{x}/{y} template; None: no tiles, points only
    attribution: str
    max_zoom: int


class ClientConfig(msgspec.Struct):
    map: MapConfig


class ClientConfigController(Controller):
    path = "/api/v1/config"
    tags = ["config"]
    guards = [requires_role(*SIGNED_IN)]

    @get("", summary="Deployment settings for the screens (map tiles)")
    async def client_config(self, state: State) -> ClientConfig:
        settings = resources_from_state(state).settings
        return ClientConfig(
            map=MapConfig(
                tile_url=settings.map_tile_url or None,
                attribution=settings.map_attribution,
                max_zoom=settings.map_max_zoom,
            )
        )
