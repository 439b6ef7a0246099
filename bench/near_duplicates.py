"""Near-duplicate photo lookup (issue 6): every stored hash of the district vs the band index.

Self-contained: makes a fresh PostgreSQL database ``verval_bench_<random>`` on the server at
127.0.0.1:5432 (migrated with ``verval migrate``) and drops it afterwards, also on failure or
SIGTERM.

One district (17.06.01, five villages) is seeded with stored photos, 3 per complete visit and
one household per visit, bulk-loaded with COPY in the shapes ``visit`` and ``visit_photo``
require, plus the 8 ``photo_hash_band`` rows of each photo (as ``add_hash_bands`` writes them).
Perceptual hashes are random 64-bit values, except that ``--cluster-share`` (1 %) of the photos
are a sibling of an earlier photo of another household, 0-6 bits away. The district grows to
each N of ``--sizes`` (10,000 then 100,000) in the same database, ANALYZEd before measuring.

For ``--queries`` (300) query hashes per N (40 % fresh random, 50 % 0-8 bits from a stored
photo of another household, 10 % 0-8 bits from a stored photo of the querying household,
which must not be flagged), each in a new visit, timed through the real Piccolo functions
with the engine bound (``api.db``):

* old: ``stored_hashes_of_other_households(household, visit, district)`` (every stored hash
  of the district), then the Hamming comparison in Python, as ``_near_duplicates`` did;
* new: ``near_duplicate_candidates`` (one query: photos sharing at least 8 - bits bands,
  through the band index), then the same comparison, as ``_near_duplicates`` does now;
* ceiling: the band index lookup alone, one raw asyncpg query
  ``SELECT DISTINCT photo FROM photo_hash_band WHERE district=$1 AND band_key = ANY($2)``.

The three are interleaved per query (order rotating). The old path costs over a second per
lookup at 100,000, so to stay under ~8 minutes it is timed on the first ``--old-queries``
(300, 120) of the queries of each size. Both paths must find the same near duplicates (all
matches within ``--bits``, 6, before ``_near_duplicates`` keeps 5) as each other and as a
brute-force comparison with the seeded hashes in memory (every query), and
``_near_duplicates`` itself is called (untimed) on every ``--check-every`` (5th) query to
check its flags are among them.

    .venv/bin/python bench/near_duplicates.py
    .venv/bin/python bench/near_duplicates.py --sizes 10000 100000 --queries 300

Results: ``bench/results/near_duplicates-<time>.{md,json}``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Import from the repository root, never from bench/ itself.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import asyncpg  # noqa: E402

from bench.audit import bind, loadavg, migrate  # noqa: E402
from bench.fieldstack import ROOT, BenchDatabase, percentile  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DISTRICT = "17.06.01"
VILLAGES = [f"{DISTRICT}.{2001 + i}" for i in range(5)]
PHOTOS_PER_VISIT = 3
KINDS = ["house_front", "house_side", "respondent"]

VISIT_COLUMNS = [
    "id",
    "household_id",
    "round_id",
    "region_code",
    "proposed_household",
    "enumerator_id",
    "form_id",
    "form_version",
    "outcome",
    "answers",
    "started_at",
    "ended_at",
    "gps_lat",
    "gps_lon",
    "gps_accuracy_m",
    "device_id",
    "app_version",
    "content_hash",
    "state",
    "received_at",
    "completed_at",
    "photos_declared",
    "photos_stored",
    "flag_count",
]
PHOTO_COLUMNS = [
    "id",
    "visit",
    "kind",
    "sha256",
    "size",
    "captured_at",
    "stored_at",
    "storage_key",
    "width",
    "height",
    "exif",
    "perceptual_hash",
    "display_key",
    "thumbnail_key",
]


def machine() -> dict[str, Any]:
    import platform

    cpu, ram_kb = "unknown", 0
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                ram_kb = int(line.split()[1])
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(ram_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def flip(value: int, bits: int, rng: random.Random) -> int:
    for bit in rng.sample(range(64), bits):
        value ^= 1 << bit
    return value


def hex64(value: int) -> str:
    return f"{value:016x}"


# ------------------------------------------------------------------------- seeding
class District:
    """What has been seeded so far: each photo's (id, hash, household) in insertion order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.photos: list[tuple[uuid.UUID, str, int]] = []
        self.next_household = 1
        self.siblings = 0

    async def grow(self, connection: asyncpg.Connection, target: int, cluster_share: float) -> None:
        from api.visits.queries import hash_band_keys

        rng = self.rng
        start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
        visits: list[tuple[Any, ...]] = []
        photos: list[tuple[Any, ...]] = []
        bands: list[tuple[Any, ...]] = []
        while len(self.photos) < target:
            household = self.next_household
            self.next_household += 1
            visit_id = uuid.uuid4()
            village = VILLAGES[household % len(VILLAGES)]
            at = start + timedelta(seconds=37 * household)
            visits.append(
                (
                    visit_id,
                    household,
                    1,
                    village,
                    False,
                    1 + household % 40,
                    "pbi-verify",
                    1,
                    "found",
                    "{}",
                    at,
                    at + timedelta(minutes=9),
                    -2.4 + rng.random() / 10,
                    101.0 + rng.random() / 10,
                    8.0,
                    f"device-{household % 40}",
                    "bench",
                    hashlib.sha256(visit_id.bytes).hexdigest(),
                    "complete",
                    at + timedelta(minutes=10),
                    at + timedelta(minutes=11),
                    PHOTOS_PER_VISIT,
                    PHOTOS_PER_VISIT,
                    0,
                )
            )
            for kind in KINDS:
                if len(self.photos) >= target:
                    break
                if self.photos and rng.random() < cluster_share:
                    # A sibling of an earlier photo of another household, 0-6 bits away.
                    other = rng.choice(self.photos)
                    while other[2] == household:
                        other = rng.choice(self.photos)
                    value = flip(int(other[1], 16), rng.randint(0, 6), rng)
                    self.siblings += 1
                else:
                    value = rng.getrandbits(64)
                photo_id = uuid.uuid4()
                phash = hex64(value)
                sha = hashlib.sha256(photo_id.bytes).hexdigest()
                photos.append(
                    (
                        photo_id,
                        visit_id,
                        kind,
                        sha,
                        250_000 + rng.randrange(50_000),
                        at + timedelta(minutes=2),
                        at + timedelta(minutes=10),
                        f"evidence/{sha[:2]}/{sha}",
                        1600,
                        1200,
                        "{}",
                        phash,
                        f"derivatives/{sha[:2]}/{sha}/display.jpg",
                        f"derivatives/{sha[:2]}/{sha}/thumb.jpg",
                    )
                )
                bands.extend((photo_id, DISTRICT, key) for key in hash_band_keys(phash))
                self.photos.append((photo_id, phash, household))
        async with connection.transaction():
            await connection.copy_records_to_table("visit", records=visits, columns=VISIT_COLUMNS)
            await connection.copy_records_to_table(
                "visit_photo", records=photos, columns=PHOTO_COLUMNS
            )
            await connection.copy_records_to_table(
                "photo_hash_band", records=bands, columns=["photo", "district", "band_key"]
            )
        await connection.execute("ANALYZE visit; ANALYZE visit_photo; ANALYZE photo_hash_band")


