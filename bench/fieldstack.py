"""The full Verval stack on this machine, for the intake and soak benchmarks (issue 6).

Shared by ``bench/intake.py`` and ``bench/soak.py``; not a benchmark itself. It starts and
stops everything a benchmark needs, always on 127.0.0.1:

* a fresh PostgreSQL database ``verval_bench_<random>`` on the server at 127.0.0.1:5432
  (trust auth, user ``postgres``), migrated with ``verval migrate``, the Mukomuko region
  tree loaded with ``verval regions import --only 17.06``, the forms published with
  ``verval forms publish``, and dropped afterwards (``WITH (FORCE)``) whatever happens;
* a SeaweedFS S3 server (``tests.support.seaweedfs.SeaweedServer``);
* the API as real uvicorn processes: ``verval serve --workers N`` in a session of its
  own, so the whole process group can be signalled (SIGTERM to stop, SIGKILL to crash);
* the field: enumerator accounts (bulk-inserted with one precomputed Argon2id hash),
  one village scope each, households with reference locations, a round, assignments;
* camera-like JPEGs (Pillow; a random scene, shapes, sensor-like noise and a burned-in
  stamp as the phone adds), distinct per photo, generated in a process pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bench._common import ADMIN_DSN as POSTGRES_ADMIN_DSN  # noqa: E402
from bench._common import dsn_for_database  # noqa: E402

VENV_BIN = Path(sys.executable).parent
VERVAL = VENV_BIN / "verval"
REGENCY = "17.06"  # Kabupaten Mukomuko
PASSWORD = "bench-password-2026"
SECRET_KEY = "bench-secret-" + "k" * 48
# Around Mukomuko: villages get reference points on a grid from here.
ORIGIN = (-2.40, 101.00)


# ------------------------------------------------------------------------ machine
def machine_info() -> dict[str, Any]:
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
    from tests.support.seaweedfs import find_weed

    weed = subprocess.run(
        [str(find_weed()), "version"], capture_output=True, text=True, check=False
    ).stdout.split("\n")[0]
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(ram_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "seaweedfs": weed.replace("version ", "").strip(),
        "loadavg_at_start": os.getloadavg()[0],
    }


def describe_machine(info: dict[str, Any], postgres: str = "") -> str:
    return (
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM, "
        f"{info['os']}; Python {info['python']}, SeaweedFS {info['seaweedfs']}"
        + (f", {postgres}" if postgres else "")
        + ". PostgreSQL, SeaweedFS, the API and the load generator all share these CPUs."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ------------------------------------------------------------------------- photos
_NOISE: Any = None


def camera_like_jpeg(
    seed: int, size: tuple[int, int] = (1600, 1200), quality: int = 75, grain: float = 0.14
) -> bytes:
    """A JPEG that compresses like a phone photo of a house (~250 KB at 1600x1200, q75).

    A smooth random scene (a low-resolution colour field upscaled), walls and objects
    (shapes, lines), sensor-like grain (a crop of a noise field) and the stamp the phone
    burns into a corner. Distinct bytes and a distinct perceptual hash per seed.
    """
    from PIL import Image, ImageDraw

    global _NOISE
    if _NOISE is None or _NOISE.size[0] < size[0] + 400 or _NOISE.size[1] < size[1] + 400:
        _NOISE = Image.effect_noise((size[0] + 400, size[1] + 400), 30).convert("RGB")
    rng = random.Random(seed)
    small = Image.new("RGB", (16, 12))
    small.putdata(
        [
            (rng.randrange(40, 230), rng.randrange(40, 230), rng.randrange(40, 230))
            for _ in range(192)
        ]
    )
    image = small.resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    w, h = size
    for _ in range(rng.randint(6, 14)):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        box = [x0, y0, x0 + rng.randint(w // 25, w // 3), y0 + rng.randint(h // 20, h // 3)]
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        (draw.rectangle if rng.random() < 0.5 else draw.ellipse)(box, fill=colour)
    for _ in range(rng.randint(20, 60)):
        grey = rng.randrange(256)
        draw.line(
            [(rng.randrange(w), rng.randrange(h)), (rng.randrange(w), rng.randrange(h))],
            fill=(grey, grey, grey),
            width=rng.randint(1, 4),
        )
    ox, oy = rng.randrange(400), rng.randrange(400)
    image = Image.blend(image, _NOISE.crop((ox, oy, ox + w, oy + h)), grain)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, h - max(24, h // 20), min(w, 700), h], fill=(0, 0, 0))
    draw.text(
        (8, h - max(20, h // 24)),
        f"2026-06-10 09:{seed % 60:02d} -2.5601,101.1102 +-6m HH{seed} bench",
        fill=(255, 255, 255),
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _jpeg_job(job: tuple[int, tuple[int, int], int]) -> bytes:
    seed, size, quality = job
    return camera_like_jpeg(seed, size, quality)


def make_jpegs(
    count: int, *, seed: int, size: tuple[int, int] = (1600, 1200), quality: int = 75
) -> list[bytes]:
    """``count`` distinct JPEGs, made in a process pool (one process per CPU)."""
    jobs = [(seed * 1_000_003 + index, size, quality) for index in range(count)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return list(pool.map(_jpeg_job, jobs, chunksize=16))


# ----------------------------------------------------------------------- database
async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


class BenchDatabase:
    """``verval_bench_<random>`` on the local server, dropped by :meth:`drop`."""

    def __init__(self) -> None:
        self.name = f"verval_bench_{uuid.uuid4().hex[:12]}"
        self.url = dsn_for_database(self.name)
        self.created = False

    def create(self) -> None:
        asyncio.run(_admin(f'CREATE DATABASE "{self.name}"'))
        self.created = True

    def drop(self) -> None:
        if self.created:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.created = False

    async def connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.url, timeout=10)

    async def server_version(self) -> str:
        connection = await self.connect()
        try:
            version = await connection.fetchval("SHOW server_version")
        finally:
            await connection.close()
        return f"PostgreSQL {str(version).split()[0]}"


# ------------------------------------------------------------------------- the API
@dataclass
class StackEnv:
    database_url: str
    s3_endpoint: str
    s3_access_key: str
    s3_secret_key: str
    bucket: str
    var_dir: Path
    extra: dict[str, str] = field(default_factory=dict)

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VERVAL_")}
        env.update(
            {
                "VERVAL_DATABASE_URL": self.database_url,
                "VERVAL_S3_ENDPOINT": self.s3_endpoint,
                "VERVAL_S3_ACCESS_KEY": self.s3_access_key,
                "VERVAL_S3_SECRET_KEY": self.s3_secret_key,
                "VERVAL_S3_SECURE": "false",
                "VERVAL_S3_EVIDENCE_BUCKET": self.bucket,
                "VERVAL_OBJECT_LOCK_RETENTION_DAYS": "1",
                "VERVAL_SECRET_KEY": SECRET_KEY,
                "VERVAL_VAR_DIR": str(self.var_dir),
                "VERVAL_PWA_DIST": str(self.var_dir / "no-pwa"),
                "VERVAL_LOG_LEVEL": "WARNING",
                "VERVAL_LOG_FORMAT": "text",
            }
        )
        env.update(self.extra)
        return env


def run_cli(env: StackEnv, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [str(VERVAL), *args],
        env=env.environ(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"verval {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def prepare_database(env: StackEnv) -> None:
    """``verval migrate``, the region tree of the regency, the shipped forms."""
    run_cli(env, "migrate")
    run_cli(env, "regions", "import", "--only", REGENCY)
    run_cli(env, "forms", "publish")


class ApiServer:
    """``verval serve --workers N`` in its own session (process group)."""

    def __init__(self, env: StackEnv, workers: int, port: int | None = None) -> None:
        self.env = env
        self.workers = workers
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = env.var_dir / f"api-{self.port}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        self.env.var_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        try:
            # VERVAL_BENCH_PROFILE=<file>: run a 1-worker API under cProfile (event loop
            # thread only), written when the API stops with SIGTERM.
            profile = os.environ.get("VERVAL_BENCH_PROFILE")
            command = (
                [sys.executable, str(ROOT / "bench" / "_profile_api.py"), profile]
                if profile
                else [str(VERVAL)]
            )
            self.proc = subprocess.Popen(
                [
                    *command,
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                env=self.env.environ(),
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the API exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/readyz", timeout=2) as response:
                    if response.status == 200 and len(self.worker_pids()) >= self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"the API was not ready within {timeout:.0f} s:\n{self.log_tail()}")

    def session_pids(self) -> list[int]:
        """Every live process of the API's session (uvicorn master and workers)."""
        if self.proc is None:
            return []
        sid = self.proc.pid
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    stat = handle.read()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            # fields[0] is the state, then ppid, pgrp, session
            if int(fields[3]) == sid and fields[0] != "Z":
                pids.append(int(entry))
        return pids

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: the one process with 1 worker, else the
        children running ``multiprocessing.spawn`` (not the supervisor, not trackers)."""
        pids = self.session_pids()
        if self.workers == 1 or self.proc is None:
            return pids
        workers = []
        for pid in pids:
            if pid == self.proc.pid:
                continue
            cmdline = read_cmdline(pid)
            if "resource_tracker" in cmdline:
                continue
            workers.append(pid)
        return workers

    def _signal_group(self, sig: signal.Signals) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, sig)

    def stop(self, grace: float = 15) -> None:
        if self.proc is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash or an OOM kill would."""
        if self.proc is None:
            return
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while self.session_pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.proc = None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no API log)"
        return "\n".join(text.splitlines()[-lines:])


