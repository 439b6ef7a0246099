"""Hostile input gets a 4xx problem+json, the same on SQLite and PostgreSQL, never a 500:
numbers beyond a column's range, JSON nested a thousand deep, NUL characters, JSON sent as
text, absurd dates."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from litestar import get

from auth.roles import Role
from tests.api.test_errors import assert_problem
from tests.support.field import VILLAGE, build_field, photos_for, visit_body
from tests.support.users import bearer, login, make_user

BEYOND_INT4 = 2_147_483_648
BEYOND_INT8 = 2**63


def _deep(depth: int) -> bytes:
    return b'{"username": ' + b"[" * depth + b"]" * depth + b', "password": "x"}'


async def _staff(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str]]:
    await make_user("boss", Role.ADMIN)
    await make_user("sari", Role.SUPERVISOR, ["17.06"])
    return bearer(await login(client, "boss")), bearer(await login(client, "sari"))


def _out_of_range_requests(big: int, visit: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"/api/v1/households?after={big}", None),
        ("GET", f"/api/v1/households?round_id={big}", None),
        ("GET", f"/api/v1/households/{big}", None),
        ("POST", f"/api/v1/households/{big}/reveal", None),
        ("GET", f"/api/v1/households/{big}/trail", None),
        ("POST", "/api/v1/households/search", {"name": "Kepala", "after": big}),
        ("GET", f"/api/v1/users/{big}", None),
        ("GET", f"/api/v1/users/{big}/sessions", None),
        ("GET", f"/api/v1/rounds/{big}", None),
        ("GET", f"/api/v1/rounds/{big}/progress", None),
        ("GET", f"/api/v1/rounds/{big}/assignments", None),
        ("GET", f"/api/v1/assignments/{big}", None),
        ("DELETE", f"/api/v1/assignments/{big}", None),
        ("GET", f"/api/v1/visits?round_id={big}", None),
        ("GET", f"/api/v1/audit/verify?household={big}", None),
        ("GET", f"/api/v1/forms/dtks_verval/versions/{big}", None),
        ("POST", "/api/v1/rounds/1/assignments", {"household_ids": [big], "enumerator_id": 1}),
        ("POST", "/api/v1/rounds/1/assignments", {"household_ids": [1], "enumerator_id": big}),
        ("POST", "/api/v1/rounds/1/assignments/unassign", {"household_ids": [big]}),
        ("PUT", f"/api/v1/visits/{uuid.uuid4()}", {**visit, "household_id": big}),
        ("PUT", f"/api/v1/visits/{uuid.uuid4()}", {**visit, "round_id": big}),
        # The civil registry and the village process (issues 14, 15).
        ("GET", f"/api/v1/civil-registry/imports/{big}", None),
        ("DELETE", f"/api/v1/civil-registry/credentials/{big}", None),
        ("GET", f"/api/v1/village-proposals?village={VILLAGE}&round_id={big}", None),
        ("GET", f"/api/v1/deliberations/{big}", None),
        ("PATCH", f"/api/v1/deliberations/{big}", {"place": "Balai"}),
        ("POST", f"/api/v1/deliberations/{big}/decisions", {"item_key": "x", "decision": "agreed"}),
        ("GET", f"/api/v1/deliberations/{big}/minutes.pdf", None),
        ("GET", f"/api/v1/public-reviews/{big}", None),
        ("GET", f"/api/v1/public-reviews/{big}/final.csv", None),
        ("POST", f"/api/v1/public-reviews/{big}/ratification", None),
        ("POST", f"/api/v1/objections/{big}/resolution", {"decision": "reject", "reason": "x"}),
    ]


async def test_numbers_beyond_a_columns_range_are_refused_not_500(client, database):
    admin, supervisor = await _staff(client)
    field = await build_field(households=1)
    enumerator = bearer(await login(client, "siti"))
    visit = visit_body(field, field.household_ids[0], photos_for(["house_front"]))
    for big in (BEYOND_INT4, BEYOND_INT8):
        for method, url, body in _out_of_range_requests(big, visit):
            headers = enumerator if url.startswith("/api/v1/visits/") else admin
            village_process = (
                "/village-proposals",
                "/deliberations",
                "/public-reviews",
                "/objections",
            )
            if "/households" in url or "/visits?" in url or url.startswith(village_process, 7):
                headers = supervisor
            if url.startswith("/api/v1/audit/"):
                await make_user(f"aud{big % 97}", Role.AUDITOR, ["17.06"])
                headers = bearer(await login(client, f"aud{big % 97}"))
            response = await client.request(method, url, json=body, headers=headers)
            assert response.status_code in (400, 404), (method, url, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_driver_range_error_is_a_400_by_its_exception_class(app, client, database):
    # The request checks refuse these values first; a handler that passes one anyway gets
    # the real driver error (asyncpg's DataError, sqlite3's OverflowError) and a 400.
    from auth.tables import User

    @get("/api/v1/test-range", exclude_from_auth=True)
    async def range_probe() -> None:
        await User.select(User.id).where(User.id == BEYOND_INT8)

    app.register(range_probe)
    assert_problem(await client.get("/api/v1/test-range"), 400, "value_out_of_range")


async def test_deep_json_is_refused_before_it_is_parsed_even_before_sign_in(client, database):
    for path in ("/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/enrol"):
        response = await client.post(
            path, content=_deep(1000), headers={"content-type": "application/json"}
        )
        assert_problem(response, 400, "json_too_deep")
    # Brackets inside strings are text, not depth.
    text = json.dumps({"username": "[" * 63 + "]", "password": "x"}).encode()
    response = await client.post(
        "/api/v1/auth/login", content=text, headers={"content-type": "application/json"}
    )
    assert response.status_code == 401, response.text


async def test_deep_json_in_a_visit_is_refused(client, database):
    field = await build_field(households=1)
    tokens = bearer(await login(client, "siti"))
    body = visit_body(field, field.household_ids[0], photos_for(["house_front"]))
    raw = json.dumps(body).encode()[:-1] + b', "deep": ' + b"[" * 200 + b"]" * 200 + b"}"
    response = await client.put(
        f"/api/v1/visits/{uuid.uuid4()}",
        content=raw,
        headers={**tokens, "content-type": "application/json"},
    )
    assert_problem(response, 400, "json_too_deep")


async def test_nul_characters_are_422_on_both_databases(client, database):
    response = await client.post(
        "/api/v1/auth/login", json={"username": "si\x00ti", "password": "x"}
    )
    assert_problem(response, 422, "nul_character")
    field = await build_field(households=1)
    enumerator = bearer(await login(client, "siti"))
    body = visit_body(field, field.household_ids[0], photos_for(["house_front"]))
    for mutate in (
        lambda b: {**b, "note": "ada\x00apa"},
        lambda b: {**b, "device_id": "hp\x00"},
        lambda b: {**b, "answers": {**b["answers"], "x\x00": "1"}},
    ):
        response = await client.put(
            f"/api/v1/visits/{uuid.uuid4()}", json=mutate(body), headers=enumerator
        )
        assert_problem(response, 422, "nul_character")
    _, supervisor = await _staff(client)
    response = await client.post(
        "/api/v1/households/search", json={"name": "Ke\x00pala"}, headers=supervisor
    )
    assert_problem(response, 422, "nul_character")
    for url in (
        "/api/v1/regions?q=Ip%00uh",
        f"/api/v1/regions/{VILLAGE}%00",
        "/api/v1/forms/dtks%00verval/versions/1",
    ):
        assert_problem(await client.get(url, headers=supervisor), 422, "nul_character")
    assert await _visits() == 0


async def _visits() -> int:
    from api.visits.tables import Visit

    return int(await Visit.count())


async def test_json_sent_as_text_is_415(client, database):
    response = await client.post(
        "/api/v1/auth/login",
        content=json.dumps({"username": "a", "password": "b"}),
        headers={"content-type": "text/plain"},
    )
    assert_problem(response, 415, "unsupported_media_type")


async def test_a_round_in_the_year_500_is_refused(client, database):
    admin, _ = await _staff(client)
    response = await client.post(
        "/api/v1/rounds",
        json={
            "name": "Verval kuno",
            "region_code": "17.06",
            "starts_on": "0500-01-01",
            "ends_on": "2026-12-31",
        },
        headers=admin,
    )
    body = assert_problem(response, 400, "invalid_request")
    assert any("starts_on" in error["path"] for error in body["errors"]), body


async def test_401_without_a_token_carries_the_request_id(client, database):
    response = await client.get("/api/v1/me")
    body = assert_problem(response, 401, "not_authenticated")
    assert body["request_id"] == response.headers["x-request-id"]


async def test_unique_violations_are_recognised_by_exception_class(database):
    from api.errors import is_unique_violation
    from auth.tables import User

    await make_user("tunggal", Role.ADMIN)
    row = await User.select().where(User.username == "tunggal").first()
    try:
        await User.insert(User(**{**row, "id": row["id"] + 1000}))
    except Exception as error:
        assert is_unique_violation(error), type(error)
    else:
        raise AssertionError("a second user with the same username was stored")
    try:
        await User.select(User.id).where(User.id == BEYOND_INT8)
    except Exception as error:
        assert not is_unique_violation(error)
