"""Assignments and the phone's delta sync: assign, reassign, unassign, round state, paging,
compressed answers, and the cursor under concurrent writers. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import msgspec
import pytest

from api import db
from api.civil_registry.tables import Finding
from api.registry import changes
from api.registry import sync as sync_service
from api.registry.tables import AssignmentChange, Household, HouseholdMember
from auth.roles import Principal, Role
from tests.registry.conftest import VILLAGES_01, VILLAGES_05, run_import
from tests.support.users import bearer, login, make_user

ROUND = {"name": "Verval Juni 2026", "region_code": "17.06", "starts_on": "2026-06-01",
         "ends_on": "2026-07-31"}  # fmt: skip


@pytest.fixture
async def field(client, database, mukomuko, synthetic_file) -> dict[str, Any]:
    """A supervisor of the regency, two enumerators in 17.06.01, one in 17.06.05, households."""
    baseline = synthetic_file([*VILLAGES_01, *VILLAGES_05], 45, seed=5)
    await run_import(baseline)
    ids = {
        "supervisor": (await make_user("spv", Role.SUPERVISOR, ["17.06"])).id,
        "siti": (await make_user("siti", Role.ENUMERATOR, ["17.06.01"])).id,
        "budi": (await make_user("budi", Role.ENUMERATOR, ["17.06.01"])).id,
        "ipuh": (await make_user("ipuh", Role.ENUMERATOR, ["17.06.05"])).id,
    }
    tokens = {name: bearer(await login(client, name if name != "supervisor" else "spv"))
              for name in ids}  # fmt: skip
    response = await client.post("/api/v1/rounds", json=ROUND, headers=tokens["supervisor"])
    assert response.status_code == 201, response.text
    return {"ids": ids, "h": tokens, "round": response.json()["id"], "baseline": baseline}


async def village_households(village: str) -> list[int]:
    rows = await Household.select(Household.id).where(Household.region_code == village)
    return sorted(r["id"] for r in rows)


async def assign(client, field, body: dict[str, Any], expected: int = 200) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/rounds/{field['round']}/assignments", json=body, headers=field["h"]["supervisor"]
    )
    assert response.status_code == expected, response.text
    return response.json()  # type: ignore[no-any-return]


async def sync(client, field, who: str, since: str | None = None, **params: Any) -> dict[str, Any]:
    query = {"since": since, **params} if since else params
    response = await client.get("/api/v1/assignments", params=query, headers=field["h"][who])
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_first_sync_has_everything_to_prefill_and_an_empty_delta(client, field):
    village = VILLAGES_01[0].code
    households = await village_households(village)
    result = await assign(client, field, {"enumerator_id": field["ids"]["siti"],
                                          "region_code": village})  # fmt: skip
    assert result == {"assigned": len(households), "reassigned": 0, "unchanged": 0,
                      "skipped_count": 0, "skipped": []}  # fmt: skip

    first = await sync(client, field, "siti")
    assert first["full"] is True and first["has_more"] is False and first["removed"] == []
    assert sorted(a["household"]["id"] for a in first["assignments"]) == households
    item = first["assignments"][0]
    assert item["round_id"] == field["round"] and item["state"] == "open"
    assert [r["name"] for r in first["rounds"]] == ["Verval Juni 2026"]
    household = item["household"]
    assert len(household["kk_number"]) == 16 and household["village_name"] == "Suka Pindah"
    assert household["latitude"] is not None
    baseline = item["baseline"]
    assert baseline["floor_material"] and "floor_area" in baseline
    member = baseline["members"][0]
    # the member.<key> pre-fill keys of the dtks_verval form
    assert {"member_id", "nik", "name", "sex", "birth_date", "relationship"} <= member.keys()
    assert member["relationship"] == "1" and len(member["nik"]) == 16

    empty = await sync(client, field, "siti", first["cursor"])
    assert empty["full"] is False and empty["assignments"] == [] and empty["removed"] == []
    assert empty["cursor"] == first["cursor"]
    # Budi has nothing.
    assert (await sync(client, field, "budi"))["assignments"] == []


async def test_reassignment_moves_a_household_between_phones(client, field):
    village = VILLAGES_01[0].code
    households = await village_households(village)
    await assign(client, field, {"enumerator_id": field["ids"]["siti"], "region_code": village})
    siti = await sync(client, field, "siti")
    budi = await sync(client, field, "budi")
    moved = next(a for a in siti["assignments"] if a["household"]["id"] == households[0])

    response = await client.patch(
        f"/api/v1/assignments/{moved['assignment_id']}",
        json={"enumerator_id": field["ids"]["budi"]},
        headers=field["h"]["supervisor"],
    )
    assert response.status_code == 200 and response.json()["enumerator_id"] == field["ids"]["budi"]

    siti_delta = await sync(client, field, "siti", siti["cursor"])
    assert siti_delta["removed"] == [moved["assignment_id"]] and siti_delta["assignments"] == []
    budi_delta = await sync(client, field, "budi", budi["cursor"])
    assert [a["assignment_id"] for a in budi_delta["assignments"]] == [moved["assignment_id"]]
    assert budi_delta["removed"] == []

    # Bulk: the rest of the village moves only with reassign=true.
    refused = await assign(client, field, {"enumerator_id": field["ids"]["budi"],
                                           "region_code": village})  # fmt: skip
    assert refused["assigned"] == 0 and refused["unchanged"] == 1
    assert {s["reason"] for s in refused["skipped"]} == {"assigned_to_other"}
    taken = await assign(client, field, {"enumerator_id": field["ids"]["budi"],
                                         "region_code": village, "reassign": True})  # fmt: skip
    assert taken["reassigned"] == len(households) - 1
    again = await sync(client, field, "siti", siti_delta["cursor"])
    assert len(again["removed"]) == len(households) - 1
    assert (await sync(client, field, "siti"))["assignments"] == []


async def test_unassign_one_by_rt_and_closing_the_round(client, field):
    village = VILLAGES_01[1].code
    rows = await Household.select(Household.id, Household.rt).where(
        Household.region_code == village
    )
    rt = rows[0]["rt"]
    in_rt = sorted(r["id"] for r in rows if r["rt"] == rt)
    result = await assign(client, field, {"enumerator_id": field["ids"]["siti"],
                                          "region_code": village, "rt": rt})  # fmt: skip
    assert result["assigned"] == len(in_rt)
    siti = await sync(client, field, "siti")
    assert sorted(a["household"]["id"] for a in siti["assignments"]) == in_rt

    one = siti["assignments"][0]["assignment_id"]
    response = await client.delete(f"/api/v1/assignments/{one}", headers=field["h"]["supervisor"])
    assert response.status_code == 204
    delta = await sync(client, field, "siti", siti["cursor"])
    assert delta["removed"] == [one]

    # Closing the round empties the phone; reopening brings the work back.
    closed = await client.patch(f"/api/v1/rounds/{field['round']}", json={"state": "closed"},
                                headers=field["h"]["supervisor"])  # fmt: skip
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    after_close = await sync(client, field, "siti", delta["cursor"])
    assert len(after_close["removed"]) == len(in_rt) - 1
    assign_closed = await client.post(
        f"/api/v1/rounds/{field['round']}/assignments",
        json={"enumerator_id": field["ids"]["siti"], "household_ids": in_rt[:1]},
        headers=field["h"]["supervisor"],
    )
    assert assign_closed.status_code == 409 and assign_closed.json()["code"] == "round_closed"
    reopened = await client.patch(f"/api/v1/rounds/{field['round']}", json={"state": "open"},
                                  headers=field["h"]["supervisor"])  # fmt: skip
    assert reopened.status_code == 200
    back = await sync(client, field, "siti", after_close["cursor"])
    assert len(back["assignments"]) == len(in_rt) - 1 and back["removed"] == []

    # Bulk unassign by RT.
    gone = await client.post(
        f"/api/v1/rounds/{field['round']}/assignments/unassign",
        json={"region_code": village, "rt": rt},
        headers=field["h"]["supervisor"],
    )
    assert gone.status_code == 200 and gone.json()["unassigned"] == len(in_rt) - 1


async def test_enumerator_scope_and_single_household_errors(client, field):
    foreign = (await village_households(VILLAGES_05[0].code))[0]
    own = (await village_households(VILLAGES_01[0].code))[0]
    # Siti (17.06.01) cannot be given a household of 17.06.05.
    wrong = await assign(client, field, {"enumerator_id": field["ids"]["siti"],
                                         "household_ids": [foreign]}, expected=422)  # fmt: skip
    assert wrong["code"] == "outside_enumerator_scope"
    await assign(client, field, {"enumerator_id": field["ids"]["siti"], "household_ids": [own]})
    taken = await assign(client, field, {"enumerator_id": field["ids"]["budi"],
                                         "household_ids": [own]}, expected=409)  # fmt: skip
    assert taken["code"] == "assigned_to_other"
    missing = await assign(client, field, {"enumerator_id": field["ids"]["siti"],
                                           "household_ids": [999999]}, expected=404)  # fmt: skip
    assert missing["code"] == "household_not_found"
    nobody = await assign(client, field, {"enumerator_id": 999999, "household_ids": [own]},
                          expected=404)  # fmt: skip
    assert nobody["code"] == "enumerator_not_found"
    both = await assign(client, field, {"enumerator_id": field["ids"]["siti"],
                                        "household_ids": [own], "region_code": "17.06.01"},
                        expected=400)  # fmt: skip
    assert both["code"] == "invalid_request"


async def test_paging_and_a_cursor_of_another_user(client, field):
    village = VILLAGES_01[0].code
    households = await village_households(village)
    await assign(client, field, {"enumerator_id": field["ids"]["siti"], "region_code": village})
    seen: list[int] = []
    page = await sync(client, field, "siti", limit=4)
    while True:
        assert page["full"] is True
        seen += [a["household"]["id"] for a in page["assignments"]]
        if not page["has_more"]:
            break
        page = await sync(client, field, "siti", page["cursor"], limit=4)
    assert sorted(seen) == households and len(seen) == len(set(seen))
    # Budi presenting Siti's cursor gets his own full list, not her deltas.
    foreign = await sync(client, field, "budi", page["cursor"])
    assert foreign["full"] is True and foreign["assignments"] == []
    bad = await client.get("/api/v1/assignments", params={"since": "nonsense"},
                           headers=field["h"]["siti"])  # fmt: skip
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"
    # Only enumerators download assignments.
    other = await client.get("/api/v1/assignments", headers=field["h"]["supervisor"])
    assert other.status_code == 403


async def test_delta_paging_and_a_corrected_baseline_reaches_the_phone(client, field, tmp_path):
    village = VILLAGES_01[0].code
    await assign(client, field, {"enumerator_id": field["ids"]["siti"], "region_code": village})
    first = await sync(client, field, "siti")
    target = first["assignments"][0]
    # The register sends a corrected file: this family's floor area changed.
    source = field["baseline"]
    lines = source.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    kk_at, area_at = header.index("no_kk"), header.index("floor_area")
    rows = [line.split(",") for line in lines[1:]]
    for row in rows:
        if row[kk_at] == target["household"]["kk_number"]:
            row[area_at] = "199"
    corrected = tmp_path / "corrected.csv"
    corrected.write_text("\n".join([",".join(header), *(",".join(r) for r in rows)]) + "\n")
    summary = await run_import(corrected)
    assert summary.households_updated == 1
    delta = await sync(client, field, "siti", first["cursor"], limit=1)
    assert [a["assignment_id"] for a in delta["assignments"]] == [target["assignment_id"]]
    assert delta["assignments"][0]["baseline"]["floor_area"] == 199
    assert delta["has_more"] is False
    # A change logged the way other writers do it reaches the phone the same way.
    assert await _reimport_one(target["household"]["id"]) == 1
    again = await sync(client, field, "siti", delta["cursor"])
    assert [a["assignment_id"] for a in again["assignments"]] == [target["assignment_id"]]


async def _reimport_one(household_id: int) -> int:
    """Log the household as changed the way the importer does (phones must refetch it)."""
    async with db.write_transaction():
        return await changes.record_for_households([household_id])


async def test_responses_are_compressed(client, field):
    await assign(client, field, {"enumerator_id": field["ids"]["siti"],
                                 "region_code": VILLAGES_01[0].code})  # fmt: skip
    response = await client.get(
        "/api/v1/assignments", headers={**field["h"]["siti"], "Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert json.loads(response.content)["assignments"]  # httpx decompressed it
    assert gzip  # (the raw body was gzip; httpx undoes it transparently)


# SQLite serialises writers with BEGIN IMMEDIATE, so the race needs PostgreSQL.
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_the_cursor_never_skips_a_change_that_commits_late(client, field, database):
    """Two writers: the first takes its change seq and commits late. A reader in between
    must not move its cursor past the first writer's change."""
    siti = field["ids"]["siti"]
    village = VILLAGES_01[0].code
    await assign(client, field, {"enumerator_id": siti, "region_code": village})
    start = await sync(client, field, "siti")
    ids = [a["assignment_id"] for a in start["assignments"]]

    first_holds = asyncio.Event()
    release_first = asyncio.Event()

    async def slow_writer() -> None:
        async with db.write_transaction():
            await changes.record([(siti, ids[0])])
            first_holds.set()
            await release_first.wait()  # commits late

    async def fast_writer() -> None:
        async with db.write_transaction():
            await changes.record([(siti, ids[1])])

    slow = asyncio.create_task(slow_writer())
    await first_holds.wait()
    fast = asyncio.create_task(fast_writer())
    try:
        await asyncio.sleep(0.3)
        fast_finished_early = fast.done()
        middle = await sync(client, field, "siti", start["cursor"])
    finally:
        release_first.set()  # never leave a transaction open, even when the test fails
        await asyncio.gather(slow, fast)
    assert not fast_finished_early, "the second writer must wait for the first one's commit"
    assert middle["assignments"] == [] and middle["cursor"] == start["cursor"]
    after = await sync(client, field, "siti", middle["cursor"])
    assert sorted(a["assignment_id"] for a in after["assignments"]) == sorted(ids[:2])
    seqs = await AssignmentChange.select(AssignmentChange.seq, AssignmentChange.assignment_id)
    order = [r["assignment_id"] for r in sorted(seqs, key=lambda r: r["seq"])][-2:]
    assert order == [ids[0], ids[1]]  # seq order is commit order


