"""Regions, households (masking, search in the body, reveal), rounds: behaviour and scoping."""

from __future__ import annotations

from typing import Any

import pytest

from api.audit.tables import AuditEvent
from api.registry.tables import Household, HouseholdMember
from auth.roles import Role
from tests.registry.conftest import VILLAGES_01, VILLAGES_05, run_import
from tests.support.users import bearer, login, make_user


@pytest.fixture
async def world(client, database, mukomuko, synthetic_file) -> dict[str, Any]:
    await run_import(synthetic_file([*VILLAGES_01, *VILLAGES_05], 30, seed=9))
    await make_user("spv.lp", Role.SUPERVISOR, ["17.06.01"])
    await make_user("aud", Role.AUDITOR, ["17.06"])
    await make_user("enum", Role.ENUMERATOR, ["17.06.01"])
    await make_user("root", Role.ADMIN, [])
    return {name: bearer(await login(client, name)) for name in ("spv.lp", "aud", "enum", "root")}


async def test_region_tree_is_scoped(client, world):
    own = await client.get("/api/v1/regions/17.06.01", headers=world["spv.lp"])
    assert own.status_code == 200
    body = own.json()
    assert body["name"] == "Lubuk Pinang" and body["level"] == "district"
    assert [a["code"] for a in body["ancestors"]] == ["17", "17.06"]
    # The way down is visible; siblings are not.
    up = await client.get("/api/v1/regions/17.06/children", headers=world["spv.lp"])
    assert [c["code"] for c in up.json()] == ["17.06.01"]
    foreign = await client.get("/api/v1/regions/17.06.05", headers=world["spv.lp"])
    assert foreign.status_code == 404 and foreign.json()["code"] == "region_not_found"
    villages = await client.get(
        "/api/v1/regions/17.06.01/children", params={"counts": "true"}, headers=world["enum"]
    )
    counts = {c["code"]: c["household_count"] for c in villages.json()}
    assert counts["17.06.01.2005"] > 0 and len(counts) == 7
    mine = await client.get("/api/v1/regions", headers=world["enum"])
    assert [r["code"] for r in mine.json()] == ["17.06.01"]
    provinces = await client.get("/api/v1/regions", headers=world["root"])
    assert [r["code"] for r in provinces.json()] == ["17"]
    found = await client.get("/api/v1/regions", params={"q": "pinang"}, headers=world["aud"])
    assert {r["code"] for r in found.json()} == {"17.06.01", "17.06.01.2006"}
    assert (await client.get("/api/v1/regions/17.6", headers=world["root"])).status_code == 404


async def test_household_list_masks_and_filters_inside_scope(client, world):
    listed = await client.get("/api/v1/households", params={"limit": 500}, headers=world["spv.lp"])
    assert listed.status_code == 200
    page = listed.json()
    assert page["total"] == await Household.count().where(Household.region_code.like("17.06.01.%"))
    assert all(item["region_code"].startswith("17.06.01.") for item in page["items"])
    item = page["items"][0]
    assert "•" in item["kk_masked"] and "•" in item["head_nik_masked"]
    assert not {"kk_number", "head_nik", "nik"} & item.keys()
    rt = item["rt"]
    by_rt = await client.get(
        "/api/v1/households",
        params={"region": item["region_code"], "rt": rt},
        headers=world["spv.lp"],
    )
    assert {i["rt"] for i in by_rt.json()["items"]} == {rt}
    paged = await client.get("/api/v1/households", params={"limit": 2}, headers=world["spv.lp"])
    assert len(paged.json()["items"]) == 2 and paged.json()["next_after"]
    # Enumerators get households only through their assignments.
    assert (await client.get("/api/v1/households", headers=world["enum"])).status_code == 403


async def test_search_by_masked_nik_and_name_is_a_post_body(client, world):
    member = (
        await HouseholdMember.select(
            HouseholdMember.nik, HouseholdMember.name, HouseholdMember.household
        )
        .where(HouseholdMember.nik.like("170601%"))
        .first()
    )
    masked = member["nik"][:4] + "••••••••" + member["nik"][-4:]
    found = await client.post(
        "/api/v1/households/search", json={"nik": masked}, headers=world["spv.lp"]
    )
    assert found.status_code == 200
    assert member["household"] in [i["id"] for i in found.json()["items"]]
    exact = await client.post(
        "/api/v1/households/search", json={"nik": member["nik"]}, headers=world["spv.lp"]
    )
    assert [i["id"] for i in exact.json()["items"]] == [member["household"]]
    by_name = await client.post(
        "/api/v1/households/search",
        json={"name": member["name"].split()[0].lower()},
        headers=world["spv.lp"],
    )
    assert member["household"] in [i["id"] for i in by_name.json()["items"]]
    # A NIK of another district is not found by a district supervisor.
    other = (
        await HouseholdMember.select(HouseholdMember.nik)
        .where(HouseholdMember.nik.like("170605%"))
        .first()
    )
    hidden = await client.post(
        "/api/v1/households/search", json={"nik": other["nik"]}, headers=world["spv.lp"]
    )
    assert hidden.json()["items"] == []
    invalid = await client.post(
        "/api/v1/households/search", json={"nik": "12345"}, headers=world["spv.lp"]
    )
    assert invalid.status_code == 400


