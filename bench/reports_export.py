"""Reports benchmark on PostgreSQL at regency scale (issue 10).

A throwaway database gets a regency of 400,000 households (~1 M members, the synthetic
generator of ``api.registry.synthetic`` over the regency's real villages), one round with
every household assigned, a visit for 80 % of them in every review state (the found ones
with the full dtks_verval answers and member list), and quality flags on 12 %. Loaded
with COPY, since loading is not what is measured here.

Then, in the same run:

1. the ceiling: ``COPY (SELECT … household LEFT JOIN visit …) TO STDOUT`` of the same
   rows through asyncpg's ``copy_from_query``, bytes discarded;
2. the exports as the service makes them (``api.reports.exports``, the code behind the
   endpoints and ``verval reports export``), each in a fresh process: households CSV and
   XLSX (and members CSV/XLSX, visits GeoJSON): rows/s, time to the first byte, and the
   process's peak RSS (VmHWM);
3. the same household exports downloaded through the real server (``verval serve``,
   uvicorn, loopback HTTP, gzip accepted as a browser does), with the server's peak RSS.

    .venv/bin/python -m bench.reports_export [--households 400000] [--regency 35.07]
        [--no-http] [--no-members] [--keep]

Results: bench/results/reports_export-<time>.json (and .md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from api import db
from api.audit.service import Actor
from api.registry.region_import import import_regions
from api.registry.synthetic import Generator
from auth.passwords import hash_password
from bench._common import ROOT, Server, create_database, drop_database, machine
from bench.registry_generate import villages_of

PASSWORD = "bench-password-2026"
PER_ENUMERATOR = 300
T0 = datetime(2026, 6, 2, 1, 0, tzinfo=UTC)
OUTCOMES = (("found", 85), ("not_home", 5), ("moved", 4), ("not_found", 3), ("dissolved", 1),
            ("refused", 1), ("duplicate", 1))  # fmt: skip
STATES = (("approved", 55), ("complete", 25), ("submitted", 8), ("returned", 6),
          ("escalated", 6))  # fmt: skip
ELIGIBILITY = (("layak", 55), ("tidak_layak", 35), ("musdes", 10))
FLAGS = ("gps_poor_accuracy", "gps_far_from_household", "visit_too_short", "photo_far_from_visit")
MEMBER_KEYS = ("disability", "chronic_illness", "working")
NOT_ANSWERS = {"no_kk", "region_code", "address", "rt", "rw", "latitude", "longitude", "decile",
               "nik", "name", "sex", "birth_date", "relationship", "marital_status", *MEMBER_KEYS}  # fmt: skip


def pick(rnd: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rnd.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def vm(pid: int | str = "self") -> dict[str, float]:
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values


# --- loading --------------------------------------------------------------------------------


async def load(url: str, regency: str, households: int, seed: int) -> dict[str, Any]:
    engine = db.make_engine(url)
    db.bind_engine(engine)
    await db.open_engine(engine)
    try:
        await db.migrate()
        await import_regions(Actor("cli:bench"), only=regency)
    finally:
        await db.close_engine(engine)
    villages = villages_of(regency)
    pg = await asyncpg.connect(url)
    try:
        return await _load(pg, regency, villages, households, seed)
    finally:
        await pg.close()


async def _load(pg: asyncpg.Connection, regency: str, villages: list[Any], households: int,
                seed: int) -> dict[str, Any]:  # fmt: skip
    started = time.perf_counter()
    generator = Generator(seed)
    rnd = random.Random(seed + 1)
    round_id = await pg.fetchval(
        "INSERT INTO verification_round (name, region_code, starts_on, ends_on, state, "
        "created_by, created_at, updated_at) VALUES ('Verval Juni 2026', $1, $2, $3, 'open', "
        "'cli:bench', now(), now()) RETURNING id",
        regency, date(2026, 6, 1), date(2026, 7, 31),
    )  # fmt: skip
    supervisor = await pg.fetchval(
        "INSERT INTO app_user (username, display_name, role, password_hash, active, created_at, "
        "password_changed_at) VALUES ('kasi.bench', 'Kasi Bench', 'supervisor', $1, true, now(), "
        "now()) RETURNING id",
        hash_password(PASSWORD),
    )
    await pg.execute(
        'INSERT INTO app_user_scope ("user", region_code) VALUES ($1, $2)', supervisor, regency
    )
    enumerators = (households + PER_ENUMERATOR - 1) // PER_ENUMERATOR
    await pg.copy_records_to_table(
        "app_user",
        columns=["id", "username", "display_name", "role", "password_hash", "active",
                 "created_at", "password_changed_at"],
        records=[(1000 + n, f"enum{n:05d}", f"Petugas {n}", "enumerator", "!", True, T0, T0)
                 for n in range(enumerators)],
    )  # fmt: skip
    await pg.execute("SELECT setval(pg_get_serial_sequence('app_user', 'id'), 100000)")

    household_rows: list[tuple[Any, ...]] = []
    member_rows: list[tuple[Any, ...]] = []
    assignment_rows: list[tuple[Any, ...]] = []
    visit_rows: list[tuple[Any, ...]] = []
    flag_rows: list[tuple[Any, ...]] = []
    counts: Counter[str] = Counter()

    existing: dict[str, set[str]] = {}

    async def copy(table: str, columns: list[str], records: list[tuple[Any, ...]]) -> None:
        """COPY the columns the table has (other modules' schemas move on; a column
        this script knows and the table no longer has is left out)."""
        if table not in existing:
            rows = await pg.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = $1", table
            )
            existing[table] = {row["column_name"] for row in rows}
        keep = [i for i, name in enumerate(columns) if name in existing[table]]
        await pg.copy_records_to_table(
            table,
            columns=[columns[i] for i in keep],
            records=[tuple(record[i] for i in keep) for record in records],
        )

    async def flush() -> None:
        await copy(
            "household",
            columns=["id", "kk_number", "region_code", "address", "rt", "rw", "head_name",
                     "head_nik", "latitude", "longitude", "decile", "baseline", "member_count",
                     "status", "content_hash", "import_run", "created_at", "updated_at"],
            records=household_rows,
        )  # fmt: skip
        await copy(
            "household_member",
            columns=["household", "position", "nik", "name", "sex", "birth_date",
                     "relationship", "marital_status", "answers", "presence"],
            records=member_rows,
        )  # fmt: skip
        await copy(
            "assignment",
            columns=["round", "household", "enumerator", "region_code", "state", "assigned_by",
                     "assigned_at", "updated_at"],
            records=assignment_rows,
        )  # fmt: skip
        await copy(
            "visit",
            columns=["id", "household_id", "round_id", "region_code", "proposed_household",
                     "enumerator_id", "form_id", "form_version", "outcome", "eligibility",
                     "answers", "started_at", "ended_at", "gps_lat", "gps_lon",
                     "gps_accuracy_m", "device_id", "app_version", "content_hash", "state",
                     "received_at", "completed_at", "photos_declared", "photos_stored",
                     "flag_count"],
            records=visit_rows,
        )  # fmt: skip
        if flag_rows:
            await copy(
                "visit_flag",
                columns=["visit", "code", "severity", "evidence", "created_at"],
                records=flag_rows,
            )
        for rows in (household_rows, member_rows, assignment_rows, visit_rows, flag_rows):
            rows.clear()

    for index in range(households):
        village = villages[index % len(villages)]
        members = generator.household(village)
        first = members[0]
        answers = {k: v for k, v in first.items() if k not in NOT_ANSWERS}
        household_id = index + 1
        enumerator = 1000 + index // PER_ENUMERATOR
        household_rows.append((
            household_id, first["no_kk"], village.code, first["address"], first["rt"], first["rw"],
            first["name"], first["nik"], first["latitude"], first["longitude"], first["decile"],
            json.dumps(answers), len(members), "active", "", "bench", T0, T0,
        ))  # fmt: skip
        for position, member in enumerate(members):
            member_rows.append((
                household_id, position, member["nik"], member["name"], member["sex"],
                date.fromisoformat(member["birth_date"]), member["relationship"],
                member["marital_status"], json.dumps({k: member[k] for k in MEMBER_KEYS}), None,
            ))  # fmt: skip
        visited = rnd.random() < 0.8
        assignment_rows.append((round_id, household_id, enumerator, village.code,
                                "visited" if visited else "open", "cli:bench", T0, T0))  # fmt: skip
        counts["households"] += 1
        counts["members"] += len(members)
        if not visited:
            continue
        outcome = pick(rnd, OUTCOMES)
        state = pick(rnd, STATES)
        visit_answers: dict[str, Any] = {}
        eligibility = None
        if outcome == "found":
            eligibility = pick(rnd, ELIGIBILITY)
            visit_answers = dict(answers)
            visit_answers["members"] = [
                {"nik": m["nik"], "full_name": m["name"], "presence": "1", "sex": m["sex"],
                 "birth_date": m["birth_date"], "marital_status": m["marital_status"],
                 "relationship": m["relationship"], **{k: m[k] for k in MEMBER_KEYS}}
                for m in members
            ]  # fmt: skip
        visit_id = uuid.UUID(int=rnd.getrandbits(128), version=4)
        visit_start = T0 + timedelta(minutes=index // 20)
        flags = rnd.sample(FLAGS, rnd.choice((1, 2))) if rnd.random() < 0.12 else []
        located = rnd.random() > 0.02
        visit_rows.append((
            visit_id, household_id, round_id, village.code, False, enumerator, "dtks_verval", 1,
            outcome, eligibility, json.dumps(visit_answers), visit_start,
            visit_start + timedelta(minutes=14),
            first["latitude"] + rnd.uniform(-2e-4, 2e-4) if located else None,
            first["longitude"] + rnd.uniform(-2e-4, 2e-4) if located else None,
            rnd.uniform(4, 25) if located else None, "android-bench", "1.0.0", "0" * 64, state,
            visit_start + timedelta(minutes=40),
            None if state == "submitted" else visit_start + timedelta(minutes=45), 3,
            2 if state == "submitted" else 3, len(flags),
        ))  # fmt: skip
        for code in flags:
            flag_rows.append((visit_id, code, "warning", "{}", visit_start))
        counts["visits"] += 1
        counts["flagged"] += bool(flags)
        if len(household_rows) >= 10_000:
            await flush()
            print(f"  loaded {index + 1:,} households", file=sys.stderr, flush=True)
    await flush()
    await pg.execute(f"SELECT setval(pg_get_serial_sequence('household', 'id'), {households + 1})")
    await pg.execute("ANALYZE")
    return {
        "round_id": round_id,
        "villages": len(villages),
        "enumerators": enumerators,
        **counts,
        "load_seconds": round(time.perf_counter() - started, 1),
    }


# --- 1. the ceiling ---------------------------------------------------------------------------

RAW_SQL = """
SELECT h.id, h.kk_number, h.region_code, h.address, h.rt, h.rw, h.head_name, h.head_nik,
       h.latitude, h.longitude, h.decile, h.member_count, h.baseline,
       v.id AS visit_id, v.outcome, v.eligibility, v.state, v.started_at, v.enumerator_id,
       v.gps_lat, v.gps_lon, v.flag_count, v.answers
