"""End to end through the HTTP API: a supervisor returns a visit, the household reappears on
the enumerator's phone at its next ``?since=`` sync with the comment, the revisit links to
the returned visit; then the auditor follows the household's whole trail."""

from __future__ import annotations

import json
import uuid

from api.audit.tables import AuditEvent
from api.registry.tables import Assignment
from tests.review.conftest import Reviewers, problem_code
from tests.review.flow import BASELINE_MEMBERS, give_household_a_baseline, send_visit
from tests.support.field import photos_for, visit_body

COMMENT = "Foto dalam rumah buram; mohon kunjungi ulang dan foto lantai."


async def _sync(client, phone, since=None):
    params = {"since": since} if since else {}
    response = await client.get("/api/v1/assignments", params=params, headers=phone)
    assert response.status_code == 200, response.text
    return response.json()


async def test_return_reaches_the_phone_and_the_revisit_links_back(app_client, phone, field):
    household = field.household_ids[0]
    first = await _sync(app_client, phone)
    assert first["full"] and len(first["assignments"]) == 3
    mine = next(a for a in first["assignments"] if a["household"]["id"] == household)
    assert mine["state"] == "open" and mine["returned_comment"] is None
    assert mine["returned_visit_id"] is None

    visit_id, _ = await send_visit(app_client, phone, field, household)
    after_visit = await _sync(app_client, phone, first["cursor"])
    assert [a["state"] for a in after_visit["assignments"]] == ["visited"]

    sari = await Reviewers(app_client)("sari")
    decided = await app_client.post(
        f"/api/v1/visits/{visit_id}/decisions",
        json={"decision": "return", "comment": COMMENT},
        headers=sari,
    )
    assert decided.status_code == 201, decided.text
    result = decided.json()
    assert result["visit_state"] == "returned"
    assert result["assignment_id"] == mine["assignment_id"]
    assert result["decision"]["comment"] == COMMENT
    assert result["allowed_decisions"] == ["escalate"]

    # The phone's next delta sync carries exactly that assignment, reopened, with the comment.
    delta = await _sync(app_client, phone, after_visit["cursor"])
    assert not delta["full"] and delta["removed"] == []
    assert len(delta["assignments"]) == 1
    reopened = delta["assignments"][0]
    assert reopened["assignment_id"] == mine["assignment_id"]
    assert reopened["state"] == "returned" and reopened["returned_comment"] == COMMENT
    # ...and names the visit to redo, which the phone sends back as revisit_of.
    assert reopened["returned_visit_id"] == str(visit_id)
    assert (await _sync(app_client, phone, delta["cursor"]))["assignments"] == []

    # revisit_of must name a returned visit of the same household.
    for wrong, household_id in [
        (uuid.uuid4(), household),  # no such visit
        (visit_id, field.household_ids[1]),  # another household's
    ]:
        photos = photos_for(["house_front"], seed=7)
        body = visit_body(field, household_id, photos, outcome="not_home")
        body["revisit_of"] = str(wrong)
        response = await app_client.put(f"/api/v1/visits/{uuid.uuid4()}", json=body, headers=phone)
        assert response.status_code == 422 and problem_code(response) == "invalid_revisit"

    revisit_id, _ = await send_visit(
        app_client, phone, field, household, seed=3, revisit_of=str(visit_id)
    )
    row = await Assignment.select().where(Assignment.id == mine["assignment_id"]).first()
    assert row["state"] == "visited"
    queue = await app_client.get("/api/v1/visits", headers=sari)
    newest = queue.json()["items"][0]
    assert newest["visit_id"] == str(revisit_id) and newest["revisit_of"] == str(visit_id)
    old = (await app_client.get(f"/api/v1/visits/{visit_id}", headers=sari)).json()
    assert old["revisits"] == [str(revisit_id)] and old["state"] == "returned"
    assert [d["decision"] for d in old["decisions"]] == ["return"]

    # A visit that is not (or no longer) returned cannot be revisited.
    photos = photos_for(["house_front"], seed=8)
    body = visit_body(field, household, photos, outcome="not_home")
    body["revisit_of"] = str(revisit_id)  # complete, not returned
    response = await app_client.put(f"/api/v1/visits/{uuid.uuid4()}", json=body, headers=phone)
    assert response.status_code == 422 and problem_code(response) == "invalid_revisit"


