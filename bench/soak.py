"""Soak (issue 6): visits and photos through injected faults; stored exactly once at the end.

Self-contained (see ``bench/fieldstack.py``): a fresh PostgreSQL database, a SeaweedFS
server, the API (``verval serve --workers N``) and, in front of it, a fault-injecting TCP
proxy written here (asyncio, 127.0.0.1). In ``--fault-rate`` of the connections the proxy
cuts the connection (RST both ways) at a random byte offset of the request or of the
response: anywhere from the first header byte to the last body byte.

Phones open a new connection per request (as a phone on a flaky 3G link does) and retry
as the PWA's outbox does (pwa/src/sync/): the same PUT with the same UUIDs and bytes, with
exponential backoff and jitter (scaled down from the phone's 5 s base to fit the run)
until a 2xx. A 409, or a 4xx other than 429, is a bug and is recorded; so is a 500.

During the run, once ``--api-restart-at`` of the visits are done the API's process group
is SIGKILLed and started again; once ``--store-restart-at`` are done SeaweedFS is stopped
and started again; once ``--worker-kill-at`` are done, a job worker (``verval worker``,
``--job-workers`` of them analyse the photos) is SIGKILLed while a job is running and a
new one is started (issue 18). After the phones, the run waits until every stored photo
is analysed.

At the end, from the database and the store:
* every visit sent is stored exactly once and is ``complete`` (none stuck ``submitted``);
* every photo analysed exactly once: its analysis on the audit chain once (a
  ``photo.analysed`` event, or the details of the ``visit.completed`` event of the write
  that completed its visit), no flag twice;
* every photo sent has exactly one row, stored, with the declared SHA-256 and size;
* each of those rows has its object under its content-addressed key, exactly one version,
  with the right size, the recorded SHA-256, and bytes that re-hash to it (all of them);
  and its display copy (the evidence itself, or a stripped copy) and thumbnail exist;
* no evidence object without a row; the audit log has exactly one ``visit.received``,
  ``visit.completed`` and ``photo.received`` per visit/photo, and its hash chain links;
* every assignment visited is ``visited``.
The counts are printed; the exit status is non-zero if any check fails.

    .venv/bin/python bench/soak.py                   # 50 phones x 20 visits, 2 workers
    .venv/bin/python bench/soak.py --phones 60 --visits 20 --fault-rate 0.25
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from api.visits.thumbnails import IN_ROW_THUMBNAIL  # noqa: E402
from bench.fieldstack import (  # noqa: E402
    PASSWORD,
    ROOT,
    ApiServer,
    BenchDatabase,
    StackEnv,
    VisitWork,
    describe_machine,
    free_port,
    machine_info,
    make_jpegs,
    prepare_database,
    seed_field,
    visit_work,
)
from bench.intake import JobWorkers  # noqa: E402
from media.store import evidence_key  # noqa: E402
from tests.support.seaweedfs import SeaweedServer  # noqa: E402

RESULTS = ROOT / "bench" / "results"


# ------------------------------------------------------------------------- the proxy
@dataclass
class ProxyStats:
    connections: int = 0
    faulty: int = 0
    cut_request: int = 0
    cut_response: int = 0
    fault_not_reached: int = 0  # the connection ended before its cut point
    upstream_refused: int = 0


class FaultProxy:
    """TCP proxy 127.0.0.1:port → 127.0.0.1:target that cuts some connections mid-stream.

    A faulty connection picks a direction (request or response) and a byte offset
    uniformly within that message: the proxy reads the message's head to learn its
    length (head + Content-Length), forwards exactly ``offset`` bytes, then aborts both
    sockets (RST). Offset 0 cuts before anything passes; offset = length delivers the
    whole message and cuts before anything comes back (request) or right after the
    phone got everything but the connection close (response).
    """

    def __init__(self, target_port: int, fault_rate: float, seed: int) -> None:
        self.target_port = target_port
        self.fault_rate = fault_rate
        self.rng = random.Random(seed)
        self.stats = ProxyStats()
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        for task in list(self._tasks):
            task.cancel()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        faulty = self.rng.random() < self.fault_rate
        direction = self.rng.choice(["request", "response"]) if faulty else None
        fraction = self.rng.random()
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            self.stats.upstream_refused += 1
            writer.transport.abort()
            return
        if faulty:
            self.stats.faulty += 1
        cut = asyncio.Event()

        def abort_both() -> None:
            cut.set()
            writer.transport.abort()
            up_writer.transport.abort()

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, fault: bool) -> bool:
            """Forward until EOF; with ``fault``, cut at the chosen offset. True if cut."""
            buffer = b""
            limit: int | None = None
            sent = 0
            while True:
                data = await src.read(65536)
                if not data:
                    if buffer:
                        dst.write(buffer)
                    if fault and limit is None:
                        pass
                    with _quiet():
                        if dst.can_write_eof():
                            dst.write_eof()
                    return False
                if fault and limit is None:
                    buffer += data
                    head_end = buffer.find(b"\r\n\r\n")
                    if head_end < 0 and len(buffer) < 65536:
                        continue
                    total = (head_end + 4 if head_end >= 0 else len(buffer)) + _content_length(
                        buffer[: max(0, head_end)]
                    )
                    limit = round(fraction * total)
                    data, buffer = buffer, b""
                if fault and limit is not None:
                    room = limit - sent
                    if len(data) >= room:
                        if room > 0:
                            dst.write(data[:room])
                            with _quiet():
                                await dst.drain()
                        return True
                    sent += len(data)
                dst.write(data)
                await dst.drain()

        async def run() -> None:
            try:
                request = asyncio.create_task(pump(reader, up_writer, direction == "request"))
                response = asyncio.create_task(pump(up_reader, writer, direction == "response"))
                for finished in asyncio.as_completed([request, response]):
                    try:
                        was_cut = await finished
                    except (ConnectionError, OSError):
                        was_cut = False
                        abort_both()
                    if was_cut:
                        if direction == "request":
                            self.stats.cut_request += 1
                        else:
                            self.stats.cut_response += 1
                        abort_both()
                        break
                else:
                    if faulty:
                        self.stats.fault_not_reached += 1
                for task in (request, response):
                    task.cancel()
            finally:
                for w in (writer, up_writer):
                    with _quiet():
                        w.close()

        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await run()
        except asyncio.CancelledError:
            pass  # the proxy is closing: connections still open are dropped
        finally:
            if task is not None:
                self._tasks.discard(task)


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], (OSError, RuntimeError))  # type: ignore[arg-type]


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return int(value.strip())
            except ValueError:
                return 0
    return 0


# ------------------------------------------------------------------------ the phones
@dataclass
class PhoneStats:
    statuses: Counter[str] = field(default_factory=Counter)
    bugs: list[str] = field(default_factory=list)
    attempts: int = 0
    retries: int = 0
    visits_done: int = 0
    photos_done: int = 0
    max_attempts: int = 0


class Retrier:
    """The outbox's retry: exponential backoff with ±25 % jitter, Retry-After honoured."""

    def __init__(self, stats: PhoneStats, base: float, cap: float, rng: random.Random) -> None:
        self.stats = stats
        self.base = base
        self.cap = cap
        self.rng = rng

    async def put(
        self,
        client: httpx.AsyncClient,
        kind: str,
        url: str,
        content: bytes,
        headers: dict[str, str],
    ) -> httpx.Response | None:
        attempt = 0
        while True:
            attempt += 1
            self.stats.attempts += 1
            retry_after = 0.0
            try:
                response = await client.put(url, content=content, headers=headers)
            except httpx.HTTPError as error:
                self.stats.statuses[f"{kind}:{type(error).__name__}"] += 1
            else:
                status = response.status_code
                self.stats.statuses[f"{kind}:{status}"] += 1
                if 200 <= status < 300:
                    self.stats.max_attempts = max(self.stats.max_attempts, attempt)
                    return response
                if status == 409 or (400 <= status < 500 and status != 429) or status == 500:
                    self.stats.bugs.append(f"{kind} {url}: HTTP {status} {response.text[:400]}")
                    return None
                retry_after = _retry_after(response)
            self.stats.retries += 1
            delay = min(self.cap, self.base * 2 ** (attempt - 1)) * self.rng.uniform(0.75, 1.25)
            await asyncio.sleep(max(delay, min(retry_after, self.cap)))


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("retry-after", "0"))
    except ValueError:
        return 0.0