async def test_detail_is_masked_and_reveal_is_audited(client, world):
    household = (
        await Household.select(Household.id, Household.kk_number)
        .where(Household.region_code == VILLAGES_01[0].code)
        .first()
    )
    detail = await client.get(f"/api/v1/households/{household['id']}", headers=world["aud"])
    assert detail.status_code == 200
    body = detail.json()
    assert household["kk_number"] not in detail.text
    assert body["baseline"]["floor_material"] and body["members"][0]["nik_masked"].count("•") == 8
    assert (
        await client.post(f"/api/v1/households/{household['id']}/reveal", headers=world["aud"])
    ).status_code == 403
    revealed = await client.post(
        f"/api/v1/households/{household['id']}/reveal", headers=world["spv.lp"]
    )
    assert revealed.status_code == 200 and revealed.json()["kk_number"] == household["kk_number"]
    event = (
        await AuditEvent.select().where(AuditEvent.action == "household.identity_revealed").first()
    )
    assert event["object_id"] == str(household["id"])
    assert household["kk_number"] not in str(event["details"])
    foreign = (
        await Household.select(Household.id)
        .where(Household.region_code == VILLAGES_05[0].code)
        .first()
    )
    missing = await client.get(f"/api/v1/households/{foreign['id']}", headers=world["spv.lp"])
    assert missing.status_code == 404 and missing.json()["code"] == "household_not_found"


async def test_rounds_are_shared_downwards_and_changed_only_by_who_covers_them(client, world):
    regency = await client.post(
        "/api/v1/rounds",
        json={"name": "Verval Juni 2026", "region_code": "17.06", "starts_on": "2026-06-01",
              "ends_on": "2026-07-31"},
        headers=world["root"],
    )  # fmt: skip
    assert regency.status_code == 201
    round_id = regency.json()["id"]
    # A district supervisor sees the regency round and works in it, but cannot change it.
    listed = await client.get("/api/v1/rounds", headers=world["spv.lp"])
    assert [r["id"] for r in listed.json()] == [round_id]
    patch = await client.patch(
        f"/api/v1/rounds/{round_id}", json={"state": "closed"}, headers=world["spv.lp"]
    )
    assert patch.status_code == 403 and patch.json()["code"] == "round_outside_scope"
    too_wide = await client.post(
        "/api/v1/rounds",
        json={"name": "Verval Ipuh", "region_code": "17.06.05", "starts_on": "2026-06-01",
              "ends_on": "2026-06-30"},
        headers=world["spv.lp"],
    )  # fmt: skip
    assert too_wide.status_code == 403
    backwards = await client.post(
        "/api/v1/rounds",
        json={"name": "Salah", "region_code": "17.06.01", "starts_on": "2026-06-30",
              "ends_on": "2026-06-01"},
        headers=world["spv.lp"],
    )  # fmt: skip
    assert backwards.status_code == 400
    bad_transition = await client.patch(
        f"/api/v1/rounds/{round_id}", json={"state": "planned"}, headers=world["root"]
    )
    assert bad_transition.status_code == 409
    progress = await client.get(f"/api/v1/rounds/{round_id}/progress", headers=world["spv.lp"])
    rows = progress.json()
    assert rows and all(r["region_code"].startswith("17.06.01.") for r in rows)
    assert sum(r["households"] for r in rows) == await Household.count().where(
        Household.region_code.like("17.06.01.%")
    )
    by_district = await client.get(
        f"/api/v1/rounds/{round_id}/progress", params={"level": "district"}, headers=world["aud"]
    )
    assert [r["region_code"] for r in by_district.json()] == ["17.06.01", "17.06.05"]


async def test_the_demo_loads_twice_to_the_same_state(database, tmp_path, make_settings):
    from api.demo import load_demo
    from api.registry.tables import Assignment
    from api.resources import build_object_store
    from api.review.tables import Decision
    from api.visits.tables import Flag, Photo, Visit

    settings = make_settings()
    store = build_object_store(settings)

    async def counts() -> tuple[int, ...]:
        return tuple(
            [await table.count() for table in (Household, HouseholdMember, Assignment)]
            + [await table.count() for table in (Visit, Photo, Flag, Decision)]
        )

    await load_demo(settings, store)
    first = await counts()
    households, _, assignments, visits, photos, flags, decisions = first
    # 3,000 register households, and the one the demo's village office proposed (issue 15).
    register = await Household.count().where(Household.status != "proposed")
    assert register == 3000 and households == 3001 and assignments > 120
    # The supervisor's queue: a dozen visits through the real intake, some flagged, two
    # approved; every photo stored.
    assert visits == 12 and photos > visits and flags >= 5 and decisions == 2
    # Only the visit that reuses another's photo on purpose is flagged for it.
    copies = await Flag.count().where(Flag.code.is_in(["photo_reused", "photo_near_duplicate"]))
    assert 1 <= copies <= 2
    await load_demo(settings, store)
    assert await counts() == first
    await store.aclose()