# ------------------------------------------------------------------------- queries
def make_queries(district: District, count: int, rng: random.Random) -> list[dict[str, Any]]:
    queries = []
    for index in range(count):
        visit_id = uuid.uuid4()
        roll = index % 10
        if roll < 4:
            kind, value, household = "fresh", rng.getrandbits(64), None
        else:
            _, stored, owner = rng.choice(district.photos)
            value = flip(int(stored, 16), rng.randint(0, 8), rng)
            kind = "near other household" if roll < 9 else "near own household"
            household = owner if kind == "near own household" else None
        if household is None:
            household = district.next_household + 1_000_000 + index  # a household not seeded
        queries.append(
            {"kind": kind, "hash": hex64(value), "household": household, "visit": visit_id}
        )
    rng.shuffle(queries)
    return queries


def reference(district: District, q: dict[str, Any], bits: int) -> list[tuple[str, int]]:
    """The expected matches, from the seeded hashes in memory (other households only)."""
    value = int(q["hash"], 16)
    return [
        (str(photo_id), distance)
        for photo_id, phash, household in district.photos
        if household != q["household"]
        and (distance := (value ^ int(phash, 16)).bit_count()) <= bits
    ]


def compare(perceptual_hash: str, rows: list[dict[str, Any]], bits: int) -> list[tuple[str, int]]:
    """The comparison ``_near_duplicates`` makes, before it keeps the first five."""
    from media.images import hamming_distance

    found = []
    for other in rows:
        distance = hamming_distance(perceptual_hash, other["perceptual_hash"])
        if distance <= bits:
            found.append((str(other["id"]), distance))
    return found