FROM household h
LEFT JOIN visit v ON v.household_id = h.id AND v.round_id = {round_id}
WHERE h.region_code LIKE '{regency}.%'
"""


async def raw_copy(url: str, regency: str, round_id: int) -> dict[str, Any]:
    pg = await asyncpg.connect(url)
    size = 0

    async def sink(chunk: bytes) -> None:
        nonlocal size
        size += len(chunk)

    try:
        rows = await pg.fetchval(
            "SELECT count(*) FROM household WHERE region_code LIKE $1", regency + ".%"
        )
        started = time.perf_counter()
        status = await pg.copy_from_query(
            RAW_SQL.format(round_id=int(round_id), regency=regency),
            output=sink,
            format="csv",
        )
        seconds = time.perf_counter() - started
    finally:
        await pg.close()
    copied = int(status.split()[-1])
    assert copied == rows, (copied, rows)
    return {
        "rows": copied,
        "seconds": round(seconds, 2),
        "rows_per_s": round(copied / seconds),
        "mb": round(size / 1e6, 1),
    }


# --- 2. the service, in a fresh process per export ---------------------------------------------


async def child(args: argparse.Namespace) -> None:
    """One export in this process; prints its figures as JSON."""
    from api.reports import exports, queries
    from api.reports.exports import Dataset, ExportOptions, Format, Only
    from api.reports.scope import Identity, resolve
    from auth.roles import Principal, Role

    engine = db.make_engine(args.db)
    db.bind_engine(engine)
    await db.open_engine(engine)
    principal = Principal(user_id=0, username="bench", display_name="bench", role=Role.ADMIN,
                          scopes=(), session_id="bench", extra={"actor": "cli:bench"})  # fmt: skip
    try:
        scope = await resolve(principal, args.region, args.round)
        rss_before = vm()["VmRSS"]
        if args.child == "geojson":
            stream = exports.geojson_stream(principal, scope)
            rows = await _count_visits(args.db, args.region, args.round)
        else:
            dataset, fmt = args.child.split(".")
            options = ExportOptions(Dataset(dataset), Identity.FULL, Only.ALL)
            stream = exports.stream(Format(fmt), principal, scope, options)
            rows = await queries.count_households(principal, args.region)
            if dataset == "members":
                rows = await _count_members(args.db, args.region)
        started = time.perf_counter()
        first_byte = None
        size = 0
        with open(args.out, "wb") as handle:
            async for chunk in stream:
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                handle.write(chunk)
                size += len(chunk)
        seconds = time.perf_counter() - started
    finally:
        await db.close_engine(engine)
    memory = vm()
    print(json.dumps({
        "export": args.child, "rows": rows, "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds), "first_byte_s": round(first_byte or 0, 2),
        "mb": round(size / 1e6, 1), "rss_before_mb": round(rss_before),
        "peak_rss_mb": round(memory["VmHWM"]),
    }))  # fmt: skip


async def _count_members(url: str, region: str) -> int:
    pg = await asyncpg.connect(url)
    try:
        return int(await pg.fetchval(
            "SELECT count(*) FROM household_member m JOIN household h ON h.id = m.household "
            "WHERE h.region_code LIKE $1", region + ".%"))  # fmt: skip
    finally:
        await pg.close()


async def _count_visits(url: str, region: str, round_id: int) -> int:
    pg = await asyncpg.connect(url)
    try:
        return int(await pg.fetchval(
            "SELECT count(*) FROM visit WHERE round_id = $1 AND region_code LIKE $2 "
            "AND gps_lat IS NOT NULL", round_id, region + ".%"))  # fmt: skip
    finally:
        await pg.close()


def run_child(kind: str, url: str, regency: str, round_id: int, out: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.reports_export", "--child", kind, "--db", url,
         "--region", regency, "--round", str(round_id), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{kind} export failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["rows_in_file"] = rows_in_file(kind, out)
    out.unlink(missing_ok=True)
    return result


def rows_in_file(kind: str, path: Path) -> int:
    """Data rows actually in the file (a check on the export, read as a stream)."""
    if kind.endswith(".csv"):
        with path.open("rb") as handle:
            return sum(1 for _ in handle) - 1
    if kind.endswith(".xlsx"):
        count = 0
        with zipfile.ZipFile(path) as package:
            for name in package.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    tail = b""
                    with package.open(name) as sheet:
                        while chunk := sheet.read(1 << 20):
                            count += (tail + chunk).count(b"</row>")
                            tail = chunk[-5:]
                    count -= 1  # the header row of each sheet
        return count
    return len(json.loads(path.read_bytes())["features"])


# --- 3. through the server ------------------------------------------------------------------


class RssPeak:
    """The peak of a process's RSS while a block runs, sampled every 0.1 s (VmHWM would
    also hold the server's start-up peak)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = vm(pid)["VmRSS"]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, vm(self.pid)["VmRSS"])

    def __enter__(self) -> RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def http_export(url: str, regency: str, round_id: int, name: str, var: Path) -> dict[str, Any]:
    server = Server({"VERVAL_DATABASE_URL": url, "VERVAL_VAR_DIR": str(var),
                     "VERVAL_SECRET_KEY": "bench-" + "k" * 48}, workers=1)  # fmt: skip
    server.start()
    try:
        assert server.process is not None
        pid = server.process.pid
        with httpx.Client(base_url=server.url, timeout=httpx.Timeout(60, read=600)) as client:
            login = client.post("/api/v1/auth/login", json={
                "username": "kasi.bench", "password": PASSWORD, "device_label": "bench"})  # fmt: skip
            login.raise_for_status()
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            rss_idle = vm(pid)["VmRSS"]
            started = time.perf_counter()
            first_byte = None
            size = 0
            with RssPeak(pid) as peak, client.stream(
                "GET", f"/api/v1/reports/exports/{name}", headers=headers,
                params={"region": regency, "round": round_id},
            ) as response:  # fmt: skip
                response.raise_for_status()
                encoding = response.headers.get("content-encoding", "identity")
                for chunk in response.iter_raw():
                    if first_byte is None:
                        first_byte = time.perf_counter() - started
                    size += len(chunk)
            seconds = time.perf_counter() - started
    finally:
        server.stop()
    return {
        "export": name, "seconds": round(seconds, 1), "first_byte_s": round(first_byte or 0, 2),
        "mb_on_the_wire": round(size / 1e6, 1), "content_encoding": encoding,
        "server_rss_idle_mb": round(rss_idle), "server_peak_rss_mb": round(peak.peak),
    }  # fmt: skip


