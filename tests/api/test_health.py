"""Liveness and readiness against real servers, including stopped ones."""

from __future__ import annotations

import socket

from api.app import create_app
from tests.conftest import serve_in_process


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_healthz_and_readyz_ok(client, database):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "object_store": "ok"}


async def test_readyz_names_the_database_when_it_is_down(make_settings, database, tmp_path):
    if database.backend == "postgres":
        url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/verval"
    else:
        # A directory where the database file should be: SQLite cannot open it.
        (tmp_path / "not-a-file.sqlite3").mkdir()
        url = f"sqlite:///{tmp_path / 'not-a-file.sqlite3'}"
    app = create_app(make_settings(database_url=url))
    async with serve_in_process(app) as client:
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["checks"]["database"] == "unavailable"
        assert response.json()["checks"]["object_store"] == "ok"
        assert "database" in response.json()["detail"]
        assert (await client.get("/healthz")).status_code == 200


async def test_readyz_names_the_object_store_when_it_is_down(make_settings, database):
    app = create_app(
        make_settings(
            s3_endpoint=f"127.0.0.1:{_closed_port()}",
            s3_access_key="k",
            s3_secret_key="s",
            s3_secure=False,
            s3_timeout_seconds=2,
        )
    )
    async with serve_in_process(app) as client:
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"] == {"database": "ok", "object_store": "unavailable"}
        assert "object_store" in response.json()["detail"]


async def test_readyz_with_real_seaweedfs(make_settings, database, seaweed):
    app = create_app(
        make_settings(
            s3_endpoint=seaweed.endpoint,
            s3_access_key=seaweed.access_key,
            s3_secret_key=seaweed.secret_key,
            s3_secure=False,
            s3_evidence_bucket="ready-check",
        )
    )
    async with serve_in_process(app) as client:
        response = await client.get("/readyz")
        assert response.status_code == 200, response.text


async def test_openapi_schema_is_published(client, database):
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/auth/login" in paths and "/readyz" in paths
    assert (await client.get("/schema")).status_code == 200