async def test_household_trail_for_auditors(app_client, phone, field):
    household = field.household_ids[0]
    await give_household_a_baseline(household)
    reviewers = Reviewers(app_client)
    visit_id, photos = await send_visit(app_client, phone, field, household)
    sari = await reviewers("sari")
    returned = await app_client.post(
        f"/api/v1/visits/{visit_id}/decisions",
        json={"decision": "return", "comment": COMMENT},
        headers=sari,
    )
    assert returned.status_code == 201
    revisit_id, more_photos = await send_visit(
        app_client, phone, field, household, seed=4, revisit_of=str(visit_id)
    )
    assert (
        await app_client.post(
            f"/api/v1/visits/{revisit_id}/decisions", json={"decision": "approve"}, headers=sari
        )
    ).status_code == 201

    response = await app_client.get(
        f"/api/v1/households/{household}/trail", headers=await reviewers("audra")
    )
    assert response.status_code == 200, response.text
    trail = response.json()
    assert trail["household"]["id"] == household
    assert trail["household"]["kk_number"].count("\u2022") == 8
    assert (trail["visits"], trail["photos"], trail["decisions"]) == (2, 6, 2)
    entries = trail["entries"]
    times = [entry["at"] for entry in entries]
    assert times == sorted(times, key=lambda t: t.replace("Z", "+00:00"))

    by_kind: dict[str, list] = {}
    for entry in entries:
        by_kind.setdefault(entry["kind"], []).append(entry)
    assert [v["visit_id"] for v in by_kind["visit"]] == [str(visit_id), str(revisit_id)]
    assert by_kind["visit"][1]["revisit_of"] == str(visit_id)
    assert by_kind["visit"][0]["content_hash"] and by_kind["visit"][0]["enumerator_name"] == "Siti"
    sent = {p.sha256: p for p in [*photos, *more_photos]}
    assert {p["sha256"] for p in by_kind["photo"]} == set(sent)
    for photo in by_kind["photo"]:
        assert photo["size"] == len(sent[photo["sha256"]].data)
        assert photo["captured_at"] and photo["gps"]["lat"] and photo["received_at"]
        assert photo["taken_by"] == "Siti" and photo["stored"] is True
    assert [d["decision"]["decision"] for d in by_kind["decision"]] == ["return", "approve"]
    assert by_kind["flag"] and all(f["flag"]["message"]["id"] for f in by_kind["flag"])
    actions = [e["action"] for e in by_kind["audit_event"]]
    assert actions.count("visit.received") == 2 and actions.count("photo.received") == 6
    assert actions.count("visit.completed") == 2 and actions.count("visit.decision") == 2
    seqs = [e["seq"] for e in by_kind["audit_event"]]
    assert seqs == sorted(seqs)
    assert len(by_kind["audit_event"]) == await AuditEvent.count().where(
        AuditEvent.object_id.is_in(
            [str(visit_id), str(revisit_id), *[str(p.id) for p in [*photos, *more_photos]]]
        )
    )
    for event in by_kind["audit_event"]:
        assert len(event["event_hash"]) == 64 and len(event["prev_hash"]) == 64
    # People are named: the enumerator sent the visits, the supervisor decided.
    named = {e["action"]: e["actor_name"] for e in by_kind["audit_event"]}
    assert named["visit.received"] == "Siti" and named["visit.decision"] == "Sari"
    # A trail is a list: never an identity number, never a comment's text in the chain.
    for member in BASELINE_MEMBERS:
        assert member["nik"] not in response.text
    decision_events = [e for e in by_kind["audit_event"] if e["action"] == "visit.decision"]
    assert COMMENT not in json.dumps(decision_events)

    # Who may follow it: readers of the region; enumerators never; others get 404.
    url = f"/api/v1/households/{household}/trail"
    assert (await app_client.get(url, headers=sari)).status_code == 200
    assert (await app_client.get(url, headers=await reviewers("root"))).status_code == 200
    forbidden = await app_client.get(url, headers=phone)
    assert forbidden.status_code == 403 and problem_code(forbidden) == "role_forbidden"
    for outsider in ("joko", "ivan"):
        response = await app_client.get(url, headers=await reviewers(outsider))
        assert response.status_code == 404 and problem_code(response) == "household_not_found"
    foreign = f"/api/v1/households/{field.foreign_household_id}/trail"
    assert (await app_client.get(foreign, headers=sari)).status_code == 404
    assert (await app_client.get(foreign, headers=await reviewers("joko"))).status_code == 200
    response = await app_client.get("/api/v1/households/999999/trail", headers=sari)
    assert response.status_code == 404
    for beyond in (2**63, 10**30):  # beyond any id: refused as bad input (issue 16)
        response = await app_client.get(f"/api/v1/households/{beyond}/trail", headers=sari)
        assert response.status_code == 400, beyond
