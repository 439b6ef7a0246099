"""Audit benchmarks (issue 7): the chain's append cost, chain verification, evidence bundles.

Self-contained: each part makes a fresh PostgreSQL database ``verval_bench_<random>`` on the
server at 127.0.0.1:5432 (migrated with ``verval migrate``) and drops it afterwards, also on
failure or SIGTERM; the bundle part also starts SeaweedFS (``tests.support.seaweedfs``).

* ``append``: ``api.audit.service.append_event``, each event in its own write transaction
  (``api.db.write_transaction``, as every request does), at concurrency 1, 8, 32; against
  the same-run ceiling of a plain single-row INSERT transaction of the same shape (the same
  Piccolo insert of the same columns, hash computed the same way) into a scratch table
  without the chain: no advisory lock, no head read. Rounds interleave the two series.
  Afterwards the chain is verified (concurrent appends must leave one unbroken chain).
* ``verify``: a chain of ``--events`` valid events (intake-like: visit.received,
  photo.received x3, visit.completed, visit.decision) hashed with ``event_hash`` and
  bulk-loaded with COPY, then ``api.audit.verify.verify_chain`` (the chain half of
  ``verval audit verify``) in a fresh process: events/s and peak RSS. Ceilings, same run,
  each in a fresh process: a raw streaming read of the same rows (asyncpg cursor), and that
  read plus the same hash recomputation and link check in plain Python.
* ``bundle``: two villages, ``--visits`` (2,000) and ``--small-visits`` (500) complete visits
  with 3 photos each (~250 KB JPEGs, every object distinct content), stored through
  ``media.s3.S3Store`` in SeaweedFS; households, visits, photos, approve decisions and the
  audit events of all of it (the two villages' events interleaved in time) bulk-inserted in
  the intake's shape. Then ``build_bundle(store, BundleScope(region=village))`` streamed to a
  file and to nowhere, each in a fresh process (MB/s, peak RSS), against the ceiling of
  sequential GETs of the same objects with the bare ``minio`` client; then
  ``verify_bundle`` on the file.

    .venv/bin/python bench/audit.py                       # all three parts
    .venv/bin/python bench/audit.py append --rounds 3
    .venv/bin/python bench/audit.py verify --events 200000
    .venv/bin/python bench/audit.py bundle --visits 2000 --small-visits 500

Results: ``bench/results/audit-<time>.{md,json}``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import itertools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Import from the repository root, never from bench/ itself (bench/audit.py must not shadow
# the project's packages).
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import asyncpg  # noqa: E402

from bench.fieldstack import (  # noqa: E402
    ROOT,
    SECRET_KEY,
    VERVAL,
    BenchDatabase,
    MemorySampler,
    describe_machine,
    machine_info,
    make_jpegs,
    percentile,
)

RESULTS = ROOT / "bench" / "results"
VILLAGE = "17.06.01.2001"  # the big village of the bundle part
SMALL_VILLAGE = "17.06.01.2002"
EVENT_COLUMNS = [
    "seq",
    "occurred_at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "region_code",
    "details",
    "prev_hash",
    "event_hash",
]


# ------------------------------------------------------------------------ helpers
def vm_status(field: str) -> int:
    """A /proc/self/status figure (VmRSS, VmHWM) in bytes."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def migrate(url: str, var_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERVAL_")}
    env.update(
        {
            "VERVAL_DATABASE_URL": url,
            "VERVAL_SECRET_KEY": SECRET_KEY,
            "VERVAL_VAR_DIR": str(var_dir),
            "VERVAL_LOG_LEVEL": "WARNING",
        }
    )
    result = subprocess.run(
        [str(VERVAL), "migrate"], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"verval migrate failed:\n{result.stdout}\n{result.stderr}")


async def bind(url: str, pool_max: int = 10) -> Any:
    from api import db

    engine = db.make_engine(url, pool_max=pool_max)
    db.bind_engine(engine)
    await db.open_engine(engine)
    return engine


def child(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter (clean peak RSS); its result as a dict."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", name, json.dumps(params)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("RESULT "):
            return dict(json.loads(line[7:]))
    raise RuntimeError(f"child {name} failed ({result.returncode}):\n{result.stderr[-3000:]}")


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


# --------------------------------------------------------------- events of the intake
def visit_events(
    *,
    visit_id: str,
    photos: list[tuple[str, str, int, str]],  # (photo id, sha256, size, kind)
    content_hash: str,
    region: str,
    user_id: int,
) -> list[tuple[str, str, str, str, str, dict[str, Any]]]:
    """The events one completed visit appends, in order: (actor, action, type, id, region,
    details), as api/visits/service.py and photos.py write them."""
    actor = f"user:{user_id}"
    events: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
        (
            actor,
            "visit.received",
            "visit",
            visit_id,
            region,
            {
                "content_hash": content_hash,
                "outcome": "found",
                "photos_declared": len(photos),
                "flags": [],
            },
        )
    ]
    for photo_id, sha256, size, kind in photos:
        events.append(
            (
                actor,
                "photo.received",
                "photo",
                photo_id,
                region,
                {"visit_id": visit_id, "sha256": sha256, "size": size, "kind": kind, "flags": []},
            )
        )
    events.append((actor, "visit.completed", "visit", visit_id, region, {}))
    return events