async def phone(
    base_url: str,
    token: str,
    visits: list[VisitWork],
    retrier: Retrier,
    progress: dict[str, int],
) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(30.0),
        # A new connection per request, as on a flaky mobile link: each request meets
        # the proxy's dice.
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=0),
    ) as client:
        for visit in visits:
            response = await retrier.put(
                client,
                "visit",
                f"/api/v1/visits/{visit.id}",
                visit.body,
                {**auth, "Content-Type": "application/json"},
            )
            if response is None:
                continue
            missing = set(response.json()["missing_photos"])
            state = response.json()["state"]
            for photo in visit.photos:
                if str(photo.id) not in missing:
                    continue
                response = await retrier.put(
                    client,
                    "photo",
                    f"/api/v1/visits/{visit.id}/photos/{photo.id}",
                    photo.data,
                    {**auth, "Content-Type": "image/jpeg"},
                )
                if response is None:
                    break
                retrier.stats.photos_done += 1
                state = "stored" if not response.json()["missing_photos"] else "waiting"
            if state in ("stored", "complete") or not missing:
                retrier.stats.visits_done += 1
                progress["done"] += 1


async def login_all(base_url: str, usernames: list[str]) -> dict[str, str]:
    tokens: dict[str, str] = {}
    gate = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:

        async def one(username: str) -> None:
            async with gate:
                response = await client.post(
                    "/api/v1/auth/login",
                    json={"username": username, "password": PASSWORD, "device_label": "soak"},
                )
                response.raise_for_status()
                tokens[username] = response.json()["access_token"]

        await asyncio.gather(*(one(u) for u in usernames))
    return tokens