# --- the run -------------------------------------------------------------------------------------


def markdown(result: dict[str, Any]) -> str:
    data = result["data"]
    lines = [
        f"Data: {data['households']:,} households, {data['members']:,} members, "
        f"{data['visits']:,} visits ({data['flagged']:,} flagged) in {data['villages']} villages "
        f"of {result['regency']}, one round; loaded by COPY in {data['load_seconds']} s.",
        "",
        "| export | rows | time | rows/s | first byte | size | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    raw = result["raw_copy"]
    lines.append(
        f"| raw `COPY (SELECT household LEFT JOIN visit) TO STDOUT` (asyncpg, CSV, discarded) | "
        f"{raw['rows']:,} | {raw['seconds']} s | {raw['rows_per_s']:,} | - | {raw['mb']} MB | - |"
    )
    for item in result["service"]:
        checked = item.get("rows_in_file")
        if checked is not None and checked != item["rows"]:
            item["export"] += f" (file holds {checked:,} rows!)"
        lines.append(
            f"| service: {item['export']} | {item['rows']:,} | {item['seconds']} s | "
            f"{item['rows_per_s']:,} | {item['first_byte_s']} s | {item['mb']} MB | "
            f"{item['peak_rss_mb']} MB (idle {item['rss_before_mb']} MB) |"
        )
    for item in result.get("http", []):
        rows = data["households"]
        lines.append(
            f"| HTTP: GET {item['export']} ({item['content_encoding']}) | {rows:,} | "
            f"{item['seconds']} s | {round(rows / item['seconds']):,} | {item['first_byte_s']} s | "
            f"{item['mb_on_the_wire']} MB on the wire | server {item['server_peak_rss_mb']} MB "
            f"(idle {item['server_rss_idle_mb']} MB) |"
        )
    return "\n".join(lines)


async def reuse(url: str) -> tuple[str, dict[str, Any]]:
    pg = await asyncpg.connect(url)
    try:
        data = {
            "round_id": await pg.fetchval("SELECT min(id) FROM verification_round"),
            "villages": await pg.fetchval("SELECT count(DISTINCT region_code) FROM household"),
            "enumerators": await pg.fetchval(
                "SELECT count(*) FROM app_user WHERE role = 'enumerator'"
            ),
            "households": await pg.fetchval("SELECT count(*) FROM household"),
            "members": await pg.fetchval("SELECT count(*) FROM household_member"),
            "visits": await pg.fetchval("SELECT count(*) FROM visit"),
            "flagged": await pg.fetchval("SELECT count(*) FROM visit WHERE flag_count > 0"),
            "load_seconds": "(reused)",
        }
    finally:
        await pg.close()
    return url, data


async def prepare(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    url = await create_database()
    print(f"database {url.rsplit('/', 1)[1]}: loading {args.households:,} households…",
          file=sys.stderr)  # fmt: skip
    try:
        data = await load(url, args.regency, args.households, args.seed)
    except BaseException:
        await drop_database(url)
        raise
    return url, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=400_000)
    parser.add_argument("--regency", default="35.07", help="Kabupaten Malang by default")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-members", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", help="a database loaded by an earlier --keep run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--region", help=argparse.SUPPRESS)
    parser.add_argument("--round", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args))
        return

    url, data = asyncio.run(reuse(args.reuse)) if args.reuse else asyncio.run(prepare(args))
    result: dict[str, Any] = {"machine": machine(), "regency": args.regency, "data": data,
                              "command": "python -m bench.reports_export " + " ".join(sys.argv[1:])}  # fmt: skip
    result["load_average_before"] = [round(x, 1) for x in os.getloadavg()]
    try:
        print("raw COPY…", file=sys.stderr)
        result["raw_copy"] = asyncio.run(raw_copy(url, args.regency, data["round_id"]))
        kinds = ["households.csv", "households.xlsx", "visits.geojson"]
        if not args.no_members:
            kinds += ["members.csv", "members.xlsx"]
        result["service"] = []
        with tempfile.TemporaryDirectory() as tmp:
            for kind in kinds:
                print(f"service export {kind}…", file=sys.stderr)
                child_kind = "geojson" if kind == "visits.geojson" else kind
                figures = run_child(child_kind, url, args.regency, data["round_id"],
                                    Path(tmp) / kind)  # fmt: skip
                figures["export"] = kind
                result["service"].append(figures)
                print(f"  {figures}", file=sys.stderr)
            if not args.no_http:
                result["http"] = []
                for name in ("households.csv", "households.xlsx"):
                    print(f"HTTP {name}…", file=sys.stderr)
                    figures = http_export(url, args.regency, data["round_id"], name, Path(tmp))
                    result["http"].append(figures)
                    print(f"  {figures}", file=sys.stderr)
    finally:
        if not args.keep:
            asyncio.run(drop_database(url))
    result["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "bench" / "results" / f"reports_export-{stamp}"
    out.with_suffix(".json").write_text(json.dumps(result, indent=1))
    table = markdown(result)
    out.with_suffix(".md").write_text(table + "\n")
    print(table)
    print(f"\n{result['machine']}; load average (1/5/15 min) before "
          f"{result['load_average_before']}, after {result['load_average_after']}")  # fmt: skip
    print(f"results: {out}.json")


if __name__ == "__main__":
    os.environ.setdefault("PICCOLO_CONF", "api.piccolo_conf")
    main()
