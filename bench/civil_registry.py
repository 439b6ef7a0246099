"""Civil-registry benchmark on PostgreSQL (issue 14), at regency scale by default.

1. A regency's register from the demo's generator (``api.registry.synthetic.Generator``:
   ``--households`` of Kabupaten Malang, ~2.56 members each), COPYed straight into
   ``household``/``household_member`` (the baseline import's own speed is
   ``bench.registry``'s), a few same-person-twice members planted, and the civil-registry
   extract derived from it (``api.civil_registry.synthetic.write_extract``: deaths, moves,
   births, unknown NIKs, spelling variants, ~1.1 rows per member).
2. Extract import: the first ``--import-rows`` rows through ``import_extract`` (the
   product path: rows/s and peak RSS); the rest parsed by the import's own ``parse_row``
   and COPYed (same name keys, content hashes, evidence), so seeding a million takes minutes.
3. Reconciliation of the whole regency (``matching.reconcile``): register members/s and
   peak RSS, against a raw SQL join that does the same NIK match (members JOIN persons
   ON nik, scoped to the regency, counted in the database) in the same run. Each is run
   three times, alternating (the first reconciliation writes the findings, the others
   find the same and write nothing); each read's start, duration and rows are kept.
4. Event pushes: batches of 1 and of 100 death events through ``events.receive`` (the
   endpoint's service: one transaction per batch, then the concerned households are
   reconciled), events/s.

    .venv/bin/python -m bench.civil_registry [--households 400000] [--regency 35.07]
        [--import-rows 110000] [--keep] [--database URL]

400,000 households are the issue's regency (~1.02 M members, ~1.14 M extract rows). A
throwaway database is created and dropped (``--keep`` keeps it, for profiling;
``--database URL`` re-runs steps 3 and 4 on such a kept database, without seeding — the
events are then repeats, so their rates are not meaningful there).
Results: bench/results/civil_registry-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from api import db
from api.audit.service import Actor
from api.civil_registry import events, matching, synthetic
from api.civil_registry.columns import map_headers, parse_row
from api.civil_registry.importer import file_sha256, import_extract
from api.civil_registry.names import name_key
from api.civil_registry.schemas import CivilEventIn, EventBatch, EventKind
from api.civil_registry.tables import CivilCredential
from api.registry import bulk
from api.registry.baseline.readers import open_rows
from api.registry.region_import import import_regions
from api.registry.synthetic import Generator
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


COPY_CHUNK = 50_000


async def _copy(pg: asyncpg.Connection, table: str, columns: list[str], rows: Any) -> int:
    """COPY an iterator of tuples into ``table``, a chunk at a time (flat memory)."""
    done = 0
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, COPY_CHUNK)):
        await pg.copy_records_to_table(table, records=chunk, columns=columns)
        done += len(chunk)
    return done


async def seed_register(pg: asyncpg.Connection, regency: str, households: int) -> int:
    """The regency's register from the demo's generator (``api.registry.synthetic``), COPYed
    straight into ``household``/``household_member`` (the baseline import's own speed is
    measured by ``bench.registry``). The baseline answers are left out: reconciliation
    reads only the identity columns. Returns the member count."""
    generator = Generator(seed=2026)
    villages = villages_of(regency)
    members: list[tuple[Any, ...]] = []
    member_id = 0
    household_rows: list[tuple[Any, ...]] = []
    member_total = 0
    for index in range(1, households + 1):
        rows = generator.household(villages[(index - 1) % len(villages)])
        head = rows[0]
        household_rows.append((index, head["no_kk"], head["region_code"], head["address"],
                               head["rt"], head["rw"], head["name"], head["nik"], len(rows),
                               "active", "bench"))  # fmt: skip
        for position, row in enumerate(rows, start=1):
            member_id += 1
            members.append((member_id, index, position, row["nik"], row["name"],
                            name_key(row["name"]), row["sex"],
                            date.fromisoformat(row["birth_date"]), row["relationship"],
                            row["marital_status"]))  # fmt: skip
        if len(members) >= COPY_CHUNK or index == households:
            await _copy(pg, "household", ["id", "kk_number", "region_code", "address", "rt",
                        "rw", "head_name", "head_nik", "member_count", "status",
                        "content_hash"], household_rows)  # fmt: skip
            member_total += await _copy(pg, "household_member", ["id", "household", "position",
                                        "nik", "name", "name_key", "sex", "birth_date",
                                        "relationship", "marital_status"], members)  # fmt: skip
            household_rows, members = [], []
    await pg.execute("SELECT setval('household_id_seq', $1)", households)
    await pg.execute("SELECT setval('household_member_id_seq', $1)", member_id)
    await pg.execute("ANALYZE household, household_member")  # as autovacuum would after a load
    return member_total


async def copy_extract(pg: asyncpg.Connection, path: Path, skip_rows: int, today: date) -> int:
    """The extract's rows after the first ``skip_rows``, parsed by the import's own
    ``parse_row`` (same name keys, content hashes and evidence) and COPYed. Rows the
    import refuses are skipped; returns the rows written."""
    source = open_rows(path)
    columns, _ = map_headers(source.headers)
    digest = file_sha256(path)[:12]
    run = "bench-copy"
    now = datetime.now(UTC)
    seen: set[str] = set()

    def records() -> Any:
        for number, cells in source.rows:
            if number - 1 <= skip_rows:  # row numbers count the header as row 1
                continue
            row, problems = parse_row(cells, columns, today)
            if row is None or problems or row.nik in seen:
                continue
            seen.add(row.nik)
            yield (row.nik, row.kk_number, row.name, row.name_key, row.sex, row.birth_place,
                   row.birth_date, row.relationship, row.region_code, row.death_date,
                   row.moved_out_on, row.move_destination, row.kk_changed_on, row.content_hash,
                   f"extract {digest} row {number}", run, now)  # fmt: skip

    existing = {r["nik"] for r in await pg.fetch("SELECT nik FROM civil_registry_person")}
    seen |= existing
    return await _copy(pg, "civil_registry_person", ["nik", "kk_number", "name", "name_key",
                       "sex", "birth_place", "birth_date", "relationship", "region_code",
                       "death_date", "moved_out_on", "move_destination", "kk_changed_on",
                       "content_hash", "evidence", "import_run", "updated_at"],
                       records())  # fmt: skip


def _trace_reads() -> list[dict[str, Any]]:
    """Where a reconciliation's time goes: each read's start (since the first), duration
    and rows, by its statement's first words (``matching._read`` wrapped)."""
    reads: list[dict[str, Any]] = []
    original = matching._read

    async def traced(sql: str, args: Any, settings: Any = ()) -> list[Any]:
        started = time.perf_counter()
        first = reads[0]["t0"] if reads else started
        rows = await original(sql, args, settings)
        reads.append({"t0": started, "start_s": round(started - first, 3),
                      "seconds": round(time.perf_counter() - started, 3), "rows": len(rows),
                      "sql": " ".join(sql.split())[:60]})  # fmt: skip
        return rows

    matching._read = traced  # type: ignore[assignment]
    return reads


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


