"""The floor under intake (issue 18): a bare Litestar handler that only stores the evidence.

What any Litestar intake on these two cores must at least spend per photo, measured the way
``bench/intake.py`` measures the real one, in the same run as the ceiling:

* **floor**: two uvicorn workers of a bare Litestar app whose one handler streams the body
  to a spool file while hashing it (SHA-256), writes the evidence object once with the
  project's ``S3Store`` into a bucket made as the API makes its own (Object Lock, COMPLIANCE
  retention, conditional PUT), deletes the spool file and answers a small JSON receipt. No
  database, no sign-in, no form, no audit: everything the API adds is left out.
* **ceiling**: plain ``put_object`` of the same bytes with the bare ``minio`` client from as
  many threads as there are phones, as in ``bench/intake.py``.

The phones are ``bench/intake.py``'s: one aiohttp connection each, all at once, sending the
same ~244 KB camera-like JPEGs. Reported: photos/s, the ratio, and CPU ms per photo of the
app, SeaweedFS and the load generator.

    .venv/bin/python bench/intake_floor.py --phones 200 --photos 6 --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

from litestar import Litestar, Request, put  # noqa: E402

from bench.fieldstack import (  # noqa: E402
    ROOT,
    cpu_seconds,
    describe_machine,
    free_port,
    machine_busy,
    machine_info,
    make_jpegs,
)
from bench.intake import PhoneClient, s3_ceiling, wait_quiet  # noqa: E402
from media.s3 import S3Store  # noqa: E402
from tests.support.seaweedfs import SeaweedServer  # noqa: E402

RESULTS = ROOT / "bench" / "results"

# ------------------------------------------------------------------ the bare app (workers)
_store: S3Store | None = None


def _evidence_store() -> S3Store:
    global _store
    if _store is None:
        _store = S3Store(
            os.environ["FLOOR_S3_ENDPOINT"],
            os.environ["FLOOR_S3_ACCESS_KEY"],
            os.environ["FLOOR_S3_SECRET_KEY"],
            secure=False,
            region="us-east-1",
            bucket=os.environ["FLOOR_BUCKET"],
            object_lock_retention_days=3650,
            connect_timeout=5.0,
            read_timeout=60.0,
            conditional_put=True,
        )
    return _store


async def _open_evidence_bucket() -> None:
    # As the API does at start-up: the bucket with Object Lock and default retention (made
    # by the first worker, found by the others), which also sets the store's lock flag.
    await _evidence_store().ensure_bucket()


@put("/photos/{name:str}", status_code=201)
async def receive_photo(request: Request[Any, Any, Any], name: str) -> dict[str, Any]:
    spool = Path(os.environ["FLOOR_SPOOL"]) / f"{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    size = 0
    fd = os.open(spool, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        async for chunk in request.stream():
            digest.update(chunk)
            size += len(chunk)
            os.write(fd, chunk)
    finally:
        os.close(fd)
    try:
        stored = await _evidence_store().put(
            f"floor/{name}.jpg", spool, size=size, sha256=digest.hexdigest()
        )
    finally:
        spool.unlink()
    return {"key": stored.key, "size": size, "sha256": stored.sha256, "state": "stored"}


app = Litestar([receive_photo], on_startup=[_open_evidence_bucket], debug=False)


# ---------------------------------------------------------------------- the measurement
class FloorServer:
    """``uvicorn bench.intake_floor:app --workers N`` in its own session."""

    def __init__(self, weed: SeaweedServer, bucket: str, spool: Path, workers: int) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "FLOOR_S3_ENDPOINT": weed.endpoint,
            "FLOOR_S3_ACCESS_KEY": weed.access_key,
            "FLOOR_S3_SECRET_KEY": weed.secret_key,
            "FLOOR_BUCKET": bucket,
            "FLOOR_SPOOL": str(spool),
        }
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.intake_floor:app",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if len(self.worker_pids()) >= self.workers and _answers(self.port):
                return
            time.sleep(0.2)
        raise RuntimeError("the floor app did not come up in 60 s")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        found = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True, check=False
        )
        return [int(p) for p in found.stdout.split()]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def _answers(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def _phones(base_url: str, photos: list[list[bytes]]) -> tuple[float, int, list[str]]:
    clients = [PhoneClient("aiohttp", base_url) for _ in photos]
    errors: list[str] = []
    stored = 0

    async def phone(client: PhoneClient, own: list[bytes]) -> None:
        nonlocal stored
        for data in own:
            status, body = await client.put(
                f"/photos/{uuid.uuid4().hex}", data, {"Content-Type": "image/jpeg"}
            )
            if status == 201:
                stored += 1
            else:
                errors.append(f"{status} {body[:200]!r}")

    try:
        started = time.perf_counter()
        await asyncio.gather(*(phone(c, own) for c, own in zip(clients, photos, strict=True)))
        return time.perf_counter() - started, stored, errors
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


def one_round(
    weed: SeaweedServer, jpegs: list[bytes], args: argparse.Namespace, tmp: Path
) -> dict[str, Any]:
    bucket = f"floor-{uuid.uuid4().hex[:10]}"
    spool = tmp / f"spool-{bucket}"
    spool.mkdir()
    server = FloorServer(weed, bucket, spool, args.workers)
    server.start()
    try:
        load = wait_quiet(args.quiet_load, args.quiet_wait)
        per_phone = [jpegs[i :: args.phones] for i in range(args.phones)]
        pids = server.worker_pids()
        app_before = {pid: cpu_seconds(pid) for pid in pids}
        weed_before, self_before, busy_before = (
            cpu_seconds(weed.pid or 0),
            time.process_time(),
            machine_busy(),
        )
        seconds, stored, errors = asyncio.run(_phones(server.base_url, per_phone))
        busy_after = machine_busy()
        cpu = {
            "app": sum(cpu_seconds(pid) - app_before[pid] for pid in pids),
            "seaweedfs": cpu_seconds(weed.pid or 0) - weed_before,
            "load generator": time.process_time() - self_before,
            "whole machine": (busy_after[0] - busy_before[0]) / os.sysconf("SC_CLK_TCK"),
        }
    finally:
        server.stop()
    ceiling_s, _, ceiling_cpu = s3_ceiling(weed, jpegs, args.phones)
    rate, ceiling = stored / seconds, len(jpegs) / ceiling_s
    per_photo = {k: v * 1000 / max(1, stored) for k, v in cpu.items()}
    per_put = {k: v * 1000 / len(jpegs) for k, v in ceiling_cpu.items()}
    result: dict[str, Any] = {
        "loadavg_before": load,
        "photos_stored": stored,
        "seconds": seconds,
        "photos_per_s": rate,
        "ceiling_puts_per_s": ceiling,
        "ratio": rate / ceiling,
        "cpu_ms_per_photo": per_photo,
        "ceiling_cpu_ms_per_put": per_put,
        "errors": errors[:5],
    }
    print(
        f"  floor {rate:.1f} photos/s, ceiling {ceiling:.0f} PUT/s, ratio {rate / ceiling:.3f} "
        f"(load {load:.2f}); CPU ms/photo "
        + ", ".join(f"{k} {v:.1f}" for k, v in per_photo.items())
        + "; ceiling CPU ms/PUT "
        + ", ".join(f"{k} {v:.1f}" for k, v in per_put.items()),
        flush=True,
    )
    for error in errors[:3]:
        print("   error:", error)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--photos", type=int, default=6, help="photos per phone")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers of the app")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quiet-load", type=float, default=1.5)
    parser.add_argument("--quiet-wait", type=float, default=45)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    started = datetime.now(UTC)
    info = machine_info()
    jpegs = make_jpegs(args.phones * args.photos, seed=args.seed)
    with tempfile.TemporaryDirectory(prefix="verval-floor-") as tmp_name:
        tmp = Path(tmp_name)
        with SeaweedServer(volume_max=400, volume_size_limit_mb=256, data_dir=tmp / "w") as weed:
            rounds = [one_round(weed, jpegs, args, tmp) for _ in range(args.rounds)]
    print(describe_machine(info))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"intake-floor-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(
        json.dumps({"machine": info, "args": vars(args), "rounds": rounds}, indent=1, default=str)
    )
    print(f"Raw results in {out.relative_to(ROOT)}")
    if any(r["errors"] for r in rounds):
        sys.exit(1)


if __name__ == "__main__":
    main()
