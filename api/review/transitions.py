"""The review state machine (SPEC §7): which decision moves a visit from which state.

    state        approve      return       escalate
    ---------    ---------    ---------    ---------
    submitted    refused¹     returned     escalated
    complete     approved     returned     escalated
    escalated    approved     returned     refused
    approved     refused      returned     escalated     (a change of mind)
    returned     refused      refused      escalated     (a revisit is pending)

¹ ``submitted`` means photos are still on their way: nobody approves a visit whose
evidence has not arrived. The same holds in any state: approve is refused while a
declared photo is missing (a visit escalated before its photos arrived stays escalated
when they do).

``submitted → complete`` is not a decision: intake moves the visit when its last photo
is stored. ``return`` and ``escalate`` need a comment. A refused transition is 409
``invalid_transition``; the answer lists the decisions the state allows.
"""

from __future__ import annotations

from enum import StrEnum

from api.errors import Conflict
from api.visits.schemas import VisitState


class DecisionKind(StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    ESCALATE = "escalate"


NEEDS_COMMENT = frozenset({DecisionKind.RETURN, DecisionKind.ESCALATE})

TRANSITIONS: dict[VisitState, dict[DecisionKind, VisitState]] = {
    VisitState.SUBMITTED: {
        DecisionKind.RETURN: VisitState.RETURNED,
        DecisionKind.ESCALATE: VisitState.ESCALATED,
    },
    VisitState.COMPLETE: {
        DecisionKind.APPROVE: VisitState.APPROVED,
        DecisionKind.RETURN: VisitState.RETURNED,
        DecisionKind.ESCALATE: VisitState.ESCALATED,
    },
    VisitState.ESCALATED: {
        DecisionKind.APPROVE: VisitState.APPROVED,
        DecisionKind.RETURN: VisitState.RETURNED,
    },
    VisitState.APPROVED: {
        DecisionKind.RETURN: VisitState.RETURNED,
        DecisionKind.ESCALATE: VisitState.ESCALATED,
    },
    VisitState.RETURNED: {
        DecisionKind.ESCALATE: VisitState.ESCALATED,
    },
}


def allowed(state: VisitState, *, photos_pending: bool) -> list[DecisionKind]:
    """The decisions a visit in ``state`` accepts, in a stable order."""
    return [
        kind
        for kind in DecisionKind
        if kind in TRANSITIONS[state] and not (kind is DecisionKind.APPROVE and photos_pending)
    ]


def next_state(state: VisitState, decision: DecisionKind, *, photos_pending: bool) -> VisitState:
    """The state after ``decision``, or 409 ``invalid_transition`` saying why not."""
    target = TRANSITIONS[state].get(decision)
    if target is None or (decision is DecisionKind.APPROVE and photos_pending):
        reason = (
            "photos_pending"
            if decision is DecisionKind.APPROVE
            and (photos_pending or state is VisitState.SUBMITTED)
            else "not_allowed"
        )
        raise Conflict(
            f"A visit that is {state.value} cannot be given the decision {decision.value}"
            + (" while photos are still missing." if reason == "photos_pending" else "."),
            code="invalid_transition",
            extra={
                "state": state.value,
                "decision": decision.value,
                "reason": reason,
                "allowed": [k.value for k in allowed(state, photos_pending=photos_pending)],
            },
        )
    return target
