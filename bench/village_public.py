"""Public review benchmark (issue 15), on PostgreSQL through the real server.

A throwaway database gets one village of N households (default 2,000) with a final
deliberation, published for public review through the service (the snapshot). Then, in
the same run and against the same server (``verval serve``, 1 worker, loopback HTTP):

1. the public list: ``GET /publik/{village}`` (HTML) and ``GET /api/v1/public/reviews/
   {village}`` (JSON), gzip accepted as a phone does: latency p50/p95 and bytes on the
   wire, the revalidation (If-None-Match → 304) and the first request after a change (an
   objection: the list is rendered again); the ceiling: the raw SQL for the same rows (``SELECT token, rt, rw, masked_name,
   change, reason FROM public_entry WHERE review_id = $1 ORDER BY position``) through
   asyncpg, and the same rows as gzip'd CSV (what the bytes could be at least);
2. objection intake: ``POST /api/v1/public/reviews/{village}/objections`` (multipart, a
   1600x1200 JPEG; every request comes from 127.0.0.1, so the server of this run lifts
   the limits) per second, against plain photo intake ``PUT /api/v1/visits/{uuid}/photos/
   {uuid}`` of the same bytes (visits declared in the tables beforehand), sequentially.

    .venv/bin/python -m bench.village_public [--households 2000] [--requests 200]

Results: bench/results/village_public-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import hashlib
import io
import json
import os
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from api import db
from api.audit.service import Actor
from api.registry.region_import import import_regions
from api.registry.tables import Household, Round
from api.settings import load_settings
from api.village import review
from api.village.schemas import PublishRequest
from api.village.tables import Deliberation
from api.visits.tables import Photo, Visit
from auth import service as auth_service
from auth.roles import Principal, Role
from auth.schemas import UserCreate
from bench._common import ROOT, Server, create_database, drop_database, machine, percentiles
from tests.support.field import jpeg_bytes

VILLAGE = "17.06.01.2005"
PASSWORD = "bench-password-2026"
FIRST = ["Sugiarti", "Bambang", "Dewi", "Rahmat", "Siti", "Agus", "Nurul", "Hasan", "Wati"]
LAST = ["Wibowo", "Sutrisno", "Lestari", "Hidayat", "Aminah", "Santoso", "Aini", "Basri"]


async def seed_photo_visits(round_id: int, household_id: int, photo: bytes, n: int) -> list[Any]:
    """An enumerator and ``n`` visits each declaring one photo of ``photo``'s bytes: the
    plain photo intake the objection intake is compared with."""
    user = await auth_service.create_user(
        Actor.system(),
        UserCreate(username="bench.enum", display_name="Bench", role=Role.ENUMERATOR,
                   password=PASSWORD, scopes=["17.06.01"]),
    )  # fmt: skip
    digest = hashlib.sha256(photo).hexdigest()
    now = datetime.now(UTC)
    pairs = []
    for _ in range(n):
        visit_id, photo_id = uuid.uuid4(), uuid.uuid4()
        await Visit.insert(
            Visit(id=visit_id, household_id=household_id, round_id=round_id,
                  region_code=VILLAGE, enumerator_id=user.id, form_id="dtks_verval",
                  form_version=1, outcome="not_home", answers={}, started_at=now,
                  ended_at=now, device_id="bench", app_version="bench",
                  content_hash=digest, state="submitted", received_at=now,
                  photos_declared=1)
        )  # fmt: skip
        await Photo.insert(
            Photo(id=photo_id, visit=visit_id, kind="house_front", sha256=digest,
                  size=len(photo), captured_at=now)
        )  # fmt: skip
        pairs.append((visit_id, photo_id))
    return pairs


async def seed(
    url: str, households: int, secret: bytes, photo: bytes, n: int
) -> tuple[int, list[Any]]:
    engine = db.make_engine(url)
    db.bind_engine(engine)
    await db.open_engine(engine)
    try:
        await db.migrate()
        await import_regions(Actor.system(), only="17.06")
        rows = [
            Household(
                kk_number=f"1706011203{i:06d}",
                region_code=VILLAGE,
                address=f"Jl. Melati {i}",
                rt=f"{1 + i % 12:03d}",
                rw=f"{1 + i % 4:03d}",
                head_name=f"{FIRST[i % len(FIRST)]} {LAST[(i // 7) % len(LAST)]}",
                head_nik=f"17060141{i:08d}",
                status="active",
            )
            for i in range(households)
        ]
        for start in range(0, len(rows), 1000):
            await Household.insert(*rows[start : start + 1000])
        round_rows = await Round.insert(
            Round(name="Verval Bench", region_code="17.06", starts_on=date(2026, 6, 1),
                  ends_on=date(2026, 12, 31), state="open", created_by="bench")
        ).returning(Round.id)  # fmt: skip
        now = datetime.now(UTC)
        delib = await Deliberation.insert(
            Deliberation(round_id=round_rows[0]["id"], region_code=VILLAGE,
                         held_on=date(2026, 7, 1), place="Balai Desa", attendance=[],
                         state="final", created_by="bench", created_at=now, updated_at=now)
        ).returning(Deliberation.id)  # fmt: skip
        supervisor = Principal(1, "bench", "Bench", Role.SUPERVISOR, ("17.06",), "bench")
        started = time.perf_counter()
        out = await review.publish(
            supervisor, PublishRequest(deliberation_id=delib[0]["id"]), secret
        )
        print(f"published {out.counts.entries} entries in {time.perf_counter() - started:.2f} s")
        first = await Household.select(Household.id).first()
        pairs = await seed_photo_visits(round_rows[0]["id"], first["id"], photo, n)
        return out.id, pairs
    finally:
        await db.close_engine(engine)


async def ceiling(url: str, review_id: int, n: int) -> dict[str, Any]:
    connection = await asyncpg.connect(url)
    try:
        samples, size = [], 0
        for _ in range(n):
            t = time.perf_counter()
            rows = await connection.fetch(
                "SELECT token, rt, rw, masked_name, change, reason FROM public_entry "
                "WHERE review_id = $1 ORDER BY position",
                review_id,
            )
            samples.append(time.perf_counter() - t)
        buffer = io.StringIO()
        csv.writer(buffer).writerows([tuple(r) for r in rows])
        size = len(gzip.compress(buffer.getvalue().encode(), 6))
        return {"latency_ms": percentiles(samples), "rows": len(rows), "csv_gzip_bytes": size}
    finally:
        await connection.close()


def measure(client: httpx.Client, path: str, n: int) -> dict[str, Any]:
    samples, wire, raw = [], 0, 0
    etag = ""
    for _ in range(n):
        t = time.perf_counter()
        with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as response:
            assert response.status_code == 200, response.status_code
            wire = sum(len(chunk) for chunk in response.iter_raw())
            etag = response.headers.get("etag", "")
        samples.append(time.perf_counter() - t)
    raw = len(client.get(path, headers={"Accept-Encoding": "identity"}).content)
    result: dict[str, Any] = {
        "latency_ms": percentiles(samples), "wire_bytes_gzip": wire, "bytes_identity": raw
    }  # fmt: skip
    if etag:  # a phone that has the list already revalidates it (304, no body)
        revalidated = []
        for _ in range(n):
            t = time.perf_counter()
            response = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
            assert response.status_code == 304, response.status_code
            revalidated.append(time.perf_counter() - t)
        result["revalidate_304_ms"] = percentiles(revalidated)
    return result


def after_a_change(client: httpx.Client, path: str, n: int) -> dict[str, Any]:
    """Each request right after an objection (the list changed): the first reader renders
    it again. The objection's own time is not counted."""
    samples = []
    for i in range(n):
        sent = client.post(
            f"/api/v1/public/reviews/{VILLAGE}/objections",
            data={"text": f"Keluarga nomor {i} belum terdaftar di RT ini."},
        )
        assert sent.status_code == 201, sent.text
        t = time.perf_counter()
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, response.status_code
        samples.append(time.perf_counter() - t)
    return {"latency_ms": percentiles(samples)}