def chain_rows(
    events: list[tuple[str, str, str, str, str, dict[str, Any]]],
    start: datetime,
    first_seq: int = 1,
    prev_hash: str | None = None,
) -> Iterator[tuple[Any, ...]]:
    """COPY records for ``audit_event`` with a valid chain (seq, hashes), times ascending."""
    from api.audit.service import GENESIS_HASH, canonical_json, event_hash

    previous = prev_hash or GENESIS_HASH
    for offset, (actor, action, object_type, object_id, region, details) in enumerate(events):
        seq = first_seq + offset
        occurred_at = start + timedelta(milliseconds=37 * offset)
        digest = event_hash(
            seq=seq,
            occurred_at=occurred_at,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            region_code=region,
            details=details,
            prev_hash=previous,
        )
        yield (
            seq,
            occurred_at,
            actor,
            action,
            object_type,
            object_id,
            region,
            canonical_json(details),
            previous,
            digest,
        )
        previous = digest


async def copy_events(connection: asyncpg.Connection, rows: Iterator[tuple[Any, ...]]) -> int:
    total = 0
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 20_000:
            await connection.copy_records_to_table(
                "audit_event", records=batch, columns=EVENT_COLUMNS
            )
            total += len(batch)
            batch = []
    if batch:
        await connection.copy_records_to_table("audit_event", records=batch, columns=EVENT_COLUMNS)
        total += len(batch)
    return total


# =============================================================== 1. append_event alone
def plain_table() -> Any:
    """A scratch table of the same shape as audit_event, without the chain."""
    from piccolo.columns import JSONB, BigInt, BigSerial, Timestamptz, Varchar
    from piccolo.table import Table

    class PlainEvent(Table, tablename="bench_plain_event"):
        id = BigSerial(primary_key=True)
        seq = BigInt(unique=True)
        occurred_at = Timestamptz()
        actor = Varchar(length=80)
        action = Varchar(length=60, index=True)
        object_type = Varchar(length=40)
        object_id = Varchar(length=80, index=True)
        region_code = Varchar(length=20, null=True, default=None, index=True)
        details = JSONB(default={})
        prev_hash = Varchar(length=64)
        event_hash = Varchar(length=64, unique=True)

    return PlainEvent