async def old_path(q: dict[str, Any], bits: int) -> tuple[list[tuple[str, int]], int]:
    from api.visits import queries

    rows = await queries.stored_hashes_of_other_households(q["household"], q["visit"], DISTRICT)
    return compare(q["hash"], rows, bits), len(rows)


async def new_path(q: dict[str, Any], bits: int) -> tuple[list[tuple[str, int]], int]:
    from api.visits import queries

    rows = await queries.near_duplicate_candidates(
        DISTRICT, q["hash"], bits, q["household"], q["visit"]
    )
    return compare(q["hash"], rows, bits), len(rows)


async def raw_band_lookup(connection: asyncpg.Connection, perceptual_hash: str) -> int:
    from api.visits.queries import hash_band_keys

    rows = await connection.fetch(
        "SELECT DISTINCT photo FROM photo_hash_band WHERE district=$1 AND band_key = ANY($2)",
        DISTRICT,
        hash_band_keys(perceptual_hash),
    )
    return len(rows)


async def measure(
    url: str,
    district: District,
    size: int,
    old_queries: int,
    args: argparse.Namespace,
    rng: random.Random,
) -> dict[str, Any]:
    from api.visits.analysis import _near_duplicates
    from api.visits.quality import QualityThresholds

    limits = QualityThresholds(near_duplicate_bits=args.bits)
    raw = await asyncpg.connect(url)
    try:
        plan = "\n".join(
            row[0]
            for row in await raw.fetch(
                "EXPLAIN SELECT DISTINCT photo FROM photo_hash_band "
                "WHERE district=$1 AND band_key = ANY($2)",
                DISTRICT,
                ["0:00", "1:00", "2:00", "3:00", "4:00", "5:00", "6:00", "7:00"],
            )
        )
        queries = make_queries(district, args.queries, rng)
        # Warm-up: caches, prepared statements, the Python side.
        for q in queries[:5]:
            await old_path(q, args.bits)
            await new_path(q, args.bits)
            await raw_band_lookup(raw, q["hash"])
        times: dict[str, list[float]] = {"old": [], "new": [], "raw": []}
        reference_misses: list[dict[str, Any]] = []
        helper_checked = 0
        candidates: list[int] = []
        raw_counts: list[int] = []
        old_rows: list[int] = []
        matches = 0
        disagreements: list[dict[str, Any]] = []
        helper_disagreements: list[dict[str, Any]] = []
        found_by_kind: dict[str, list[int]] = {}
        order = ["old", "new", "raw"]
        began = time.perf_counter()
        for index, q in enumerate(queries):
            results: dict[str, Any] = {}
            steps = order[index % 3 :] + order[: index % 3]
            if index >= old_queries:
                steps.remove("old")
            for step in steps:
                started = time.perf_counter()
                if step == "old":
                    results["old"] = await old_path(q, args.bits)
                elif step == "new":
                    results["new"] = await new_path(q, args.bits)
                else:
                    results["raw"] = await raw_band_lookup(raw, q["hash"])
                times[step].append(time.perf_counter() - started)
            new_found, band_count = results["new"]
            expected = reference(district, q, args.bits)
            candidates.append(band_count)
            raw_counts.append(results["raw"])
            matches += len(expected)
            found_by_kind.setdefault(q["kind"], []).append(len(expected))
            if sorted(expected) != sorted(new_found):
                reference_misses.append({"query": {k: str(v) for k, v in q.items()}, "path": "new"})
            if "old" in results:
                old_found, rows_read = results["old"]
                old_rows.append(rows_read)
                if sorted(expected) != sorted(old_found):
                    reference_misses.append(
                        {"query": {k: str(v) for k, v in q.items()}, "path": "old"}
                    )
                if sorted(old_found) != sorted(new_found):
                    disagreements.append(
                        {
                            "query": {k: str(v) for k, v in q.items()},
                            "old_only": sorted(set(old_found) - set(new_found)),
                            "new_only": sorted(set(new_found) - set(old_found)),
                        }
                    )
            if index % args.check_every:
                continue
            # The real function (untimed): its flags must be among the matches, at most 5.
            helper_checked += 1
            flags = await _near_duplicates(
                {"id": q["visit"], "household_id": q["household"], "region_code": VILLAGES[0]},
                uuid.uuid4(),
                q["hash"],
                limits,
            )
            flagged = {(f.evidence["other_photo"], f.evidence["hamming_distance"]) for f in flags}
            if len(flags) != min(5, len(expected)) or not flagged <= set(expected):
                helper_disagreements.append(
                    {"query": q["hash"], "flags": sorted(flagged), "expected": sorted(expected)}
                )
        elapsed = time.perf_counter() - began
    finally:
        await raw.close()

    def summary(samples: list[float]) -> dict[str, float]:
        return {
            "p50_ms": percentile(samples, 50) * 1000,
            "p95_ms": percentile(samples, 95) * 1000,
            "mean_ms": statistics.fmean(samples) * 1000 if samples else 0.0,
            "lookups_per_s": len(samples) / sum(samples) if samples else 0.0,
        }

    return {
        "photos": size,
        "siblings_seeded": district.siblings,
        "queries": len(queries),
        "query_kinds": {k: len(v) for k, v in found_by_kind.items()},
        "old": summary(times["old"]),
        "new": summary(times["new"]),
        "raw": summary(times["raw"]),
        "old_queries_timed": len(times["old"]),
        "reference_misses": reference_misses,
        "near_duplicates_fn_checked": helper_checked,
        "old_rows_mean": statistics.fmean(old_rows) if old_rows else 0.0,
        "candidates_mean": statistics.fmean(candidates),
        "candidates_p95": percentile([float(c) for c in candidates], 95),
        "candidates_max": max(candidates),
        "raw_candidates_equal": raw_counts == candidates,
        "matches_total": matches,
        "matches_by_kind": {k: sum(v) for k, v in found_by_kind.items()},
        "queries_with_match": sum(1 for v in found_by_kind.values() for n in v if n),
        "disagreements": disagreements,
        "near_duplicates_fn_disagreements": helper_disagreements,
        "band_plan": plan,
        "wall_s": elapsed,
    }


