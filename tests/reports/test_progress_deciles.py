"""Progress by decile band (1-4, 5-10, unknown) and the decile filter, both databases.

The crafted round's households get deciles first (BPS's figures, written as the baseline
import would): in Suka Pindah h1=1 (approved), h4=2 (not visited), h6=4 (submitted) are the
poorest 40 %; h2=7 (complete) and h5=10 (escalated) the rest; h3 has none (approved).
Lubuk Pinang's b1-b3 keep decile 2 (b1 approved).
"""

from __future__ import annotations

from typing import Any

import pytest

from api.registry.tables import Household
from tests.reports.conftest import VILLAGE_A, VILLAGE_B, Crafted

DECILES = {"h1": 1, "h2": 7, "h3": None, "h4": 2, "h5": 10, "h6": 4}


@pytest.fixture
async def with_deciles(crafted: Crafted) -> Crafted:
    for label, decile in DECILES.items():
        await Household.update({Household.decile: decile}).where(
            Household.id == crafted.households[label]
        )
    return crafted


async def _progress(client, headers, round_id: int, **params: Any):
    return await client.get(
        "/api/v1/reports/progress",
        params={"region": "17.06.01", "round": round_id, **params},
        headers=headers,
    )


def bands(row: dict[str, Any]) -> dict[str, tuple[int, int, int, int]]:
    return {
        b["band"]: (b["households"], b["assigned"], b["visited"], b["approved"])
        for b in row["deciles"]
    }


async def test_progress_counts_each_decile_band(client, with_deciles: Crafted, as_role):
    response = await _progress(client, as_role["supervisor"], with_deciles.round_id)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["decile"] is None
    villages = {v["region_code"]: v for v in report["villages"]}
    # (households, assigned, visited, approved); the proposal has no decile and is not counted
    assert bands(villages[VILLAGE_A]) == {
        "1-4": (3, 3, 2, 1),
        "5-10": (2, 2, 2, 0),
        "unknown": (1, 1, 1, 1),
    }
    assert bands(villages[VILLAGE_B]) == {
        "1-4": (3, 3, 1, 1),
        "5-10": (0, 0, 0, 0),
        "unknown": (0, 0, 0, 0),
    }
    assert bands(report["totals"]) == {
        "1-4": (6, 6, 3, 2),
        "5-10": (2, 2, 2, 0),
        "unknown": (1, 1, 1, 1),
    }


async def test_the_decile_filter_limits_every_figure(client, with_deciles: Crafted, as_role):
    response = await _progress(client, as_role["supervisor"], with_deciles.round_id, decile="1-4")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["decile"] == "1-4"
    village = {v["region_code"]: v for v in report["villages"]}[VILLAGE_A]
    assert (village["households"], village["assigned"], village["visited"]) == (3, 3, 2)
    assert (village["not_visited"], village["approved"], village["submitted"]) == (1, 1, 1)
    assert village["proposed"] == 0  # a proposal has no decile
    totals = report["totals"]
    assert (totals["households"], totals["assigned"], totals["visited"], totals["approved"]) == (
        6,
        6,
        3,
        2,
    )
    people = {p["username"]: p for p in report["enumerators"]}
    assert (people["siti"]["assigned"], people["siti"]["visited"]) == (2, 1)
    assert (people["budi"]["assigned"], people["budi"]["visited"]) == (4, 2)

    one = (await _progress(client, as_role["supervisor"], with_deciles.round_id, decile="7")).json()
    assert (one["totals"]["households"], one["totals"]["escalated"]) == (1, 0)
    assert one["totals"]["complete"] == 1
    unknown = (
        await _progress(client, as_role["supervisor"], with_deciles.round_id, decile="unknown")
    ).json()
    assert (unknown["totals"]["households"], unknown["totals"]["approved"]) == (1, 1)
    assert unknown["totals"]["proposed"] == 1  # proposals have no decile yet


async def test_decile_progress_of_a_foreign_region_is_not_found(
    client, with_deciles: Crafted, as_role
):
    response = await _progress(client, as_role["foreign"], with_deciles.round_id, decile="1-4")
    assert response.status_code == 404
    assert response.json()["code"] == "region_not_found"


@pytest.mark.parametrize("bad", ["0", "11", "1-5", "poor", "1,2"])
async def test_a_decile_outside_the_selections_is_refused(
    client, with_deciles: Crafted, as_role, bad: str
):
    response = await _progress(client, as_role["supervisor"], with_deciles.round_id, decile=bad)
    assert response.status_code == 400


async def test_the_command_line_counts_by_decile(with_deciles: Crafted, database, tmp_path):
    import json

    import anyio

    from tests.reports.test_minutes import _cli

    round_id = str(with_deciles.round_id)
    done = await anyio.to_thread.run_sync(
        lambda: _cli(database.url, tmp_path, "progress", "17.06.01", "--round", round_id,
                     "--decile", "1-4", "--json")
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["decile"], report["totals"]["households"]) == ("1-4", 6)
    done = await anyio.to_thread.run_sync(
        lambda: _cli(database.url, tmp_path, "progress", "17.06.01", "--round", round_id)
    )
    assert done.returncode == 0, done.stderr
    assert "1-4 (poorest 40 %)" in done.stdout
    refused = await anyio.to_thread.run_sync(
        lambda: _cli(database.url, tmp_path, "progress", "17.06.01", "--round", round_id,
                     "--decile", "11")
    )  # fmt: skip
    assert refused.returncode == 2