# ------------------------------------------------------------------------- the chaos
@dataclass
class Event:
    at_s: float
    what: str


async def chaos(
    api: ApiServer,
    jobs: JobWorkers,
    database_url: str,
    weed: SeaweedServer,
    progress: dict[str, int],
    total: int,
    args: argparse.Namespace,
    events: list[Event],
    started: float,
    finished: asyncio.Event,
) -> None:
    async def wait_for(fraction: float) -> bool:
        while progress["done"] < fraction * total:
            if finished.is_set():
                return False
            await asyncio.sleep(0.1)
        return True

    def note(what: str) -> None:
        events.append(Event(time.perf_counter() - started, what))
        print(
            f"  t={events[-1].at_s:6.1f}s  {what}  ({progress['done']}/{total} visits done)",
            flush=True,
        )

    kill_worker_first = args.worker_kill_at <= args.api_restart_at
    if kill_worker_first and await wait_for(args.worker_kill_at):
        await kill_job_worker_mid_job(jobs, database_url, note)
    if await wait_for(args.api_restart_at):
        note("API: SIGKILL to the process group")
        await asyncio.to_thread(api.kill)
        await asyncio.sleep(args.down_seconds)
        note("API: starting again")
        await asyncio.to_thread(api.start)
        note("API: ready")
    if await wait_for(args.store_restart_at):
        note("SeaweedFS: stopping (SIGTERM, SIGKILL after 5 s)")
        await asyncio.to_thread(weed.stop)
        await asyncio.sleep(args.down_seconds)
        note("SeaweedFS: starting again")
        await asyncio.to_thread(weed.start)
        note("SeaweedFS: ready")
    if not kill_worker_first and await wait_for(args.worker_kill_at):
        await kill_job_worker_mid_job(jobs, database_url, note)