async def run(url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    from api import db

    rng = random.Random(args.seed)
    district = District(rng)
    engine = await bind(url)
    connection = await asyncpg.connect(url)
    results = []
    try:
        for size, old_queries in zip(args.sizes, args.old_queries, strict=True):
            began = time.perf_counter()
            await district.grow(connection, size, args.cluster_share)
            seed_s = time.perf_counter() - began
            load = loadavg()
            print(f"[{size}] seeded in {seed_s:.1f} s, load {load}", flush=True)
            result = await measure(url, district, size, old_queries, args, rng)
            result["seed_s"] = seed_s
            result["loadavg_before"] = load
            result["loadavg_after"] = loadavg()
            print(
                f"[{size}] old p50 {result['old']['p50_ms']:.1f} ms, "
                f"new p50 {result['new']['p50_ms']:.1f} ms, "
                f"raw p50 {result['raw']['p50_ms']:.2f} ms, "
                f"candidates {result['candidates_mean']:.0f}, "
                f"disagreements {len(result['disagreements'])}",
                flush=True,
            )
            results.append(result)
    finally:
        await connection.close()
        await db.close_engine(engine)
    return results


def render(results: list[dict[str, Any]], info: dict[str, Any], postgres: str, cmd: str) -> str:
    lines = [
        "# Near-duplicate lookup",
        "",
        f"`{cmd}`",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM, "
        f"{info['os']}; Python {info['python']}, {postgres}, same machine.",
        "",
        "| photos in district | path | p50 ms | p95 ms | lookups/s | rows compared (mean) | "
        "load before |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines += [
            f"| {r['photos']:,} | old: all hashes of the district | {r['old']['p50_ms']:.1f} | "
            f"{r['old']['p95_ms']:.1f} | {r['old']['lookups_per_s']:.1f} | "
            f"{r['old_rows_mean']:,.0f} | {r['loadavg_before']} |",
            f"| {r['photos']:,} | new: band lookup + candidates | {r['new']['p50_ms']:.1f} | "
            f"{r['new']['p95_ms']:.1f} | {r['new']['lookups_per_s']:.1f} | "
            f"{r['candidates_mean']:,.0f} (p95 {r['candidates_p95']:,.0f}) | |",
            f"| {r['photos']:,} | ceiling: raw asyncpg band query | {r['raw']['p50_ms']:.2f} | "
            f"{r['raw']['p95_ms']:.2f} | {r['raw']['lookups_per_s']:.0f} | | |",
        ]
    lines.append("")
    for r in results:
        lines.append(
            f"N={r['photos']:,}: {r['queries']} queries {r['query_kinds']}, "
            f"{r['matches_total']} matches within the threshold {r['matches_by_kind']}; "
            f"old path timed on {r['old_queries_timed']}; "
            f"old/new disagreements: {len(r['disagreements'])}; "
            f"paths vs in-memory reference: {len(r['reference_misses'])} misses; "
            f"_near_duplicates checked on {r['near_duplicates_fn_checked']}, "
            f"disagreements {len(r['near_duplicates_fn_disagreements'])}; "
            f"seeded siblings {r['siblings_seeded']}; seeding {r['seed_s']:.0f} s; "
            f"load {r['loadavg_before']} → {r['loadavg_after']}."
        )
    lines += ["", "Band query plan:", "", "```", results[-1]["band_plan"], "```"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300, help="per size")
    parser.add_argument(
        "--old-queries",
        type=int,
        nargs="+",
        default=[300, 120],
        help="per size: how many of the queries also time the old path (1.2 s each at 100k)",
    )
    parser.add_argument(
        "--check-every", type=int, default=5, help="call _near_duplicates on every k-th query"
    )
    parser.add_argument("--bits", type=int, default=6, help="near_duplicate_bits")
    parser.add_argument("--cluster-share", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if len(args.old_queries) != len(args.sizes) or args.sizes != sorted(args.sizes):
        parser.error("--sizes ascending, and one --old-queries per size")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    info = machine()
    started = datetime.now(UTC)
    database = BenchDatabase()
    database.create()
    try:
        with tempfile.TemporaryDirectory(prefix="verval-neardup-") as tmp:
            migrate(database.url, Path(tmp) / "var")
        postgres = asyncio.run(database.server_version())
        print(f"{database.name}, load {loadavg()}", flush=True)
        results = asyncio.run(run(database.url, args))
    finally:
        database.drop()

    cmd = ".venv/bin/python bench/near_duplicates.py " + " ".join(sys.argv[1:])
    report = render(results, info, postgres, cmd.strip())
    print()
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"near_duplicates-{stamp}.md").write_text(report)
    (RESULTS / f"near_duplicates-{stamp}.json").write_text(
        json.dumps(
            {"machine": info, "postgres": postgres, "args": vars(args), "results": results},
            indent=2,
            default=str,
        )
    )


if __name__ == "__main__":
    main()
