"""Intake benchmark (issues 6, 18): simulated phones sending visits with photos to the full stack.

Self-contained (see ``bench/fieldstack.py``): a fresh PostgreSQL database per API
configuration, one SeaweedFS server for the run, the API as real uvicorn processes
(``verval serve --workers N``), and the load generator in this process.

Each simulated phone is an enumerator account with its own assigned households and its
own HTTP connection. It signs in once (before the clock starts), then for each of its
``--visits`` visits: ``PUT /api/v1/visits/{uuid}`` (the DTKS answers of
``survey_forms/samples.py``, outcome ``found``), then ``PUT .../photos/{uuid}`` for its 3
photos (~250 KB camera-like JPEGs, distinct per photo, generated before the clock starts).
All phones run at once.

The ceiling, measured in the same run against the same SeaweedFS right after each
configuration: plain ``put_object`` of exactly the same photo bytes with the bare
``minio`` client from as many threads as there are phones.

Photo analysis runs on the job queue (issue 18): ``--job-workers`` ``verval worker``
processes (default 1, ``--job-concurrency`` jobs each) run beside the API from the start.
A phone's visit counts when its last photo's receipt says stored (every photo safe); the
run then waits until every stored photo is analysed and reports ``photos_analysed`` and
``analysis_drain_s`` (seconds from the last phone's last answer until the queue is
drained). The job workers' CPU is ``cpu_s["workers"]``, measured until the drain ends,
and ``cpu_ms_per_photo`` divides every component's CPU by the photos analysed.

Reported per worker count: visits/s, photos/s, latency p50/p95/p99 per request type, the
API's memory (summed RSS of the uvicorn worker processes, sampled every 0.2 s: peak),
CPU seconds per component, and the ratio of API photos/s to ceiling PUTs/s.

``--audit on off`` (the default) runs every worker count twice: with the real code, then
with audit appends turned off (issue 7: what the audit chain costs intake). "Off" starts
only the API processes with ``bench/no_audit`` on ``PYTHONPATH``: its ``sitecustomize``
replaces ``api.audit.service.append_event`` with a no-op before any module imports it.
Nothing in the application changes; the audit_event table stays empty (the report counts
its rows after each configuration).

    .venv/bin/python bench/intake.py                      # 200 phones x 2 visits, 2 API workers
    .venv/bin/python bench/intake.py --workers 2 --visits 3 --job-workers 1
    .venv/bin/python bench/intake.py --phones 100 --workers 2 1 --audit on off
"""

from __future__ import annotations

import argparse
import asyncio
import io
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
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Import from the repository root, never from bench/ itself (a bench/<name>.py must not
# shadow a package of the project, e.g. bench/auth.py and the auth package).
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402
import httpx  # noqa: E402
import minio  # noqa: E402
import urllib3  # noqa: E402

from bench.fieldstack import (  # noqa: E402
    PASSWORD,
    ROOT,
    VERVAL,
    ApiServer,
    BenchDatabase,
    FieldData,
    MemorySampler,
    StackEnv,
    VisitWork,
    cpu_seconds,
    describe_machine,
    machine_busy,
    machine_info,
    make_jpegs,
    percentile,
    prepare_database,
    seed_field,
    visit_work,
)
from tests.support.seaweedfs import SeaweedServer  # noqa: E402

RESULTS = ROOT / "bench" / "results"
NO_AUDIT = ROOT / "bench" / "no_audit"  # sitecustomize.py: append_event -> no-op


@dataclass
class Timings:
    visit_ms: list[float] = field(default_factory=list)
    photo_ms: list[float] = field(default_factory=list)
    login_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    visits_done: int = 0
    photos_done: int = 0
    bytes_sent: int = 0
    skipped_visits: int = 0


@dataclass
class ConfigResult:
    workers: int
    audit: str
    phones: int
    visits_planned: int
    visits_completed: int
    photos_stored: int
    seconds: float
    visits_per_s: float
    photos_per_s: float
    mb_per_s: float
    visit_ms: dict[str, float]
    photo_ms: dict[str, float]
    login_ms: dict[str, float]
    statuses: dict[str, int]
    errors: list[str]
    api_rss_peak_mb: float
    api_rss_mean_mb: float
    api_rss_idle_mb: float
    supervisor_rss_mb: float
    cpu_s: dict[str, float]
    machine_busy_pct: float
    loadavg_before: float
    ceiling_puts_per_s: float
    ceiling_ms: dict[str, float]
    ceiling_seconds: float
    ratio: float
    db_visits_complete: int
    db_photos_stored: int
    photos_analysed: int
    analysis_drain_s: float
    job_workers: int
    job_worker_nice: str
    job_worker_rss_peak_mb: float
    cpu_ms_per_photo: dict[str, float]
    # CPU ms per stored photo while the phones were sending (the drain excluded), and per
    # ceiling PUT: what decides the rate and the ratio on a CPU-bound machine.
    phase_cpu_ms_per_photo: dict[str, float]
    ceiling_cpu_ms_per_put: dict[str, float]
    audit_events: dict[str, int]
    audit_events_per_visit: float


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else float("nan"),
        "n": len(values),
    }


