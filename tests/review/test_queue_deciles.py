"""The review queue by decile: each item carries its household's decile, the queue and its
counts filter by one decile, a band ("1-4" the poorest 40 %, "5-10") or "unknown", and the
filter never reaches outside the reader's regions. Both databases."""

from __future__ import annotations

import pytest

from api.registry.tables import Household
from tests.review.test_queue import _ids, _pick, _queue, queue_world  # noqa: F401 (fixture)

A, B, F = "17.06.01.2005", "17.06.01.2006", "17.06.05.2001"
DECILES = {A: 3, B: 8, F: 1}  # visits 0, 1, 4 in A; 2, 3 in B; 5 in F; 6 a proposal in A


@pytest.fixture
async def decile_world(queue_world):  # noqa: F811 (the fixture imported above)
    for village, decile in DECILES.items():
        await Household.update({Household.decile: decile}).where(Household.region_code == village)
    return queue_world


async def test_queue_items_carry_the_household_decile(decile_world):
    page = await _queue(decile_world)
    rows = {item["visit_id"]: item for item in page["items"]}
    v = decile_world["v"]
    assert rows[str(v[0])]["decile"] == 3
    assert rows[str(v[2])]["decile"] == 8
    assert rows[str(v[6])]["decile"] is None  # a proposal has no decile


async def test_the_queue_filters_by_decile(decile_world):
    w = decile_world
    cases = [
        ({"decile": "1-4"}, [4, 1, 0]),
        ({"decile": "3"}, [4, 1, 0]),
        ({"decile": "5-10"}, [3, 2]),
        ({"decile": "8", "state": "approved"}, [2]),
        ({"decile": "unknown"}, [6]),
        ({"decile": "2"}, []),
        ({"decile": "1"}, []),  # decile 1 is only in Ipuh, outside sari's district
    ]
    for params, expected in cases:
        assert _ids(await _queue(w, **params)) == _pick(w, *expected), params
    # Ipuh's own supervisor and the admin do see it.
    assert _ids(await _queue(w, "joko", decile="1")) == _pick(w, 5)
    assert _ids(await _queue(w, "root", decile="1-4")) == _pick(w, 5, 4, 1, 0)
    assert _ids(await _queue(w, "ivan", decile="1-4")) == _pick(w, 5)
    assert _ids(await _queue(w, "ivan", decile="5-10")) == []  # B is outside Ipuh


async def test_counts_follow_the_decile_filter(decile_world):
    w = decile_world
    path = "/api/v1/visits/counts"
    assert await _queue(w, path=path, decile="1-4") == {
        "submitted": 1, "complete": 1, "approved": 0, "returned": 0, "escalated": 1, "total": 3,
    }  # fmt: skip
    assert (await _queue(w, "joko", path=path, decile="5-10"))["total"] == 0
    assert (await _queue(w, path=path, decile="1"))["total"] == 0  # foreign: nothing


async def test_the_review_detail_shows_the_decile(decile_world):
    w = decile_world
    detail = await _queue(w, path=f"/api/v1/visits/{w['v'][2]}")
    assert detail["household"]["decile"] == 8


@pytest.mark.parametrize("bad", ["0", "11", "1-5", "4-1", "poorest", "01"])
async def test_a_decile_outside_the_selections_is_400(decile_world, bad):
    w = decile_world
    for path in ("/api/v1/visits", "/api/v1/visits/counts"):
        response = await w["client"].get(
            path, params={"decile": bad}, headers=await w["as"]("sari")
        )
        assert response.status_code == 400, (path, bad)
