"""The supervisor's review queue, first page, at regency scale (issue 18, item 6).

A throwaway PostgreSQL database seeded set-based (``generate_series``, not the API):
one regency's region tree, a household per visit, enumerators, ``--visits`` visits spread
over the regency's villages and four weeks, three photos per visit, flags on a fifth of
the visits. Then, through the real server, ``GET /api/v1/visits`` (newest first, 50 per
page) as a regency supervisor: no filter, ``?state=complete`` (what is waiting), and a
village; p50/p95 per case, and the plan of the queue's statement (EXPLAIN ANALYZE).

    .venv/bin/python -m bench.review_queue [--visits 1000000] [--repeat 60]

Results: bench/results/review_queue-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import time
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx

from api import db
from api.audit.service import Actor
from api.registry.region_import import import_regions
from auth.passwords import hash_password
from bench._common import ROOT, Server, create_database, drop_database, machine, percentiles

PASSWORD = "bench-password-2026"

SEED = [
    # Households: one per visit, in the regency's villages round-robin.
    """INSERT INTO household (kk_number, region_code, address, rt, rw, head_name, baseline,
                              member_count, status, decile)
       SELECT lpad(i::text, 16, '0'), v[1 + i % cardinality(v)], 'Dusun ' || (i % 40),
              lpad((1 + i % 12)::text, 3, '0'), lpad((1 + i % 5)::text, 3, '0'),
              'Kepala ' || i, '{}'::jsonb, 4, 'active',
              CASE WHEN i % 29 = 0 THEN NULL ELSE 1 + (i * 7) % 10 END
       FROM generate_series(1, $1) AS i, (SELECT $2::text[] AS v) AS villages""",
    # Enumerators: one per 300 visits.
    """INSERT INTO app_user (username, display_name, role, password_hash, active, created_at,
                             password_changed_at)
       SELECT 'enum' || lpad(i::text, 5, '0'), 'Enumerator ' || i, 'enumerator', '!', true,
              now(), now()
       FROM generate_series(1, greatest(1, $1 / 300)) AS i""",
    # Visits: a fifth waiting (complete), half approved, the rest in other states.
    """INSERT INTO visit (id, household_id, round_id, region_code, proposed_household,
                          enumerator_id, form_id, form_version, outcome, eligibility, answers,
                          started_at, ended_at, device_id, app_version, content_hash, state,
                          received_at, photos_declared, photos_stored, photos_analysed,
                          flag_count)
       SELECT gen_random_uuid(), h.id, 1, h.region_code, false,
              (SELECT min(id) FROM app_user) + (h.id - 1) / 300, 'dtks_verval', 1,
              CASE WHEN h.id % 17 = 0 THEN 'not_home' ELSE 'found' END, NULL, '{}'::jsonb,
              t - interval '20 minutes', t - interval '5 minutes', 'device-' || h.id % 999,
              '1.0.0', md5(h.id::text) || md5(h.id::text),
              (ARRAY['complete', 'approved', 'approved', 'approved', 'approved', 'returned',
                     'approved', 'complete', 'escalated', 'submitted'])[1 + h.id % 10],
              t, 3, 3, 3, CASE WHEN h.id % 5 = 0 THEN 1 + h.id % 3 ELSE 0 END
       FROM household h,
            LATERAL (SELECT timestamptz '2026-06-01 08:00+07'
                            + (h.id * interval '28 days') / $1 AS t) AS received""",
    """INSERT INTO visit_photo (id, visit, kind, sha256, size, captured_at, stored_at,
                                storage_key, width, height, exif, perceptual_hash,
                                analysed_at)
       SELECT gen_random_uuid(), v.id, (ARRAY['house_front', 'house_inside', 'household'])[k],
              md5(v.id::text || k) || md5(k || v.id::text), 240000, v.started_at,
              v.received_at, 'evidence/' || v.id || '/' || k, 1600, 1200, '{}'::jsonb,
              substr(md5(v.id::text || k), 1, 16), v.received_at
       FROM visit v, generate_series(1, 3) AS k""",
    """INSERT INTO visit_flag (visit, code, severity, evidence, created_at)
       SELECT v.id, (ARRAY['gps_far_from_household', 'short_duration', 'photo_reused'])[n],
              (ARRAY['warning', 'info', 'critical'])[n], '{}'::jsonb, v.received_at
       FROM visit v, generate_series(1, 3) AS n WHERE n <= v.flag_count""",
]

# The statement ``api.review.queries.queue_rows`` sends for a regency supervisor's first
# page (newest first, no filter): the exact scope clause beside the index-friendly prefix.
QUEUE_SQL = """
SELECT id, household_id, proposed_household, round_id, region_code, enumerator_id, outcome,
       eligibility, state, started_at, received_at, flag_count, photos_stored,
       photos_declared, revisit_of
