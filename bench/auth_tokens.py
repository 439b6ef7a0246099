"""Issue 3 benchmark: what authentication costs per request, and what a login costs.

Authenticated ``GET /api/v1/me`` (JWT verify + session/user lookup in PostgreSQL) against
the same answer from a handler without auth, in the same run, same server, same
concurrency; then login p50/p95 with the Argon2id parameters of auth/passwords.py.

    .venv/bin/python bench/auth_tokens.py [--seconds 10] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time

import httpx

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import ROOT, Server, create_database, drop_database, machine, percentiles

PASSWORD = "field-password-123"


def bench_app():  # type: ignore[no-untyped-def]
    """The real app plus one unauthenticated handler answering what /me answers."""
    from litestar import get

    from api.app import create_app

    app = create_app()

    @get("/bench/me-without-auth", exclude_from_auth=True)
    async def me_without_auth() -> dict[str, object]:
        return {
            "id": 1,
            "username": "bench",
            "display_name": "Bench",
            "role": "enumerator",
            "scopes": ["17.06.01"],
            "session_id": "00000000-0000-0000-0000-000000000000",
        }

    app.register(me_without_auth)
    return app


async def load(
    url: str, headers: dict[str, str], seconds: float, concurrency: int
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    stop_at = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10) as client:

        async def worker() -> None:
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                response = await client.get(path)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text

        path = url_path
        begin = time.monotonic()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        return len(latencies) / (time.monotonic() - begin), latencies


url_path = ""


async def main(seconds: float, concurrency: int) -> None:
    global url_path
    database = await create_database()
    var = tempfile.mkdtemp(prefix="verval-bench-")
    env = {"VERVAL_DATABASE_URL": database, "VERVAL_VAR_DIR": var, "VERVAL_SECRET_KEY": "b" * 64}
    try:
        subprocess.run(
            [str(ROOT / ".venv/bin/verval"), "migrate"],
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                str(ROOT / ".venv/bin/verval"),
                "users",
                "create",
                "bench",
                "--name",
                "Bench",
                "--role",
                "enumerator",
                "--scope",
                "17.06.01",
                "--password",
                PASSWORD,
            ],
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
        server = Server(env, workers=1, app="bench.auth_tokens:bench_app")
        server.start()
        try:
            async with httpx.AsyncClient(base_url=server.url) as client:
                login_times = []
                for _ in range(40):
                    started = time.perf_counter()
                    response = await client.post(
                        "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}
                    )
                    login_times.append(time.perf_counter() - started)
                    assert response.status_code == 200
                token = response.json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            url_path = "/bench/me-without-auth"
            await load(server.url, {}, 2, concurrency)  # warm-up
            bare_rps, bare = await load(server.url, {}, seconds, concurrency)
            url_path = "/api/v1/me"
            auth_rps, authed = await load(server.url, headers, seconds, concurrency)
        finally:
            server.stop()
    finally:
        await drop_database(database)
    b, a, lg = percentiles(bare), percentiles(authed), percentiles(login_times)
    print(f"machine: {machine()}")
    print(f"concurrency {concurrency}, {seconds:.0f} s each, 1 uvicorn worker, PostgreSQL\n")
    print("| request | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|")
    print(
        f"| same handler, no auth | {bare_rps:.0f} | {b['p50']:.1f} | {b['p95']:.1f} | {b['p99']:.1f} |"
    )
    print(
        f"| GET /api/v1/me (JWT + session lookup) | {auth_rps:.0f} | {a['p50']:.1f} | {a['p95']:.1f} | {a['p99']:.1f} |"
    )
    print(f"\nauthenticated / bare throughput: {auth_rps / bare_rps:.2f}")
    print(
        f"login (Argon2id t=3, m=64 MiB, p=2), sequential: p50 {lg['p50']:.0f} ms, p95 {lg['p95']:.0f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.concurrency))
