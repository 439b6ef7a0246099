"""The PWA shell is served at / with cache rules that let phones update, pre-compressed."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.pwa_shell import choose_coding
from tests.conftest import serve_in_process

SCRIPT = b"console.log('verval');" * 100
# What `npm run build` writes next to each asset; the brotli copy's bytes are only compared
# (the server never decodes them), so they need not come from a brotli encoder here.
BROTLI_COPY = b"\x1b brotli copy of main.js"


def built_app(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / ".vite").mkdir()
    (dist / ".vite" / "precache-areas.json").write_text("{}")
    (dist / "index.html").write_text("<!doctype html><title>Verval</title>")
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (dist / "assets" / "main-abc123.js").write_bytes(SCRIPT)
    (dist / "assets" / "main-abc123.js.gz").write_bytes(gzip.compress(SCRIPT, 9))
    (dist / "assets" / "main-abc123.js.br").write_bytes(BROTLI_COPY)
    return dist


async def raw_get(
    client: httpx.AsyncClient, path: str, accept: str
) -> tuple[httpx.Response, bytes]:
    async with client.stream("GET", path, headers={"Accept-Encoding": accept}) as response:
        return response, b"".join([chunk async for chunk in response.aiter_raw()])


async def test_pwa_shell_cache_rules(make_settings, database, tmp_path):
    dist = built_app(tmp_path)
    async with serve_in_process(create_app(make_settings(pwa_dist=dist))) as client:
        index = await client.get("/")
        assert index.status_code == 200 and "Verval" in index.text
        assert index.headers["cache-control"] == "no-cache"
        assert (await client.get("/sw.js")).headers["cache-control"] == "no-cache"
        asset = await client.get("/assets/main-abc123.js")
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        # API routes still win over the shell, and need a token.
        assert (await client.get("/api/v1/me")).status_code == 401
        assert (await client.get("/healthz")).status_code == 200
        # Build metadata and paths out of the build are not served.
        assert (await client.get("/.vite/precache-areas.json")).status_code == 404
        assert (await client.get("/assets/%2e%2e/%2e%2e/pyproject.toml")).status_code == 404
        assert (await client.get("/missing.js")).status_code == 404
        head = await client.head("/sw.js")
        assert head.status_code == 200 and head.content == b""


async def test_assets_come_in_the_best_encoding_the_client_accepts(
    make_settings, database, tmp_path
):
    dist = built_app(tmp_path)
    async with serve_in_process(create_app(make_settings(pwa_dist=dist))) as client:
        path = "/assets/main-abc123.js"
        # A client asking for brotli alone gets brotli.
        res, body = await raw_get(client, path, "br")
        assert res.headers["content-encoding"] == "br" and body == BROTLI_COPY
        assert res.headers["content-type"].startswith("text/javascript")
        assert "accept-encoding" in res.headers["vary"].lower()
        # Both accepted: brotli wins; gzip only: the gzip copy (decodes to the script).
        res, body = await raw_get(client, path, "gzip, deflate, br")
        assert res.headers["content-encoding"] == "br"
        res, body = await raw_get(client, path, "gzip")
        assert res.headers["content-encoding"] == "gzip" and gzip.decompress(body) == SCRIPT
        # Brotli refused: gzip; nothing accepted: the file as it is, never compressed twice.
        res, body = await raw_get(client, path, "br;q=0, gzip;q=0.5")
        assert res.headers["content-encoding"] == "gzip"
        res, body = await raw_get(client, path, "identity")
        assert "content-encoding" not in res.headers and body == SCRIPT
        # A file replaced after the build (its copies are older) is sent as it now is.
        newer = os.stat(dist / "assets" / "main-abc123.js").st_mtime + 10
        os.utime(dist / "assets" / "main-abc123.js", (newer, newer))
        res, body = await raw_get(client, path, "gzip, br")
        assert "content-encoding" not in res.headers and body == SCRIPT


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("br", "br"),
        ("gzip, deflate, br, zstd", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("*;q=0", None),
        ("", None),
        ("identity", None),
        ("BR;Q=1.0", "br"),
    ],
)
def test_accept_encoding_is_read_as_http_says(header: str, expected: str | None) -> None:
    assert choose_coding(header, ["br", "gzip"]) == expected