FROM visit
WHERE (region_code = $1 OR region_code LIKE $1 || '.%') {state}AND region_code LIKE $1 || '%'
ORDER BY received_at DESC, id DESC LIMIT 51
"""
# ``?decile=1-4``: the semi-join on the household (scope inside it too), as queue_rows adds it.
DECILE_SQL = (
    "AND household_id IN (SELECT id FROM household WHERE decile >= {low} AND decile <= {high} "
    "AND (region_code = $1 OR region_code LIKE $1 || '.%')) "
)


async def seed(url: str, args: argparse.Namespace) -> dict[str, Any]:
    await import_regions(Actor("cli:bench"), only=args.regency)
    pg = await asyncpg.connect(url)
    try:
        villages = [
            r["code"]
            for r in await pg.fetch(
                "SELECT code FROM region WHERE code LIKE $1 || '.%.%' ORDER BY code",
                args.regency,
            )
        ]
        timings = {}
        for number, sql in enumerate(SEED):
            started = time.perf_counter()
            if number == 0:
                await pg.execute(sql, args.visits, villages)
            elif number in (1, 2):
                await pg.execute(sql, args.visits)
            else:
                await pg.execute(sql)
            timings[sql.split()[2]] = round(time.perf_counter() - started, 1)
            print("seeded", sql.split()[2], timings[sql.split()[2]], "s", flush=True)
        supervisor = await pg.fetchval(
            "INSERT INTO app_user (username, display_name, role, password_hash, active, "
            "created_at, password_changed_at) VALUES ('spv', 'Supervisor', 'supervisor', $1, "
            "true, now(), now()) RETURNING id",
            hash_password(PASSWORD),
        )
        await pg.execute(
            'INSERT INTO app_user_scope ("user", region_code) VALUES ($1, $2)',
            supervisor,
            args.regency,
        )
        await pg.execute("VACUUM ANALYZE")  # autovacuum is off on the test server
        return {
            "villages": len(villages),
            "visits": await pg.fetchval("SELECT count(*) FROM visit"),
            "photos": await pg.fetchval("SELECT count(*) FROM visit_photo"),
            "flags": await pg.fetchval("SELECT count(*) FROM visit_flag"),
            "seed_seconds": timings,
            "village": villages[len(villages) // 2],
        }
    finally:
        await pg.close()


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    url = await create_database()
    engine = db.make_engine(url, pool_max=4)
    db.bind_engine(engine)
    await db.open_engine(engine)
    result: dict[str, Any] = {"machine": machine(), "args": vars(args)}
    try:
        await db.migrate()
        world = await seed(url, args)
        result["world"] = world
        print("world", world, flush=True)
        cases = {
            "all": {},
            "complete": {"state": "complete"},
            "village": {"region": world["village"]},
            "poorest": {"decile": "1-4"},
            "decile_7": {"decile": "7"},
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        server = Server({"VERVAL_DATABASE_URL": url, "VERVAL_SECRET_KEY": "b" * 48,
                         "VERVAL_VAR_DIR": str(ROOT / "var/bench/server")}, app=args.app)  # fmt: skip
        server.start()
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                login = await client.post(
                    "/api/v1/auth/login", json={"username": "spv", "password": PASSWORD}
                )
                login.raise_for_status()
                headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
                sizes = {}
                for number in range(args.warmup + args.repeat):
                    for name, params in cases.items():
                        started = time.perf_counter()
                        page = await client.get("/api/v1/visits", params=params, headers=headers)
                        elapsed = time.perf_counter() - started
                        page.raise_for_status()
                        sizes[name] = len(page.json()["items"])
                        if number >= args.warmup:
                            times[name].append(elapsed)
        finally:
            server.stop()
        pg = await asyncpg.connect(url)
        try:
            plans = {}
            # The village is one of our region codes (digits and dots): safe to inline.
            village = world["village"]
            in_village = f"AND (region_code = '{village}' OR region_code LIKE '{village}.%') "
            for name, state in (
                ("all", ""),
                ("complete", "AND state = 'complete' "),
                ("village", in_village),
                ("poorest", DECILE_SQL.format(low=1, high=4)),
                ("decile_7", DECILE_SQL.format(low=7, high=7)),
            ):
                rows = await pg.fetch(
                    "EXPLAIN (ANALYZE, BUFFERS) " + QUEUE_SQL.format(state=state), args.regency
                )
                plans[name] = [r[0] for r in rows]
        finally:
            await pg.close()
        result["queue"] = {
            name: {"items": sizes[name], "ms": percentiles(samples)}
            for name, samples in times.items()
        }
        result["plans"] = plans
        result["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout
        print(json.dumps(result["queue"], indent=1), flush=True)
        for name, plan in plans.items():
            print(f"--- plan: {name}\n" + "\n".join(plan), flush=True)
        print(result["uptime"], flush=True)
    finally:
        await db.close_engine(engine)
        if not args.keep:
            await drop_database(url)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regency", default="35.07")
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--app", help="serve this uvicorn factory (api.app:create_app)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    result = asyncio.run(bench(args))
    out = ROOT / "bench/results" / f"review_queue-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"results: {out}")


if __name__ == "__main__":
    os.environ.setdefault("PICCOLO_CONF", "api.piccolo_conf")
    main()
