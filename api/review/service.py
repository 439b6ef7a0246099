"""Review: the supervisors' queue, the visit detail for review, decisions, and the trail.

Decisions follow the state machine of :mod:`api.review.transitions`. Each decision is
one transaction: the visit's state (compare-and-set, so two reviewers deciding at once
cannot both win), the decision row, the assignment when a return reopens it (with its
change-log entry, so the household reappears at the phone's next ``?since=`` sync), and
the audit event. Lock order: the visit row, then (return, or approve after a return)
the assignment change log and the assignment row, then the audit chain.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from api import db
from api.audit.service import Actor, append_event
from api.civil_registry import findings as civil_findings
from api.errors import Conflict, DomainError, NotFound, Unprocessable
from api.forms.service import compiled_form
from api.registry import changes, proposals
from api.registry.queries import region_names
from api.review import access, compare, queries, related
from api.review.queries import Keyset, QueueFilters
from api.review.schemas import (
    BaselineView,
    CivilFindingView,
    DecisionOut,
    DecisionRequest,
    DecisionResult,
    HouseholdBrief,
    HouseholdTrail,
    PhotoLinks,
    QueueFlag,
    QueueItem,
    QueuePage,
    ReviewPhoto,
    ReviewVisitDetail,
    StateCounts,
    TrailAuditEvent,
    TrailDecision,
    TrailEntry,
    TrailFlag,
    TrailPhoto,
    TrailVisit,
)
from api.review.tables import Decision
from api.review.transitions import NEEDS_COMMENT, DecisionKind, allowed, next_state
from api.visits import service as visits_service
from api.visits import thumbnails
from api.visits.flags import describe_flag
from api.visits.schemas import FormRef, GpsFix, Outcome, PhotoKind, VisitState
from api.visits.tables import Photo
from auth.roles import Principal
from media.store import ObjectStore
from survey_forms import CompiledForm, mask_nik

PHOTO_LINK_LIFETIME = timedelta(minutes=5)
MAX_BIGINT = 2**63 - 1
SEVERITY_RANK = {"info": 1, "warning": 2, "critical": 3}
# Outcomes whose visit carries the form's answers (compared with the baseline).
INTERVIEWED = {Outcome.FOUND.value, Outcome.NEW_HOUSEHOLD.value}


def _now() -> datetime:
    return datetime.now(UTC)


# --- the queue ---------------------------------------------------------------------------


class InvalidCursor(DomainError):
    status_code = 400
    code = "invalid_cursor"


def encode_cursor(received_at: datetime, visit_id: uuid.UUID) -> str:
    text = f"{received_at.astimezone(UTC).isoformat(timespec='microseconds')}|{visit_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Keyset:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, visit_id = text.split("|")
        received_at = datetime.fromisoformat(moment)
        if received_at.tzinfo is None:
            raise ValueError("naive")
        return Keyset(received_at.astimezone(UTC), uuid.UUID(visit_id))
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise InvalidCursor("The cursor is not valid; start from the first page.") from None


def _top_severity(found: set[str]) -> str | None:
    return max(found, key=lambda s: SEVERITY_RANK.get(s, 0)) if found else None


def _queue_flags(pairs: list[tuple[str, str]]) -> list[QueueFlag]:
    ordered = sorted(pairs, key=lambda p: (-SEVERITY_RANK.get(p[1], 0), p[0]))
    return [QueueFlag(code=code, severity=severity) for code, severity in ordered]


async def queue(
    principal: Principal,
    filters: QueueFilters,
    cursor: str | None,
    limit: int,
    *,
    descending: bool = True,
) -> QueuePage:
    after = decode_cursor(cursor) if cursor else None
    rows = await queries.queue_rows(principal, filters, after, limit + 1, descending=descending)
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [row["id"] for row in rows]
    flags = await queries.queue_flags([row["id"] for row in rows if row["flag_count"]])
    villages = await region_names({row["region_code"] for row in rows})
    names = await queries.user_names({row["enumerator_id"] for row in rows})
    briefs = await queries.household_briefs(
        {row["household_id"] for row in rows if row["household_id"] is not None}
    )
    items = [
        QueueItem(
            visit_id=row["id"],
            household_id=row["household_id"],
            proposed_household=row["proposed_household"],
            round_id=row["round_id"],
            region_code=row["region_code"],
            village_name=villages.get(row["region_code"], ""),
            head_name=briefs.get(row["household_id"], {}).get("head_name"),
            rt=briefs.get(row["household_id"], {}).get("rt"),
            rw=briefs.get(row["household_id"], {}).get("rw"),
            decile=briefs.get(row["household_id"], {}).get("decile"),
            enumerator_id=row["enumerator_id"],
            enumerator_name=names.get(row["enumerator_id"], ""),
            outcome=row["outcome"],
            eligibility=row["eligibility"],
            state=row["state"],
            started_at=row["started_at"],
            received_at=row["received_at"],
            flag_count=row["flag_count"],
            top_severity=_top_severity({sev for _, sev in flags.get(row["id"], [])}),
            flags=_queue_flags(flags.get(row["id"], [])),
            photos_stored=row["photos_stored"],
            photos_declared=row["photos_declared"],
            revisit_of=row["revisit_of"],
        )
        for row in rows
    ]
    next_cursor = encode_cursor(rows[-1]["received_at"], ids[-1]) if more and rows else None
    return QueuePage(items=items, next_cursor=next_cursor, limit=limit)


async def counts(principal: Principal, filters: QueueFilters) -> StateCounts:
    found = await queries.state_counts(principal, filters)
    per_state = {state.value: found.get(state.value, 0) for state in VisitState}
    return StateCounts(**per_state, total=sum(found.values()))


# --- the review detail -------------------------------------------------------------------


def _decision_out(row: dict[str, Any]) -> DecisionOut:
    return DecisionOut(
        id=row["id"],
        visit_id=row["visit"],
        decision=DecisionKind(row["decision"]),
        comment=row["comment"],
        reviewer_id=row["reviewer"],
        reviewer_name=row.get("reviewer_name") or "",
        from_state=VisitState(row["from_state"]),
        to_state=VisitState(row["to_state"]),
        created_at=row["created_at"],
    )


def _allowed_for(
    principal: Principal, state: VisitState, region_code: str, photos_pending: bool
) -> list[DecisionKind]:
    if not access.may_decide(principal, region_code):
        return []
    return allowed(state, photos_pending=photos_pending)


async def _links(
    store: ObjectStore,
    photo: dict[str, Any],
    expires_at: datetime,
    *,
    thumbnail_link_key: bytes | None = None,
) -> PhotoLinks:
    async def url(key: str | None) -> str | None:
        return await store.presigned_get_url(key, PHOTO_LINK_LIFETIME) if key else None

    original = await url(photo["storage_key"])
    assert original is not None
    if photo["thumbnail_key"] == thumbnails.IN_ROW_THUMBNAIL:
        # In the photo's row, not the object store: the API's own signed link.
        thumbnail = (
            thumbnails.thumbnail_url(thumbnail_link_key, photo["id"], PHOTO_LINK_LIFETIME)
            if thumbnail_link_key is not None
            else None
        )
    else:
        thumbnail = await url(photo["thumbnail_key"])
    return PhotoLinks(
        display=await url(photo["display_key"]),
        thumbnail=thumbnail,
        original=original,
        expires_at=expires_at,
    )


async def _form_or_none(form_id: str, version: int) -> CompiledForm | None:
    try:
        return await compiled_form(form_id, version)
    except DomainError:
        return None


def _household_brief(
    row: dict[str, Any], village_name: str, *, show_identity: bool
) -> HouseholdBrief:
    kk = row["kk_number"] or ""
    return HouseholdBrief(
        id=row["id"],
        region_code=row["region_code"],
        village_name=village_name,
        address=row["address"],
        rt=row["rt"],
        rw=row["rw"],
        head_name=row["head_name"],
        kk_number=kk if show_identity else mask_nik(kk),
        latitude=row["latitude"],
        longitude=row["longitude"],
        status=row["status"],
        decile=row.get("decile"),
    )


async def visit_detail(
    principal: Principal,
    visit_id: uuid.UUID,
    store: ObjectStore,
    *,
    thumbnail_link_key: bytes | None = None,
) -> ReviewVisitDetail:
    """``GET /api/v1/visits/{id}``: the intake detail, extended for review.

    Visible to the visit's enumerator and to staff and auditors of its region (404
    otherwise, see ``api.visits.service.visible_visit``).
    """
    base = await visits_service.visit_detail(principal, visit_id)
    region = base.region_code
    show_identity = access.may_see_identity(principal, region)
    form = await _form_or_none(base.form.id, base.form.version)
    answers = base.answers if show_identity else compare.mask_answers(form, base.answers)

    photo_rows = {
        p["id"]: p
        for p in await Photo.select(
            Photo.id,
            Photo.kind,
            Photo.stored_at,
            Photo.storage_key,
            Photo.display_key,
            Photo.thumbnail_key,
        ).where(Photo.visit == visit_id)
    }
    expires_at = _now() + PHOTO_LINK_LIFETIME
    photos: list[ReviewPhoto] = []
    for photo in base.photos:
        stored = photo_rows.get(photo.id, {})
        links = None
        if stored.get("storage_key") and access.may_link_photo(principal, region, photo.kind):
            links = await _links(store, stored, expires_at, thumbnail_link_key=thumbnail_link_key)
        photos.append(
            ReviewPhoto(
                **photo.model_dump(),
                sensitive=access.is_sensitive(photo.kind),
                received_at=stored.get("stored_at"),
                links=links,
            )
        )

    household = None
    baseline = None
    if base.household_id is not None:
        household_row = await queries.household(principal, base.household_id)
        # The visit is visible, so its household is too: both are scoped to one village.
        if household_row is not None:
            names = await region_names({household_row["region_code"]})
            household = _household_brief(
                household_row,
                names.get(household_row["region_code"], ""),
                show_identity=show_identity,
            )
            members = await queries.household_members(base.household_id)
            if form is not None and base.outcome.value in INTERVIEWED:
                baseline_answers = household_row["baseline"] or {}
                baseline = BaselineView(
                    answers=baseline_answers,
                    members=compare.baseline_members_out(members, show_identity=show_identity),
                    changes=compare.answer_changes(
                        form, baseline_answers, base.answers, show_identity=show_identity
                    ),
                    member_changes=compare.member_changes(
                        form,
                        members,
                        base.answers,
                        show_identity=show_identity,
                        region_names=await region_names(compare.moved_to_regions(base.answers)),
                    ),
                )

    decisions = [_decision_out(d) for d in await queries.decisions_of([visit_id])]
    villages = await region_names({region})
    enumerators = await queries.user_names({base.enumerator_id})
    return ReviewVisitDetail(
        **{**base.model_dump(exclude={"photos"}), "answers": answers},
        photos=photos,
        village_name=villages.get(region, ""),
        enumerator_name=enumerators.get(base.enumerator_id, ""),
        household=household,
        baseline=baseline,
        decisions=decisions,
        allowed_decisions=_allowed_for(principal, base.state, region, bool(base.missing_photos)),
        revisits=await queries.revisits_of(visit_id),
        identity_numbers_visible=show_identity,
        related_photos=await related.related_photos(
            principal,
            [f.model_dump() for f in base.flags],
            store,
            partial(_links, thumbnail_link_key=thumbnail_link_key),
            expires_at,
        ),
        civil_registry_findings=await _civil_findings(base.household_id),
    )


async def _civil_findings(household_id: int | None) -> list[CivilFindingView]:
    if household_id is None:
        return []
    return [
        CivilFindingView(
            id=f.id,
            kind=f.kind,
            label=f.label,
            member_id=f.member_id,
            member_name=f.member_name,
            evidence=f.evidence,
            hint=f.hint,
            state=f.state,
            closed_by_visit=f.closed_by_visit,
        )
        for f in await civil_findings.for_household(household_id)
    ]


# --- decisions ---------------------------------------------------------------------------


def _comment_details(comment: str | None) -> dict[str, Any]:
    """What the audit chain keeps of a comment: its digest and length, never the text."""
    if not comment:
        return {"comment_sha256": None, "comment_length": 0}
    return {
        "comment_sha256": hashlib.sha256(comment.encode()).hexdigest(),
        "comment_length": len(comment),
    }


async def decide(
    principal: Principal, visit_id: uuid.UUID, request: DecisionRequest
) -> DecisionResult:
    """Record one decision; 404 outside the caller's regions, 409 for a refused move."""
    kind = request.decision
    comment = (request.comment or "").strip() or None
    if kind in NEEDS_COMMENT and comment is None:
        raise Unprocessable(
            f"A {kind.value} needs a comment for the enumerator.",
            code="comment_required",
            extra={"errors": [{"path": "comment", "code": "required"}]},
        )
    now = _now()
    async with db.write_transaction():
        visit = await queries.visit_for_decision(principal, visit_id)
        if visit is None or not access.may_decide(principal, visit["region_code"]):
            raise NotFound("No such visit.", code="visit_not_found")
        current = VisitState(visit["state"])
        pending = visit["photos_stored"] < visit["photos_declared"]
        target = next_state(current, kind, photos_pending=pending)
        if not await queries.move_state(visit_id, current.value, target.value):
            raise Conflict(
                "Another decision changed this visit first; reload it.",
                code="state_changed",
            )
        assignment_id = await _settle_assignment(visit, kind, comment, now)
        inserted = await Decision.insert(
            Decision(
                visit=visit_id,
                reviewer=principal.user_id,
                decision=kind.value,
                comment=comment,
                from_state=current.value,
                to_state=target.value,
                created_at=now,
            )
        ).returning(Decision.id)
        decision_id = inserted[0]["id"]
        await append_event(
            Actor.user(principal.user_id),
            "visit.decision",
            "visit",
            str(visit_id),
            region_code=visit["region_code"],
            details={
                "decision": kind.value,
                "decision_id": decision_id,
                "from_state": current.value,
                "to_state": target.value,
                "assignment_id": assignment_id,
                **_comment_details(comment),
            },
        )
        if kind is DecisionKind.APPROVE and visit["household_id"] is None:
            await proposals.register_proposed_household(
                Actor.user(principal.user_id), visit_id, now
            )
    return DecisionResult(
        decision=DecisionOut(
            id=decision_id,
            visit_id=visit_id,
            decision=kind,
            comment=comment,
            reviewer_id=principal.user_id,
            reviewer_name=principal.display_name,
            from_state=current,
            to_state=target,
            created_at=now,
        ),
        visit_state=target,
        assignment_id=assignment_id,
        allowed_decisions=allowed(target, photos_pending=pending),
    )


