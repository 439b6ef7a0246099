"""Findings drive the round: assigning by open findings, hints on the phone, the visit's
answer closing (or keeping) the finding, and the staff's view of them."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import httpx

from api.civil_registry import matching
from api.civil_registry.importer import import_extract
from api.civil_registry.tables import Finding
from api.registry.tables import HouseholdMember
from auth.roles import Role
from survey_forms.samples import dtks_submission
from tests.civil_registry.world import ACTOR, TODAY, write_extract
from tests.support.field import FOUND_KINDS, VILLAGE, Field, build_field, photos_for, visit_body
from tests.support.users import bearer, login, make_user

WIFE_NIK = "1706036208820002"  # the sample submission's second member, Siti Aminah


async def _field_with_findings(tmp_path: Path) -> Field:
    """Household 0: the wife died per Dukcapil; household 1: its member died; the others
    agree with the civil registry."""
    field = await build_field(households=3)
    members = await HouseholdMember.select().order_by(HouseholdMember.id)
    first = members[0]
    await HouseholdMember.update(
        {HouseholdMember.nik: WIFE_NIK, HouseholdMember.name: "Siti Aminah"}
    ).where(HouseholdMember.id == first["id"])
    await HouseholdMember.update({HouseholdMember.birth_date: date(1982, 8, 22)}).where(
        HouseholdMember.id > 0
    )
    rows = []
    for index, member in enumerate(members[:3]):
        member_nik = WIFE_NIK if index == 0 else member["nik"]
        name = "Siti Aminah" if index == 0 else "Anggota"
        died = "2026-03-04" if index < 2 else ""
        rows.append(
            [
                member_nik,
                f"17060112019{index:05d}",
                name,
                "2",
                "",
                "1982-08-22",
                "2",
                died,
                *[""] * 4,
            ]
        )
    await import_extract(ACTOR, write_extract(tmp_path / "e.csv", rows), today=TODAY)
    await matching.reconcile(ACTOR, matching.Target(region=VILLAGE), TODAY)
    return field


async def test_the_phone_gets_the_hint_and_the_visit_settles_it(
    client: httpx.AsyncClient, database, tmp_path: Path
) -> None:
    field = await _field_with_findings(tmp_path)
    phone = bearer(await login(client, "siti"))
    download = await client.get("/api/v1/assignments", headers=phone)
    assert download.status_code == 200, download.text
    by_household = {a["household"]["id"]: a for a in download.json()["assignments"]}
    hints = by_household[field.household_ids[0]]["civil_registry_hints"]
    assert [h["text"] for h in hints] == ["Dukcapil: meninggal 4 Maret 2026 — konfirmasi"]
    member = by_household[field.household_ids[0]]["baseline"]["members"][0]
    assert hints[0]["member_id"] == member["member_id"] and hints[0]["kind"] == "died"
    assert by_household[field.household_ids[2]]["civil_registry_hints"] == []

    # The enumerator confirms the death: the wife's presence is "2" (meninggal).
    answers = dtks_submission()
    answers["members"][1]["presence"] = "2"
    photos = photos_for(FOUND_KINDS)
    confirmed_id = uuid.uuid4()
    body = visit_body(field, field.household_ids[0], photos, answers=answers)
    sent = await client.put(f"/api/v1/visits/{confirmed_id}", json=body, headers=phone)
    assert sent.status_code == 201, sent.text
    settled = await Finding.select().where(Finding.household_id == field.household_ids[0]).first()
    assert settled["state"] == "confirmed"
    assert settled["closed_by_visit"] == confirmed_id

    # Nobody at home: the finding of household 1 stays open.
    away = visit_body(
        field, field.household_ids[1], photos_for(["house_front"]), outcome="not_home"
    )
    assert (
        await client.put(f"/api/v1/visits/{uuid.uuid4()}", json=away, headers=phone)
    ).status_code == 201
    kept = await Finding.select().where(Finding.household_id == field.household_ids[1]).first()
    assert kept["state"] == "open"

    again = await client.get("/api/v1/assignments", headers=phone)
    after = {a["household"]["id"]: a for a in again.json()["assignments"]}
    assert after[field.household_ids[0]]["civil_registry_hints"] == []


async def test_a_member_found_alive_contradicts_the_death(
    client: httpx.AsyncClient, database, tmp_path: Path
) -> None:
    field = await _field_with_findings(tmp_path)
    phone = bearer(await login(client, "siti"))
    body = visit_body(field, field.household_ids[0], photos_for(FOUND_KINDS))
    response = await client.put(f"/api/v1/visits/{uuid.uuid4()}", json=body, headers=phone)
    assert response.status_code == 201, response.text
    row = await Finding.select().where(Finding.household_id == field.household_ids[0]).first()
    assert row["state"] == "contradicted"


async def test_assign_every_household_with_open_findings_in_a_village(
    client: httpx.AsyncClient, database, tmp_path: Path
) -> None:
    field = await _field_with_findings(tmp_path)
    await make_user("sari", Role.SUPERVISOR, ["17.06"])
    supervisor = bearer(await login(client, "sari"))
    created = await client.post(
        "/api/v1/rounds",
        json={"name": "Verval Dukcapil", "region_code": "17.06.01",
              "starts_on": "2026-07-01", "ends_on": "2099-08-31"},
        headers=supervisor,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    round_id = created.json()["id"]
    assigned = await client.post(
        f"/api/v1/rounds/{round_id}/assignments",
        json={"region_code": VILLAGE, "enumerator_id": field.enumerator_id,
              "with_open_findings": True},
        headers=supervisor,
    )  # fmt: skip
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["assigned"] == 2
    page = await client.get(f"/api/v1/rounds/{round_id}/assignments", headers=supervisor)
    assert sorted(a["household_id"] for a in page.json()["items"]) == field.household_ids[:2]


async def test_staff_see_findings_in_their_regions_only(
    client: httpx.AsyncClient, database, tmp_path: Path
) -> None:
    field = await _field_with_findings(tmp_path)
    await make_user("sari", Role.SUPERVISOR, ["17.06.01"])
    await make_user("ipuh", Role.SUPERVISOR, ["17.06.05"])
    own = bearer(await login(client, "sari"))
    foreign = bearer(await login(client, "ipuh"))
    path = f"/api/v1/civil-registry/findings?household={field.household_ids[0]}"
    listed = await client.get(path, headers=own)
    assert listed.status_code == 200, listed.text
    item = listed.json()["items"][0]
    assert item["kind"] == "died" and item["member_name"] == "Siti Aminah"
    assert item["label"]["id"] == "Meninggal menurut Dukcapil"
    assert item["evidence"].endswith("row 2")
    assert (await client.get(path, headers=foreign)).status_code == 404
    region = await client.get("/api/v1/civil-registry/findings?region=17.06.01", headers=foreign)
    assert region.status_code == 404