async def test_the_first_sync_fast_path_sends_what_the_portable_path_sends(client, field):
    """PostgreSQL serves a first sync from raw rows (issue 18): the same payload, byte for
    byte but the server time, as the portable path, with civil-registry hints (open only),
    members in card order and the round; a page boundary keeps the same cursor."""
    siti = field["ids"]["siti"]
    village = VILLAGES_01[0].code
    await assign(client, field, {"enumerator_id": siti, "region_code": village})
    households = await village_households(village)
    member = await (
        HouseholdMember.select(HouseholdMember.id)
        .where(HouseholdMember.household == households[0])
        .first()
    )
    assert member is not None
    for state, household in (("open", households[0]), ("confirmed", households[1])):
        await Finding.insert(
            Finding(
                fingerprint=f"test-{state}",
                kind="died",
                household_id=household,
                member_id=member["id"],
                region_code=village,
                evidence="test",
                details={"event_date": "2026-03-04"},
                state=state,
            )
        )
    principal = Principal(user_id=siti, username="siti", display_name="Siti",
                          role=Role.ENUMERATOR, scopes=("17.06.01",), session_id="t")  # fmt: skip

    async def page(fast: bool, limit: int) -> dict[str, Any]:
        async with db.request_connection():
            answer = await sync_service.download(principal, None, limit, fast_path=fast)
        built: dict[str, Any] = msgspec.to_builtins(answer)
        built.pop("server_time")
        return built

    portable = await page(False, 500)
    hinted = [a for a in portable["assignments"] if a["civil_registry_hints"]]
    assert [a["household"]["id"] for a in hinted] == [households[0]]
    assert hinted[0]["civil_registry_hints"][0]["member_id"] == member["id"]
    if db.is_postgres():
        assert await page(True, 500) == portable
        assert await page(True, 3) == await page(False, 3)