# --------------------------------------------------------------------------- phones
async def login_all(
    base_url: str, usernames: list[str], timings: Timings, parallel: int
) -> dict[str, str]:
    tokens: dict[str, str] = {}
    gate = asyncio.Semaphore(parallel)
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:

        async def one(username: str) -> None:
            async with gate:
                started = time.perf_counter()
                response = await client.post(
                    "/api/v1/auth/login",
                    json={"username": username, "password": PASSWORD, "device_label": "bench"},
                )
                timings.login_ms.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                tokens[username] = response.json()["access_token"]

        await asyncio.gather(*(one(u) for u in usernames))
    return tokens


class PhoneClient:
    """One phone's HTTP connection: ``put(path, body, headers) -> (status, body)``.

    The load generator shares the machine's CPUs with the stack it measures, so its
    client is the lean ``aiohttp`` by default (``--phone-client httpx``: the client of
    the earlier runs, about twice the CPU per request)."""

    errors: tuple[type[BaseException], ...] = (httpx.HTTPError, aiohttp.ClientError)

    def __init__(self, kind: str, base_url: str) -> None:
        self.kind = kind
        self.base_url = base_url
        self._httpx: httpx.AsyncClient | None = None
        self._aiohttp: aiohttp.ClientSession | None = None
        if kind == "httpx":
            self._httpx = httpx.AsyncClient(
                base_url=base_url,
                timeout=httpx.Timeout(180.0),
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            )

    async def put(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self._httpx is not None:
            response = await self._httpx.put(path, content=body, headers=headers)
            return response.status_code, response.content
        if self._aiohttp is None:  # created inside the running loop, as aiohttp wants
            self._aiohttp = aiohttp.ClientSession(
                base_url=self.base_url,
                connector=aiohttp.TCPConnector(limit=1),
                timeout=aiohttp.ClientTimeout(total=180.0),
                skip_auto_headers=("User-Agent",),
            )
        async with self._aiohttp.put(path, data=body, headers=headers) as reply:
            return reply.status, await reply.read()

    async def aclose(self) -> None:
        if self._httpx is not None:
            await self._httpx.aclose()
        if self._aiohttp is not None:
            await self._aiohttp.close()


async def phone_loop(
    client: PhoneClient,
    token: str,
    visits: list[VisitWork],
    timings: Timings,
    deadline: float,
) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    json_headers = {**auth, "Content-Type": "application/json"}
    photo_headers = {**auth, "Content-Type": "image/jpeg"}
    for visit in visits:
        if time.perf_counter() > deadline:
            timings.skipped_visits += 1
            continue
        started = time.perf_counter()
        try:
            status, content = await client.put(
                f"/api/v1/visits/{visit.id}", visit.body, json_headers
            )
        except client.errors as error:
            timings.statuses["visit:" + type(error).__name__] += 1
            timings.errors.append(f"visit {visit.id}: {type(error).__name__}: {error}")
            continue
        timings.visit_ms.append((time.perf_counter() - started) * 1000)
        timings.statuses[f"visit:{status}"] += 1
        timings.bytes_sent += len(visit.body)
        if status not in (200, 201):
            timings.errors.append(f"visit {visit.id}: {status} {content[:300]!r}")
            continue
        state = None
        for photo in visit.photos:
            started = time.perf_counter()
            try:
                status, content = await client.put(
                    f"/api/v1/visits/{visit.id}/photos/{photo.id}", photo.data, photo_headers
                )
            except client.errors as error:
                timings.statuses["photo:" + type(error).__name__] += 1
                timings.errors.append(f"photo {photo.id}: {type(error).__name__}: {error}")
                break
            timings.photo_ms.append((time.perf_counter() - started) * 1000)
            timings.statuses[f"photo:{status}"] += 1
            if status not in (200, 201):
                timings.errors.append(f"photo {photo.id}: {status} {content[:300]!r}")
                break
            timings.photos_done += 1
            timings.bytes_sent += len(photo.data)
            receipt = json.loads(content)
            state = "stored" if not receipt["missing_photos"] else receipt["visit_state"]
        if state == "stored":
            timings.visits_done += 1


async def drive(
    api: ApiServer,
    jobs: JobWorkers,
    database: BenchDatabase,
    weed: SeaweedServer,
    field_data: FieldData,
    works: dict[str, list[VisitWork]],
    args: argparse.Namespace,
) -> tuple[Timings, float, dict[str, float], dict[str, float], float, float, int]:
    timings = Timings()
    tokens = await login_all(
        api.base_url, [p.username for p in field_data.phones], timings, args.login_parallel
    )
    clients = {
        phone.username: PhoneClient(args.phone_client, api.base_url) for phone in field_data.phones
    }
    connection = await asyncpg.connect(database.url)
    try:
        backends_before = {
            row["pid"]: cpu_seconds(row["pid"])
            for row in await connection.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        }
        api_pids = api.session_pids()
        api_before = {pid: cpu_seconds(pid) for pid in api_pids}
        jobs_before = {pid: cpu_seconds(pid) for pid in jobs.pids()}
        weed_before = cpu_seconds(weed.pid or 0)
        self_before = time.process_time()
        busy_before = machine_busy()
        print("  timed phase starts (phones signed in)", flush=True)  # a profiler's cue
        started = time.perf_counter()
        deadline = started + args.max_seconds
        await asyncio.gather(
            *(
                phone_loop(
                    clients[p.username], tokens[p.username], works[p.username], timings, deadline
                )
                for p in field_data.phones
            )
        )
        elapsed = time.perf_counter() - started
        # What the phones' phase alone cost (the rate is decided here, not in the drain).
        phase_cpu = await _component_cpu(
            connection, api, jobs, weed, api_before, jobs_before, weed_before, backends_before
        )
        phase_cpu["load generator"] = time.process_time() - self_before
        phase_busy = machine_busy()
        phase_cpu["whole machine"] = (phase_busy[0] - busy_before[0]) / os.sysconf("SC_CLK_TCK")
        # Analysis goes on after the phones are done: wait until every stored photo is.
        analysed = await _wait_analysed(connection, args.drain_timeout)
        drain = time.perf_counter() - started - elapsed
        busy_after = machine_busy()
        cpu = await _component_cpu(
            connection, api, jobs, weed, api_before, jobs_before, weed_before, backends_before
        )
        cpu["load generator"] = time.process_time() - self_before
    finally:
        await connection.close()
        await asyncio.gather(*(c.aclose() for c in clients.values()))
    busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1]) * 100
    total_cpu = (busy_after[0] - busy_before[0]) / os.sysconf("SC_CLK_TCK")
    cpu["other processes"] = max(0.0, total_cpu - sum(cpu.values()))
    return timings, elapsed, cpu, phase_cpu, busy, drain, analysed


