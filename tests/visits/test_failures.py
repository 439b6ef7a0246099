"""Failure behaviour with real servers: the object store stops mid-run (a real SeaweedFS
process), and the database is unreachable. Nothing is half-stored; the phone gets 503."""

from __future__ import annotations

import socket
import uuid

import anyio

from api.app import create_app
from api.settings import Settings
from api.visits.tables import Photo
from tests.conftest import serve_in_process
from tests.support.field import build_field, photos_for, visit_body
from tests.support.s3_fixtures import new_bucket_name
from tests.support.seaweedfs import SeaweedServer
from tests.support.users import bearer, login


async def test_object_store_stopped_mid_run(make_settings, database):
    with SeaweedServer() as server:
        settings = make_settings(
            s3_endpoint=server.endpoint,
            s3_access_key=server.access_key,
            s3_secret_key=server.secret_key,
            s3_secure=False,
            s3_evidence_bucket=new_bucket_name("down"),
            s3_timeout_seconds=2,
            object_lock_retention_days=1,
        )
        async with serve_in_process(create_app(settings)) as client:
            field = await build_field()
            phone = bearer(await login(client, "siti"))
            photos = photos_for(["house_front"])
            first_id = uuid.uuid4()
            body = visit_body(field, field.household_ids[0], photos, outcome="not_home")
            assert (
                await client.put(f"/api/v1/visits/{first_id}", json=body, headers=phone)
            ).status_code == 201

            await anyio.to_thread.run_sync(server.stop)
            with anyio.fail_after(30):  # a clear error, not a hang
                down = await client.put(
                    f"/api/v1/visits/{first_id}/photos/{photos[0].id}",
                    content=photos[0].data,
                    headers={**phone, "Content-Type": "image/jpeg"},
                )
            assert down.status_code == 503 and down.json()["code"] == "object_store_unavailable"
            assert "retry-after" in down.headers
            row = await Photo.select(Photo.stored_at).where(Photo.id == photos[0].id).first()
            assert row["stored_at"] is None

            # Visit records are still accepted while the store is down.
            second = visit_body(
                field,
                field.household_ids[1],
                photos_for(["house_front"], seed=2),
                outcome="not_home",
            )
            accepted = await client.put(
                f"/api/v1/visits/{uuid.uuid4()}", json=second, headers=phone
            )
            assert accepted.status_code == 201
            ready = await client.get("/readyz")
            assert (
                ready.status_code == 503 and ready.json()["checks"]["object_store"] == "unavailable"
            )

            await anyio.to_thread.run_sync(server.start)
            up = await client.put(
                f"/api/v1/visits/{first_id}/photos/{photos[0].id}",
                content=photos[0].data,
                headers={**phone, "Content-Type": "image/jpeg"},
            )
            assert up.status_code == 201, up.text
            assert up.json()["visit_state"] == "complete"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_database_server_down_gives_503(tmp_path):
    # PostgreSQL only: SQLite is a file inside the process, there is no server to lose.
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/verval"
    settings = Settings(
        database_url=url,
        var_dir=tmp_path,
        secret_key="k" * 40,
        log_format="text",
        pwa_dist=tmp_path / "none",
    )
    async with serve_in_process(create_app(settings)) as client:
        response = await client.post(
            "/api/v1/auth/login", json={"username": "siti", "password": "x" * 12}
        )
        assert response.status_code == 503
        assert response.json()["code"] == "database_unavailable"
        assert "retry-after" in response.headers
