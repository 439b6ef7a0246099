"""A new user's first hour: make's arguments, a busy port said first, the PWA found from the
installation, a demo where every demo login has something to see."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from api.settings import Settings
from survey_forms import mask_nik
from tests.support.users import bearer, login

ROOT = Path(__file__).resolve().parents[2]


def test_make_test_passes_args_to_pytest() -> None:
    planned = subprocess.run(
        ["make", "-n", "test", "ARGS=tests/api -k errors -x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "scripts/test.sh tests/api -k errors -x" in planned


def test_make_run_stops_at_once_on_a_busy_port_and_says_how_to_choose_another() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "VERVAL_PORT": str(port), "VERVAL_HOST": "127.0.0.1"}
        # Before the check came first, this ran set-up, migration and the demo before failing.
        result = subprocess.run(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"Port {port}" in result.stderr and "VERVAL_PORT=" in result.stderr


def test_the_pwa_build_is_found_from_the_installation_not_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VERVAL_PWA_DIST", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings().effective_pwa_dist == ROOT / "pwa" / "dist"
    assert Settings(pwa_dist=tmp_path / "x").effective_pwa_dist == tmp_path / "x"


async def test_every_demo_supervisor_has_a_queue_and_masked_kk_differ(
    make_settings, client, database
) -> None:
    from api.demo import DEMO_PASSWORD, load_demo
    from api.registry.tables import Household
    from api.resources import build_object_store

    settings = make_settings()
    store = build_object_store(settings)
    try:
        await load_demo(settings, store)
    finally:
        await store.aclose()
    for supervisor, district in (("supervisor", "17.06."), ("supervisor.ipuh", "17.06.05.")):
        tokens = await login(client, supervisor, DEMO_PASSWORD)
        queue = await client.get("/api/v1/visits", headers=bearer(tokens))
        assert queue.status_code == 200, queue.text
        items = queue.json()["items"]
        assert items, f"{supervisor} has an empty queue"
        assert all(item["region_code"].startswith(district) for item in items)
    # A page of search results in one village: each masked No. KK can be told apart.
    page = await (
        Household.select(Household.kk_number)
        .where(Household.region_code == "17.06.01.2008")
        .order_by(Household.id)
        .limit(20)
    )
    masked = [mask_nik(row["kk_number"]) for row in page]
    assert len(set(masked)) == len(masked), masked
