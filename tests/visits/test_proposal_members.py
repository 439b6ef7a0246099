"""Issue #17: a proposal from the phone names the family's members with their NIKs (form
usulan_baru v2); the arrival flags see those NIKs, and the approved proposal's household
holds them as proposed members. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from api.audit.service import Actor
from api.audit.tables import AuditEvent
from api.forms import service as forms_service
from api.registry.tables import Household, HouseholdMember
from api.visits.tables import Visit
from auth.roles import Role
from survey_forms import get_form
from survey_forms.samples import usulan_v2_submission
from tests.support.field import VILLAGE, photos_for, visit_body
from tests.support.users import bearer, login, make_user


async def _propose(
    client: Any, phone: dict[str, str], field: Any, answers: dict[str, Any]
) -> uuid.UUID:
    await forms_service.publish(Actor.system(), get_form("usulan_baru", 2))
    photo = photos_for(["house_front"], seed=21)[0]
    body = visit_body(field, field.household_ids[0], [], outcome="new_household", answers=answers)
    body.update(household_id=None, proposal={"village_code": VILLAGE},
                form={"id": "usulan_baru", "version": 2},
                photos=[photo.declared(datetime.now(UTC) - timedelta(minutes=50))])  # fmt: skip
    visit_id = uuid.uuid4()
    sent = await client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert sent.status_code == 201, sent.text
    stored = await client.put(f"/api/v1/visits/{visit_id}/photos/{photo.id}", content=photo.data,
                              headers={**phone, "Content-Type": "image/jpeg"})  # fmt: skip
    assert stored.status_code == 201, stored.text
    return visit_id


async def _supervisor(client: Any) -> dict[str, str]:
    await make_user("kepala", Role.SUPERVISOR, ["17.06"])
    return bearer(await login(client, "kepala"))


async def _approve(client: Any, staff: dict[str, str], visit_id: uuid.UUID) -> Any:
    return await client.post(f"/api/v1/visits/{visit_id}/decisions",
                             json={"decision": "approve"}, headers=staff)  # fmt: skip


async def test_the_approved_proposal_holds_its_members_as_proposed(app_client, phone, field):
    staff = await _supervisor(app_client)
    answers = usulan_v2_submission()
    visit_id = await _propose(app_client, phone, field, answers)
    detail = (await app_client.get(f"/api/v1/visits/{visit_id}", headers=staff)).json()
    assert not [f for f in detail["flags"] if f["code"].startswith("proposal_")]
    assert len(detail["answers"]["members"]) == 3

    approved = await _approve(app_client, staff, visit_id)
    assert approved.status_code == 201, approved.text
    household = await Household.select().where(Household.proposed_by_visit == visit_id).first()
    assert household["status"] == "proposed" and household["member_count"] == 4
    members = await (
        HouseholdMember.select(
            HouseholdMember.position, HouseholdMember.nik, HouseholdMember.name,
            HouseholdMember.sex, HouseholdMember.birth_date, HouseholdMember.relationship,
        )
        .where(HouseholdMember.household == household["id"])
        .order_by(HouseholdMember.position)
    )  # fmt: skip
    assert [(m["position"], m["nik"], m["relationship"]) for m in members] == [
        (0, answers["head_nik"], "1"),
        *[(i + 1, m["nik"], m["relationship"]) for i, m in enumerate(answers["members"])],
    ]
    assert members[1]["name"] == "Siti Aminah" and members[1]["sex"] == "2"
    assert members[3]["birth_date"] == date(2024, 1, 21)
    event = await (
        AuditEvent.select()
        .where(AuditEvent.action == "household.proposed")
        .output(load_json=True)
        .first()
    )
    assert event["details"]["members"] == 4
    assert all(m["nik"] not in str(event["details"]) for m in answers["members"])


async def test_a_member_already_in_the_register_is_flagged_and_blocks_approval(
    app_client, phone, field
):
    staff = await _supervisor(app_client)
    other = field.household_ids[1]
    taken = (await HouseholdMember.select(HouseholdMember.nik)
             .where(HouseholdMember.household == other).first())["nik"]  # fmt: skip
    answers = usulan_v2_submission()
    answers["members"][1]["nik"] = taken
    visit_id = await _propose(app_client, phone, field, answers)
    detail = (await app_client.get(f"/api/v1/visits/{visit_id}", headers=staff)).json()
    flags = [f for f in detail["flags"] if f["code"] == "proposal_nik_in_register"]
    assert [f["evidence"] for f in flags] == [{"member_index": 1, "other_household_id": other}]
    assert taken not in str(flags)

    refused = await _approve(app_client, staff, visit_id)
    assert refused.status_code == 409 and refused.json()["code"] == "proposal_in_register"
    assert refused.json()["other_household_ids"] == [other]
    assert await Household.count().where(Household.status == "proposed") == 0
    assert (await Visit.select(Visit.state).where(Visit.id == visit_id).first())["state"] == (
        "complete"
    )


async def test_one_nik_twice_in_a_proposal_cannot_be_approved(app_client, phone, field):
    staff = await _supervisor(app_client)
    answers = usulan_v2_submission()
    answers["members"][2]["nik"] = answers["members"][0]["nik"]
    visit_id = await _propose(app_client, phone, field, answers)
    refused = await _approve(app_client, staff, visit_id)
    assert refused.status_code == 409 and refused.json()["code"] == "proposal_nik_repeated"
    assert await HouseholdMember.count().where(HouseholdMember.nik == answers["head_nik"]) == 0
