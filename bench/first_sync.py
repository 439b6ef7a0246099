"""The enumerator's first sync against the raw SQL for the same rows (issue 18, item 6).

A throwaway PostgreSQL database with one regency's region tree, a synthetic baseline
(``api.registry.synthetic``, the demo's generator), every household assigned 300 per
enumerator through the assignment service, and open civil-registry findings on a tenth of
the households (they travel in the payload as hints). Then, through the real server
(``verval serve``, loopback HTTP, gzip asked for), the first enumerator's full download
``GET /api/v1/assignments`` (gzip, as phones ask, and once more uncompressed),
interleaved with a raw asyncpg query for the same rows
(assignments with their households and rounds, members, open findings) on one held
connection: the floor. Reports p50/p95 of both and their ratio.

    .venv/bin/python -m bench.first_sync [--households 3000] [--repeat 60]

Before/after: run it from an extracted older tree with ``--app api.app:create_app`` (the
server then imports that tree's ``api``, not the installed one).

Results: bench/results/first_sync-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import subprocess
import time
from datetime import UTC, date, datetime
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
from api.registry.synthetic import write_csv
from bench._common import ROOT, Server, create_database, drop_database, machine, percentiles
from bench.registry import PASSWORD, PER_ENUMERATOR, admin, create_enumerators
from bench.registry_generate import villages_of


async def raw_sync(pg: asyncpg.Connection, enumerator_id: int) -> int:
    """The same rows the endpoint sends, as plain asyncpg rows (no JSON, no HTTP)."""
    rows = await pg.fetch(
        "SELECT a.id, a.round, a.state, a.returned_comment, a.assigned_at, a.updated_at, "
        "r.form_id, r.form_version, h.id AS household_id, h.region_code, h.address, h.rt, "
        "h.rw, h.kk_number, h.head_name, h.head_nik, h.latitude, h.longitude, h.decile, "
        "h.status, h.baseline FROM assignment a JOIN household h ON h.id = a.household "
        "JOIN verification_round r ON r.id = a.round "
        "WHERE a.enumerator = $1 AND r.state = 'open' ORDER BY a.id",
        enumerator_id,
    )
    households = [r["household_id"] for r in rows]
    members = await pg.fetch(
        "SELECT id, household, nik, name, sex, birth_date, relationship, marital_status, answers "
        "FROM household_member WHERE household = ANY($1) ORDER BY household, position, id",
        households,
    )
    findings = await pg.fetch(
        "SELECT id, household_id, kind, member_id, details FROM civil_registry_finding "
        "WHERE household_id = ANY($1) AND state = 'open' ORDER BY id",
        households,
    )
    return len(rows) + len(members) + len(findings)


async def seed(url: str, args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    """The world; returns the first enumerator's id and what was made."""
    actor = Actor("cli:bench")
    await import_regions(actor, only=args.regency)
    villages = villages_of(args.regency)[: args.villages]
    csv_path = ROOT / f"var/bench/first-sync-{args.households}.csv"
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(csv_path, villages, args.households, legacy=True)
    summary = await import_baseline(actor, csv_path, None, today=date(2026, 6, 1))
    pg = await asyncpg.connect(url)
    try:
        await pg.execute("ANALYZE")  # autovacuum is off on the test server
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
        for row in await pg.fetch("SELECT id, region_code FROM household ORDER BY id"):
            by_village.setdefault(row["region_code"], []).append(row["id"])
        taken: dict[str, int] = {}
        for user_id, village in enumerators:
            start = taken.get(village, 0)
            chunk = by_village[village][start : start + PER_ENUMERATOR]
            taken[village] = start + len(chunk)
            await assignment_service.assign(
                admin(), round_out.id, AssignRequest(enumerator_id=user_id, household_ids=chunk)
            )
        # A death reported by Dukcapil on the head of every tenth household of each village.
        await pg.execute(
            "INSERT INTO civil_registry_finding (fingerprint, kind, household_id, member_id, "
            "region_code, evidence, details, state, opened_at, seen_run) "
            "SELECT 'bench-' || h.id, 'died', h.id, m.id, h.region_code, 'bench', "
            "jsonb_build_object('event_date', '2026-03-04'), 'open', now(), 'bench' "
            "FROM (SELECT id, region_code, row_number() OVER (PARTITION BY region_code "
            "ORDER BY id) AS n FROM household) AS h "
            "JOIN household_member m ON m.household = h.id AND m.relationship = '1' "
            "WHERE h.n % 10 = 0"
        )
        await pg.execute("ANALYZE")
        made = {
            "households": summary.households_created,
            "members": summary.rows_read,
            "enumerators": len(enumerators),
            "findings": await pg.fetchval("SELECT count(*) FROM civil_registry_finding"),
        }
    finally:
        await pg.close()
    return enumerators[0][0], made


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    url = await create_database()
    engine = db.make_engine(url, pool_max=4)
    db.bind_engine(engine)
    await db.open_engine(engine)
    result: dict[str, Any] = {"machine": machine(), "args": vars(args)}
    try:
        await db.migrate()
        target_id, made = await seed(url, args)
        result["world"] = made
        print("world", made, flush=True)
        server = Server({"VERVAL_DATABASE_URL": url, "VERVAL_SECRET_KEY": "b" * 48,
                         "VERVAL_VAR_DIR": str(ROOT / "var/bench/server")}, app=args.app)  # fmt: skip
        server.start()
        pg = await asyncpg.connect(url)
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                login = await client.post(
                    "/api/v1/auth/login", json={"username": "enum00001", "password": PASSWORD}
                )
                login.raise_for_status()
                headers = {"Authorization": f"Bearer {login.json()['access_token']}",
                           "Accept-Encoding": "gzip"}  # fmt: skip
                identity = {**headers, "Accept-Encoding": "identity"}
                api_times, plain_times, raw_times = [], [], []
                response = None
                for number in range(args.warmup + args.repeat):
                    started = time.perf_counter()
                    response = await client.get("/api/v1/assignments", headers=headers)
                    api_elapsed = time.perf_counter() - started
                    response.raise_for_status()
                    started = time.perf_counter()
                    plain = await client.get("/api/v1/assignments", headers=identity)
                    plain_elapsed = time.perf_counter() - started
                    plain.raise_for_status()
                    started = time.perf_counter()
                    raw_rows = await raw_sync(pg, target_id)
                    raw_elapsed = time.perf_counter() - started
                    if number >= args.warmup:
                        api_times.append(api_elapsed)
                        plain_times.append(plain_elapsed)
                        raw_times.append(raw_elapsed)
                assert response is not None
                body = response.json()
        finally:
            await pg.close()
            server.stop()
        api, raw = percentiles(api_times), percentiles(raw_times)
        plain_ms = percentiles(plain_times)
        result["sync"] = {
            "assignments": len(body["assignments"]),
            "members": sum(len(a["baseline"]["members"]) for a in body["assignments"]),
            "hints": sum(len(a["civil_registry_hints"]) for a in body["assignments"]),
            "bytes_json": len(response.content),
            "bytes_gzip": int(response.headers.get("content-length") or 0)
            or len(gzip.compress(response.content)),
            "api_ms": api,
            "api_uncompressed_ms": plain_ms,
            "raw_sql_ms": raw,
            "raw_sql_rows": raw_rows,
            "ratio_p50": round(api["p50"] / raw["p50"], 2),
            "ratio_p95": round(api["p95"] / raw["p95"], 2),
            "ratio_uncompressed_p50": round(plain_ms["p50"] / raw["p50"], 2),
            "ratio_uncompressed_p95": round(plain_ms["p95"] / raw["p95"], 2),
            "load_average": os.getloadavg(),
            "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        }
        print(json.dumps(result["sync"], indent=1), flush=True)
    finally:
        await db.close_engine(engine)
        if not args.keep:
            await drop_database(url)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regency", default="35.07")
    parser.add_argument("--households", type=int, default=3000)
    parser.add_argument("--villages", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--app", help="serve this uvicorn factory from the current tree (api.app:create_app)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    result = asyncio.run(bench(args))
    out = ROOT / "bench/results" / f"first_sync-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"results: {out}")


if __name__ == "__main__":
    os.environ.setdefault("PICCOLO_CONF", "api.piccolo_conf")
    main()