async def _component_cpu(
    connection: asyncpg.Connection,
    api: ApiServer,
    jobs: JobWorkers,
    weed: SeaweedServer,
    api_before: dict[int, float],
    jobs_before: dict[int, float],
    weed_before: float,
    backends_before: dict[int, float],
) -> dict[str, float]:
    """CPU seconds each server component used since the ``*_before`` readings."""
    cpu = {
        "api": sum(cpu_seconds(pid) - api_before.get(pid, 0.0) for pid in api.session_pids()),
        "workers": sum(cpu_seconds(pid) - jobs_before.get(pid, 0.0) for pid in jobs.pids()),
        "postgres": 0.0,
        "seaweedfs": cpu_seconds(weed.pid or 0) - weed_before,
    }
    for row in await connection.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    ):
        cpu["postgres"] += cpu_seconds(row["pid"]) - backends_before.get(row["pid"], 0.0)
    return cpu


async def _wait_analysed(connection: asyncpg.Connection, timeout: float) -> int:
    deadline = time.perf_counter() + timeout
    while True:
        row = await connection.fetchrow(
            "SELECT count(*) FILTER (WHERE stored_at IS NOT NULL) AS stored, "
            "count(*) FILTER (WHERE analysed_at IS NOT NULL) AS analysed FROM visit_photo"
        )
        if row["analysed"] >= row["stored"] or time.perf_counter() > deadline:
            return int(row["analysed"])
        await asyncio.sleep(0.1)


