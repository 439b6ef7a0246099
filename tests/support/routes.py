"""The application's HTTP routes, and matching a concrete request path against them.

Used by the tests that must cover every route (the authorisation matrix, the audit
coverage table): a new endpoint without a row fails those tests instead of slipping by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from litestar import Litestar
from litestar.routes import HTTPRoute

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # Litestar's template, e.g. /api/v1/visits/{visit_id:uuid}

    @property
    def pattern(self) -> re.Pattern[str]:
        parts = re.split(r"\{[^}]+\}", self.path)
        return re.compile("^" + "[^/]+".join(re.escape(part) for part in parts) + "$")

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and bool(self.pattern.match(path.split("?")[0]))


def api_routes(app: Litestar, prefix: str = "/api/v1") -> list[Route]:
    found: set[Route] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(prefix):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method not in IGNORED_METHODS:
                    found.add(Route(method, route.path))
    return sorted(found, key=lambda r: (r.path, r.method))


def uncovered(routes: list[Route], requests: list[tuple[str, str]]) -> list[Route]:
    """The routes no (method, concrete path) request reaches."""
    return [r for r in routes if not any(r.matches(m, p) for m, p in requests)]
