"""The decision state machine through the HTTP API: every transition, allowed and refused,
comments, roles and regions, concurrent reviewers, and decisions as final records."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest

from api.audit.tables import AuditEvent
from api.registry.tables import Assignment, AssignmentChange
from api.review.tables import Decision
from api.review.transitions import TRANSITIONS, DecisionKind, allowed, next_state
from api.visits.schemas import VisitState
from api.visits.tables import Visit
from auth.roles import Role
from tests.review.conftest import Reviewers, problem_code
from tests.review.support import insert_visit, make_assignment, make_household, make_round
from tests.support.users import bearer, login, make_user

VILLAGE = "17.06.01.2005"
FOREIGN_VILLAGE = "17.06.05.2001"
COMMENT = "Foto dapur kurang jelas, mohon diulang."

# (state, decision) → the state after it, or None when refused with 409. SPEC §7.
EXPECTED: dict[tuple[str, str], str | None] = {
    ("submitted", "approve"): None,  # photos pending
    ("submitted", "return"): "returned",
    ("submitted", "escalate"): "escalated",
    ("complete", "approve"): "approved",
    ("complete", "return"): "returned",
    ("complete", "escalate"): "escalated",
    ("escalated", "approve"): "approved",
    ("escalated", "return"): "returned",
    ("escalated", "escalate"): None,
    ("approved", "approve"): None,
    ("approved", "return"): "returned",  # a change of mind
    ("approved", "escalate"): "escalated",
    ("returned", "approve"): None,  # a revisit is pending
    ("returned", "return"): None,
    ("returned", "escalate"): "escalated",
}


def test_the_table_in_the_code_is_the_table_in_the_spec():
    for (state, decision), target in EXPECTED.items():
        moved = TRANSITIONS[VisitState(state)].get(DecisionKind(decision))
        if state == "submitted" and decision == "approve":
            assert moved is None
        assert (moved.value if moved else None) == target, (state, decision)
    assert allowed(VisitState.COMPLETE, photos_pending=True) == [
        DecisionKind.RETURN,
        DecisionKind.ESCALATE,
    ]
    with pytest.raises(Exception, match="photos are still missing"):
        next_state(VisitState.ESCALATED, DecisionKind.APPROVE, photos_pending=True)


@pytest.fixture
async def desk(client, database):
    """A round, households in the own and a foreign village, an enumerator, reviewers."""
    enumerator = await make_user("siti", Role.ENUMERATOR, ["17.06.01"])
    reviewers = Reviewers(client)
    reviewers.headers["siti"] = bearer(await login(client, "siti"))
    round_id = await make_round()
    return {
        "client": client,
        "as": reviewers,
        "round_id": round_id,
        "enumerator_id": enumerator.id,
        "database": database,
    }


async def _visit(desk, state: str, *, village: str = VILLAGE, number: int = 0, **kwargs):
    household = await make_household(village, number)
    assignment = await make_assignment(desk["round_id"], household, desk["enumerator_id"], village)
    visit_id = await insert_visit(
        household_id=household,
        round_id=desk["round_id"],
        region_code=village,
        enumerator_id=desk["enumerator_id"],
        state=state,
        **kwargs,
    )
    return visit_id, assignment


async def _decide(desk, visit_id, decision, comment=COMMENT, who="sari"):
    body = {"decision": decision}
    if comment is not None:
        body["comment"] = comment
    return await desk["client"].post(
        f"/api/v1/visits/{visit_id}/decisions", json=body, headers=await desk["as"](who)
    )


async def test_every_transition_allowed_and_refused(desk):
    for number, ((state, decision), target) in enumerate(EXPECTED.items()):
        photos = {"photos_declared": 3, "photos_stored": 1} if state == "submitted" else {}
        visit_id, _ = await _visit(desk, state, number=number, **photos)
        response = await _decide(desk, visit_id, decision)
        row = await Visit.select(Visit.state).where(Visit.id == visit_id).first()
        if target is None:
            assert response.status_code == 409, (state, decision, response.text)
            body = response.json()
            assert body["code"] == "invalid_transition"
            assert body["state"] == state and body["decision"] == decision
            assert decision not in body["allowed"]
            if state == "submitted":
                assert body["reason"] == "photos_pending"
            assert row["state"] == state  # nothing moved
            assert await Decision.count().where(Decision.visit == visit_id) == 0
        else:
            assert response.status_code == 201, (state, decision, response.text)
            body = response.json()
            assert body["visit_state"] == target and row["state"] == target
            assert body["decision"]["decision"] == decision
            assert body["decision"]["from_state"] == state
            assert body["decision"]["to_state"] == target
            assert body["decision"]["reviewer_name"] == "Sari"


async def test_approve_is_refused_while_photos_are_missing_in_any_state(desk):
    visit_id, _ = await _visit(desk, "escalated", photos_declared=3, photos_stored=2)
    response = await _decide(desk, visit_id, "approve")
    assert response.status_code == 409 and response.json()["reason"] == "photos_pending"
    assert response.json()["allowed"] == ["return"]


@pytest.mark.parametrize("decision", ["return", "escalate"])
@pytest.mark.parametrize("comment", [None, "", "   \n "])
async def test_return_and_escalate_need_a_comment(desk, decision, comment):
    visit_id, _ = await _visit(desk, "complete")
    response = await _decide(desk, visit_id, decision, comment=comment)
    assert response.status_code == 422 and problem_code(response) == "comment_required"
    assert await Decision.count() == 0


async def test_approve_needs_no_comment_and_bad_bodies_are_400(desk):
    visit_id, _ = await _visit(desk, "complete")
    assert (await _decide(desk, visit_id, "approve", comment=None)).status_code == 201
    other, _ = await _visit(desk, "complete", number=1)
    for body in [{"decision": "delete"}, {"decision": "approve", "extra": 1}, {}]:
        response = await desk["client"].post(
            f"/api/v1/visits/{other}/decisions", json=body, headers=await desk["as"]("sari")
        )
        assert response.status_code == 400, body
    assert (await _decide(desk, other, "return", comment="x" * 2001)).status_code == 400
    # A NUL is refused the same way on both databases, before the body is read (issue 16).
    nul = await _decide(desk, other, "return", comment="nul \x00 byte")
    assert nul.status_code == 422 and nul.json()["code"] == "nul_character"


async def test_roles_and_regions(desk):
    own, _ = await _visit(desk, "complete")
    foreign, _ = await _visit(desk, "complete", village=FOREIGN_VILLAGE, number=1)
    for who in ("audra", "siti"):  # auditors are read-only; enumerators review nothing
        response = await _decide(desk, own, "escalate", who=who)
        assert response.status_code == 403 and problem_code(response) == "role_forbidden"
    response = await _decide(desk, foreign, "escalate", who="sari")
    assert response.status_code == 404 and problem_code(response) == "visit_not_found"
    assert (await _decide(desk, foreign, "escalate", who="joko")).status_code == 201
    assert (await _decide(desk, own, "escalate", who="root")).status_code == 201
    missing = await _decide(desk, "3f1e2d3c-0000-4000-8000-000000000000", "approve", None)
    assert missing.status_code == 404


async def test_return_reopens_the_assignment_in_the_same_transaction(desk):
    visit_id, assignment_id = await _visit(desk, "complete")
    seq_before = await AssignmentChange.count()
    response = await _decide(desk, visit_id, "return")
    assert response.status_code == 201 and response.json()["assignment_id"] == assignment_id
    row = await Assignment.select().where(Assignment.id == assignment_id).first()
    assert row["state"] == "returned" and row["returned_comment"] == COMMENT
    logged = await AssignmentChange.select().where(AssignmentChange.assignment_id == assignment_id)
    assert len(logged) == 1 and logged[0]["enumerator_id"] == desk["enumerator_id"]
    assert await AssignmentChange.count() == seq_before + 1

    # A change of mind: escalate, then approve; the approval withdraws the pending return.
    assert (await _decide(desk, visit_id, "escalate")).status_code == 201
    approved = await _decide(desk, visit_id, "approve", comment=None)
    assert approved.status_code == 201 and approved.json()["assignment_id"] == assignment_id
    row = await Assignment.select().where(Assignment.id == assignment_id).first()
    assert row["state"] == "visited" and row["returned_comment"] is None
    assert await AssignmentChange.count() == seq_before + 2


async def test_every_decision_is_a_new_record_and_an_audit_event(desk):
    visit_id, _ = await _visit(desk, "complete")
    steps = [("escalate", "escalated"), ("return", "returned"), ("escalate", "escalated")]
    steps += [("approve", "approved"), ("return", "returned")]
    for decision, state in steps:
        response = await _decide(desk, visit_id, decision)
        assert response.status_code == 201 and response.json()["visit_state"] == state
    rows = await Decision.select().where(Decision.visit == visit_id).order_by(Decision.id)
    assert [(r["decision"], r["to_state"]) for r in rows] == steps
    assert [r["from_state"] for r in rows] == ["complete", *[s for _, s in steps[:-1]]]
    events = (
        await AuditEvent.select()
        .where(AuditEvent.action == "visit.decision")
        .order_by(AuditEvent.seq)
        .output(load_json=True)
    )
    assert [e["object_id"] for e in events] == [str(visit_id)] * len(steps)
    assert all(e["region_code"] == VILLAGE for e in events)
    assert [e["details"]["decision_id"] for e in events] == [r["id"] for r in rows]
    digest = hashlib.sha256(COMMENT.encode()).hexdigest()
    for event in events:
        assert event["details"]["comment_sha256"] in (digest, None)
        # Only a digest and a length of the comment: no text, no personal data.
        assert "Foto" not in json.dumps(event["details"])
    assert events[3]["details"]["comment_length"] == len(COMMENT)

    detail = await desk["client"].get(
        f"/api/v1/visits/{visit_id}", headers=await desk["as"]("sari")
    )
    assert [d["decision"] for d in detail.json()["decisions"]] == [d for d, _ in steps]
    assert detail.json()["allowed_decisions"] == ["escalate"]


async def test_concurrent_reviewers_cannot_both_win(desk):
    visit_id, _ = await _visit(desk, "complete")
    responses = await asyncio.gather(
        _decide(desk, visit_id, "approve", comment=None),
        _decide(desk, visit_id, "approve", comment=None, who="root"),
    )
    assert sorted(r.status_code for r in responses) == [201, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert problem_code(loser) in {"invalid_transition", "state_changed"}
    assert await Decision.count().where(Decision.visit == visit_id) == 1


# The trigger is PostgreSQL's (SQLite relies on the service and the audit chain): this
# test runs on PostgreSQL only, by narrowing the database parametrisation.
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_decisions_cannot_be_edited_or_deleted_on_postgres(desk):
    visit_id, _ = await _visit(desk, "complete")
    assert (await _decide(desk, visit_id, "escalate")).status_code == 201
    with pytest.raises(Exception, match="final"):
        await Decision.update({Decision.comment: "forged"}).where(Decision.visit == visit_id)
    with pytest.raises(Exception, match="final"):
        await Decision.delete().where(Decision.visit == visit_id)
    assert await Decision.count() == 1