class JobWorkers:
    """``verval worker`` processes working the analysis queue (issue 18)."""

    def __init__(
        self, env: StackEnv, count: int, concurrency: int, niceness: int | None = None
    ) -> None:
        self.env = env
        self.count = count
        self.concurrency = concurrency
        # None: the command's own default, as the README tells operators to run it.
        self.niceness = niceness
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        self.env.var_dir.mkdir(parents=True, exist_ok=True)
        for _ in range(self.count):
            log = (self.env.var_dir / f"job-worker-{uuid.uuid4().hex[:8]}.log").open("wb")
            command = [str(VERVAL), "worker", "--concurrency", str(self.concurrency)]
            if self.niceness is not None:
                command += ["--nice", str(self.niceness)]
            self.procs.append(
                subprocess.Popen(
                    command,
                    env=self.env.environ(),
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    # As systemd starts a service: its own session, whose CPU share the
                    # worker lowers with its niceness (api.jobs.worker.lower_cpu_priority).
                    start_new_session=True,
                )
            )

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.poll() is None]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# -------------------------------------------------------------------------- ceiling
def s3_ceiling(
    weed: SeaweedServer, photos: list[bytes], concurrency: int
) -> tuple[float, list[float], dict[str, float]]:
    """Plain PUTs of the same bytes with the bare ``minio`` client, from threads."""
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=5, read=60),
        maxsize=concurrency,
        retries=urllib3.Retry(total=2, backoff_factor=0.2),
    )
    client = minio.Minio(
        weed.endpoint,
        access_key=weed.access_key,
        secret_key=weed.secret_key,
        secure=False,
        region="us-east-1",
        http_client=http,
    )
    bucket = f"ceiling-{uuid.uuid4().hex[:12]}"
    client.make_bucket(bucket)
    latencies: list[float] = []

    def put(index: int) -> None:
        data = photos[index]
        began = time.perf_counter()
        client.put_object(
            bucket, f"photo/{index:06d}.jpg", io.BytesIO(data), len(data), content_type="image/jpeg"
        )
        latencies.append((time.perf_counter() - began) * 1000)

    weed_before, self_before = cpu_seconds(weed.pid or 0), time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(put, i) for i in range(len(photos))]:
            future.result()
    elapsed = time.perf_counter() - started
    cpu = {
        "seaweedfs": cpu_seconds(weed.pid or 0) - weed_before,
        "load generator": time.process_time() - self_before,
    }
    http.clear()
    return elapsed, latencies, cpu


# ------------------------------------------------------------------- one configuration
def wait_quiet(limit: float, max_wait: float) -> float:
    """Wait (bounded) for the machine's 1-min load to fall below ``limit``; return it."""
    deadline = time.monotonic() + max_wait
    load = os.getloadavg()[0]
    announced = False
    while load > limit and time.monotonic() < deadline:
        if not announced:
            print(f"  waiting for the machine to calm down (load {load:.2f} > {limit})", flush=True)
            announced = True
        time.sleep(5)
        load = os.getloadavg()[0]
    return load


