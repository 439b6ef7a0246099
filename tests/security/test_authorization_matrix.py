"""Runs the matrix of ``tests/security/matrix.py`` on each database; reports every mismatch."""

from __future__ import annotations

import re
from typing import Any

from api.audit.service import Actor
from api.forms import service as forms_service
from auth.roles import Role
from survey_forms import get_form
from tests.registry.matrix_world import add_registry_world
from tests.review.matrix_world import add_review_world
from tests.security.matrix import ROLES, Row, all_rows
from tests.support.routes import api_routes, uncovered
from tests.support.users import bearer, login, make_user
from tests.village.matrix_world import add_village_world

OWN_DISTRICT = "17.06.01"
FOREIGN_DISTRICT = "17.06.05"
OWN_VILLAGE = "17.06.01.2005"


async def build_world() -> dict[str, Any]:
    world: dict[str, Any] = {}
    await forms_service.publish(Actor.system(), get_form("dtks_verval", 1))
    world["enumerator.own"] = (await make_user("target.own", Role.ENUMERATOR, [OWN_DISTRICT])).id
    world["enumerator.foreign"] = (
        await make_user("target.foreign", Role.ENUMERATOR, [FOREIGN_DISTRICT])
    ).id
    for role in ROLES:
        scopes = {"admin": [], "village_operator": [OWN_VILLAGE]}.get(role, [OWN_DISTRICT])
        await make_user(f"matrix.{role}", Role(role), scopes)
    await add_registry_world(world)
    await add_review_world(world)
    await add_village_world(world)
    return world


def resolve(row: Row, world: dict[str, Any], region: str, role: str) -> tuple[str, Any]:
    values = {
        key.split(".")[0]: value for key, value in world.items() if key.endswith("." + region)
    }
    path = row.path.format(**values, role=role)
    body = None
    if row.body is not None:
        body = {
            k: (v.format(role=role, **values) if isinstance(v, str) else v)
            for k, v in row.body.items()
        }
    return path, body


async def test_authorization_matrix(client, database):
    world = await build_world()
    tokens = {role: await login(client, f"matrix.{role}") for role in ROLES}
    mismatches: list[str] = []
    checked = 0
    rows = all_rows()
    for row in rows:
        cases: list[tuple[str, dict[str, int]]] = [("own", row.own)]
        if row.foreign is not None:
            cases.append(("foreign", row.foreign))
        for region, expected_by_role in cases:
            for role in (*ROLES, "anonymous"):
                path, body = resolve(row, world, region, role)
                headers = bearer(tokens[role]) if role != "anonymous" else {}
                response = await client.request(row.method, path, json=body, headers=headers)
                expected = row.anonymous if role == "anonymous" else expected_by_role.get(role, 403)
                checked += 1
                if response.status_code != expected:
                    mismatches.append(
                        f"{row.method} {row.path} [{region}] as {role}: expected {expected}, "
                        f"got {response.status_code} {response.text[:120]}"
                    )
                elif response.status_code >= 400:
                    assert response.headers["content-type"].startswith("application/problem+json")
    assert not mismatches, f"{len(mismatches)} of {checked} cells differ:\n" + "\n".join(mismatches)
    assert checked >= len(rows) * 5


# Routes that take no bearer token, each with the tests that cover who may use it.
OUTSIDE_THE_MATRIX = {
    ("POST", "/api/v1/auth/login"): "tests/auth/test_tokens_and_sessions.py",
    ("POST", "/api/v1/auth/refresh"): "tests/auth/test_tokens_and_sessions.py",
    ("POST", "/api/v1/auth/logout"): "tests/auth/test_tokens_and_sessions.py",
    ("POST", "/api/v1/auth/enrol"): "tests/auth/test_enrolment_and_throttling.py",
    # the public review: no account by design (issue 15)
    ("GET", "/api/v1/public/reviews/{village:str}"): "tests/village/test_public.py",
    ("POST", "/api/v1/public/reviews/{village:str}/objections"): "tests/village/test_public.py",
    # a signed, expiring URL is the credential
    ("GET", "/api/v1/media/local/{key:path}"): "tests/media/test_object_store_contract.py",
    ("GET", "/api/v1/photo-thumbnails/{photo_id:uuid}"): "tests/review/test_detail.py",
}


def test_every_api_route_has_a_matrix_row(app):
    """A new endpoint must say who may call it: one row per route, or this fails."""
    placeholder = "1"
    requests = [(row.method, re.sub(r"\{[^}]+\}", placeholder, row.path)) for row in all_rows()]
    requests += [(method, path) for method, path in OUTSIDE_THE_MATRIX]
    missing = uncovered(api_routes(app), requests)
    assert missing == [], "routes without an authorisation-matrix row: " + ", ".join(
        f"{r.method} {r.path}" for r in missing
    )
