"""Sign-in throttling behind a proxy: X-Forwarded-For is believed from the proxies in
VERVAL_TRUSTED_PROXIES only (the test client's address is 203.0.113.7)."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from api.app import create_app
from api.settings import Settings
from auth.service import MAX_FAILURES_PER_ADDRESS
from tests.conftest import serve_in_process

ROOT = Path(__file__).resolve().parents[2]


async def _fail_logins(client: httpx.AsyncClient, forwarded_for: str, times: int) -> None:
    for attempt in range(times):
        response = await client.post(
            "/api/v1/auth/login",
            # A new name each time: only the per-address limit can be reached.
            json={"username": f"nobody{attempt}", "password": "wrong"},
            headers={"x-forwarded-for": forwarded_for},
        )
        assert response.status_code == 401, response.text


async def _login_status(client: httpx.AsyncClient, forwarded_for: str) -> int:
    response = await client.post(
        "/api/v1/auth/login",
        json={"username": "someone-else", "password": "wrong"},
        headers={"x-forwarded-for": forwarded_for},
    )
    return response.status_code


async def test_behind_a_trusted_proxy_each_client_has_its_own_count(make_settings, database):
    app = create_app(make_settings(trusted_proxies="10.0.0.1, 203.0.113.0/24"))
    async with serve_in_process(app) as client:
        await _fail_logins(client, "198.51.100.1", MAX_FAILURES_PER_ADDRESS)
        assert await _login_status(client, "198.51.100.1") == 429
        # Another office PC behind the same proxy is not locked out.
        assert await _login_status(client, "198.51.100.2") == 401
        # Inventing hops in front of a trusted proxy does not help: the nearest untrusted
        # address (the one the proxy saw) counts.
        assert await _login_status(client, "1.2.3.4, 198.51.100.1") == 429


async def test_from_an_untrusted_peer_x_forwarded_for_is_ignored(make_settings, database):
    app = create_app(make_settings(trusted_proxies="127.0.0.1"))
    async with serve_in_process(app) as client:
        for start in range(0, MAX_FAILURES_PER_ADDRESS, 10):
            await _fail_logins(client, f"198.51.100.{start}", 10)
        # Every attempt counted against the peer's own address, whatever the header said.
        assert await _login_status(client, "198.51.100.250") == 429


def test_the_compose_file_trusts_its_own_network() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    trusted = compose["services"]["api"]["environment"]["VERVAL_TRUSTED_PROXIES"]
    assert subnet in trusted.split(",")
    assert Settings(trusted_proxies=trusted).trusted_proxy_networks