def read_cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy() -> tuple[float, float]:
    """(busy jiffies, total jiffies) of the whole machine, from /proc/stat."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


class MemorySampler:
    """Samples the summed RSS of a process set in a thread; keeps the peak and the mean."""

    def __init__(self, pids: Any, interval: float = 0.2) -> None:
        self._pids = pids  # a callable returning the pids to sum
        self.interval = interval
        self.peak = 0
        self.samples: list[int] = []
        self._stop = False
        import threading

        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop:
            total = sum(rss_bytes(pid) for pid in self._pids())
            self.samples.append(total)
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self._thread.join(timeout=5)


# ------------------------------------------------------------------------- the field
@dataclass
class Household:
    id: int
    village: str
    lat: float
    lon: float


@dataclass
class Phone:
    username: str
    user_id: int
    village: str
    households: list[Household]


@dataclass
class FieldData:
    round_id: int
    phones: list[Phone]


async def seed_field(
    database_url: str, phones: int, households_per_phone: int, *, seed: int = 2026
) -> FieldData:
    """Enumerators, their village scopes, households with reference points, a round and
    assignments, bulk-inserted (the tables of tests/support/field.py ``build_field``).

    Accounts get one precomputed Argon2id hash: hashing 200 passwords one by one would
    take longer than the benchmark and is not what it measures.
    """
    from auth.passwords import hash_password

    rng = random.Random(seed)
    password_hash = hash_password(PASSWORD)
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        villages = [
            row["code"]
            for row in await connection.fetch(
                "SELECT code FROM region WHERE level = 'village' AND code LIKE $1 ORDER BY code",
                REGENCY + ".%",
            )
        ]
        if not villages:
            raise RuntimeError("no villages loaded; did `verval regions import` run?")
        now = datetime.now(UTC)
        round_id = await connection.fetchval(
            "INSERT INTO verification_round (name, region_code, starts_on, ends_on, state, "
            "created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'open', 'bench', $5, $5) "
            "RETURNING id",
            "Verval Juni 2026 (bench)",
            REGENCY,
            date(2026, 1, 1),
            date(2026, 12, 31),
            now,
        )
        users = [
            (
                f"bench{index:04d}",
                f"Enumerator {index}",
                "enumerator",
                password_hash,
                True,
                now,
                now,
            )
            for index in range(phones)
        ]
        await connection.copy_records_to_table(
            "app_user",
            records=users,
            columns=[
                "username",
                "display_name",
                "role",
                "password_hash",
                "active",
                "created_at",
                "password_changed_at",
            ],
        )
        ids = {
            row["username"]: row["id"]
            for row in await connection.fetch(
                "SELECT id, username FROM app_user WHERE username LIKE 'bench%'"
            )
        }
        phone_village = {f"bench{i:04d}": villages[i % len(villages)] for i in range(phones)}
        await connection.copy_records_to_table(
            "app_user_scope",
            records=[(ids[name], village) for name, village in phone_village.items()],
            columns=["user", "region_code"],
        )
        # Village reference points on a grid ~2 km apart; households of one phone on a
        # street, ~120 m apart (so no impossible-travel or same-spot flags by design).
        centres = {
            village: (ORIGIN[0] - 0.02 * (i // 12), ORIGIN[1] + 0.02 * (i % 12))
            for i, village in enumerate(villages)
        }
        # Only the columns this schema has (the registry's table evolves; the rest have
        # defaults).
        household_columns = {
            row["column_name"]
            for row in await connection.fetch(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'household' AND table_schema = current_schema()"
            )
        }
        rows: list[dict[str, Any]] = []
        layout: list[tuple[str, str, float, float]] = []
        for index, (name, village) in enumerate(phone_village.items()):
            base_lat, base_lon = centres[village]
            base_lat += rng.uniform(-0.004, 0.004)
            base_lon += rng.uniform(-0.004, 0.004)
            for h in range(households_per_phone):
                lat = base_lat + 0.0011 * h
                lon = base_lon + rng.uniform(-0.0002, 0.0002)
                kk = f"1706{index:06d}{h:06d}"
                rows.append(
                    {
                        "kk_number": kk,
                        "region_code": village,
                        "address": f"Jl. Bench {index} No. {h}",
                        "rt": f"{h % 10 + 1:03d}",
                        "rw": "001",
                        "head_name": f"Kepala {index}-{h}",
                        "latitude": lat,
                        "longitude": lon,
                        "baseline": json.dumps({"house_ownership": "1"}),
                        "member_count": 1,
                        "status": "active",
                        "content_hash": "",
                        "import_run": "",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                layout.append((name, kk, lat, lon))
        columns = [c for c in rows[0] if c in household_columns]
        await connection.copy_records_to_table(
            "household",
            records=[tuple(row[c] for c in columns) for row in rows],
            columns=columns,
        )
        household_ids = {
            row["kk_number"]: row["id"]
            for row in await connection.fetch("SELECT id, kk_number FROM household")
        }
        assignments = []
        by_phone: dict[str, list[Household]] = {name: [] for name in phone_village}
        for name, kk, lat, lon in layout:
            village = phone_village[name]
            household_id = household_ids[kk]
            by_phone[name].append(Household(household_id, village, lat, lon))
            assignments.append(
                (round_id, household_id, ids[name], village, "open", "bench", now, now)
            )
        await connection.copy_records_to_table(
            "assignment",
            records=assignments,
            columns=[
                "round",
                "household",
                "enumerator",
                "region_code",
                "state",
                "assigned_by",
                "assigned_at",
                "updated_at",
            ],
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return FieldData(
        round_id=round_id,
        phones=[
            Phone(name, ids[name], phone_village[name], by_phone[name]) for name in phone_village
        ],
    )


# ------------------------------------------------------------------ the phone's work
FOUND_KINDS = ["house_front", "house_inside", "family_card"]
PHOTO_KINDS_BY_COUNT = {
    1: ["house_front"],
    2: ["house_front", "house_inside"],
    3: FOUND_KINDS,
}


@dataclass
class PhotoWork:
    id: uuid.UUID
    kind: str
    data: bytes
    sha256: str


@dataclass
class VisitWork:
    id: uuid.UUID
    body: bytes  # the JSON, serialised once: every retry sends identical bytes
    photos: list[PhotoWork]


def visit_work(
    round_id: int,
    household: Household,
    started: datetime,
    photo_bytes: list[bytes],
    *,
    device_id: str,
    outcome: str | None = None,
    rng: random.Random,
) -> VisitWork:
    """A finished visit as the phone's outbox holds it: the record and its photos."""
    from survey_forms.samples import dtks_submission

    outcome = outcome or ("found" if len(photo_bytes) == 3 else "not_home")
    photos = [
        PhotoWork(
            uuid.UUID(int=rng.getrandbits(128), version=4),
            kind,
            data,
            hashlib.sha256(data).hexdigest(),
        )
        for kind, data in zip(PHOTO_KINDS_BY_COUNT[len(photo_bytes)], photo_bytes, strict=True)
    ]
    ended = started + timedelta(minutes=12)
    lat = household.lat + rng.uniform(-0.00005, 0.00005)
    lon = household.lon + rng.uniform(-0.00005, 0.00005)
    body = {
        "household_id": household.id,
        "round_id": round_id,
        "form": {"id": "dtks_verval", "version": 1},
        "answers": dtks_submission() if outcome == "found" else {},
        "outcome": outcome,
        "eligibility": "layak" if outcome == "found" else None,
        "started_at": started.isoformat(),
        "ended_at": ended.isoformat(),
        "gps": {
            "lat": lat,
            "lon": lon,
            "accuracy_m": round(rng.uniform(4, 12), 1),
            "altitude_m": 12.0,
            "fixed_at": (started + timedelta(seconds=40)).isoformat(),
        },
        "device_id": device_id,
        "app_version": "1.0.0",
        "photos": [
            {
                "id": str(p.id),
                "kind": p.kind,
                "sha256": p.sha256,
                "size": len(p.data),
                "captured_at": (started + timedelta(minutes=3 + i)).isoformat(),
                "gps": {"lat": lat, "lon": lon, "accuracy_m": 7.0},
            }
            for i, p in enumerate(photos)
        ],
    }
    return VisitWork(
        id=uuid.UUID(int=rng.getrandbits(128), version=4),
        body=json.dumps(body, separators=(",", ":")).encode(),
        photos=photos,
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