async def _seed(
    url: str,
    regency: str,
    households: int,
    folder: Path,
    import_rows: int,
    today: date,
    results: dict[str, Any],
) -> int:
    """The register, the extract and its import into a fresh database; returns the members."""
    await db.migrate()
    await import_regions(ACTOR, only=regency)
    pg = await asyncpg.connect(url)
    started = time.perf_counter()
    members = await seed_register(pg, regency, households)
    planted = await synthetic.plant_duplicates(regency, seed=14, share=0.0005)
    extract = folder / f"civil-extract-{households}.csv"
    stats = await synthetic.write_extract(extract, regency, seed=14, today=today)
    results["register_members"] = members + planted
    results["extract"] = {"rows": stats.rows, "kinds": stats.counts, "planted": planted}
    members += planted

    # The import itself on the extract's first rows (the product path, measured); the
    # rest COPYed with the import's own row parser.
    head = folder / f"civil-extract-{households}-head.csv"
    with extract.open(encoding="utf-8") as whole, head.open("w", encoding="utf-8") as part:
        part.writelines(itertools.islice(whole, import_rows + 1))
    summary, seconds, peak = await _timed(lambda: import_extract(ACTOR, head, today=today))
    results["import"] = {"rows": summary.rows, "bad_rows": summary.bad_rows,
                         "seconds": round(seconds, 2), "rows_per_s": round(summary.rows / seconds),
                         "peak_rss_growth_mb": round(peak, 1)}  # fmt: skip
    copied = await copy_extract(pg, extract, import_rows, today)
    persons = await pg.fetchval("SELECT count(*) FROM civil_registry_person")
    results["persons"] = persons
    results["seed_seconds"] = round(time.perf_counter() - started - seconds, 1)
    print(f"seeded {members} members, {persons} persons ({copied} copied)", flush=True)
    await pg.close()

    return members


async def run(
    households: int,
    regency: str,
    folder: Path,
    import_rows: int,
    keep: bool = False,
    database: str | None = None,
) -> dict[str, Any]:
    url = database or await create_database()
    engine = db.make_engine(url, pool_max=10)
    db.bind_engine(engine)
    await db.open_engine(engine)
    today = date.today()
    results: dict[str, Any] = {"households": households, "regency": regency}
    try:
        if database:
            # A kept database (``--keep``): only the reconciliation and event runs again.
            members = int((await bulk.fetch("SELECT count(*) AS n FROM household_member"))[0]["n"])
            results["register_members"] = members
            results["reused_database"] = True
            await db.migrate()  # a database kept before a newer migration
        else:
            members = await _seed(url, regency, households, folder, import_rows, today, results)
        # As autovacuum would after a bulk load (statistics, and the visibility map the
        # index-only scans of the match-digest anti join need); both sides gain.
        await engine.run_ddl("VACUUM (ANALYZE)")
        target = matching.Target(region=regency)
        runs: list[dict[str, Any]] = []
        reads = _trace_reads()
        for attempt in range(3):
            reads.clear()
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
                "reads": [{k: v for k, v in r.items() if k != "t0"} for r in reads], "load_average": os.getloadavg(),
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
        if keep:
            print(f"kept: {url}", flush=True)
        elif not database:
            await drop_database(url)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=400_000)
    parser.add_argument("--regency", default="35.07")
    parser.add_argument(
        "--import-rows",
        type=int,
        default=110_000,
        help="extract rows imported by the import itself (the rest: COPY)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (profiling)")
    parser.add_argument(
        "--database", help="re-use a database kept by --keep (no seeding, no import)"
    )
    parser.add_argument("--folder", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    results = asyncio.run(
        run(
            args.households,
            args.regency,
            args.folder,
            args.import_rows,
            args.keep,
            args.database,
        )
    )
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
