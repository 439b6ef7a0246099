"""The authorisation matrix: every endpoint x role x own / foreign region → expected status.

Each issue adds its endpoints here. A row names the request (method, path with
placeholders, body) and the status each role gets when the target lies in the
caller's own region and in a foreign region. ``anonymous`` is checked for every row.

Each domain keeps its rows in ``tests/security/rows/<domain>.py`` and the objects its
rows point at in the world builder of ``test_authorization_matrix.py``. In the world,
every non-admin caller is scoped to the own district 17.06.01; the foreign district is
17.06.05. A placeholder ``{name}`` in a path is the world's ``name.own`` or
``name.foreign`` for the own and foreign case; ``{role}`` is the caller's role.
The village operator is scoped to the own village 17.06.01.2005 only (its foreign case
is the foreign district's village; ``spare`` is a village of its own district it does
not hold). A row's raw dict that does not name a role expects 403 for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROLES = ("admin", "supervisor", "auditor", "enumerator", "village_operator")


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # may contain {own}/{foreign} placeholders resolved per region
    own: dict[str, int]
    foreign: dict[str, int] | None = None  # None: the endpoint has no region target
    body: dict[str, Any] | None = field(default=None)
    anonymous: int = 401


def same(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(allowed: dict[str, int], otherwise: int = 403) -> dict[str, int]:
    return {role: allowed.get(role, otherwise) for role in ROLES}


def all_rows() -> list[Row]:
    from tests.security.rows import auth, civil_registry, forms, registry, reports, review, village

    return [
        *auth.ROWS,
        *forms.ROWS,
        *registry.ROWS,
        *review.ROWS,
        *reports.ROWS,
        *civil_registry.ROWS,
        *village.ROWS,
    ]
