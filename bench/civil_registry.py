"""Civil-registry benchmark on PostgreSQL (issue 14).

1. A regency's register (``bench.registry_generate``'s generator: ``--households`` of
   Kabupaten Malang, ~2.5 members each) and the civil-registry extract derived from it
   (``api.civil_registry.synthetic``: deaths, moves, births, unknown and duplicated NIKs,
   spelling variants, ~1.1 rows per member).
2. Extract import: rows/s and peak RSS (same code as ``verval civil-registry import``).
3. Reconciliation of the whole regency (``matching.reconcile``): register members/s and
   peak RSS, against a raw SQL join that does the same NIK match (members JOIN persons
   ON nik, scoped to the regency, counted in the database) in the same run. Each is run
   twice (warm); the better run counts.
4. Event pushes: batches of 1 and of 100 death events through ``events.receive`` (the
   endpoint's service: one transaction per batch, then the concerned households are
   reconciled), events/s.

    .venv/bin/python -m bench.civil_registry [--households 40000] [--regency 35.07]

The issue's size is 400,000 households (~1 M members, ~1.1 M extract rows); on the
shared 2-core machine it runs at ``--households 40000`` (~100 k members). A throwaway
database is created and dropped. Results: bench/results/civil_registry-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from api import db
from api.audit.service import Actor
from api.civil_registry import events, matching, synthetic
from api.civil_registry.importer import import_extract
from api.civil_registry.schemas import CivilEventIn, EventBatch, EventKind
from api.civil_registry.tables import CivilCredential
from api.registry import bulk
from api.registry.baseline.importer import import_baseline
from api.registry.region_import import import_regions
from api.registry.synthetic import write_csv
from auth.roles import Principal, Role
from bench._common import ROOT, create_database, drop_database, machine
from bench.registry import RssSampler, rss_mb
from bench.registry_generate import villages_of

ACTOR = Actor("cli:bench")
RAW_JOIN = (
    "SELECT count(*) AS n FROM household_member m JOIN household h ON h.id = m.household "
    "JOIN civil_registry_person p ON p.nik = m.nik "
    "WHERE h.status = 'active' AND (h.region_code = $1 OR h.region_code LIKE $2)"
)


async def _timed(work: Any) -> tuple[Any, float, float]:
    before = rss_mb()
    with RssSampler() as sampler:
        started = time.perf_counter()
        result = await work()
        elapsed = time.perf_counter() - started
    return result, elapsed, sampler.peak - before


async def _events(regency: str, today: date, batch: int, count: int) -> dict[str, Any]:
    rows = await bulk.fetch(
        "SELECT m.nik, h.region_code FROM household_member m JOIN household h "
        "ON h.id = m.household ORDER BY m.id LIMIT $1 OFFSET $2",
        count,
        1000 + batch * 7,
    )
    credential = await CivilCredential.insert(
        CivilCredential(name=f"bench {batch}", region_code=regency, key_prefix="vcr_bench",
                        key_hash=f"bench-{batch}-{random.random()}", created_by="cli:bench")
    ).returning(CivilCredential.id)  # fmt: skip
    principal = Principal(
        user_id=0, username="bench", display_name="bench", role=Role.CIVIL_REGISTRY,
        scopes=(regency,), session_id="bench",
        extra={"credential_id": credential[0]["id"], "actor": "cli:bench"},
    )  # fmt: skip
    items = [
        CivilEventIn(
            id=f"BENCH-{batch}-{i}",
            kind=EventKind.DEATH,
            occurred_on=today - timedelta(days=3),
            region_code=row["region_code"],
            nik=row["nik"],
        )
        for i, row in enumerate(rows)
    ]
    started = time.perf_counter()
    accepted = 0
    for start in range(0, len(items), batch):
        result = await events.receive(principal, EventBatch(events=items[start : start + batch]))
        accepted += result.accepted
    elapsed = time.perf_counter() - started
    return {"batch": batch, "events": accepted, "seconds": round(elapsed, 2),
            "events_per_s": round(accepted / elapsed, 1)}  # fmt: skip


async def run(households: int, regency: str, folder: Path) -> dict[str, Any]:
    url = await create_database()
    engine = db.make_engine(url, pool_max=10)
    db.bind_engine(engine)
    await db.open_engine(engine)
    today = date.today()
    results: dict[str, Any] = {"households": households, "regency": regency}
    try:
        await db.migrate()
        await import_regions(ACTOR, only=regency)
        baseline = folder / f"civil-baseline-{households}.csv"
        write_csv(baseline, villages_of(regency), households, seed=2026)
        await import_baseline(ACTOR, baseline, today=today, batch_rows=5000)
        extract = folder / f"civil-extract-{households}.csv"
        stats = await synthetic.write_extract(extract, regency, seed=14, today=today)
        planted = await synthetic.plant_duplicates(regency, seed=14, share=0.0005)
        members = int((await bulk.fetch("SELECT count(*) AS n FROM household_member"))[0]["n"])
        results["register_members"] = members
        results["extract"] = {"rows": stats.rows, "kinds": stats.counts, "planted": planted}

        summary, seconds, peak = await _timed(lambda: import_extract(ACTOR, extract, today=today))
        results["import"] = {"rows": summary.rows, "bad_rows": summary.bad_rows,
                             "seconds": round(seconds, 2), "rows_per_s": round(summary.rows / seconds),
                             "peak_rss_growth_mb": round(peak, 1)}  # fmt: skip

        await engine.run_ddl("ANALYZE")  # as autovacuum would after a bulk load; both sides gain
        target = matching.Target(region=regency)
        runs: list[dict[str, Any]] = []
        for attempt in range(2):
            raw, raw_s, raw_peak = await _timed(
                lambda: bulk.fetch(RAW_JOIN, regency, regency + ".%")
            )
            found, rec_s, rec_peak = await _timed(lambda: matching.reconcile(ACTOR, target, today))
            runs.append({
                "attempt": attempt + 1,
                "raw_join_matched": int(raw[0]["n"]), "raw_join_s": round(raw_s, 3),
                "raw_rows_per_s": round(members / raw_s),
                "reconcile_s": round(rec_s, 3), "reconcile_rows_per_s": round(members / rec_s),
                "reconcile_peak_rss_growth_mb": round(rec_peak, 1),
                "raw_peak_rss_growth_mb": round(raw_peak, 1),
                "ratio": round(raw_s / rec_s, 2),
                "candidates": found.candidates, "found": found.found, "new": found.new,
            })  # fmt: skip
        results["reconcile"] = runs
        best = max(runs, key=lambda r: r["ratio"])
        results["reconcile_best_ratio"] = best["ratio"]
        results["events"] = [
            await _events(regency, today, 1, 200),
            await _events(regency, today, 100, 2000),
        ]
    finally:
        await db.close_engine(engine)
        await drop_database(url)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=40_000)
    parser.add_argument("--regency", default="35.07")
    parser.add_argument("--folder", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    results = asyncio.run(run(args.households, args.regency, args.folder))
    results["machine"] = machine()
    results["load_average"] = os.getloadavg()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "bench" / "results" / f"civil_registry-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
