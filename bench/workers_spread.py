"""How evenly `verval serve --workers N` spreads requests over its workers.

Phones keep their connection open (keep-alive), so what matters is where each new
connection lands. This opens C client connections (one per simulated phone), sends R
requests on each (GET /readyz: a database ping and an object-store check), and reads
each worker process's CPU time: its share of the work. Both ways of sharing the port
run in the same invocation: `shared` (uvicorn's workers, one socket) and `reuseport`
(api/serving.py, a socket per worker).

    .venv/bin/python bench/workers_spread.py --workers 2 --connections 50 --requests 40
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, free_port, machine
from bench.fieldstack import cpu_seconds

VERVAL = ROOT / ".venv" / "bin" / "verval"


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == pid:  # ppid
            found.append(int(entry))
    return found


def _workers(root_pid: int) -> list[int]:
    """The serving processes: uvicorn's supervisor and ours both spawn N workers
    (the multiprocessing resource tracker is a child too, and serves nothing)."""
    pids = [p for p in _children(root_pid) if "multiprocessing.spawn" in _cmdline(p)]
    return sorted(pids)


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


async def _phone(url: str, requests: int) -> int:
    ok = 0
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        for _ in range(requests):
            response = await client.get("/readyz")
            ok += response.status_code == 200
    return ok


def run_one(balance: str, workers: int, connections: int, requests: int) -> dict[str, object]:
    var_dir = Path(tempfile.mkdtemp(prefix="verval-spread-"))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("VERVAL_")},
        "VERVAL_VAR_DIR": str(var_dir),
        "VERVAL_PORT": str(port),
        "VERVAL_LOG_LEVEL": "WARNING",
        "VERVAL_PWA_DIST": str(var_dir / "no-pwa"),
    }
    subprocess.run([str(VERVAL), "migrate"], env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [str(VERVAL), "serve", "--workers", str(workers), "--balance", balance],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        time.sleep(1.0)
        pids = _workers(process.pid)
        before = {pid: cpu_seconds(pid) for pid in pids}
        started = time.monotonic()

        async def everyone() -> list[int]:
            return await asyncio.gather(*(_phone(url, requests) for _ in range(connections)))

        ok = sum(asyncio.run(everyone()))
        elapsed = time.monotonic() - started
        used = {pid: cpu_seconds(pid) - before[pid] for pid in pids}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    total = sum(used.values()) or 1.0
    shares = sorted((round(cpu / total, 3) for cpu in used.values()), reverse=True)
    return {
        "balance": balance,
        "workers": len(pids),
        "requests_ok": ok,
        "requests_per_s": round(ok / elapsed, 1),
        "cpu_share_per_worker": shares,
        "largest_share": shares[0] if shares else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    results = [
        run_one(balance, args.workers, args.connections, args.requests)
        for balance in ("shared", "reuseport")
    ]
    report = {"machine": machine(), "load_average": os.getloadavg(), "results": results}
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
