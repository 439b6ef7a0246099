"""Every error is problem+json with a stable code and no stack trace."""

from __future__ import annotations

from litestar import get

from auth.roles import Role
from tests.support.users import bearer, login, make_user


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert {"type", "title", "detail"} <= body.keys()
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


async def test_unknown_route_is_404_problem(client, database):
    assert_problem(await client.get("/api/v1/nothing-here"), 404, "not_found")


async def test_wrong_method_is_405_problem(client, database):
    assert_problem(await client.delete("/healthz"), 405, "method_not_allowed")


async def test_oversize_json_is_413_problem(client, database):
    payload = b'{"username": "' + b"a" * (3 * 1024 * 1024) + b'", "password": "x"}'
    response = await client.post(
        "/api/v1/auth/login", content=payload, headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")


async def test_malformed_json_is_400_problem(client, database):
    response = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, "invalid_request")


async def test_domain_validation_is_422_problem(client, database):
    await make_user("boss", Role.ADMIN)
    tokens = await login(client, "boss")
    response = await client.post(
        "/api/v1/users",
        headers=bearer(tokens),
        json={
            "username": "budi",
            "display_name": "Budi",
            "role": "enumerator",
            "password": "short",
            "scopes": ["17.06"],
        },
    )
    assert_problem(response, 422, "weak_password")


async def test_unexpected_error_is_500_problem_without_details(app, client, database):
    @get("/api/v1/test-explodes", exclude_from_auth=True)
    async def explodes() -> None:
        raise RuntimeError("secret internal detail 3507010101900003")

    app.register(explodes)
    response = await client.get("/api/v1/test-explodes")
    body = assert_problem(response, 500, "internal_error")
    assert "secret internal detail" not in response.text and "3507" not in body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]


async def test_request_id_is_echoed_when_safe_and_made_otherwise(client, database):
    kept = await client.get("/healthz", headers={"x-request-id": "phone-abc-12345"})
    assert kept.headers["x-request-id"] == "phone-abc-12345"
    replaced = await client.get("/healthz", headers={"x-request-id": "bad id\n<script>"})
    assert replaced.headers["x-request-id"] != "bad id\n<script>"
    assert len(replaced.headers["x-request-id"]) == 32