async def kill_job_worker_mid_job(jobs: JobWorkers, database_url: str, note: Any) -> None:
    """SIGKILL the job worker running a job (as soon as one is), then start a new one."""
    connection = await asyncpg.connect(database_url)
    try:
        for _ in range(3000):
            running = await connection.fetchval(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"
            )
            if running:
                break
            await asyncio.sleep(0.01)
        victim = jobs.procs[0]
        victim.send_signal(signal.SIGKILL)
        await asyncio.to_thread(victim.wait)
        left = await connection.fetchval(
            "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"
        )
    finally:
        await connection.close()
    note(f"job worker: SIGKILL with {running} job(s) running ({left} left 'doing')")
    jobs.procs.pop(0)
    jobs.count -= 1
    replacement = JobWorkers(jobs.env, 1, jobs.concurrency)
    replacement.start()
    jobs.procs += replacement.procs
    jobs.count += 1
    note("job worker: a new one started")


# ----------------------------------------------------------------------- the checks
@dataclass
class Check:
    name: str
    ok: bool
    detail: str


async def verify(
    database_url: str,
    weed: SeaweedServer,
    bucket: str,
    sent: list[VisitWork],
    assignments_visited: set[int],
) -> tuple[list[Check], dict[str, int]]:
    checks: list[Check] = []
    counts: dict[str, int] = {}

    def check(name: str, ok: bool, detail: str) -> None:
        checks.append(Check(name, ok, detail))

    sent_visits = {v.id: v for v in sent}
    sent_photos = {p.id: p for v in sent for p in v.photos}
    photo_visit = {p.id: v.id for v in sent for p in v.photos}
    counts["visits sent"] = len(sent_visits)
    counts["photos sent"] = len(sent_photos)

    connection = await asyncpg.connect(database_url)
    try:
        visits = await connection.fetch(
            "SELECT id, state, photos_declared, photos_stored, photos_analysed FROM visit"
        )
        photos = await connection.fetch(
            "SELECT id, visit, sha256, size, stored_at, storage_key, display_key, thumbnail_key, "
            "substring(thumbnail FROM 1 FOR 2) = '\\xffd8'::bytea AS jpeg_in_row, "
            "analysed_at FROM visit_photo"
        )
        events = await connection.fetch(
            "SELECT action, object_id, count(*) AS n FROM audit_event "
            "WHERE action IN ('visit.received', 'visit.completed', 'photo.received', "
            "'photo.analysed') GROUP BY action, object_id"
        )
        # A photo's analysis is on the chain as its own photo.analysed event, or in the
        # details of the visit.completed event of the write that completed its visit.
        analysed_in_completions = await connection.fetch(
            "SELECT analysed.key AS object_id, count(*) AS n FROM audit_event, "
            "jsonb_each(coalesce(details->'analysed', '{}'::jsonb)) AS analysed "
            "WHERE action = 'visit.completed' GROUP BY analysed.key"
        )
        flag_twice = await connection.fetchval(
            "SELECT count(*) FROM (SELECT photo_id, code FROM visit_flag "
            "WHERE photo_id IS NOT NULL GROUP BY photo_id, code HAVING count(*) > 1) AS d"
        )
        chain_breaks = await connection.fetchval(
            "SELECT count(*) FROM (SELECT seq, prev_hash, lag(event_hash) OVER (ORDER BY seq) "
            "AS previous, lag(seq) OVER (ORDER BY seq) AS previous_seq FROM audit_event) AS c "
            "WHERE previous IS NOT NULL AND (prev_hash <> previous OR seq <> previous_seq + 1)"
        )
        audit_total = await connection.fetchval("SELECT count(*) FROM audit_event")
        assignment_states = await connection.fetch(
            "SELECT state, count(*) AS n FROM assignment WHERE household = ANY($1::bigint[]) "
            "GROUP BY state",
            list(assignments_visited),
        )
    finally:
        await connection.close()

    db_visits = {row["id"]: row for row in visits}
    counts["visit rows"] = len(visits)
    lost_visits = set(sent_visits) - set(db_visits)
    extra_visits = set(db_visits) - set(sent_visits)
    check("every visit stored", not lost_visits, f"{len(lost_visits)} lost")
    check("no visit row beyond those sent", not extra_visits, f"{len(extra_visits)} extra")
    states = Counter(row["state"] for row in visits)
    counts.update({f"visits {state}": n for state, n in states.items()})
    check(
        "every visit complete (none stuck submitted)",
        states.get("complete", 0) == len(sent_visits) and len(states) == 1,
        f"states {dict(states)}",
    )
    bad_counters = [
        row["id"]
        for row in visits
        if not (row["photos_stored"] == row["photos_analysed"] == row["photos_declared"])
    ]
    check(
        "photos_stored = photos_analysed = photos_declared on every visit",
        not bad_counters,
        f"{len(bad_counters)} visits differ",
    )

    db_photos = {row["id"]: row for row in photos}
    counts["photo rows"] = len(photos)
    lost_photos = set(sent_photos) - set(db_photos)
    extra_photos = set(db_photos) - set(sent_photos)
    check("every photo has its row", not lost_photos, f"{len(lost_photos)} lost")
    check("no photo row beyond those sent", not extra_photos, f"{len(extra_photos)} extra")
    wrong = [
        pid
        for pid, row in db_photos.items()
        if pid in sent_photos
        and (
            row["sha256"] != sent_photos[pid].sha256
            or row["size"] != len(sent_photos[pid].data)
            or row["visit"] != photo_visit[pid]
            or row["stored_at"] is None
            or row["storage_key"] != evidence_key(row["sha256"])
        )
    ]
    counts["photo rows stored"] = sum(1 for row in photos if row["stored_at"] is not None)
    check(
        "every photo row stored, right hash, size, visit and key", not wrong, f"{len(wrong)} wrong"
    )
    sha_dupes = len(photos) - len({row["sha256"] for row in photos})
    check(
        "no photo row duplicated (distinct SHA-256 per row)",
        sha_dupes == 0,
        f"{sha_dupes} duplicates",
    )

    per_action: dict[str, Counter[str]] = {}
    for row in events:
        per_action.setdefault(row["action"], Counter())[row["object_id"]] = row["n"]
    analysed_records = per_action.pop("photo.analysed", Counter())
    for row in analysed_in_completions:
        analysed_records[row["object_id"]] += row["n"]
    per_action["photo analysis (photo.analysed or visit.completed's details)"] = analysed_records
    for action, expected in [
        ("visit.received", {str(v) for v in sent_visits}),
        ("visit.completed", {str(v) for v in sent_visits}),
        ("photo.received", {str(p) for p in sent_photos}),
        (
            "photo analysis (photo.analysed or visit.completed's details)",
            {str(p) for p in sent_photos},
        ),
    ]:
        seen = per_action.get(action, Counter())
        twice = [k for k, n in seen.items() if n != 1]
        missing = expected - set(seen)
        counts[f"audit {action}"] = sum(seen.values())
        check(
            f"exactly one audit {action} per object",
            not twice and not missing,
            f"{len(missing)} missing, {len(twice)} more than once",
        )
    counts["photo rows analysed"] = sum(1 for row in photos if row["analysed_at"] is not None)
    check(
        "every photo analysed",
        counts["photo rows analysed"] == len(sent_photos),
        f"{len(sent_photos) - counts['photo rows analysed']} not analysed",
    )
    check("no flag recorded twice for a photo", flag_twice == 0, f"{flag_twice} twice")
    counts["audit events"] = int(audit_total)
    check(
        "audit hash chain links (prev_hash, contiguous seq)",
        chain_breaks == 0,
        f"{chain_breaks} breaks",
    )
    visited = {row["state"]: row["n"] for row in assignment_states}
    check("every visited assignment is 'visited'", set(visited) == {"visited"}, f"states {visited}")

    # ---- the store: every version under evidence/, then each object stat-ed and re-hashed
    client = weed.client()

    def store_pass() -> dict[str, Any]:
        versions: Counter[str] = Counter()
        for obj in client.list_objects(
            bucket, prefix="evidence/", recursive=True, include_version=True
        ):
            if not obj.is_delete_marker:
                versions[obj.object_name] += 1
        wanted = {evidence_key(p.sha256): p for p in sent_photos.values()}
        mismatched, missing, derivative_missing = [], [], []
        hashed_bytes = 0
        for key, photo in wanted.items():
            try:
                stat = client.stat_object(bucket, key)
            except Exception:
                missing.append(key)
                continue
            recorded = (stat.metadata or {}).get("x-amz-meta-sha256")
            response = client.get_object(bucket, key)
            try:
                data = response.read()
            finally:
                response.close()
                response.release_conn()
            hashed_bytes += len(data)
            if (
                stat.size != len(photo.data)
                or recorded != photo.sha256
                or hashlib.sha256(data).hexdigest() != photo.sha256
            ):
                mismatched.append(key)
        for row in photos:
            for derivative in (row["display_key"], row["thumbnail_key"]):
                if derivative == row["storage_key"]:
                    continue  # no metadata: the evidence object is the display copy
                if derivative == IN_ROW_THUMBNAIL:
                    # Kept in the photo's row (branch intake2): a JPEG there, no object.
                    if not row["jpeg_in_row"]:
                        derivative_missing.append(f"{row['id']} (thumbnail in row)")
                    continue
                try:
                    client.stat_object(bucket, derivative)
                except Exception:
                    derivative_missing.append(derivative)
        return {
            "versions": versions,
            "wanted": wanted,
            "mismatched": mismatched,
            "missing": missing,
            "derivative_missing": derivative_missing,
            "hashed_bytes": hashed_bytes,
        }

    result = await asyncio.to_thread(store_pass)
    versions: Counter[str] = result["versions"]
    counts["evidence objects"] = len(versions)
    counts["evidence object versions"] = sum(versions.values())
    counts["objects re-hashed"] = len(result["wanted"]) - len(result["missing"])
    counts["MB re-hashed"] = round(result["hashed_bytes"] / 1e6)
    check(
        "every photo's object in the store",
        not result["missing"],
        f"{len(result['missing'])} missing",
    )
    check(
        "every object: right size, recorded SHA-256, bytes re-hash to it",
        not result["mismatched"],
        f"{len(result['mismatched'])} mismatched",
    )
    multi = [k for k, n in versions.items() if n != 1]
    check(
        "every evidence object written once (one version)",
        not multi,
        f"{len(multi)} keys with several versions",
    )
    orphans = set(versions) - set(result["wanted"])
    check("no evidence object without its photo row", not orphans, f"{len(orphans)} orphans")
    check(
        "display and thumbnail derivatives present",
        not result["derivative_missing"],
        f"{len(result['derivative_missing'])} missing",
    )
    return checks, counts