async def append_part(url: str, args: argparse.Namespace) -> dict[str, Any]:
    from api import db
    from api.audit.service import GENESIS_HASH, Actor, append_event, canonical_json, event_hash
    from api.audit.verify import VerificationReport, verify_chain

    engine = await bind(url, pool_max=max(args.concurrency) + 2)
    PlainEvent = plain_table()
    PlainEvent._meta.db = engine
    await PlainEvent.create_table(if_not_exists=True)
    for column in ("action", "object_id", "region_code"):
        await PlainEvent.create_index([getattr(PlainEvent, column)], if_not_exists=True)
    plain_seq = itertools.count(1)

    def details() -> dict[str, Any]:
        return {
            "visit_id": str(uuid.uuid4()),
            "sha256": hashlib.sha256(os.urandom(8)).hexdigest(),
            "size": random.randint(200_000, 300_000),
            "kind": "house_front",
            "flags": [],
        }

    async def chained() -> None:
        async with db.write_transaction():
            await append_event(
                Actor.user(7),
                "photo.received",
                "photo",
                str(uuid.uuid4()),
                region_code=VILLAGE,
                details=details(),
            )

    async def plain() -> None:
        # append_event's work minus the chain: same content, same hash, same insert.
        seq = next(plain_seq)
        occurred_at = datetime.now(UTC)
        clean = json.loads(canonical_json(details()))
        object_id = str(uuid.uuid4())
        digest = event_hash(
            seq=seq,
            occurred_at=occurred_at,
            actor="user:7",
            action="photo.received",
            object_type="photo",
            object_id=object_id,
            region_code=VILLAGE,
            details=clean,
            prev_hash=GENESIS_HASH,
        )
        async with db.write_transaction():
            await PlainEvent.insert(
                PlainEvent(
                    seq=seq,
                    occurred_at=occurred_at,
                    actor="user:7",
                    action="photo.received",
                    object_type="photo",
                    object_id=object_id,
                    region_code=VILLAGE,
                    details=clean,
                    prev_hash=GENESIS_HASH,
                    event_hash=digest,
                )
            )

    series = {"append_event (chain)": chained, "plain INSERT (ceiling)": plain}

    async def run(op: Any, concurrency: int, count: int) -> tuple[float, list[float]]:
        latencies: list[float] = []
        per_task = count // concurrency

        async def worker() -> None:
            for _ in range(per_task):
                began = time.perf_counter()
                await op()
                latencies.append((time.perf_counter() - began) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies

    # warm-up: the pool's connections, the statements' plans
    await run(chained, max(args.concurrency), max(args.concurrency) * 4)
    await run(plain, max(args.concurrency), max(args.concurrency) * 4)
    measured: dict[str, dict[int, list[dict[str, Any]]]] = {s: {} for s in series}
    names = list(series)
    for round_no in range(args.rounds):
        for concurrency in args.concurrency:
            order = names if (round_no + concurrency) % 2 == 0 else names[::-1]
            for name in order:
                load = loadavg()
                seconds, latencies = await run(series[name], concurrency, args.append_events)
                rate = len(latencies) / seconds
                measured[name].setdefault(concurrency, []).append(
                    {
                        "events": len(latencies),
                        "seconds": seconds,
                        "events_per_s": rate,
                        "p50_ms": percentile(latencies, 50),
                        "p95_ms": percentile(latencies, 95),
                        "loadavg": load,
                    }
                )
                print(
                    f"  round {round_no + 1} conc {concurrency:>2} {name:<24} {rate:8.0f} ev/s "
                    f"p50 {percentile(latencies, 50):6.1f} ms p95 {percentile(latencies, 95):6.1f}"
                    f" ms (load {load})",
                    flush=True,
                )
    report = VerificationReport()
    started = time.perf_counter()
    await verify_chain(report)
    verify_s = time.perf_counter() - started
    await db.close_engine(engine)
    summary: dict[str, Any] = {"series": {}, "ratio": {}}
    for name in names:
        summary["series"][name] = {}
        for concurrency, rounds in measured[name].items():
            best = max(rounds, key=lambda r: r["events_per_s"])
            summary["series"][name][concurrency] = {
                "best_events_per_s": best["events_per_s"],
                "median_events_per_s": statistics.median(r["events_per_s"] for r in rounds),
                "p50_ms": best["p50_ms"],
                "p95_ms": best["p95_ms"],
                "rounds": rounds,
            }
    for concurrency in args.concurrency:
        chain = summary["series"][names[0]][concurrency]
        ceiling = summary["series"][names[1]][concurrency]
        summary["ratio"][concurrency] = {
            "best": chain["best_events_per_s"] / ceiling["best_events_per_s"],
            "median": chain["median_events_per_s"] / ceiling["median_events_per_s"],
        }
    summary["chain_after"] = {
        "events_checked": report.chain_events_checked,
        "mismatches": len(report.mismatches),
        "verify_seconds": verify_s,
    }
    print(
        f"  chain after the appends: {report.chain_events_checked} events, "
        f"{len(report.mismatches)} mismatches",
        flush=True,
    )
    return summary


# ============================================================ 2. chain verification
def synthetic_events(count: int, seed: int) -> list[tuple[str, str, str, str, str, dict[str, Any]]]:
    """Intake-like events: per visit received, 3 photos, completed, and a decision."""
    rng = random.Random(seed)
    events: list[tuple[str, str, str, str, str, dict[str, Any]]] = []
    visit_no = 0
    while len(events) < count:
        visit_no += 1
        village = f"17.06.{rng.randint(1, 15):02d}.{2000 + rng.randint(1, 20)}"
        visit_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        photos = [
            (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                f"{rng.getrandbits(256):064x}",
                rng.randint(200_000, 300_000),
                kind,
            )
            for kind in ("house_front", "house_inside", "family_card")
        ]
        events += visit_events(
            visit_id=visit_id,
            photos=photos,
            content_hash=f"{rng.getrandbits(256):064x}",
            region=village,
            user_id=rng.randint(2, 400),
        )
        events.append(
            (
                "user:1",
                "visit.decision",
                "visit",
                visit_id,
                village,
                {
                    "decision": "approve",
                    "decision_id": visit_no,
                    "from_state": "complete",
                    "to_state": "approved",
                    "assignment_id": None,
                },
            )
        )
    return events[:count]


async def seed_chain(url: str, count: int, seed: int) -> dict[str, float]:
    started = time.perf_counter()
    events = synthetic_events(count, seed)
    rows = list(chain_rows(events, datetime(2026, 6, 1, 1, tzinfo=UTC)))
    hashed = time.perf_counter() - started
    connection = await asyncpg.connect(url)
    try:
        began = time.perf_counter()
        await copy_events(connection, iter(rows))
        await connection.execute("ANALYZE audit_event")
        copied = time.perf_counter() - began
        size = await connection.fetchval("SELECT pg_total_relation_size('audit_event')")
    finally:
        await connection.close()
    return {"generate_and_hash_s": hashed, "copy_s": copied, "table_mb": size / 1e6}


async def child_verify(params: dict[str, Any]) -> dict[str, Any]:
    mode, url = params["mode"], params["url"]
    rss_start = vm_status("VmRSS")
    checked = 0
    with MemorySampler(lambda: [os.getpid()], interval=0.05) as sampler:
        if mode == "verify_chain":
            from api.audit.verify import VerificationReport, verify_chain

            await bind(url)
            rss_start = vm_status("VmRSS")
            report = VerificationReport()
            started = time.perf_counter()
            await verify_chain(report)
            seconds = time.perf_counter() - started
            checked, problems = report.chain_events_checked, len(report.mismatches)
        else:
            from api.audit.service import GENESIS_HASH, event_hash

            connection = await asyncpg.connect(url)
            rss_start = vm_status("VmRSS")
            problems = 0
            previous, expected = GENESIS_HASH, 1
            started = time.perf_counter()
            async with connection.transaction():
                async for row in connection.cursor(
                    f"SELECT {', '.join(EVENT_COLUMNS)} FROM audit_event ORDER BY seq",
                    prefetch=2000,
                ):
                    checked += 1
                    if mode == "raw_hash":
                        digest = event_hash(
                            seq=row["seq"],
                            occurred_at=row["occurred_at"],
                            actor=row["actor"],
                            action=row["action"],
                            object_type=row["object_type"],
                            object_id=row["object_id"],
                            region_code=row["region_code"],
                            details=json.loads(row["details"]),
                            prev_hash=row["prev_hash"],
                        )
                        if (
                            digest != row["event_hash"]
                            or row["prev_hash"] != previous
                            or row["seq"] != expected
                        ):
                            problems += 1
                        previous, expected = row["event_hash"], row["seq"] + 1
            seconds = time.perf_counter() - started
            await connection.close()
    return {
        "mode": mode,
        "events": checked,
        "problems": problems,
        "seconds": seconds,
        "events_per_s": checked / seconds,
        "rss_start_mb": rss_start / 2**20,
        "rss_peak_sampled_mb": sampler.peak / 2**20,
        "vm_hwm_mb": vm_status("VmHWM") / 2**20,
    }


def verify_part(url: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"  seeding {args.events} chained events (event_hash + COPY) ...", flush=True)
    seeding = asyncio.run(seed_chain(url, args.events, args.seed))
    print(f"  {seeding}", flush=True)
    modes = ["verify_chain", "raw_read", "raw_hash"]
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    for round_no in range(args.verify_rounds):
        for mode in modes if round_no % 2 == 0 else modes[::-1]:
            load = loadavg()
            result = child("verify", {"mode": mode, "url": url})
            result["loadavg"] = load
            runs[mode].append(result)
            print(
                f"  round {round_no + 1} {mode:<13} {result['events_per_s']:9.0f} ev/s "
                f"{result['seconds']:6.1f} s  VmHWM {result['vm_hwm_mb']:.0f} MB "
                f"(start {result['rss_start_mb']:.0f} MB)  problems {result['problems']} "
                f"(load {load})",
                flush=True,
            )
    best = {m: max(r, key=lambda x: x["events_per_s"]) for m, r in runs.items()}
    return {"seeding": seeding, "runs": runs, "best": best}


# ================================================================ 3. evidence bundle
def distinct_jpeg(base: bytes, rng: random.Random) -> bytes:
    """``base`` with a COM segment of 16 random bytes after SOI: a valid, distinct JPEG."""
    payload = rng.randbytes(16)
    return base[:2] + b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload + base[2:]


async def seed_bundle_data(
    url: str, weed: Any, bucket: str, args: argparse.Namespace, pool: list[bytes]
) -> dict[str, Any]:
    from api.audit.service import canonical_json
    from media.store import evidence_key
    from survey_forms.samples import dtks_submission
    from tests.support.s3_fixtures import make_s3_store

    rng = random.Random(args.seed)
    store = make_s3_store(weed, bucket, read_timeout=60.0)
    await store.ensure_bucket()
    connection = await asyncpg.connect(url)
    now = datetime.now(UTC)
    villages = {VILLAGE: args.visits, SMALL_VILLAGE: args.small_visits}
    try:
        supervisor = await connection.fetchval(
            "INSERT INTO app_user (username, display_name, role, password_hash, active, "
            "created_at, password_changed_at) VALUES ('bench-supervisor', 'Supervisor', "
            "'supervisor', 'x', true, $1, $1) RETURNING id",
            now,
        )
        enumerators = {VILLAGE: supervisor + 1, SMALL_VILLAGE: supervisor + 2}
        round_id = await connection.fetchval(
            "INSERT INTO verification_round (name, region_code, starts_on, ends_on, state, "
            "created_by, created_at, updated_at) VALUES ('bench', '17.06', $1, $2, 'open', "
            "'bench', $3, $3) RETURNING id",
            datetime(2026, 1, 1).date(),
            datetime(2026, 12, 31).date(),
            now,
        )
        household_rows = []
        for village, count in villages.items():
            for index in range(count):
                household_rows.append(
                    (
                        f"1706{village[-4:]}{index:08d}",
                        village,
                        f"Jl. Bench No. {index}",
                        f"{index % 10 + 1:03d}",
                        "001",
                        f"Kepala {index}",
                        f"1706{village[-4:]}{index:08d}",
                        -2.5 + index * 1e-5,
                        101.1,
                        json.dumps({"house_ownership": "1"}),
                        1,
                        "active",
                        "",
                        now,
                        now,
                    )
                )
        await connection.copy_records_to_table(
            "household",
            records=household_rows,
            columns=[
                "kk_number",
                "region_code",
                "address",
                "rt",
                "rw",
                "head_name",
                "head_nik",
                "latitude",
                "longitude",
                "baseline",
                "member_count",
                "status",
                "content_hash",
                "created_at",
                "updated_at",
            ],
        )
        household_ids = {
            r["kk_number"]: r["id"]
            for r in await connection.fetch("SELECT id, kk_number FROM household")
        }
        answers = json.dumps(dtks_submission())

        # Photos: store the objects (S3Store.put, 8 at a time), keep only their facts.
        plan: list[tuple[str, int, str, list[tuple[str, str, int, str]]]] = []
        jobs: list[tuple[str, int]] = []  # (visit id, photo index)
        for village, count in villages.items():
            for index in range(count):
                visit_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                plan.append((village, index, visit_id, []))
                jobs += [(visit_id, k) for k in range(3)]
        facts: dict[str, tuple[str, str, int, str]] = {}
        gate = asyncio.Semaphore(8)
        kinds = ["house_front", "house_inside", "family_card"]
        stored_bytes = 0

        async def put(visit_id: str, k: int, data: bytes) -> None:
            nonlocal stored_bytes
            sha256 = hashlib.sha256(data).hexdigest()
            async with gate:
                await store.put(
                    evidence_key(sha256),
                    io.BytesIO(data),
                    size=len(data),
                    sha256=sha256,
                    content_type="image/jpeg",
                )
            stored_bytes += len(data)
            facts[f"{visit_id}/{k}"] = (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                sha256,
                len(data),
                kinds[k],
            )

        began = time.perf_counter()
        for chunk_start in range(0, len(jobs), 256):
            await asyncio.gather(
                *(
                    put(visit_id, k, distinct_jpeg(pool[rng.randrange(len(pool))], rng))
                    for visit_id, k in jobs[chunk_start : chunk_start + 256]
                )
            )
        put_seconds = time.perf_counter() - began
        print(
            f"  stored {len(jobs)} objects, {stored_bytes / 1e6:.0f} MB in {put_seconds:.0f} s",
            flush=True,
        )

        visit_rows, photo_rows, groups = [], [], []
        start = datetime(2026, 6, 10, 1, tzinfo=UTC)
        for village, index, visit_id, _ in plan:
            photos = [facts[f"{visit_id}/{k}"] for k in range(3)]
            content_hash = hashlib.sha256(f"{visit_id}{answers}".encode()).hexdigest()
            household_id = household_ids[f"1706{village[-4:]}{index:08d}"]
            started = start + timedelta(minutes=rng.randint(0, 60 * 24 * 20))
            received = started + timedelta(minutes=13)
            visit_rows.append(
                (
                    uuid.UUID(visit_id),
                    household_id,
                    round_id,
                    village,
                    False,
                    enumerators[village],
                    "dtks_verval",
                    1,
                    "found",
                    "layak",
                    answers,
                    started,
                    started + timedelta(minutes=12),
                    -2.5,
                    101.1,
                    6.5,
                    f"bench-{village}",
                    "1.0.0",
                    content_hash,
                    "approved",
                    received,
                    received + timedelta(minutes=1),
                    3,
                    3,
                    0,
                )
            )
            for k, (photo_id, sha256, size, kind) in enumerate(photos):
                photo_rows.append(
                    (
                        uuid.UUID(photo_id),
                        uuid.UUID(visit_id),
                        kind,
                        sha256,
                        size,
                        started + timedelta(minutes=3 + k),
                        -2.5,
                        101.1,
                        7.0,
                        received + timedelta(seconds=20 * (k + 1)),
                        evidence_key(sha256),
                        1600,
                        1200,
                        "{}",
                        f"{rng.getrandbits(64):016x}",
                    )
                )
            groups.append(
                (
                    received,
                    visit_events(
                        visit_id=visit_id,
                        photos=photos,
                        content_hash=content_hash,
                        region=village,
                        user_id=enumerators[village],
                    ),
                    visit_id,
                    village,
                )
            )
        await connection.copy_records_to_table(
            "visit",
            records=visit_rows,
            columns=[
                "id",
                "household_id",
                "round_id",
                "region_code",
                "proposed_household",
                "enumerator_id",
                "form_id",
                "form_version",
                "outcome",
                "eligibility",
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
            ],
        )
        await connection.copy_records_to_table(
            "visit_photo",
            records=photo_rows,
            columns=[
                "id",
                "visit",
                "kind",
                "sha256",
                "size",
                "captured_at",
                "gps_lat",
                "gps_lon",
                "gps_accuracy_m",
                "stored_at",
                "storage_key",
                "width",
                "height",
                "exif",
                "perceptual_hash",
            ],
        )
        # One approve decision per visit, a day after it arrived.
        groups.sort(key=lambda g: g[0])
        await connection.copy_records_to_table(
            "review_decision",
            records=[
                (
                    uuid.UUID(visit_id),
                    supervisor,
                    "approve",
                    None,
                    "complete",
                    "approved",
                    received + timedelta(days=1),
                )
                for received, _, visit_id, _ in groups
            ],
            columns=[
                "visit",
                "reviewer",
                "decision",
                "comment",
                "from_state",
                "to_state",
                "created_at",
            ],
        )
        decision_ids = {
            str(r["visit"]): r["id"]
            for r in await connection.fetch("SELECT id, visit FROM review_decision")
        }
        # The chain: both villages' intake interleaved in time, then the reviews.
        events = [e for _, group, _, _ in groups for e in group]
        events += [
            (
                f"user:{supervisor}",
                "visit.decision",
                "visit",
                visit_id,
                village,
                {
                    "decision": "approve",
                    "decision_id": decision_ids[visit_id],
                    "from_state": "complete",
                    "to_state": "approved",
                    "assignment_id": None,
                },
            )
            for _, _, visit_id, village in groups
        ]
        event_count = await copy_events(connection, chain_rows(events, start))
        await connection.execute("ANALYZE")
        assert canonical_json({}) == "{}"
    finally:
        await connection.close()
        await store.aclose()
    return {
        "objects": len(jobs),
        "stored_mb": stored_bytes / 1e6,
        "put_seconds": put_seconds,
        "events": event_count,
        "visits": sum(villages.values()),
    }


async def child_bundle(params: dict[str, Any]) -> dict[str, Any]:
    from api.audit.bundle import BundleScope, build_bundle
    from tests.support.s3_fixtures import make_s3_store

    await bind(params["url"])

    class Weed:  # what make_s3_store reads of a SeaweedServer
        endpoint = params["endpoint"]
        access_key = params["access_key"]
        secret_key = params["secret_key"]

    store = make_s3_store(Weed, params["bucket"], read_timeout=60.0)  # type: ignore[arg-type]
    out = Path(params["out"]) if params.get("out") else None
    rss_start = vm_status("VmRSS")
    size = 0
    chunks = 0
    largest = 0
    with MemorySampler(lambda: [os.getpid()], interval=0.05) as sampler:
        started = time.perf_counter()
        first_byte = None
        rss_first = 0
        handle = out.open("wb") if out else None
        try:
            async for chunk in build_bundle(store, BundleScope(region=params["region"])):
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                    rss_first = vm_status("VmRSS")  # the manifest is made and written
                size += len(chunk)
                chunks += 1
                largest = max(largest, len(chunk))
                if handle:
                    handle.write(chunk)
        finally:
            if handle:
                handle.close()
        seconds = time.perf_counter() - started
    await store.aclose()
    return {
        "region": params["region"],
        "bytes": size,
        "seconds": seconds,
        "mb_per_s": size / 1e6 / seconds,
        "first_chunk_s": first_byte,
        "rss_after_manifest_mb": rss_first / 2**20,
        "rss_end_mb": vm_status("VmRSS") / 2**20,
        "chunks": chunks,
        "largest_chunk_kb": largest / 1024,
        "rss_start_mb": rss_start / 2**20,
        "rss_peak_sampled_mb": sampler.peak / 2**20,
        "vm_hwm_mb": vm_status("VmHWM") / 2**20,
    }


async def child_bare_get(params: dict[str, Any]) -> dict[str, Any]:
    import minio
    import urllib3

    connection = await asyncpg.connect(params["url"])
    keys = [
        r["storage_key"]
        for r in await connection.fetch(
            "SELECT p.storage_key FROM visit_photo p JOIN visit v ON v.id = p.visit "
            "WHERE v.region_code = $1 ORDER BY p.captured_at",
            params["region"],
        )
    ]
    await connection.close()
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=5, read=60), maxsize=1)
    client = minio.Minio(
        params["endpoint"],
        access_key=params["access_key"],
        secret_key=params["secret_key"],
        secure=False,
        region="us-east-1",
        http_client=http,
    )
    rss_start = vm_status("VmRSS")
    size = 0
    with MemorySampler(lambda: [os.getpid()], interval=0.05) as sampler:
        started = time.perf_counter()
        for key in keys:
            response = client.get_object(params["bucket"], key)
            try:
                size += len(response.read())
            finally:
                response.close()
                response.release_conn()
        seconds = time.perf_counter() - started
    return {
        "objects": len(keys),
        "bytes": size,
        "seconds": seconds,
        "mb_per_s": size / 1e6 / seconds,
        "rss_start_mb": rss_start / 2**20,
        "rss_peak_sampled_mb": sampler.peak / 2**20,
        "vm_hwm_mb": vm_status("VmHWM") / 2**20,
    }


