"""The review queue: filters, counts, scoping inside the query, roles, and keyset paging
that stays stable while visits keep arriving."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import pytest

from api.registry.tables import Region
from auth.roles import Role
from tests.review.conftest import Reviewers, problem_code
from tests.review.support import T0, insert_visit, make_household, make_round
from tests.support.users import bearer, login, make_user

A, B, F = "17.06.01.2005", "17.06.01.2006", "17.06.05.2001"


@pytest.fixture
async def queue_world(client, database):
    for code, name, level, parent in [
        ("17", "Bengkulu", "province", None),
        ("17.06", "Kabupaten Mukomuko", "regency", "17"),
        ("17.06.01", "Lubuk Pinang", "district", "17.06"),
        ("17.06.05", "Ipuh", "district", "17.06"),
        (A, "Suka Pindah", "village", "17.06.01"),
        (B, "Lubuk Pinang", "village", "17.06.01"),
        (F, "Ipuh Satu", "village", "17.06.05"),
    ]:
        await Region.insert(Region(code=code, name=name, level=level, parent_code=parent))
    siti = (await make_user("siti", Role.ENUMERATOR, ["17.06.01"])).id
    rina = (await make_user("rina", Role.ENUMERATOR, ["17.06.01"])).id
    budi = (await make_user("budi", Role.ENUMERATOR, ["17.06.05"])).id
    r1, r2 = await make_round(name="Juni"), await make_round(name="Agustus")
    households = {v: await make_household(v, n) for n, v in enumerate([A, B, F])}
    plan = [  # village, enumerator, state, outcome, round, flags, photos (declared, stored)
        (A, siti, "complete", "found", r1, [("gps_poor_accuracy", "warning")], (3, 3)),
        (A, siti, "submitted", "found", r1, [], (3, 1)),
        (B, rina, "approved", "refused", r1, [("photo_reused", "critical"), ("member_died", "info")], (1, 1)),
        (B, rina, "returned", "not_home", r2, [], (1, 1)),
        (A, siti, "escalated", "found", r2, [("member_died", "info")], (3, 3)),
        (F, budi, "complete", "found", r1, [("gps_poor_accuracy", "warning")], (3, 3)),
        (A, siti, "complete", "new_household", r2, [], (1, 1)),
    ]  # fmt: skip
    ids = []
    for index, (village, who, state, outcome, round_id, flags, (declared, stored)) in enumerate(
        plan
    ):
        ids.append(
            await insert_visit(
                household_id=None if outcome == "new_household" else households[village],
                round_id=round_id,
                region_code=village,
                enumerator_id=who,
                state=state,
                outcome=outcome,
                received_at=T0 + timedelta(minutes=index),
                flags=flags,
                photos_declared=declared,
                photos_stored=stored,
            )
        )
    return {
        "client": client,
        "as": Reviewers(client),
        "v": ids,
        "siti": siti,
        "rina": rina,
        "rounds": (r1, r2),
    }


async def _queue(world, who="sari", path="/api/v1/visits", **params):
    response = await world["client"].get(path, params=params, headers=await world["as"](who))
    assert response.status_code == 200, response.text
    return response.json()


def _ids(page) -> list[str]:
    return [item["visit_id"] for item in page["items"]]


def _pick(world, *indexes) -> list[str]:
    return [str(world["v"][i]) for i in indexes]


async def test_default_queue_is_newest_first_within_my_regions(queue_world):
    page = await _queue(queue_world)
    assert _ids(page) == _pick(queue_world, 6, 4, 3, 2, 1, 0)
    assert page["next_cursor"] is None and page["limit"] == 50
    rows = {item["visit_id"]: item for item in page["items"]}
    v2 = rows[str(queue_world["v"][2])]
    assert v2["village_name"] == "Lubuk Pinang" and v2["region_code"] == B
    assert v2["enumerator_name"] == "Rina" and v2["outcome"] == "refused"
    assert v2["flag_count"] == 2 and v2["top_severity"] == "critical"
    v1 = rows[str(queue_world["v"][1])]
    assert (v1["photos_stored"], v1["photos_declared"]) == (1, 3) and v1["top_severity"] is None
    assert rows[str(queue_world["v"][6])]["household_id"] is None
    assert rows[str(queue_world["v"][6])]["proposed_household"] is True
    # Lists never carry identity numbers.
    assert "nik" not in str(page).lower() and "kk_number" not in str(page)


async def test_queue_items_name_the_household_and_every_flag(queue_world):
    page = await _queue(queue_world)
    rows = {item["visit_id"]: item for item in page["items"]}
    v2 = rows[str(queue_world["v"][2])]
    # make_household: head "Kepala", RT 001 / RW 001; the head's name, never a NIK.
    assert (v2["head_name"], v2["rt"], v2["rw"]) == ("Kepala", "001", "001")
    # Most severe first, each with its severity, for the list's flag chips.
    assert v2["flags"] == [
        {"code": "photo_reused", "severity": "critical"},
        {"code": "member_died", "severity": "info"},
    ]
    assert rows[str(queue_world["v"][1])]["flags"] == []
    proposal = rows[str(queue_world["v"][6])]
    assert (proposal["head_name"], proposal["rt"], proposal["rw"]) == (None, None, None)


async def test_filters(queue_world):
    w = queue_world
    r1, r2 = w["rounds"]
    cases = [
        ({"region": B}, [3, 2]),
        ({"region": "17.06.01"}, [6, 4, 3, 2, 1, 0]),
        ({"region": "17.06.05"}, []),  # outside my regions: nothing, not an error
        ({"state": "complete"}, [6, 0]),
        ({"flag": "flagged"}, [4, 2, 0]),
        ({"flag": "member_died"}, [4, 2]),
        ({"flag": "gps_poor_accuracy"}, [0]),
        ({"enumerator_id": w["rina"]}, [3, 2]),
        ({"outcome": "refused"}, [2]),
        (
            {
                "received_from": (T0 + timedelta(minutes=2)).isoformat(),
                "received_to": (T0 + timedelta(minutes=4)).isoformat(),
            },
            [3, 2],
        ),
        ({"received_from": "2026-06-10T02:05:00"}, [6]),  # no offset: UTC
        ({"round_id": r2}, [6, 4, 3]),
        ({"state": "complete", "flag": "flagged"}, [0]),
        ({"region": A, "round_id": r1, "state": "submitted"}, [1]),
        ({"order": "oldest"}, [0, 1, 2, 3, 4, 6]),
    ]
    for params, expected in cases:
        assert _ids(await _queue(w, **params)) == _pick(w, *expected), params


async def test_scope_is_in_the_query_for_every_reader(queue_world):
    w = queue_world
    assert _ids(await _queue(w, "joko")) == _pick(w, 5)
    assert _ids(await _queue(w, "audra")) == _pick(w, 6, 5, 4, 3, 2, 1, 0)
    assert _ids(await _queue(w, "root", flag="gps_poor_accuracy")) == _pick(w, 5, 0)
    assert _ids(await _queue(w, "ivan", region="17.06.01")) == []


async def test_counts_per_state_follow_the_filters(queue_world):
    w = queue_world
    path = "/api/v1/visits/counts"
    assert await _queue(w, path=path) == {
        "submitted": 1, "complete": 2, "approved": 1, "returned": 1, "escalated": 1, "total": 6,
    }  # fmt: skip
    assert await _queue(w, path=path, flag="flagged") == {
        "submitted": 0, "complete": 1, "approved": 1, "returned": 0, "escalated": 1, "total": 3,
    }  # fmt: skip
    counted = await _queue(w, "root", path=path, region="17.06.05")
    assert counted["complete"] == 1 and counted["total"] == 1
    assert (await _queue(w, "joko", path=path, region="17.06.01"))["total"] == 0


async def test_enumerators_have_no_queue_and_bad_parameters_are_400(queue_world):
    w = queue_world
    enumerator = bearer(await login(w["client"], "siti"))
    for path in ("/api/v1/visits", "/api/v1/visits/counts"):
        response = await w["client"].get(path, headers=enumerator)
        assert response.status_code == 403 and problem_code(response) == "role_forbidden"
        assert (await w["client"].get(path)).status_code == 401
    sari = await w["as"]("sari")
    for params in [
        {"limit": 0},
        {"limit": 201},
        {"state": "lost"},
        {"region": "17-06"},
        {"flag": "Bad flag!"},
        {"outcome": "maybe"},
        {"received_from": "yesterday"},
        {"enumerator_id": 0},
        {"enumerator_id": 2**40},
        {"round_id": -1},
        {"received_from": "0001-01-01T00:00:00+07:00"},
    ]:
        response = await w["client"].get("/api/v1/visits", params=params, headers=sari)
        assert response.status_code == 400, params
    overflow = base64.urlsafe_b64encode(
        f"0001-01-01T00:00:00+07:00|{uuid.uuid4()}".encode()
    ).decode()
    for cursor in ["garbage", "bm90LWEtY3Vyc29y", "MjAyNi0wNi0xMHw=", overflow]:
        response = await w["client"].get("/api/v1/visits", params={"cursor": cursor}, headers=sari)
        assert response.status_code == 400 and problem_code(response) == "invalid_cursor"


async def _walk(world, limit, order, on_page=None) -> list[str]:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": limit, "order": order}
        if cursor:
            params["cursor"] = cursor
        page = await _queue(world, "root", **params)
        assert len(page["items"]) <= limit
        seen += _ids(page)
        pages += 1
        if on_page is not None:
            await on_page(pages)
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize("order", ["newest", "oldest"])
async def test_paging_is_stable_while_visits_arrive(queue_world, order):
    w = queue_world
    household = await make_household(A, 99)
    r1, _ = w["rounds"]
    # Five visits received in the same microsecond: the id breaks the tie.
    same = T0 + timedelta(minutes=30)
    for index in range(25):
        await insert_visit(
            household_id=household,
            round_id=r1,
            region_code=A,
            enumerator_id=w["siti"],
            received_at=same if index < 5 else T0 + timedelta(minutes=40 + index),
        )
    before = await _walk(w, 200, order)
    assert len(before) == 32 and len(set(before)) == 32

    arrived: list[str] = []

    async def arrive(_: int) -> None:
        arrived.append(
            str(
                await insert_visit(
                    household_id=household, round_id=r1, region_code=A, enumerator_id=w["siti"]
                )
            )
        )

    during = await _walk(w, 3, order, on_page=arrive)
    assert len(during) == len(set(during)), "a row came twice"
    if order == "newest":
        # Newer arrivals sort before the first page: the walk neither repeats nor skips.
        assert during == before
    else:
        # Oldest first, arrivals join the end of the walk.
        assert during[: len(before)] == before
        assert set(during[len(before) :]) <= set(arrived) and len(during) > len(before)


async def test_ids_break_ties_in_received_at(queue_world):
    w = queue_world
    r1, _ = w["rounds"]
    household = await make_household(A, 98)
    same = T0 + timedelta(hours=5)
    made = sorted(
        [
            str(
                await insert_visit(
                    household_id=household,
                    round_id=r1,
                    region_code=A,
                    enumerator_id=w["siti"],
                    received_at=same,
                )
            )
            for _ in range(4)
        ],
        key=uuid.UUID,
    )
    newest = await _walk(w, 1, "newest")
    assert newest[:4] == list(reversed(made))
    oldest = await _walk(w, 1, "oldest")
    assert oldest[-4:] == made