def intake(client: httpx.Client, n: int, photo: bytes) -> dict[str, Any]:
    samples = []
    started = time.perf_counter()
    for i in range(n):
        t = time.perf_counter()
        response = client.post(
            f"/api/v1/public/reviews/{VILLAGE}/objections",
            data={"text": f"Keluarga nomor {i} belum terdaftar di RT ini."},
            files={"photo": (f"{i}.jpg", photo, "image/jpeg")},
        )
        assert response.status_code == 201, response.text
        samples.append(time.perf_counter() - t)
    return {"per_s": n / (time.perf_counter() - started), "latency_ms": percentiles(samples)}


def photo_intake(client: httpx.Client, pairs: list[Any], photo: bytes) -> dict[str, Any]:
    tokens = client.post(
        "/api/v1/auth/login",
        json={"username": "bench.enum", "password": PASSWORD, "device_label": "bench"},
    ).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}", "Content-Type": "image/jpeg"}
    samples = []
    started = time.perf_counter()
    for visit_id, photo_id in pairs:
        t = time.perf_counter()
        response = client.put(
            f"/api/v1/visits/{visit_id}/photos/{photo_id}", content=photo, headers=headers
        )
        assert response.status_code == 201, response.text
        samples.append(time.perf_counter() - t)
    return {
        "per_s": len(pairs) / (time.perf_counter() - started),
        "latency_ms": percentiles(samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    url = asyncio.run(create_database())
    var = Path(ROOT / "var" / "bench-village")
    var.mkdir(parents=True, exist_ok=True)
    env = {"VERVAL_DATABASE_URL": url, "VERVAL_VAR_DIR": str(var)}
    os.environ.update(env)
    secret = load_settings().signing_key
    try:
        photo = jpeg_bytes(seed=5, size=(1600, 1200))
        intake_n = max(10, args.requests // 2)
        review_id, pairs = asyncio.run(seed(url, args.households, secret, photo, intake_n))
        result: dict[str, Any] = {"machine": machine(), "households": args.households,
                                  "load_before": os.getloadavg()}  # fmt: skip
        result["ceiling_sql"] = asyncio.run(ceiling(url, review_id, args.requests))
        # Lift the per-address limit for the run: every request comes from 127.0.0.1.
        server = Server({**env, "VERVAL_BENCH_NO_LIMITS": "1"}, app="bench.village_public:app")
        server.start()
        try:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                result["html"] = measure(client, f"/publik/{VILLAGE}", args.requests)
                result["json"] = measure(client, f"/api/v1/public/reviews/{VILLAGE}", args.requests)
                result["html_first_after_change"] = after_a_change(
                    client, f"/publik/{VILLAGE}", max(10, args.requests // 10)
                )
                result["photo_bytes"] = len(photo)
                result["objection_intake"] = intake(client, intake_n, photo)
                result["photo_intake_ceiling"] = photo_intake(client, pairs, photo)
        finally:
            server.stop()
        result["load_after"] = os.getloadavg()
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        (out / f"village_public-{stamp}.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
    finally:
        asyncio.run(drop_database(url))


def app() -> Any:
    """The app with the public intake's limits lifted (one client address in a benchmark)."""
    from api.app import create_app

    review.PER_CLIENT_PER_DAY = review.PER_VILLAGE_PER_DAY = 10**9
    return create_app()


if __name__ == "__main__":
    main()
