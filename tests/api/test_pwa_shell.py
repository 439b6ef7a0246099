"""The PWA shell is served at / with cache rules that let phones update."""

from __future__ import annotations

from api.app import create_app
from tests.conftest import serve_in_process


async def test_pwa_shell_cache_rules(make_settings, database, tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Verval</title>")
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (dist / "assets" / "main-abc123.js").write_text("console.log(1)")
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