async def _settle_assignment(
    visit: dict[str, Any], kind: DecisionKind, comment: str | None, now: datetime
) -> int | None:
    """A return reopens the household's assignment of the visit's round, with the comment.

    An approval withdraws a pending return (the assignment goes back to visited). Either
    change is logged for the assignment's current enumerator, so the next ``?since=``
    sync of that phone carries it. Proposals have no assignment.
    """
    assignment = await queries.assignment_of(visit["household_id"], visit["round_id"])
    if assignment is None:
        return None
    if kind is DecisionKind.RETURN:
        state, note = "returned", comment
    elif kind is DecisionKind.APPROVE and assignment["state"] == "returned":
        state, note = "visited", None
    else:
        return None
    # The change log's lock before the assignment row, as in every registry write (and
    # before the audit chain's). Only decisions that touch an assignment take it.
    await changes.lock()
    await queries.set_assignment(assignment["id"], state, note, now)
    await changes.record([(assignment["enumerator"], assignment["id"])])
    return int(assignment["id"])


# --- the household trail -----------------------------------------------------------------


def _actor_name(ref: str, names: dict[int, str]) -> str | None:
    """A person's display name for ``user:<id>``; None for ``system`` and ``cli:…``."""
    user_id = ref.removeprefix("user:")
    return names.get(int(user_id)) if user_id.isdigit() and ref.startswith("user:") else None


