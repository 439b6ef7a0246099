"""A household's decile is BPS's figure: only the baseline import writes it.

No request body of the API has a decile field, a household cannot be edited over HTTP,
and a visit that carries a decile in its answers (or beside them), once sent and
approved, leaves the register's decile as it was.
"""

from __future__ import annotations

from typing import Any

import httpx

from api.registry.tables import Household
from auth.roles import Role
from survey_forms.samples import dtks_submission
from tests.review.flow import send_visit
from tests.support.field import Field, photos_for, visit_body
from tests.support.users import bearer, login, make_user

# The full-stack fixtures (SQLite + local store, PostgreSQL + SeaweedFS) of the visit tests.
from tests.visits.conftest import app_client, field, phone, stack  # noqa: F401

DECILE_NAMES = {"decile", "desil", "desil_nasional"}


def _properties(schema: dict[str, Any], components: dict[str, Any], seen: set[str]) -> set[str]:
    """Every property name reachable from a schema (through $ref, allOf/anyOf/oneOf, items)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return set()
        seen.add(name)
        return _properties(components.get(name, {}), components, seen)
    found = set(schema.get("properties", {}))
    children = [*schema.get("properties", {}).values()]
    for key in ("allOf", "anyOf", "oneOf"):
        children += schema.get(key, [])
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            children.append(schema[key])
    for child in children:
        found |= _properties(child, components, seen)
    return found


async def test_no_request_body_of_the_api_carries_a_decile(client: httpx.AsyncClient):
    spec = (await client.get("/schema/openapi.json")).json()
    components = spec.get("components", {}).get("schemas", {})
    writers = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                names = _properties(media.get("schema", {}), components, set())
                if names & DECILE_NAMES:
                    writers.append(f"{method.upper()} {path}")
    assert writers == []
    # Households are read over HTTP, never edited: there is no PATCH or PUT for one.
    household = spec["paths"]["/api/v1/households/{household_id}"]
    assert set(household) <= {"get"}


async def test_a_visit_carrying_a_decile_leaves_the_register_decile_alone(
    app_client: httpx.AsyncClient,  # noqa: F811 (fixture)
    field: Field,  # noqa: F811 (fixture)
    phone: dict[str, str],  # noqa: F811 (fixture)
):
    household_id = field.household_ids[0]
    await Household.update({Household.decile: 3}).where(Household.id == household_id)
    supervisor = await make_user("sari", Role.SUPERVISOR, ["17.06.01"])
    assert supervisor.id
    office = bearer(await login(app_client, "sari"))

    # Beside the answers: the visit body refuses what it does not know.
    body = visit_body(field, household_id, photos_for(["house_front"]))
    body["decile"] = 10
    refused = await app_client.put(
        "/api/v1/visits/00000000-0000-4000-8000-00000000d351", json=body, headers=phone
    )
    assert 400 <= refused.status_code < 500, refused.text

    # Inside the answers: whatever the form makes of it, the register keeps BPS's figure.
    answers = {**dtks_submission(), "decile": "10", "desil": "10"}
    response = await app_client.put(
        "/api/v1/visits/00000000-0000-4000-8000-00000000d352",
        json=visit_body(field, household_id, photos_for(["house_front"]), answers=answers),
        headers=phone,
    )
    if response.status_code == 201:  # accepted: the unknown answers are kept as sent
        decided = await app_client.post(
            "/api/v1/visits/00000000-0000-4000-8000-00000000d352/decisions",
            json={"decision": "approve"},
            headers=office,
        )
        assert decided.status_code in (201, 409), decided.text
    else:
        assert 400 <= response.status_code < 500, response.text
    # A normal visit, approved, changes nothing either.
    visit_id, _ = await send_visit(app_client, phone, field, household_id, seed=3)
    decided = await app_client.post(
        f"/api/v1/visits/{visit_id}/decisions", json={"decision": "approve"}, headers=office
    )
    assert decided.status_code == 201, decided.text
    row = await Household.select(Household.decile).where(Household.id == household_id).first()
    assert row == {"decile": 3}