def run_config(
    weed: SeaweedServer,
    workers: int,
    jpegs: list[bytes],
    args: argparse.Namespace,
    tmp: Path,
    audit: str = "on",
) -> ConfigResult:
    database = BenchDatabase()
    database.create()
    try:
        env = StackEnv(
            database_url=database.url,
            s3_endpoint=weed.endpoint,
            s3_access_key=weed.access_key,
            s3_secret_key=weed.secret_key,
            bucket=f"bench-ev-{workers}w-{uuid.uuid4().hex[:8]}",
            var_dir=tmp / f"var-{workers}w-audit-{audit}",
        )
        if args.pool_max:
            env.extra["VERVAL_DATABASE_POOL_MAX"] = str(args.pool_max)
        label = f"{workers} worker(s), audit {audit}"
        print(f"[{label}] preparing {database.name} ...", flush=True)
        prepare_database(env)
        if audit == "off":
            # Only the API processes: migrations, regions and forms above ran as shipped.
            env.extra["PYTHONPATH"] = os.pathsep.join(
                [str(NO_AUDIT), *filter(None, [os.environ.get("PYTHONPATH")])]
            )
        field_data = asyncio.run(seed_field(database.url, args.phones, args.visits))
        rng = random.Random(args.seed + workers)
        works: dict[str, list[VisitWork]] = {}
        base = datetime.now(UTC) - timedelta(hours=10)
        photo_index = 0
        for phone in field_data.phones:
            works[phone.username] = []
            for j, household in enumerate(phone.households[: args.visits]):
                works[phone.username].append(
                    visit_work(
                        field_data.round_id,
                        household,
                        base + timedelta(minutes=30 * j, seconds=rng.randint(0, 600)),
                        jpegs[photo_index : photo_index + 3],
                        device_id=f"bench-{phone.username}",
                        rng=rng,
                    )
                )
                photo_index += 3
        # Job workers first: their start-up (imports) is done before the clock starts.
        jobs = JobWorkers(env, args.job_workers, args.job_concurrency, args.job_nice)
        jobs.start()
        api = ApiServer(env, workers)
        try:
            api.start()
        except BaseException:
            jobs.stop()
            raise
        try:
            idle_rss = sum(_rss(pid) for pid in api.worker_pids())
            supervisor = api.proc.pid if (api.proc and workers > 1) else None
            load_before = wait_quiet(args.quiet_load, args.quiet_wait)
            print(
                f"[{label}] {args.phones} phones x {args.visits} visits x 3 photos "
                f"(load {load_before:.2f}) ...",
                flush=True,
            )
            with MemorySampler(api.worker_pids) as sampler, MemorySampler(jobs.pids) as job_rss:
                timings, elapsed, cpu, phase_cpu, busy, drain, analysed = asyncio.run(
                    drive(api, jobs, database, weed, field_data, works, args)
                )
            supervisor_rss = _rss(supervisor) if supervisor else 0
        finally:
            jobs.stop()
            api.stop()
        counts = asyncio.run(_db_counts(database.url))
        print(f"[{label}] ceiling: bare minio put_object x {len(jpegs)} ...", flush=True)
        ceiling_s, ceiling_lat, ceiling_cpu = s3_ceiling(weed, jpegs, args.phones)
    finally:
        database.drop()

    photos_per_s = timings.photos_done / elapsed
    ceiling_rate = len(jpegs) / ceiling_s
    intake_events = sum(
        n for action, n in counts["audit"].items() if action.startswith(("visit.", "photo."))
    )
    result = ConfigResult(
        workers=workers,
        audit=audit,
        phones=args.phones,
        visits_planned=args.phones * args.visits,
        visits_completed=timings.visits_done,
        photos_stored=timings.photos_done,
        seconds=elapsed,
        visits_per_s=timings.visits_done / elapsed,
        photos_per_s=photos_per_s,
        mb_per_s=timings.bytes_sent / elapsed / 1e6,
        visit_ms=summary(timings.visit_ms),
        photo_ms=summary(timings.photo_ms),
        login_ms=summary(timings.login_ms),
        statuses=dict(timings.statuses),
        errors=timings.errors[:20],
        api_rss_peak_mb=sampler.peak / 2**20,
        api_rss_mean_mb=statistics.mean(sampler.samples) / 2**20 if sampler.samples else 0,
        api_rss_idle_mb=idle_rss / 2**20,
        supervisor_rss_mb=supervisor_rss / 2**20,
        cpu_s=cpu,
        machine_busy_pct=busy,
        loadavg_before=load_before,
        ceiling_puts_per_s=ceiling_rate,
        ceiling_ms=summary(ceiling_lat),
        ceiling_seconds=ceiling_s,
        ratio=photos_per_s / ceiling_rate,
        db_visits_complete=counts["complete"],
        db_photos_stored=counts["photos"],
        audit_events=counts["audit"],
        audit_events_per_visit=intake_events / max(1, counts["complete"]),
        photos_analysed=analysed,
        analysis_drain_s=drain,
        job_workers=args.job_workers,
        job_worker_nice="default (10)" if args.job_nice is None else str(args.job_nice),
        job_worker_rss_peak_mb=job_rss.peak / 2**20,
        cpu_ms_per_photo={name: seconds * 1000 / max(1, analysed) for name, seconds in cpu.items()}
        | {
            "whole stack (API + workers + PostgreSQL + SeaweedFS)": (
                cpu["api"] + cpu["workers"] + cpu["postgres"] + cpu["seaweedfs"]
            )
            * 1000
            / max(1, analysed)
        },
        phase_cpu_ms_per_photo={
            name: seconds * 1000 / max(1, timings.photos_done)
            for name, seconds in phase_cpu.items()
        },
        ceiling_cpu_ms_per_put={
            name: seconds * 1000 / len(jpegs) for name, seconds in ceiling_cpu.items()
        },
    )
    print(
        f"[{label}] while the phones sent, CPU ms/photo "
        + ", ".join(f"{k} {v:.1f}" for k, v in result.phase_cpu_ms_per_photo.items())
        + "; ceiling CPU ms/PUT "
        + ", ".join(f"{k} {v:.1f}" for k, v in result.ceiling_cpu_ms_per_put.items()),
        flush=True,
    )
    print(
        f"[{label}] audit_event rows: {sum(counts['audit'].values())} {counts['audit']}",
        flush=True,
    )
    print(
        f"[{label}] {result.visits_per_s:.1f} visits/s, {photos_per_s:.1f} photos/s "
        f"in {elapsed:.1f} s; photo p50 {result.photo_ms['p50']:.0f} ms, p95 "
        f"{result.photo_ms['p95']:.0f} ms; RSS peak {result.api_rss_peak_mb:.0f} MB; ceiling "
        f"{ceiling_rate:.0f} PUT/s; ratio {result.ratio:.3f}; statuses {dict(timings.statuses)}",
        flush=True,
    )
    print(
        f"[{label}] analysed {analysed}/{timings.photos_done} photos, drained "
        f"{drain:.1f} s after the phones; CPU ms/photo "
        + ", ".join(f"{k} {v:.1f}" for k, v in result.cpu_ms_per_photo.items()),
        flush=True,
    )
    for error in timings.errors[:5]:
        print("   error:", error)
    return result