# --------------------------------------------------------------------------- the run
async def soak(
    api: ApiServer,
    jobs: JobWorkers,
    database_url: str,
    weed: SeaweedServer,
    field_phones: list[Any],
    works: dict[str, list[VisitWork]],
    args: argparse.Namespace,
) -> tuple[PhoneStats, ProxyStats, list[Event], float, bool]:
    tokens = await login_all(api.base_url, [p.username for p in field_phones])
    proxy = FaultProxy(api.port, args.fault_rate, args.seed)
    await proxy.start()
    stats = PhoneStats()
    rng = random.Random(args.seed + 1)
    retrier = Retrier(stats, args.backoff_base, args.backoff_cap, rng)
    total = sum(len(v) for v in works.values())
    progress = {"done": 0}
    events: list[Event] = []
    finished = asyncio.Event()
    started = time.perf_counter()
    proxy_url = f"http://127.0.0.1:{proxy.port}"
    chaos_task = asyncio.create_task(
        chaos(api, jobs, database_url, weed, progress, total, args, events, started, finished)
    )

    async def reporter() -> None:
        while not finished.is_set():
            await asyncio.sleep(10)
            print(
                f"  t={time.perf_counter() - started:6.1f}s  {progress['done']}/{total} visits "
                f"done, {stats.attempts} requests, {proxy.stats.cut_request + proxy.stats.cut_response}"
                " cut",
                flush=True,
            )

    report_task = asyncio.create_task(reporter())
    timed_out = False
    try:
        await asyncio.wait_for(
            asyncio.gather(
                *(
                    phone(proxy_url, tokens[p.username], works[p.username], retrier, progress)
                    for p in field_phones
                )
            ),
            timeout=args.max_seconds,
        )
    except TimeoutError:
        timed_out = True
    finally:
        finished.set()
        elapsed = time.perf_counter() - started
        await chaos_task
        report_task.cancel()
        await proxy.close()
    drain_started = time.perf_counter()
    connection = await asyncpg.connect(database_url)
    try:
        while time.perf_counter() - drain_started < args.drain_timeout:
            pending = await connection.fetchval(
                "SELECT count(*) FROM visit_photo WHERE stored_at IS NOT NULL "
                "AND analysed_at IS NULL"
            )
            if not pending:
                break
            await asyncio.sleep(0.5)
    finally:
        await connection.close()
    events.append(
        Event(
            time.perf_counter() - started,
            f"analysis drained {time.perf_counter() - drain_started:.0f} s after the phones",
        )
    )
    return stats, proxy.stats, events, elapsed, timed_out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--visits", type=int, default=20, help="visits per phone")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument(
        "--api-restart-at",
        type=float,
        default=0.3,
        help="fraction of visits done when the API is killed and restarted",
    )
    parser.add_argument(
        "--store-restart-at",
        type=float,
        default=0.6,
        help="fraction of visits done when SeaweedFS is restarted",
    )
    parser.add_argument(
        "--worker-kill-at",
        type=float,
        default=0.45,
        help="fraction of visits done when a job worker is SIGKILLed mid-job",
    )
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=300)
    parser.add_argument("--down-seconds", type=float, default=3.0)
    parser.add_argument("--backoff-base", type=float, default=0.25)
    parser.add_argument("--backoff-cap", type=float, default=4.0)
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    info = machine_info()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    rng = random.Random(args.seed)
    total = args.phones * args.visits
    photo_counts = [rng.choice([1, 2, 3]) for _ in range(total)]
    with tempfile.TemporaryDirectory(prefix="verval-soak-") as tmp_name:
        tmp = Path(tmp_name)
        print(f"Generating {sum(photo_counts)} JPEGs (800x600) ...", flush=True)
        jpegs = make_jpegs(sum(photo_counts), seed=args.seed, size=(800, 600), quality=72)
        database = BenchDatabase()
        with SeaweedServer(volume_max=200, data_dir=tmp / "seaweed") as weed:
            database.create()
            api: ApiServer | None = None
            jobs: JobWorkers | None = None
            try:
                bucket = f"soak-ev-{uuid.uuid4().hex[:8]}"
                env = StackEnv(
                    database_url=database.url,
                    s3_endpoint=weed.endpoint,
                    s3_access_key=weed.access_key,
                    s3_secret_key=weed.secret_key,
                    bucket=bucket,
                    var_dir=tmp / "var",
                    # Long enough that no token expires during the soak (no refresh needed).
                    extra={"VERVAL_ACCESS_TOKEN_MINUTES": "60"},
                )
                print(f"Preparing {database.name} ...", flush=True)
                prepare_database(env)
                field_data = asyncio.run(seed_field(database.url, args.phones, args.visits))
                works: dict[str, list[VisitWork]] = {}
                sent: list[VisitWork] = []
                base = datetime.now(UTC) - timedelta(hours=12)
                index = 0
                taken = 0
                for phone_ in field_data.phones:
                    works[phone_.username] = []
                    for j, household in enumerate(phone_.households[: args.visits]):
                        count = photo_counts[index]
                        visit = visit_work(
                            field_data.round_id,
                            household,
                            base + timedelta(minutes=30 * j),
                            jpegs[taken : taken + count],
                            device_id=f"soak-{phone_.username}",
                            rng=rng,
                        )
                        works[phone_.username].append(visit)
                        sent.append(visit)
                        index += 1
                        taken += count
                households = {h.id for p in field_data.phones for h in p.households[: args.visits]}
                jobs = JobWorkers(env, args.job_workers, 2)
                jobs.start()
                api = ApiServer(env, args.workers)
                api.start()
                print(
                    f"Soak: {args.phones} phones x {args.visits} visits, {taken} photos, through "
                    f"a proxy cutting {args.fault_rate:.0%} of connections; API with "
                    f"{args.workers} workers",
                    flush=True,
                )
                stats, proxy_stats, events, elapsed, timed_out = asyncio.run(
                    soak(api, jobs, database.url, weed, field_data.phones, works, args)
                )
                jobs.stop()
                jobs = None
                print(f"Phones finished in {elapsed:.0f} s; verifying ...", flush=True)
                api.stop()
                api = None
                checks, counts = asyncio.run(verify(database.url, weed, bucket, sent, households))
            finally:
                if jobs is not None:
                    jobs.stop()
                if api is not None:
                    api.stop()
                database.drop()

    bugs = stats.bugs
    checks.append(Check("phones finished within --max-seconds", not timed_out, f"{elapsed:.0f} s"))
    checks.append(Check("no 409, no 4xx other than 429, no 500", not bugs, f"{len(bugs)} seen"))
    lines = [
        f"`.venv/bin/python bench/soak.py {' '.join(sys.argv[1:])}`".replace(" `", "`"),
        "",
        describe_machine(info),
        "",
        f"{args.phones} phones x {args.visits} visits = {total} visits with {taken} photos "
        f"(1-3 each, 800x600 JPEGs), API with {args.workers} workers behind a proxy that cut "
        f"{args.fault_rate:.0%} of connections; {elapsed:.0f} s.",
        "",
        "Faults injected:",
        "",
        "| what | count |",
        "|---|---:|",
        f"| connections through the proxy | {proxy_stats.connections} |",
        f"| connections cut mid-request (random byte offset) | {proxy_stats.cut_request} |",
        f"| connections cut mid-response (random byte offset) | {proxy_stats.cut_response} |",
        f"| faulty connections that ended before their cut point | "
        f"{proxy_stats.fault_not_reached} |",
        f"| connections refused (API down) | {proxy_stats.upstream_refused} |",
    ]
    for event in events:
        lines.append(f"| t = {event.at_s:.0f} s: {event.what} | 1 |")
    lines += [
        "",
        f"Requests: {stats.attempts} sent, {stats.retries} retried, at most "
        f"{stats.max_attempts} attempts for one PUT. Answers: "
        + ", ".join(f"{k} {v}" for k, v in sorted(stats.statuses.items())),
        "",
        "| count | value |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {value} |" for name, value in counts.items()]
    lines += ["", "| check | result |", "|---|---|"]
    lines += [f"| {c.name} | {'ok' if c.ok else 'FAILED'} ({c.detail}) |" for c in checks]
    report = "\n".join(lines) + "\n"
    print()
    print(report)
    for bug in bugs[:20]:
        print("BUG:", bug)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"soak-{stamp}.md").write_text(report)
    (RESULTS / f"soak-{stamp}.json").write_text(
        json.dumps(
            {
                "machine": info,
                "args": vars(args),
                "argv": sys.argv,
                "proxy": proxy_stats.__dict__,
                "statuses": dict(stats.statuses),
                "bugs": bugs,
                "events": [e.__dict__ for e in events],
                "counts": counts,
                "checks": [c.__dict__ for c in checks],
            },
            indent=1,
        )
    )
    failed = [c for c in checks if not c.ok]
    print(
        "SOAK FAILED: " + "; ".join(c.name for c in failed)
        if failed
        else "SOAK OK: 0 lost, 0 duplicated"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
