"""Issue #17 on the server: a round takes visits only while open and inside its days, a visit
names its round's form version, member changes carry checked details, an unknown NIK region
is a flag, and an approved proposal becomes a proposed household of its village."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from api.audit.service import Actor
from api.audit.tables import AuditEvent
from api.forms import service as forms_service
from api.registry.tables import Household, HouseholdMember, Round
from api.visits.tables import Flag, Visit
from auth.roles import Role
from survey_forms import get_form
from survey_forms.samples import dtks_submission, usulan_submission
from tests.support.field import FOREIGN_VILLAGE, FOUND_KINDS, VILLAGE, photos_for, visit_body
from tests.support.users import bearer, login, make_user

WIB = timezone(timedelta(hours=7))


async def _use_version_2(field: Any) -> None:
    await forms_service.publish(Actor.system(), get_form("dtks_verval", 2))
    await Round.update({Round.form_version: 2}).where(Round.id == field.round_id)


async def _set_round(field: Any, **values: Any) -> None:
    await Round.update({getattr(Round, k): v for k, v in values.items()}).where(
        Round.id == field.round_id
    )


def _v2_body(field: Any, photos: list[Any] | None = None, **kw: Any) -> dict[str, Any]:
    photos = photos if photos is not None else photos_for(FOUND_KINDS)
    body = visit_body(field, field.household_ids[0], photos, answers=dtks_submission(2), **kw)
    body["form"] = {"id": "dtks_verval", "version": 2}
    return body


async def _put(client: Any, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return await client.put(f"/api/v1/visits/{uuid.uuid4()}", json=body, headers=headers)


# --- round state and window --------------------------------------------------------------


async def test_a_planned_or_closed_round_refuses_visits_in_indonesian_words(
    app_client, phone, field
):
    await _set_round(field, state="planned")
    refused = await _put(app_client, phone, visit_body(field, field.household_ids[0], []))
    assert refused.status_code == 409
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == "round_not_open"
    assert "belum dibuka" in problem["detail"] and "belum dibuka" in problem["message"]["id"]

    await _set_round(field, state="closed")
    refused = await _put(app_client, phone, visit_body(field, field.household_ids[0], []))
    assert refused.status_code == 409 and refused.json()["code"] == "round_closed"
    assert "sudah ditutup" in refused.json()["detail"]
    assert await Visit.count() == 0


async def test_the_visits_end_time_counts_with_the_whole_end_day_in_local_time(
    app_client, phone, field
):
    today = datetime.now(WIB).date()
    await _set_round(field, starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=3))
    end_day = today - timedelta(days=3)

    # Made at 23:40 WIB on the last day, sent days later (the phone was offline): taken.
    late_evening = datetime.combine(end_day, datetime.min.time(), WIB) + timedelta(
        hours=23, minutes=28
    )
    late = visit_body(field, field.household_ids[0], [], outcome="refused", started=late_evening)
    taken = await _put(app_client, phone, late)
    assert taken.status_code == 201, taken.text

    # Ended at 00:05 WIB the day after: outside the round.
    after = datetime.combine(end_day + timedelta(days=1), datetime.min.time(), WIB)
    body = visit_body(
        field, field.household_ids[1], [], outcome="refused", started=after - timedelta(minutes=7)
    )
    refused = await _put(app_client, phone, body)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "round_closed"
    assert refused.json()["round"]["ends_on"] == end_day.isoformat()
    assert "setelah putaran verifikasi berakhir" in refused.json()["detail"]

    # Before the first day: not open yet.
    early = datetime.combine(today - timedelta(days=31), datetime.min.time(), WIB) + timedelta(
        hours=9
    )
    body = visit_body(field, field.household_ids[1], [], outcome="refused", started=early)
    refused = await _put(app_client, phone, body)
    assert refused.status_code == 409 and refused.json()["code"] == "round_not_open"
    assert await Visit.count() == 1


async def test_a_stored_visit_repeated_after_the_round_closed_still_gets_its_receipt(
    app_client, phone, field
):
    visit_id = uuid.uuid4()
    body = visit_body(field, field.household_ids[0], [], outcome="refused")
    first = await app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert first.status_code == 201, first.text
    await _set_round(field, state="closed")
    again = await app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert again.status_code == 200 and again.json() == first.json()


def test_the_round_window_follows_the_regions_time_zone():
    from api.visits.rounds_window import RoundTerms, window

    def terms(region: str) -> RoundTerms:
        return RoundTerms(1, region, "open", date(2026, 6, 1), date(2026, 7, 31), "dtks_verval", 2)

    assert window(terms("17.06"))[1] == datetime(2026, 7, 31, 17, 0, tzinfo=UTC)  # WIB
    assert window(terms("73.71"))[1] == datetime(2026, 7, 31, 16, 0, tzinfo=UTC)  # WITA
    assert window(terms("91.01"))[0] == datetime(2026, 5, 31, 15, 0, tzinfo=UTC)  # WIT


# --- the form version the assignment names ---------------------------------------------


async def test_assignments_name_the_form_and_a_visit_with_another_version_is_refused(
    app_client, phone, field
):
    await _use_version_2(field)
    sync = (await app_client.get("/api/v1/assignments", headers=phone)).json()
    assert {(a["form_id"], a["form_version"]) for a in sync["assignments"]} == {("dtks_verval", 2)}
    assert sync["rounds"][0]["form_version"] == 2

    old = visit_body(field, field.household_ids[0], photos_for(FOUND_KINDS))  # version 1
    refused = await _put(app_client, phone, old)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "wrong_form_version"
    assert refused.json()["expected_form"] == {"id": "dtks_verval", "version": 2}
    assert await Visit.count() == 0

    taken = await _put(app_client, phone, _v2_body(field))
    assert taken.status_code == 201, taken.text


async def test_a_new_round_uses_the_newest_published_version(app_client, field):
    await forms_service.publish(Actor.system(), get_form("dtks_verval", 2))
    await make_user("kepala", Role.SUPERVISOR, ["17.06"])
    staff = bearer(await login(app_client, "kepala"))
    body = {"name": "Verval Desember 2026", "region_code": "17.06",
            "starts_on": "2026-12-01", "ends_on": "2027-01-31"}  # fmt: skip
    created = await app_client.post("/api/v1/rounds", json=body, headers=staff)
    assert created.status_code == 201, created.text
    assert (created.json()["form_id"], created.json()["form_version"]) == ("dtks_verval", 2)
    pinned = await app_client.post(
        "/api/v1/rounds", json={**body, "name": "Verval lama", "form_version": 1}, headers=staff
    )
    assert pinned.status_code == 201 and pinned.json()["form_version"] == 1
    unknown = await app_client.post(
        "/api/v1/rounds", json={**body, "name": "Verval x", "form_version": 9}, headers=staff
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_form_version"


# --- member changes through the intake ----------------------------------------------------


async def test_member_change_details_are_stored_and_checked(app_client, phone, field):
    await _use_version_2(field)
    certificate = photos_for(["death_certificate"], seed=7)[0]
    photos = [*photos_for(FOUND_KINDS), certificate]
    body = _v2_body(field, photos)
    members = body["answers"]["members"]
    members[4]["death_certificate_photo"] = str(certificate.id)
    members[3].update(presence="3", move_date="2026-10-01", move_destination="2",
                      move_destination_region="17.06.05")  # fmt: skip
    today = datetime.now(WIB).date()
    twin = {"nik": "", "full_name": "Bayi Kembar", "presence": "5", "new_member_kind": "1",
            "sex": "1", "birth_date": (today - timedelta(days=20)).isoformat(),
            "marital_status": "1", "relationship": "5", "disability": "2",
            "chronic_illness": "2", "working": "2"}  # fmt: skip
    members.append(twin)
    members.append({**twin, "full_name": "Bayi Kembar Dua", "sex": "2"})
    taken = await _put(app_client, phone, body)
    assert taken.status_code == 201, taken.text
    stored = (await Visit.select(Visit.answers).output(load_json=True).first())["answers"]
    assert stored["members"][4]["death_date"] == "2026-08-14"
    assert stored["members"][4]["death_certificate_photo"] == str(certificate.id)
    assert stored["members"][3]["move_destination_region"] == "17.06.05"
    assert [m["new_member_kind"] for m in stored["members"][6:]] == ["1", "1"]
    assert "sex" not in stored["members"][3]  # a moved member is not asked the rest


async def test_member_details_naming_what_does_not_exist_are_refused(app_client, phone, field):
    await _use_version_2(field)
    body = _v2_body(field)
    members = body["answers"]["members"]
    members[3].update(presence="3", move_date="2026-10-01", move_destination="2",
                      move_destination_region="35.07")  # fmt: skip
    members[4]["death_certificate_photo"] = str(uuid.uuid4())  # no such declared photo
    members[5]["new_member_kind"] = "1"  # born 2025-09-30: not a newborn any more
    refused = await _put(app_client, phone, body)
    assert refused.status_code == 422, refused.text
    errors = {(e["path"], e["code"]) for e in refused.json()["errors"]}
    assert ("answers.members[5].new_member_kind", "constraint") in errors
    members[5]["new_member_kind"] = "2"
    refused = await _put(app_client, phone, body)
    errors = {(e["path"], e["code"]) for e in refused.json()["errors"]}
    assert errors == {
        ("answers.members[3].move_destination_region", "region_unknown"),
        ("answers.members[4].death_certificate_photo", "photo_not_declared"),
    }
    assert await Visit.count() == 0


async def test_a_nik_with_an_unknown_region_is_a_flag_in_words(app_client, phone, field):
    body = visit_body(field, field.household_ids[0], photos_for(FOUND_KINDS))
    body["answers"]["members"][2]["nik"] = "1799010311050003"  # district 17.99.01: unknown
    visit_id = uuid.uuid4()
    taken = await app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert taken.status_code == 201, taken.text
    detail = (await app_client.get(f"/api/v1/visits/{visit_id}", headers=phone)).json()
    flags = [f for f in detail["flags"] if f["code"] == "nik_unknown_region"]
    assert len(flags) == 1, detail["flags"]
    assert flags[0]["evidence"] == {"member_index": 2, "district": "17.99.01"}
    assert flags[0]["message"]["id"].startswith("Kode wilayah NIK anggota #3 (17.99.01)")
    assert "1799010311050003" not in str(flags[0])


# --- proposals ---------------------------------------------------------------------------


def _proposal(field: Any, village: str = VILLAGE, **answers: Any) -> dict[str, Any]:
    body = visit_body(field, field.household_ids[0], photos_for(["house_front"], seed=5),
                      outcome="new_household", answers={**usulan_submission(), **answers})  # fmt: skip
    body.update(household_id=None, proposal={"village_code": village},
                form={"id": "usulan_baru", "version": 1})  # fmt: skip
    return body


async def _decide(client: Any, staff: dict[str, str], visit_id: uuid.UUID) -> Any:
    return await client.post(
        f"/api/v1/visits/{visit_id}/decisions", json={"decision": "approve"}, headers=staff
    )


async def _send_with_photos(client: Any, phone: dict[str, str], body: dict[str, Any]) -> uuid.UUID:
    visit_id = uuid.uuid4()
    response = await client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert response.status_code == 201, response.text
    return visit_id


async def _upload(client: Any, phone: dict[str, str], visit_id: uuid.UUID, photo: Any) -> None:
    stored = await client.put(
        f"/api/v1/visits/{visit_id}/photos/{photo.id}",
        content=photo.data,
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    assert stored.status_code == 201, stored.text


async def test_an_approved_proposal_becomes_a_proposed_household_of_its_village(
    app_client, phone, field
):
    await make_user("kepala", Role.SUPERVISOR, ["17.06"])
    staff = bearer(await login(app_client, "kepala"))
    photo = photos_for(["house_front"], seed=9)[0]
    body = _proposal(field)
    body["photos"] = [photo.declared(datetime.now(UTC) - timedelta(minutes=50))]
    visit_id = await _send_with_photos(app_client, phone, body)
    await _upload(app_client, phone, visit_id, photo)
    flags = {row["code"] for row in await Flag.select(Flag.code)}
    assert "proposal_kk_in_register" not in flags and "proposal_nik_in_register" not in flags

    approved = await _decide(app_client, staff, visit_id)
    assert approved.status_code == 201, approved.text
    household = await Household.select().where(Household.proposed_by_visit == visit_id).first()
    assert household is not None
    assert household["status"] == "proposed" and household["region_code"] == VILLAGE
    assert household["kk_number"] == usulan_submission()["kk_number"]
    assert household["rt"] == "003" and household["rw"] == "001"
    head = (
        await HouseholdMember.select().where(HouseholdMember.household == household["id"]).first()
    )
    assert head["relationship"] == "1" and head["birth_date"] == date(1990, 7, 7)
    event = await AuditEvent.select().where(AuditEvent.action == "household.proposed").first()
    assert event["object_id"] == str(household["id"]) and event["region_code"] == VILLAGE
    assert usulan_submission()["kk_number"] not in str(event["details"])

    listed = await app_client.get(f"/api/v1/households?region={VILLAGE}&status=proposed",
                                  headers=staff)  # fmt: skip
    assert listed.status_code == 200, listed.text
    assert [h["id"] for h in listed.json()["items"]] == [household["id"]]
    # Not yet in the register: the round's progress still counts the field's three households.
    progress = await app_client.get(
        f"/api/v1/rounds/{field.round_id}/progress?level=village", headers=staff
    )
    assert {r["region_code"]: r["households"] for r in progress.json()}[VILLAGE] == 3


async def test_a_proposal_already_in_the_register_is_flagged_and_cannot_be_approved(
    app_client, phone, field
):
    await make_user("kepala", Role.SUPERVISOR, ["17.06"])
    staff = bearer(await login(app_client, "kepala"))
    taken_kk = (await Household.select(Household.kk_number).where(
        Household.id == field.household_ids[1]).first())["kk_number"]  # fmt: skip
    photo = photos_for(["house_front"], seed=11)[0]
    body = _proposal(field, kk_number=taken_kk)
    body["photos"] = [photo.declared(datetime.now(UTC) - timedelta(minutes=50))]
    visit_id = await _send_with_photos(app_client, phone, body)
    await _upload(app_client, phone, visit_id, photo)
    detail = (await app_client.get(f"/api/v1/visits/{visit_id}", headers=staff)).json()
    kk_flags = [f for f in detail["flags"] if f["code"] == "proposal_kk_in_register"]
    assert kk_flags and kk_flags[0]["evidence"] == {"other_household_id": field.household_ids[1]}
    assert kk_flags[0]["severity"] == "critical"
    assert "sudah terdaftar" in kk_flags[0]["message"]["id"]

    refused = await _decide(app_client, staff, visit_id)
    assert refused.status_code == 409 and refused.json()["code"] == "proposal_in_register"
    assert (await Visit.select(Visit.state).where(Visit.id == visit_id).first())[
        "state"
    ] == "complete"
    assert await Household.count().where(Household.status == "proposed") == 0


async def test_a_proposal_for_a_village_outside_the_rounds_region_is_not_found(
    app_client, phone, field
):
    """The foreign-region case: a round of Ipuh (17.06.05) does not take Lubuk Pinang."""
    rows = await Round.insert(
        Round(
            name="Verval Ipuh",
            region_code="17.06.05",
            starts_on=date(2026, 6, 1),
            ends_on=date(2099, 12, 31),
            state="open",
            created_by="test",
        )
    ).returning(Round.id)
    body = _proposal(field)
    body["round_id"] = rows[0]["id"]
    refused = await _put(app_client, phone, body)
    assert refused.status_code == 404 and refused.json()["code"] == "round_not_found"
    # and a village outside the enumerator's own scope stays invisible as before
    body = _proposal(field, village=FOREIGN_VILLAGE)
    assert (await _put(app_client, phone, body)).status_code == 404
    assert await Visit.count() == 0