def _gps(lat: float | None, lon: float | None, accuracy: float | None) -> GpsFix | None:
    if lat is None or lon is None:
        return None
    return GpsFix(lat=lat, lon=lon, accuracy_m=accuracy)


_KIND_ORDER = {"visit": 0, "photo": 1, "flag": 2, "decision": 3, "audit_event": 4}


async def household_trail(principal: Principal, household_id: int) -> HouseholdTrail:
    """Every visit, photo, flag, decision and audit event of a household, in time order."""
    in_range = 0 < household_id <= MAX_BIGINT
    household_row = await queries.household(principal, household_id) if in_range else None
    if household_row is None:
        raise NotFound("No such household.", code="household_not_found")
    visits = await queries.household_visits(principal, household_id)
    visit_ids = [v["id"] for v in visits]
    photos = await queries.photos_of(visit_ids)
    flags = await queries.flags_of(visit_ids)
    decisions = await queries.decisions_of(visit_ids)
    events = await queries.audit_events_for(
        principal, household_id, visit_ids, [p["id"] for p in photos]
    )
    enumerators = {v["id"]: v["enumerator_id"] for v in visits}
    actor_ids = {int(ref) for e in events if (ref := e["actor"].removeprefix("user:")).isdigit()}
    names = await queries.user_names(set(enumerators.values()) | actor_ids)
    received = {v["id"]: v["received_at"] for v in visits}

    entries: list[tuple[datetime, int, str, TrailEntry]] = []
    for v in visits:
        gps = _gps(v["gps_lat"], v["gps_lon"], v["gps_accuracy_m"])
        if gps is not None:
            gps = GpsFix(
                lat=gps.lat, lon=gps.lon, accuracy_m=gps.accuracy_m,
                altitude_m=v["gps_altitude_m"], fixed_at=v["gps_fixed_at"],
            )  # fmt: skip
        entry: TrailEntry = TrailVisit(
            at=v["received_at"],
            visit_id=v["id"],
            round_id=v["round_id"],
            enumerator_id=v["enumerator_id"],
            enumerator_name=names.get(v["enumerator_id"], ""),
            form=FormRef(id=v["form_id"], version=v["form_version"]),
            outcome=Outcome(v["outcome"]),
            eligibility=v["eligibility"],
            state=VisitState(v["state"]),
            started_at=v["started_at"],
            ended_at=v["ended_at"],
            gps=gps,
            device_id=v["device_id"],
            app_version=v["app_version"],
            content_hash=v["content_hash"],
            revisit_of=v["revisit_of"],
            completed_at=v["completed_at"],
        )
        entries.append((v["received_at"], 0, str(v["id"]), entry))
    for p in photos:
        enumerator_id = enumerators[p["visit"]]
        at = p["stored_at"] or received[p["visit"]]
        entry = TrailPhoto(
            at=at,
            visit_id=p["visit"],
            photo_id=p["id"],
            photo_kind=PhotoKind(p["kind"]),
            sha256=p["sha256"],
            size=p["size"],
            captured_at=p["captured_at"],
            gps=_gps(p["gps_lat"], p["gps_lon"], p["gps_accuracy_m"]),
            taken_by_id=enumerator_id,
            taken_by=names.get(enumerator_id, ""),
            received_at=p["stored_at"],
            stored=p["stored_at"] is not None,
            width=p["width"],
            height=p["height"],
        )
        entries.append((at, 1, str(p["id"]), entry))
    for f in flags:
        entry = TrailFlag(at=f["created_at"], visit_id=f["visit"], flag=describe_flag(f))
        entries.append((f["created_at"], 2, f"{f['id']:012d}", entry))
    for d in decisions:
        entry = TrailDecision(at=d["created_at"], visit_id=d["visit"], decision=_decision_out(d))
        entries.append((d["created_at"], 3, f"{d['id']:012d}", entry))
    for e in events:
        entry = TrailAuditEvent(
            at=e["occurred_at"],
            seq=e["seq"],
            actor=e["actor"],
            actor_name=_actor_name(e["actor"], names),
            action=e["action"],
            object_type=e["object_type"],
            object_id=e["object_id"],
            region_code=e["region_code"],
            details=e["details"] if isinstance(e["details"], dict) else {},
            prev_hash=e["prev_hash"],
            event_hash=e["event_hash"],
        )
        entries.append((e["occurred_at"], 4, f"{e['seq']:020d}", entry))
    entries.sort(key=lambda item: (item[0], item[1], item[2]))

    names_of_villages = await region_names({household_row["region_code"]})
    return HouseholdTrail(
        household=_household_brief(
            household_row,
            names_of_villages.get(household_row["region_code"], ""),
            show_identity=False,
        ),
        visits=len(visits),
        photos=len(photos),
        decisions=len(decisions),
        audit_events=len(events),
        entries=[item[3] for item in entries],
    )
