"""End-to-end fixtures: the real server (``verval serve``) on a free port with the Mukomuko
demo, and Debian's Chromium driven by Playwright with a phone's viewport, touch and a
mocked GPS. The PWA is built first when its sources are newer than ``pwa/dist``.

Chromium is Debian's package (``apt-get install chromium``; scripts/test.sh installs it):
Playwright's own browser downloads are never used. A missing browser fails the tests.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PWA = ROOT / "pwa"
VENV_BIN = ROOT / ".venv" / "bin"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DEMO_PASSWORD = "mukomuko-demo-2026"
# The staff screens are made for a laptop and must still work on a tablet.
LAPTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}
# Lubuk Pinang, near the demo's first households (SPEC: enumerator scoped to 17.06.01).
PHONE_GPS = {"latitude": -2.3855, "longitude": 101.0098, "accuracy": 8}
SCREENS = ROOT / "docs" / "screens"

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _newest_source_mtime() -> float:
    newest = 0.0
    for base in (PWA / "src", PWA / "public", PWA / "index.html", PWA / "vite.config.ts"):
        paths = [base] if base.is_file() else [p for p in base.rglob("*") if p.is_file()]
        for p in paths:
            newest = max(newest, p.stat().st_mtime)
    return newest


def ensure_pwa_built() -> Path:
    index = PWA / "dist" / "index.html"
    if not index.is_file() or index.stat().st_mtime < _newest_source_mtime():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to build the PWA for the browser tests (Node 20 + npm).")
        if not (PWA / "node_modules").is_dir():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PWA, check=True)
        subprocess.run([npm, "run", "--silent", "build"], cwd=PWA, check=True)
    return PWA / "dist"


@dataclass
class Server:
    url: str
    var_dir: Path
    process: subprocess.Popen[bytes]

    @property
    def pwa_dist(self) -> Path:
        return self.var_dir / "pwa"

    @property
    def database(self) -> Path:
        return self.var_dir / "verval.sqlite3"

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database) as conn:
            rows = conn.execute(query, params).fetchall()
            conn.commit()
            return rows

    def api(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        *,
        jpeg: bytes | None = None,
    ) -> tuple[int, Any]:
        """One request as a client makes it: a JSON body, or a photo's JPEG bytes."""
        data = jpeg if jpeg is not None else json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "image/jpeg" if jpeg is not None else "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                text = res.read()
                return res.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read()
            return e.code, json.loads(text) if text else None

    def assignments(self, token: str) -> list[dict[str, Any]]:
        """The enumerator's full assignment download, as the phone's first sync."""
        status, body = self.api("GET", "/api/v1/assignments", token)
        assert status == 200, body
        return list(body["assignments"])

    def token(self, username: str) -> str:
        status, body = self.api(
            "POST", "/api/v1/auth/login", body={"username": username, "password": DEMO_PASSWORD}
        )
        assert status == 200, body
        return str(body["access_token"])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    var_dir = tmp_path_factory.mktemp("verval-e2e")
    # A copy of the build, so a test can publish a "new version" of the app.
    dist = var_dir / "pwa"
    shutil.copytree(ensure_pwa_built(), dist)
    env = {
        **os.environ,
        "VERVAL_VAR_DIR": str(var_dir),
        "VERVAL_PWA_DIST": str(dist),
        "VERVAL_LOG_LEVEL": "WARNING",
    }
    env.pop("VERVAL_DATABASE_URL", None)
    env.pop("VERVAL_S3_ENDPOINT", None)
    verval = str(VENV_BIN / "verval")
    subprocess.run([verval, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([verval, "demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = open(var_dir / "server.log", "wb")
    process = subprocess.Popen(
        [verval, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("verval serve did not start:\n" + (var_dir / "server.log").read_text())
            time.sleep(0.2)
    try:
        yield Server(url, var_dir, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's Chromium is missing at /usr/bin/chromium: install it with "
            "'apt-get install -y chromium' (scripts/test.sh does this). The browser tests "
            "never download Playwright's own browsers."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@contextmanager
def phone_context(
    browser: Any, server: Server, width: int = 360, height: int = 740, timeout_ms: int = 20_000
) -> Iterator[Any]:
    """A fresh phone: touch, Indonesian locale, GPS granted and mocked, service workers on."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        geolocation=PHONE_GPS,
        permissions=["geolocation"],
        base_url=server.url,
        service_workers="allow",
    )
    context.set_default_timeout(timeout_ms)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def phone(browser: Any, server: Server) -> Iterator[Any]:
    """A small phone (360x740)."""
    with phone_context(browser, server) as context:
        yield context


@pytest.fixture
def phone_412(browser: Any, server: Server) -> Iterator[Any]:
    """A mid-range Android phone's viewport (412x915)."""
    with phone_context(browser, server, 412, 915, timeout_ms=30_000) as context:
        yield context


@pytest.fixture(scope="session")
def camera_photos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Real 12 MP camera-like JPEGs (4000x3000, noise over a gradient, a few MB each)."""
    from PIL import Image, ImageDraw

    out = tmp_path_factory.mktemp("camera")
    paths = []
    rng = random.Random(8)
    for i in range(3):
        w, h = 4000, 3000
        noise = Image.effect_noise((w // 2, h // 2), 40 + 10 * i).resize((w, h))
        grad = Image.linear_gradient("L").resize((w, h)).rotate(90 * i)
        r = Image.blend(noise, grad, 0.55)
        g = Image.blend(noise, grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT), 0.5)
        b = Image.blend(grad, noise, 0.35)
        img = Image.merge("RGB", (r, g, b))
        d = ImageDraw.Draw(img)
        for _ in range(40):
            x, y = rng.randrange(w), rng.randrange(h)
            d.rectangle(
                [x, y, x + rng.randrange(50, 600), y + rng.randrange(50, 400)],
                fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
            )
        path = out / f"camera-{i}.jpg"
        img.save(path, "JPEG", quality=90)
        paths.append(path)
    return paths


def screenshot(page: Any, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('toast')?.remove()")  # a passing toast hides the screen
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=False)


@contextmanager
def staff_context(browser: Any, server: Server, **options: Any) -> Iterator[Any]:
    """A supervisor's or auditor's browser: a laptop unless told otherwise, Indonesian,
    Jakarta time, downloads accepted."""
    context = browser.new_context(
        **{
            "viewport": LAPTOP,
            "locale": "id-ID",
            "timezone_id": "Asia/Jakarta",
            "base_url": server.url,
            "accept_downloads": True,
            **options,
        }
    )
    context.set_default_timeout(20_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def laptop(browser: Any, server: Server) -> Iterator[Any]:
    with staff_context(browser, server) as context:
        yield context


def staff_sign_in(context: Any, username: str) -> Any:
    """A new page of ``context`` signed in as ``username`` (a staff role): its menu shows."""
    page = context.new_page()
    page.goto("/")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    page.wait_for_selector("nav.staff-menu")
    return page
