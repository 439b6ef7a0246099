"""Shared bits of the PWA benchmarks (bench/pwa_*.py): the real server with the demo on a
free port, Debian's Chromium through Playwright with a phone's viewport, CDP throttling."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_PASSWORD,
    PHONE_GPS,
    ensure_pwa_built,
)

RESULTS = ROOT / "bench" / "results"


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    chromium = subprocess.run(
        [str(CHROMIUM), "--version"], capture_output=True, text=True
    ).stdout.strip()
    return f"{os.cpu_count()} cores, {cpu}, {mem_kb / 1024 / 1024:.0f} GiB RAM, {chromium}, Python {platform.python_version()}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server() -> Iterator[tuple[str, Path]]:
    """`verval serve` on SQLite with the Mukomuko demo, in a throwaway var dir."""
    dist = ensure_pwa_built()
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        env = {
            **os.environ,
            "VERVAL_VAR_DIR": str(var),
            "VERVAL_PWA_DIST": str(dist),
            "VERVAL_LOG_LEVEL": "WARNING",
        }
        env.pop("VERVAL_DATABASE_URL", None)
        env.pop("VERVAL_S3_ENDPOINT", None)
        verval = str(ROOT / ".venv" / "bin" / "verval")
        subprocess.run([verval, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([verval, "demo"], env=env, check=True, capture_output=True)
        port = _free_port()
        with open(var / "server.log", "wb") as log:
            proc = subprocess.Popen(
                [verval, "serve", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=1)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        proc.kill()
                        raise SystemExit(
                            "verval serve did not start:\n" + (var / "server.log").read_text()
                        ) from None
                    time.sleep(0.2)
            try:
                yield url, var
            finally:
                proc.terminate()
                proc.wait(timeout=15)


@contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit("Debian's chromium is missing: apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def phone_context(b: Any, url: str) -> Any:
    return b.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        geolocation=PHONE_GPS,
        permissions=["geolocation"],
        base_url=url,
    )


def sign_in(page: Any, username: str = "enumerator") -> None:
    page.goto("/")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    page.wait_for_selector(".hh-list .hh", timeout=60_000)
    page.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=60_000
    )


def throttle(page: Any, rate: float = 4) -> Any:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
    return cdp


def median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