async def child_verify_bundle(params: dict[str, Any]) -> dict[str, Any]:
    from api.audit.bundle import verify_bundle

    rss_start = vm_status("VmRSS")
    with MemorySampler(lambda: [os.getpid()], interval=0.05) as sampler:
        started = time.perf_counter()
        report = verify_bundle(Path(params["path"]))
        seconds = time.perf_counter() - started
    size = Path(params["path"]).stat().st_size
    return {
        "ok": report.ok,
        "problems": report.problems[:10],
        "events": report.events,
        "visits": report.visits,
        "photos": report.photos,
        "seconds": seconds,
        "mb_per_s": size / 1e6 / seconds,
        "rss_start_mb": rss_start / 2**20,
        "rss_peak_sampled_mb": sampler.peak / 2**20,
        "vm_hwm_mb": vm_status("VmHWM") / 2**20,
    }


def bundle_part(url: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from tests.support.seaweedfs import SeaweedServer

    print(f"  {args.jpeg_pool} camera-like JPEGs for the pool ...", flush=True)
    pool = make_jpegs(args.jpeg_pool, seed=args.seed)
    mean_kb = statistics.mean(len(j) for j in pool) / 1000
    bucket = f"bench-audit-{uuid.uuid4().hex[:8]}"
    with SeaweedServer(volume_max=200, volume_size_limit_mb=256, data_dir=tmp / "seaweed") as weed:
        print(f"  seeding {args.visits} + {args.small_visits} visits ...", flush=True)
        seeding = asyncio.run(seed_bundle_data(url, weed, bucket, args, pool))
        seeding["jpeg_mean_kb"] = mean_kb
        print(f"  {seeding}", flush=True)
        common = {
            "url": url,
            "endpoint": weed.endpoint,
            "access_key": weed.access_key,
            "secret_key": weed.secret_key,
            "bucket": bucket,
        }
        runs: dict[str, list[dict[str, Any]]] = {
            "bundle_file": [],
            "bundle_discard": [],
            "bare_get": [],
            "small": [],
        }
        bundle_file = tmp / "bundle.zip"
        for round_no in range(args.bundle_rounds):
            steps = list(runs)
            for step in steps if round_no % 2 == 0 else steps[::-1]:
                load = loadavg()
                if step == "bundle_file":
                    result = child(
                        "bundle",
                        {**common, "region": VILLAGE, "out": str(bundle_file)},
                    )
                elif step == "bundle_discard":
                    result = child("bundle", {**common, "region": VILLAGE, "out": ""})
                elif step == "small":
                    result = child("bundle", {**common, "region": SMALL_VILLAGE, "out": ""})
                else:
                    result = child("bare_get", {**common, "region": VILLAGE})
                result["loadavg"] = load
                runs[step].append(result)
                print(
                    f"  round {round_no + 1} {step:<14} {result['bytes'] / 1e6:7.0f} MB "
                    f"{result['seconds']:6.1f} s {result['mb_per_s']:6.1f} MB/s  VmHWM "
                    f"{result['vm_hwm_mb']:.0f} MB (start {result['rss_start_mb']:.0f} MB, "
                    f"after manifest {result.get('rss_after_manifest_mb', 0):.0f} MB, end "
                    f"{result.get('rss_end_mb', 0):.0f} MB, sampled peak "
                    f"{result['rss_peak_sampled_mb']:.0f} MB) (load {load})",
                    flush=True,
                )
        load = loadavg()
        checked = child("verify_bundle", {"path": str(bundle_file)})
        checked["loadavg"] = load
        checked["bytes"] = bundle_file.stat().st_size
        print(
            f"  verify_bundle: ok={checked['ok']} {checked['events']} events, "
            f"{checked['visits']} visits, {checked['photos']} photos in {checked['seconds']:.1f} s "
            f"({checked['mb_per_s']:.0f} MB/s), VmHWM {checked['vm_hwm_mb']:.0f} MB "
            f"{checked['problems']}",
            flush=True,
        )
        bundle_file.unlink(missing_ok=True)
    best = {k: max(v, key=lambda r: r["mb_per_s"]) for k, v in runs.items()}
    return {"seeding": seeding, "runs": runs, "best": best, "verify_bundle": checked}


# ------------------------------------------------------------------------ report
def render(results: dict[str, Any], info: dict[str, Any], postgres: str) -> str:
    lines = [
        f"`.venv/bin/python bench/audit.py {' '.join(sys.argv[1:])}`".replace(" `", "`"),
        "",
        describe_machine(info, postgres),
        "",
    ]
    if "append" in results:
        part = results["append"]
        lines += [
            f"### append_event alone (load before: {part['loadavg_before']})",
            "",
            "| conc. | append_event ev/s (best / median) | p50 / p95 ms | plain INSERT ev/s "
            "(best / median) | p50 / p95 ms | ratio best | ratio median |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        chain = part["series"]["append_event (chain)"]
        plain = part["series"]["plain INSERT (ceiling)"]
        for concurrency, ratio in part["ratio"].items():
            c, p = chain[concurrency], plain[concurrency]
            lines.append(
                f"| {concurrency} | {c['best_events_per_s']:.0f} / {c['median_events_per_s']:.0f} "
                f"| {c['p50_ms']:.1f} / {c['p95_ms']:.1f} | {p['best_events_per_s']:.0f} / "
                f"{p['median_events_per_s']:.0f} | {p['p50_ms']:.1f} / {p['p95_ms']:.1f} | "
                f"{ratio['best']:.2f} | {ratio['median']:.2f} |"
            )
        lines += ["", f"Chain after the appends: {part['chain_after']}", ""]
    if "verify" in results:
        part = results["verify"]
        lines += [
            f"### Chain verification (load before: {part['loadavg_before']})",
            "",
            f"Seeding: {part['seeding']}",
            "",
            "| what | events | s (best) | events/s (best) | all rounds ev/s | VmHWM MB | "
            "RSS at start MB |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for mode, best in part["best"].items():
            lines.append(
                f"| {mode} | {best['events']} | {best['seconds']:.1f} | "
                f"{best['events_per_s']:.0f} | "
                + ", ".join(f"{r['events_per_s']:.0f}" for r in part["runs"][mode])
                + f" | {best['vm_hwm_mb']:.0f} | {best['rss_start_mb']:.0f} |"
            )
        lines.append("")
    if "bundle" in results:
        part = results["bundle"]
        lines += [
            f"### Evidence bundle (load before: {part['loadavg_before']})",
            "",
            f"Seeding: {part['seeding']}",
            "",
            "| what | MB | s (best) | MB/s (best) | all rounds MB/s | VmHWM MB | RSS at start MB |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for step, best in part["best"].items():
            lines.append(
                f"| {step} | {best['bytes'] / 1e6:.0f} | {best['seconds']:.1f} | "
                f"{best['mb_per_s']:.1f} | "
                + ", ".join(f"{r['mb_per_s']:.1f}" for r in part["runs"][step])
                + f" | {best['vm_hwm_mb']:.0f} | {best['rss_start_mb']:.0f} |"
            )
        lines += ["", f"verify_bundle: {part['verify_bundle']}", ""]
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        name, params = sys.argv[2], json.loads(sys.argv[3])
        job = {
            "verify": child_verify,
            "bundle": child_bundle,
            "bare_get": child_bare_get,
            "verify_bundle": child_verify_bundle,
        }[name]
        print("RESULT " + json.dumps(asyncio.run(job(params)), default=str), flush=True)
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("parts", nargs="*", choices=["append", "verify", "bundle"], default=[])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--append-events", type=int, default=960, help="per series and round")
    parser.add_argument("--rounds", type=int, default=3, help="append rounds")
    parser.add_argument("--events", type=int, default=200_000, help="chain length to verify")
    parser.add_argument("--verify-rounds", type=int, default=2)
    parser.add_argument("--visits", type=int, default=2000, help="visits of the big village")
    parser.add_argument("--small-visits", type=int, default=500)
    parser.add_argument("--bundle-rounds", type=int, default=2)
    parser.add_argument("--jpeg-pool", type=int, default=24)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    parts = args.parts or ["append", "verify", "bundle"]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    info = machine_info()
    started = datetime.now(UTC)
    results: dict[str, Any] = {}
    postgres = ""
    with tempfile.TemporaryDirectory(prefix="verval-audit-") as tmp_name:
        tmp = Path(tmp_name)
        for part in parts:
            database = BenchDatabase()
            database.create()
            try:
                migrate(database.url, tmp / "var")
                postgres = postgres or asyncio.run(database.server_version())
                load = loadavg()
                print(f"[{part}] {database.name}, load {load}", flush=True)
                began = time.perf_counter()
                if part == "append":
                    result = asyncio.run(append_part(database.url, args))
                elif part == "verify":
                    result = verify_part(database.url, args)
                else:
                    result = bundle_part(database.url, args, tmp)
                result["loadavg_before"] = load
                result["loadavg_after"] = loadavg()
                result["wall_s"] = time.perf_counter() - began
                results[part] = result
            finally:
                database.drop()

    report = render(results, info, postgres)
    print()
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"audit-{stamp}.md").write_text(report)
    (RESULTS / f"audit-{stamp}.json").write_text(
        json.dumps(
            {"machine": info, "args": vars(args), "argv": sys.argv, "results": results},
            indent=1,
            default=str,
        )
    )
    print(f"Raw results in bench/results/audit-{stamp}.json")


if __name__ == "__main__":
    main()
