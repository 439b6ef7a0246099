"""Registry benchmark on PostgreSQL at regency scale (issue 5).

1. Baseline import of the regency-scale file (``bench.registry_generate``: 400,000
   households, ~1 M members): rows/s and the import's peak memory (RSS sampled every
   0.2 s), in this process, through the same code as ``verval baseline import``.
2. Every household assigned in one round, 300 per enumerator (assignment throughput).
3. One enumerator's download of its 300 households through the real server
   (``verval serve``, uvicorn, loopback HTTP, gzip): the first (full) sync and an empty
   delta, p50/p95 and response size, next to the raw SQL time for the same rows (one
   asyncpg query for the assignments with their households, one for the members).

    .venv/bin/python -m bench.registry_generate            # once: var/bench/registry-400k.csv
    .venv/bin/python -m bench.registry [--file var/bench/registry-400k.csv] [--regency 35.07]

A throwaway database is created and dropped. Results: bench/results/registry-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from api import db
from api.audit.service import Actor
from api.registry import assignments as assignment_service
from api.registry.baseline.importer import import_baseline
from api.registry.region_import import import_regions
from api.registry.rounds import create_round
from api.registry.schemas import AssignRequest, RoundCreate
from api.registry.tables import Household
from auth.passwords import hash_password
from auth.roles import Principal, Role
from bench._common import ROOT, Server, create_database, drop_database, machine, percentiles

PASSWORD = "bench-password-2026"
PER_ENUMERATOR = 300


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    def __init__(self) -> None:
        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def admin() -> Principal:
    return Principal(
        user_id=0, username="bench", display_name="bench", role=Role.ADMIN, scopes=(),
        session_id="bench", extra={"actor": "cli:bench"},
    )  # fmt: skip


async def create_enumerators(
    pg: asyncpg.Connection, village_counts: dict[str, int]
) -> list[tuple[int, str]]:
    """One enumerator per 300 households of a village; only the first gets a real password
    hash (Argon2 for 1,300 users would dominate the run)."""
    real_hash = hash_password(PASSWORD)
    users: list[tuple[int, str]] = []
    number = 0
    for village, count in sorted(village_counts.items()):
        for _ in range((count + PER_ENUMERATOR - 1) // PER_ENUMERATOR):
            number += 1
            user_id = await pg.fetchval(
                "INSERT INTO app_user (username, display_name, role, password_hash, active, "
                "created_at, password_changed_at) VALUES ($1, $2, 'enumerator', $3, true, now(), "
                "now()) RETURNING id",
                f"enum{number:05d}",
                f"Enumerator {number}",
                real_hash if number == 1 else "!",
            )
            await pg.execute(
                'INSERT INTO app_user_scope ("user", region_code) VALUES ($1, $2)', user_id, village
            )
            users.append((user_id, village))
    return users


async def raw_download(pg: asyncpg.Connection, enumerator_id: int) -> int:
    """The same rows as the API's download, straight from asyncpg (the floor)."""
    rows = await pg.fetch(
        "SELECT a.id, a.round, a.state, a.returned_comment, a.assigned_at, a.updated_at, "
        "h.id AS household_id, h.region_code, h.address, h.rt, h.rw, h.kk_number, h.head_name, "
        "h.head_nik, h.latitude, h.longitude, h.decile, h.status, h.baseline "
        "FROM assignment a JOIN household h ON h.id = a.household "
        "JOIN verification_round r ON r.id = a.round "
        "WHERE a.enumerator = $1 AND r.state = 'open' ORDER BY a.id",
        enumerator_id,
    )
    members = await pg.fetch(
        "SELECT id, household, nik, name, sex, birth_date, relationship, marital_status, answers "
        "FROM household_member WHERE household = ANY($1) ORDER BY household, position, id",
        [r["household_id"] for r in rows],
    )
    return len(rows) + len(members)


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    url = await create_database()
    engine = db.make_engine(url, pool_max=10)
    db.bind_engine(engine)
    await db.open_engine(engine)
    result: dict[str, Any] = {"machine": machine(), "file": str(args.file)}
    try:
        await db.migrate()
        actor = Actor("cli:bench")
        await import_regions(actor, only=args.regency)

        # 1. baseline import
        started = time.perf_counter()
        rss_before = rss_mb()
        with RssSampler() as sampler:
            summary = await import_baseline(
                actor, args.file, ROOT / "var/bench/registry-report.csv", today=date(2026, 6, 1)
            )
        elapsed = time.perf_counter() - started
        result["import"] = {
            "rows": summary.rows_read,
            "households": summary.households_created,
            "rejected_rows": summary.rows_rejected,
            "seconds": round(elapsed, 1),
            "rows_per_s": round(summary.rows_read / elapsed),
            "rss_before_mb": round(rss_before),
            "rss_peak_mb": round(sampler.peak),
        }
        print("import", result["import"], flush=True)
        analyze = await asyncpg.connect(url)
        await analyze.execute("ANALYZE")  # what autovacuum does (it is off on the test server)
        await analyze.close()
        started = time.perf_counter()
        again = await import_baseline(actor, args.file, None, today=date(2026, 6, 1))
        result["reimport"] = {
            "unchanged": again.households_unchanged,
            "seconds": round(time.perf_counter() - started, 1),
        }
        print("re-import", result["reimport"], flush=True)

        # 2. assign everything: 300 households per enumerator, village by village.
        # The test server runs with autovacuum off; ANALYZE where autovacuum would.
        pg = await asyncpg.connect(url)
        await pg.execute("ANALYZE")
        counts = {
            r["region_code"]: r["n"]
            for r in await pg.fetch("SELECT region_code, count(*) AS n FROM household GROUP BY 1")
        }
        enumerators = await create_enumerators(pg, counts)
        round_out = await create_round(
            admin(),
            RoundCreate(name="Verval Juni 2026", region_code=args.regency,
                        starts_on=date(2026, 6, 1), ends_on=date(2026, 7, 31)),
        )  # fmt: skip
        by_village: dict[str, list[int]] = {}
        for village in counts:
            rows = await Household.select(Household.id).where(Household.region_code == village)
            by_village[village] = sorted(r["id"] for r in rows)
        started = time.perf_counter()
        taken: dict[str, int] = {}
        for number, (user_id, village) in enumerate(enumerators, start=1):
            if number % 100 == 0:
                await pg.execute("ANALYZE assignment, assignment_change, audit_event")
            start = taken.get(village, 0)
            chunk = by_village[village][start : start + PER_ENUMERATOR]
            taken[village] = start + len(chunk)
            await assignment_service.assign(
                admin(), round_out.id, AssignRequest(enumerator_id=user_id, household_ids=chunk)
            )
        elapsed = time.perf_counter() - started
        assigned = await pg.fetchval("SELECT count(*) FROM assignment")
        result["assign"] = {
            "assignments": assigned,
            "enumerators": len(enumerators),
            "seconds": round(elapsed, 1),
            "per_s": round(assigned / elapsed),
        }
        print("assign", result["assign"], flush=True)
        await pg.execute("ANALYZE")

        # 3. one enumerator's download through the real server
        target_id = enumerators[0][0]
        server = Server({"VERVAL_DATABASE_URL": url, "VERVAL_SECRET_KEY": "b" * 48,
                         "VERVAL_VAR_DIR": str(ROOT / "var/bench/server")})  # fmt: skip
        server.start()
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                login = await client.post(
                    "/api/v1/auth/login", json={"username": "enum00001", "password": PASSWORD}
                )
                login.raise_for_status()
                headers = {"Authorization": f"Bearer {login.json()['access_token']}",
                           "Accept-Encoding": "gzip"}  # fmt: skip
                full_times, delta_times = [], []
                first = None
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    first = await client.get("/api/v1/assignments", headers=headers)
                    full_times.append(time.perf_counter() - t)
                    first.raise_for_status()
                assert first is not None
                body = first.json()
                cursor = body["cursor"]
                wire = int(first.headers.get("content-length") or len(gzip.compress(first.content)))
                for _ in range(args.repeat * 3):
                    t = time.perf_counter()
                    delta = await client.get(
                        "/api/v1/assignments", params={"since": cursor}, headers=headers
                    )
                    delta_times.append(time.perf_counter() - t)
                    delta.raise_for_status()
                delta_wire = int(delta.headers.get("content-length") or len(delta.content))
        finally:
            server.stop()
        raw_times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            raw_rows = await raw_download(pg, target_id)
            raw_times.append(time.perf_counter() - t)
        await pg.close()
        members = sum(len(a["baseline"]["members"]) for a in body["assignments"])
        result["download"] = {
            "households": len(body["assignments"]),
            "members": members,
            "full_ms": percentiles(full_times),
            "full_bytes_json": len(first.content),
            "full_bytes_gzip": wire,
            "delta_ms": percentiles(delta_times),
            "delta_bytes": delta_wire,
            "raw_sql_ms": percentiles(raw_times),
            "raw_sql_rows": raw_rows,
            "repeat": args.repeat,
        }
        print("download", json.dumps(result["download"]), flush=True)
    finally:
        await db.close_engine(engine)
        if not args.keep:
            await drop_database(url)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Registry benchmark (issue 5)")
    parser.add_argument("--file", type=Path, default=ROOT / "var/bench/registry-400k.csv")
    parser.add_argument("--regency", default="35.07")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    if not args.file.exists():
        raise SystemExit(f"{args.file} is missing: run .venv/bin/python -m bench.registry_generate")
    result = asyncio.run(bench(args))
    out = ROOT / "bench/results" / f"registry-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"results: {out}")


if __name__ == "__main__":
    os.environ.setdefault("PICCOLO_CONF", "api.piccolo_conf")
    main()