def _rss(pid: int | None) -> int:
    from bench.fieldstack import rss_bytes

    return rss_bytes(pid) if pid else 0


async def _db_counts(url: str) -> dict[str, Any]:
    connection = await asyncpg.connect(url)
    try:
        complete = await connection.fetchval("SELECT count(*) FROM visit WHERE state = 'complete'")
        photos = await connection.fetchval(
            "SELECT count(*) FROM visit_photo WHERE stored_at IS NOT NULL"
        )
        audit = {
            row["action"]: int(row["n"])
            for row in await connection.fetch(
                "SELECT action, count(*) AS n FROM audit_event GROUP BY action ORDER BY action"
            )
        }
    finally:
        await connection.close()
    return {"complete": int(complete), "photos": int(photos), "audit": audit}


# --------------------------------------------------------------------------- report
def render(
    results: list[ConfigResult],
    info: dict[str, Any],
    args: argparse.Namespace,
    mean_kb: float,
    postgres: str,
) -> str:
    best = max(results, key=lambda r: r.photos_per_s)
    lines = [
        f"`.venv/bin/python bench/intake.py {' '.join(sys.argv[1:])}`".replace(" `", "`"),
        "",
        describe_machine(info, postgres),
        "",
        f"{args.phones} phones at once, each its own enumerator account, connection and "
        f"assigned households; each sends {args.visits} visits (outcome `found`, the DTKS "
        f"answers of `survey_forms/samples.py`) with 3 photos of {mean_kb:.0f} KB on average "
        "(1600x1200 camera-like JPEGs, q75, distinct per photo). Sign-in before the clock "
        "starts. A visit counts when its last photo's receipt says every photo is stored; "
        f"analysis runs on {args.job_workers} `verval worker` process(es) "
        f"(concurrency {args.job_concurrency}, niceness "
        f"{'default (10)' if args.job_nice is None else args.job_nice}) beside the API.",
        "",
        "| API workers | audit | visits/s | photos/s | MB/s in | wall s | visits complete | "
        "API RSS peak (workers) | ceiling PUT/s | ratio photos/s ÷ ceiling |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.workers} | {r.audit} | {r.visits_per_s:.1f} | {r.photos_per_s:.1f} | {r.mb_per_s:.1f} | "
            f"{r.seconds:.1f} | {r.visits_completed}/{r.visits_planned} | "
            f"{r.api_rss_peak_mb:.0f} MB | {r.ceiling_puts_per_s:.0f} | {r.ratio:.3f} |"
        )
    lines += [
        "",
        "Latency seen by the phones, ms (p50 / p95 / p99):",
        "",
        "| API workers | audit | PUT visit | PUT photo | ceiling: bare S3 PUT |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in results:

        def fmt(s: dict[str, float]) -> str:
            return f"{s['p50']:.0f} / {s['p95']:.0f} / {s['p99']:.0f}"

        lines.append(
            f"| {r.workers} | {r.audit} | {fmt(r.visit_ms)} | {fmt(r.photo_ms)} | {fmt(r.ceiling_ms)} |"
        )
    lines += [
        "",
        "Where the CPU went during the timed phase (CPU seconds; the machine has "
        f"{info['nproc']} CPUs):",
        "",
        "| API workers | audit | API | PostgreSQL (bench backends) | SeaweedFS | load generator | "
        "other processes | machine busy | load before |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        c = r.cpu_s
        lines.append(
            f"| {r.workers} | {r.audit} | {c['api']:.1f} | {c['postgres']:.1f} | {c['seaweedfs']:.1f} | "
            f"{c['load generator']:.1f} | {c['other processes']:.1f} | "
            f"{r.machine_busy_pct:.0f} % | {r.loadavg_before:.2f} |"
        )
    lines += [
        "",
        "API memory, MB (sum of the RSS of the uvicorn worker processes, sampled every "
        "0.2 s; the supervisor process of a multi-worker server apart):",
        "",
        "| API workers | audit | idle after start | mean under load | peak | supervisor |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.workers} | {r.audit} | {r.api_rss_idle_mb:.0f} | {r.api_rss_mean_mb:.0f} | "
            f"{r.api_rss_peak_mb:.0f} | {r.supervisor_rss_mb:.0f} |"
        )
    lines += [
        "",
        "Photo analysis (job workers) and CPU per photo, ms (every component's CPU during "
        "the timed phase and the drain, divided by the photos analysed):",
        "",
        "| API workers | audit | photos analysed | drain after phones s | job-worker RSS peak | "
        "API | job workers | PostgreSQL | SeaweedFS | whole stack | load generator |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        m = r.cpu_ms_per_photo
        lines.append(
            f"| {r.workers} | {r.audit} | {r.photos_analysed}/{r.photos_stored} | "
            f"{r.analysis_drain_s:.1f} | {r.job_worker_rss_peak_mb:.0f} MB | {m['api']:.1f} | "
            f"{m['workers']:.1f} | {m['postgres']:.1f} | {m['seaweedfs']:.1f} | "
            f"{m['whole stack (API + workers + PostgreSQL + SeaweedFS)']:.1f} | "
            f"{m['load generator']:.1f} |"
        )
    lines += [
        "",
        "What decides the ratio on a machine whose CPUs are all busy: CPU ms per stored photo "
        "while the phones sent (the drain excluded) against CPU ms per ceiling PUT. The "
        "ratio is then about ceiling ms ÷ machine ms; *bound with a free API* is that "
        "ratio if the API processes cost nothing (machine ms minus theirs; PostgreSQL running "
        "their SQL still counted):",
        "",
        "| API workers | audit | API | job workers | PostgreSQL | SeaweedFS | load generator | "
        "whole machine | ceiling: SeaweedFS | ceiling: load generator | ceiling: CPUs ÷ PUT/s "
        "| bound with a free API |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p, c = r.phase_cpu_ms_per_photo, r.ceiling_cpu_ms_per_put
        ceiling_machine = 1000 * (os.cpu_count() or 1) / max(1e-9, r.ceiling_puts_per_s)
        free_api = ceiling_machine / max(1e-9, p["whole machine"] - p["api"])
        lines.append(
            f"| {r.workers} | {r.audit} | {p['api']:.1f} | {p['workers']:.1f} | "
            f"{p['postgres']:.1f} | {p['seaweedfs']:.1f} | {p['load generator']:.1f} | "
            f"{p['whole machine']:.1f} | {c['seaweedfs']:.1f} | {c['load generator']:.1f} | "
            f"{ceiling_machine:.1f} | {free_api:.2f} |"
        )
    lines += audit_lines(results)
    lines += [
        "",
        f"Best of this run: {best.workers} worker(s), audit {best.audit}. Statuses: "
        + "; ".join(f"{r.workers}w audit {r.audit} {r.statuses}" for r in results),
    ]
    return "\n".join(lines) + "\n"


def audit_lines(results: list[ConfigResult]) -> list[str]:
    """Audit on vs off per worker count (issue 7), and the audit_event rows of each run."""
    lines = [
        "",
        "audit_event rows after each configuration (the CLI's region import and form publishing "
        "before the API starts included; with `off` the API must add none), and "
        "the intake's events (visit.* and photo.*) per completed visit:",
        "",
        "| API workers | audit | audit_event rows | by action | intake events per visit |",
        "|---:|---|---:|---|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.workers} | {r.audit} | {sum(r.audit_events.values())} | "
            + (", ".join(f"{a} {n}" for a, n in r.audit_events.items()) or "-")
            + f" | {r.audit_events_per_visit:.2f} |"
        )
    pairs = [
        (on, off)
        for on in results
        if on.audit == "on"
        for off in results
        if off.audit == "off" and off.workers == on.workers
    ]
    if pairs:
        lines += [
            "",
            "Audit on ÷ audit off, same run (throughput: < 1 means the chain costs intake; "
            "latency: > 1 means slower with the chain):",
            "",
            "| API workers | visits/s on / off | ratio | photos/s on / off | ratio | "
            "visit p50 on / off ms | photo p50 on / off ms | photo p95 on / off ms |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for on, off in pairs:
            lines.append(
                f"| {on.workers} | {on.visits_per_s:.2f} / {off.visits_per_s:.2f} | "
                f"{on.visits_per_s / off.visits_per_s:.3f} | "
                f"{on.photos_per_s:.2f} / {off.photos_per_s:.2f} | "
                f"{on.photos_per_s / off.photos_per_s:.3f} | "
                f"{on.visit_ms['p50']:.0f} / {off.visit_ms['p50']:.0f} | "
                f"{on.photo_ms['p50']:.0f} / {off.photo_ms['p50']:.0f} | "
                f"{on.photo_ms['p95']:.0f} / {off.photo_ms['p95']:.0f} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--visits", type=int, default=2, help="visits per phone")
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--job-workers", type=int, default=1, help="verval worker processes")
    parser.add_argument("--job-concurrency", type=int, default=2, help="jobs per job worker")
    parser.add_argument(
        "--job-nice",
        type=int,
        default=None,
        help="`verval worker --nice N` (default: the command's own default, 10; 0 = not niced)",
    )
    parser.add_argument(
        "--drain-timeout", type=float, default=600, help="longest wait for the analysis"
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=170,
        help="phones start no new visit after this (per configuration)",
    )
    parser.add_argument(
        "--pool-max",
        type=int,
        default=0,
        help="VERVAL_DATABASE_POOL_MAX per worker (0: the default)",
    )
    parser.add_argument(
        "--phone-client",
        choices=["aiohttp", "httpx"],
        default="aiohttp",
        help="the phones' HTTP client (httpx: the client of runs before 2026-12-07)",
    )
    parser.add_argument("--login-parallel", type=int, default=8)
    parser.add_argument(
        "--quiet-load",
        type=float,
        default=1.5,
        help="before each configuration wait for the 1-min load to fall below",
    )
    parser.add_argument(
        "--quiet-wait", type=float, default=120, help="... but at most this many seconds"
    )
    parser.add_argument(
        "--audit",
        nargs="+",
        choices=["on", "off"],
        default=["on"],
        help="per worker count: with audit appends (the real code) and/or without "
        "(bench/no_audit on the API's PYTHONPATH)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    # A SIGTERM unwinds like Ctrl-C, so the finally blocks stop the servers and drop the DB.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    info = machine_info()
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="verval-intake-") as tmp_name:
        tmp = Path(tmp_name)
        count = args.phones * args.visits * 3
        t0 = time.perf_counter()
        print(f"Generating {count} camera-like JPEGs ...", flush=True)
        jpegs = make_jpegs(count, seed=args.seed)
        mean_kb = statistics.mean(len(j) for j in jpegs) / 1000
        print(f"  {mean_kb:.0f} KB on average, in {time.perf_counter() - t0:.0f} s", flush=True)
        probe = BenchDatabase()
        postgres = ""
        results: list[ConfigResult] = []
        with SeaweedServer(
            volume_max=400, volume_size_limit_mb=256, data_dir=tmp / "seaweed"
        ) as weed:
            for workers in args.workers:
                for audit in args.audit:
                    results.append(run_config(weed, workers, jpegs, args, tmp, audit))
            try:
                probe.create()
                postgres = asyncio.run(probe.server_version())
            finally:
                probe.drop()

    report = render(results, info, args, mean_kb, postgres)
    print()
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"intake-{stamp}.md").write_text(report)
    (RESULTS / f"intake-{stamp}.json").write_text(
        json.dumps(
            {
                "machine": info,
                "args": vars(args),
                "argv": sys.argv,
                "results": [asdict(r) for r in results],
            },
            indent=1,
            default=str,
        )
    )
    print(f"Raw results in bench/results/intake-{stamp}.json")
    failed = [r for r in results if r.visits_completed < r.visits_planned - 0 and r.errors]
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
