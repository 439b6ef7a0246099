"""Visit intake: the rules between a phone's PUT and the rows, objects and flags it leaves.

Ordering that can't lose or orphan anything: a photo's bytes are written to the
content-addressed store first, then its row in one transaction; a crash in between
leaves at most an unreferenced object (``verval media gc --dry-run`` lists those).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from api import db
from api.audit.records import record_hash_at_intake
from api.audit.service import Actor, append_event
from api.civil_registry import findings as civil_findings
from api.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    Unprocessable,
    is_unique_violation,
)
from api.forms.service import compiled_form
from api.visits import members, queries, rounds_window
from api.visits.flags import describe_flag
from api.visits.quality import (
    FlagDraft,
    PhotoFacts,
    Point,
    PriorVisit,
    QualityThresholds,
    VisitFacts,
    check_duration,
    check_gps,
    check_photos,
    check_same_spot,
    check_travel,
    member_registry_checks,
)
from api.visits.schemas import (
    Eligibility,
    FormRef,
    GpsFix,
    Outcome,
    PhotoKind,
    PhotoOut,
    VisitDetail,
    VisitGps,
    VisitReceipt,
    VisitState,
    VisitSubmission,
    required_photo_kinds,
)
from api.visits.tables import Flag, Photo, Visit
from auth.roles import Principal, Role
from survey_forms import validate_submission

if TYPE_CHECKING:
    from api.dependencies import KnownDistricts

# Phones' clocks drift; a timestamp this far ahead of the server's is refused.
CLOCK_SKEW = timedelta(minutes=5)
MAX_ANSWER_DEPTH = 8
PROPOSAL_FORM = "usulan_baru"
# Outcomes where the household was interviewed: the form's answers are required.
INTERVIEWED = {Outcome.FOUND, Outcome.NEW_HOUSEHOLD}
# What an enumerator reads on the phone when the server refuses a visit.
INDONESIAN_MESSAGES = {
    "time_order": "Waktu selesai lebih awal dari waktu mulai",
    "future_timestamp": "Waktu berada di masa depan; periksa jam ponsel",
    "duplicate_photo": "Foto yang sama tercantum dua kali",
    "missing_required_photos": "Foto wajib belum lengkap",
    "gps_reason_required": "Titik GPS tidak ada atau kurang akurat: isi alasannya",
    "too_deep": "Struktur jawaban terlalu dalam",
    "wrong_form": "Formulir tidak sesuai: usulan baru memakai formulir usulan_baru",
    "answers_not_expected": "Kunjungan dengan hasil ini tidak berisi jawaban formulir",
}


def _now() -> datetime:
    return datetime.now(UTC)


_ANY = TypeAdapter(Any)


def _in_utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo is not None else value
    if isinstance(value, dict):
        return {key: _in_utc(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_in_utc(item) for item in value]
    return value


def _digest(content: Any) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def submission_hash(submission: VisitSubmission) -> str:
    """The content's hash with every instant in UTC: the same visit re-sent with
    ``+07:00`` instead of ``Z`` (a phone whose time zone changed) is the same content."""
    return _digest(_ANY.dump_python(_in_utc(submission.model_dump(mode="python")), mode="json"))


def _legacy_submission_hash(submission: VisitSubmission) -> str:
    """The hash as stored before instants were normalised (instants as the phone wrote them)."""
    return _digest(submission.model_dump(mode="json"))


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_ANSWER_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


async def receipt(visit_id: uuid.UUID) -> VisitReceipt:
    row = await queries.visit_row(visit_id)
    if row is None:
        raise NotFound("No such visit.", code="visit_not_found")
    return VisitReceipt(
        visit_id=row["id"],
        state=VisitState(row["state"]),
        received_at=row["received_at"],
        missing_photos=await queries.missing_photo_ids(visit_id),
        content_hash=row["content_hash"],
    )


@dataclass
class _Target:
    region_code: str
    assignment_id: int | None
    household_location: Point | None


def _resolve_target(
    principal: Principal, submission: VisitSubmission, assignment: dict[str, Any] | None
) -> _Target:
    if submission.proposal is not None:
        if submission.household_id is not None or submission.outcome is not Outcome.NEW_HOUSEHOLD:
            raise Unprocessable(
                "A proposed household has outcome new_household and no household_id.",
                code="invalid_proposal",
            )
        village = submission.proposal.village_code
        if not principal.covers(village):
            raise NotFound("No such village in your scope.", code="village_not_found")
        return _Target(region_code=village, assignment_id=None, household_location=None)
    if submission.household_id is None or submission.outcome is Outcome.NEW_HOUSEHOLD:
        raise Unprocessable(
            "A visit names its household_id, or is a proposal with outcome new_household.",
            code="invalid_visit_target",
        )
    if assignment is None:
        # 404 rather than 403: don't reveal which households exist outside your assignments.
        raise NotFound("This household is not assigned to you in that round.", code="not_assigned")
    if assignment["state"] == "closed":
        raise Conflict("The assignment is closed.", code="assignment_closed")
    location = None
    if assignment["latitude"] is not None and assignment["longitude"] is not None:
        location = Point(assignment["latitude"], assignment["longitude"])
    return _Target(
        region_code=assignment["region_code"],
        assignment_id=assignment["id"],
        household_location=location,
    )


async def _validate(
    submission: VisitSubmission, limits: QualityThresholds, is_known_district: Any
) -> dict[str, Any]:
    """Every content rule; returns the cleaned answers or raises 422 listing all problems."""
    now = _now()
    problems: list[dict[str, Any]] = []

    def problem(path: str, code: str, message: str) -> None:
        indonesian = INDONESIAN_MESSAGES.get(code, message)
        if code == "missing_required_photos":
            indonesian += ": " + message.split(": ", 1)[-1]
        problems.append({"path": path, "code": code, "message": {"en": message, "id": indonesian}})

    if submission.ended_at < submission.started_at:
        problem("ended_at", "time_order", "ended_at is before started_at")
    for path, moment in [("started_at", submission.started_at), ("ended_at", submission.ended_at)]:
        if moment > now + CLOCK_SKEW:
            problem(path, "future_timestamp", "the time is in the future")
    seen_ids: set[uuid.UUID] = set()
    for index, photo in enumerate(submission.photos):
        if photo.captured_at > now + CLOCK_SKEW:
            problem(f"photos[{index}].captured_at", "future_timestamp", "the time is in the future")
        if photo.id in seen_ids:
            problem(f"photos[{index}].id", "duplicate_photo", "the photo id appears twice")
        seen_ids.add(photo.id)
    missing_kinds = required_photo_kinds(submission.outcome) - {p.kind for p in submission.photos}
    if missing_kinds:
        problem(
            "photos",
            "missing_required_photos",
            "required photo kinds missing: " + ", ".join(sorted(missing_kinds)),
        )
    gps = submission.gps
    poor = gps is None or gps.accuracy_m is None or gps.accuracy_m > limits.gps_accuracy_m
    reason = (gps.poor_fix_reason if gps else None) or submission.gps_unavailable_reason
    if poor and not reason:
        problem(
            "gps.poor_fix_reason", "gps_reason_required", "a missing or poor GPS fix needs a reason"
        )
    if _depth(submission.answers) > MAX_ANSWER_DEPTH:
        problem("answers", "too_deep", "the answers are nested too deeply")

    expected_proposal = submission.proposal is not None
    if (submission.form.id == PROPOSAL_FORM) != expected_proposal:
        problem(
            "form.id",
            "wrong_form",
            "proposals use the usulan_baru form; household visits use the verification form",
        )
    cleaned: dict[str, Any] = {}
    if submission.outcome in INTERVIEWED:
        form = await compiled_form(submission.form.id, submission.form.version)
        if not problems or all(p["path"] != "answers" for p in problems):
            result = validate_submission(
                form, submission.answers, is_known_district=is_known_district
            )
            for item in result.problems:
                problems.append(
                    {
                        "path": f"answers.{item.path}",
                        "code": item.code,
                        "message": {"id": item.message.id, "en": item.message.en},
                    }
                )
            cleaned = dict(result.cleaned or {})
    else:
        await compiled_form(submission.form.id, submission.form.version)  # must be published
        if submission.answers:
            problem(
                "answers",
                "answers_not_expected",
                f"a visit with outcome {submission.outcome.value} carries no form answers",
            )
    if problems:
        raise Unprocessable(
            "The visit has problems; nothing was stored.",
            code="invalid_visit",
            extra={"errors": problems},
        )
    return cleaned


async def submit(
    principal: Principal,
    visit_id: uuid.UUID,
    submission: VisitSubmission,
    limits: QualityThresholds,
    districts: KnownDistricts | None = None,
) -> tuple[VisitReceipt, bool]:
    """Store a visit record once; returns (receipt, created).

    One transaction holds the reads and checks and the writes (#18): a visit stored, an
    assignment closed or given to someone else meanwhile is seen. Its reads go in one
    round trip (``queries.fetch_intake_reads``); the assignment, the change log and the audit
    chain head are taken last, by the final statements before the commit.
    """
    if principal.role is not Role.ENUMERATOR:
        raise Forbidden("Only enumerators submit visits.", code="role_forbidden")
    digest = submission_hash(submission)
    if districts is None:
        from api.dependencies import KnownDistricts

        districts = KnownDistricts()
    is_known_district = await districts.checker()
    try:
        async with db.write_transaction():
            return await _submit_in_transaction(
                principal, visit_id, submission, limits, digest, is_known_district, districts
            )
    except Exception as error:
        if _is_unique_violation(error):
            # A concurrent PUT of the same visit won the race: answer as a repeat would.
            row = await queries.visit_row(visit_id)
            if row is not None:
                missing = await queries.missing_photo_ids(visit_id)
                return _repeat(principal, row, submission, digest, missing), False
        raise


async def _submit_in_transaction(
    principal: Principal,
    visit_id: uuid.UUID,
    submission: VisitSubmission,
    limits: QualityThresholds,
    digest: str,
    is_known_district: Any,
    districts: KnownDistricts,
) -> tuple[VisitReceipt, bool]:
    # Validation first (CPU only: the form is cached) so every read below is known now.
    cleaned_or_error: dict[str, Any] | Unprocessable
    try:
        cleaned_or_error = await _validate(submission, limits, is_known_district)
    except Unprocessable as error:
        cleaned_or_error = error
    cleaned = cleaned_or_error if isinstance(cleaned_or_error, dict) else {}
    facts = await queries.fetch_intake_reads(
        principal.user_id, visit_id, submission, cleaned, limits
    )
    existing = facts["existing"][0] if facts["existing"] else None
    if existing is not None:
        missing = [uuid.UUID(str(row["id"])) for row in facts["missing"]]
        return _repeat(principal, existing, submission, digest, missing), False
    assignment = facts["assignment"][0] if facts.get("assignment") else None
    target = _resolve_target(principal, submission, assignment)
    round_row = facts["round"][0] if facts["round"] else None
    await rounds_window.enforce(submission, target.region_code, round_row=round_row)
    if isinstance(cleaned_or_error, Unprocessable):
        raise cleaned_or_error
    known_regions = {row["code"] for row in facts.get("regions", [])}
    await members.check_details(submission, cleaned, known_regions=known_regions)
    await _check_revisit(submission, target)
    taken = {uuid.UUID(str(row["id"])) for row in facts.get("taken", [])}
    if taken:
        raise Conflict(
            "A photo id is already used by another visit.",
            code="photo_id_taken",
            extra={"photo_ids": sorted(str(t) for t in taken)},
        )

    visit_facts = _facts(visit_id, submission, target)
    flags = _arrival_flags(submission, visit_facts, cleaned, limits, facts)
    flags += await members.arrival_flags(
        submission, cleaned, known_districts=districts.codes if districts.loaded else None
    )
    received = _now()
    complete = not submission.photos
    row = _visit_row(visit_id, principal, submission, target, cleaned, digest, received, len(flags))
    if complete:
        row.state = VisitState.COMPLETE.value
        row.completed_at = received
    photo_rows = [
        Photo(
            id=p.id,
            visit=visit_id,
            kind=p.kind.value,
            sha256=p.sha256,
            size=p.size,
            captured_at=p.captured_at,
            gps_lat=p.gps.lat if p.gps else None,
            gps_lon=p.gps.lon if p.gps else None,
            gps_accuracy_m=p.gps.accuracy_m if p.gps else None,
            declared_width=p.width,
            declared_height=p.height,
        )
        for p in submission.photos
    ]
    flag_rows = _flag_rows(visit_id, flags, received)
    assignment_taken = await queries.store_visit(
        row,
        photo_rows,
        flag_rows,
        assignment_id=target.assignment_id,
        enumerator_id=principal.user_id,
        at=received,
    )
    if target.assignment_id is not None and not assignment_taken:
        # Closed or given to someone else since the read above (this transaction rolls back).
        raise Conflict("The assignment is closed.", code="assignment_closed")
    settled = await civil_findings.settle_by_visit(
        visit_id,
        submission.household_id,
        submission.outcome.value,
        cleaned,
        received,
        open_rows=facts.get("civil_findings", []),
    )
    await append_event(
        Actor.user(principal.user_id),
        "visit.received",
        "visit",
        str(visit_id),
        region_code=target.region_code,
        details={
            "content_hash": digest,
            # Built from the rows just written, as a bundle will rebuild it from the database.
            "record_hash": await record_hash_at_intake(
                row.to_dict(), [photo.to_dict() for photo in photo_rows]
            ),
            "outcome": submission.outcome.value,
            "photos_declared": len(submission.photos),
            "flags": sorted({f.code for f in flags}),
            **({"civil_registry_findings": settled} if settled else {}),
        },
    )
    if complete:
        await append_event(
            Actor.user(principal.user_id),
            "visit.completed",
            "visit",
            str(visit_id),
            region_code=target.region_code,
        )
    receipt_ = VisitReceipt(
        visit_id=visit_id,
        state=VisitState.COMPLETE if complete else VisitState.SUBMITTED,
        received_at=received,
        missing_photos=[p.id for p in sorted(submission.photos, key=_photo_order)],
        content_hash=digest,
    )
    return receipt_, True


def _photo_order(photo: Any) -> tuple[datetime, str]:
    """The order the receipt lists missing photos in (as ``queries.missing_photo_ids``)."""
    return (photo.captured_at.astimezone(UTC), str(photo.id))


async def _check_revisit(submission: VisitSubmission, target: _Target) -> None:
    """A revisit names a visit that a reviewer returned, of the same household (422)."""
    if submission.revisit_of is None:
        return
    earlier = (
        await Visit.select(Visit.household_id, Visit.region_code, Visit.state)
        .where(Visit.id == submission.revisit_of)
        .first()
    )
    if (
        earlier is None
        or earlier["state"] != VisitState.RETURNED.value
        or earlier["household_id"] != submission.household_id
        or earlier["region_code"] != target.region_code
    ):
        raise Unprocessable(
            "revisit_of must name a returned visit of the same household.",
            code="invalid_revisit",
            extra={"errors": [{"path": "revisit_of", "code": "not_a_returned_visit"}]},
        )


def _repeat(
    principal: Principal,
    existing: dict[str, Any],
    submission: VisitSubmission,
    digest: str,
    missing: list[uuid.UUID],
) -> VisitReceipt:
    if existing["enumerator_id"] != principal.user_id:
        raise Conflict("That visit id is already taken.", code="visit_id_taken")
    stored = existing["content_hash"]
    if stored != digest and stored != _legacy_submission_hash(submission):
        raise Conflict(
            "A different visit was already stored under this id; it cannot be changed. "
            "Start a new visit to correct it.",
            code="visit_conflict",
            extra={"stored_content_hash": stored},
        )
    return VisitReceipt(
        visit_id=uuid.UUID(str(existing["id"])),
        state=VisitState(existing["state"]),
        received_at=db.as_datetime(existing["received_at"]),
        missing_photos=missing,
        content_hash=stored,
    )


def _is_unique_violation(error: BaseException) -> bool:
    return is_unique_violation(error)  # by the driver's exception class (api/errors.py)


def _facts(visit_id: uuid.UUID, submission: VisitSubmission, target: _Target) -> VisitFacts:
    gps = submission.gps
    return VisitFacts(
        visit_id=str(visit_id),
        household_id=submission.household_id,
        started_at=submission.started_at,
        ended_at=submission.ended_at,
        location=Point(gps.lat, gps.lon) if gps else None,
        accuracy_m=gps.accuracy_m if gps else None,
        household_location=target.household_location,
        photos=[
            PhotoFacts(
                id=str(p.id),
                kind=p.kind.value,
                captured_at=p.captured_at,
                location=Point(p.gps.lat, p.gps.lon) if p.gps else None,
                sha256=p.sha256,
            )
            for p in submission.photos
        ],
    )


def _arrival_flags(
    submission: VisitSubmission,
    facts: VisitFacts,
    cleaned: dict[str, Any],
    limits: QualityThresholds,
    reads: dict[str, list[dict[str, Any]]],
) -> list[FlagDraft]:
    flags = [
        *check_gps(facts, limits),
        *check_photos(facts, limits),
        *check_duration(facts, limits),
    ]
    neighbours = [
        PriorVisit(
            visit_id=str(row["id"]),
            household_id=row["household_id"],
            started_at=db.as_datetime(row["started_at"]),
            ended_at=db.as_datetime(row["ended_at"]),
            location=Point(row["gps_lat"], row["gps_lon"]),
        )
        for name in ("before", "after")
        for row in reads.get(name, [])
    ]
    flags += check_travel(facts, neighbours, limits)
    if facts.location is not None:
        nearby = {row["household_id"] for row in reads.get("near", [])}
        flags += check_same_spot(facts, nearby, limits)
    for match in reads.get("same_photo", []):
        photo = next(p for p in submission.photos if p.sha256 == match["sha256"])
        flags.append(
            FlagDraft(
                "photo_reused",
                "critical",
                {
                    "sha256": match["sha256"],
                    "other_visit": str(match["visit_id"]),
                    "other_household_id": match["household_id"],
                },
                photo_id=str(photo.id),
            )
        )
    members_ = cleaned.get("members") or []
    if isinstance(members_, list) and members_:
        baseline = {row["nik"] for row in reads.get("baseline_niks", [])}
        elsewhere = {row["nik"]: row["household"] for row in reads.get("niks_elsewhere", [])}
        flags += member_registry_checks(
            [m for m in members_ if isinstance(m, dict)], baseline, elsewhere
        )
    return flags


def _visit_row(
    visit_id: uuid.UUID,
    principal: Principal,
    submission: VisitSubmission,
    target: _Target,
    cleaned: dict[str, Any],
    digest: str,
    received: datetime,
    flag_count: int,
) -> Visit:
    gps = submission.gps
    return Visit(
        id=visit_id,
        household_id=submission.household_id,
        round_id=submission.round_id,
        region_code=target.region_code,
        proposed_household=submission.proposal is not None,
        enumerator_id=principal.user_id,
        form_id=submission.form.id,
        form_version=submission.form.version,
        outcome=submission.outcome.value,
        eligibility=submission.eligibility.value if submission.eligibility else None,
        answers=cleaned,
        started_at=submission.started_at,
        ended_at=submission.ended_at,
        gps_lat=gps.lat if gps else None,
        gps_lon=gps.lon if gps else None,
        gps_accuracy_m=gps.accuracy_m if gps else None,
        gps_altitude_m=gps.altitude_m if gps else None,
        gps_fixed_at=gps.fixed_at if gps else None,
        gps_poor_fix_reason=(gps.poor_fix_reason if gps else None)
        or submission.gps_unavailable_reason,
        device_id=submission.device_id,
        app_version=submission.app_version,
        revisit_of=submission.revisit_of,
        note=submission.note,
        content_hash=digest,
        state=VisitState.SUBMITTED.value,
        received_at=received,
        photos_declared=len(submission.photos),
        photos_stored=0,
        flag_count=flag_count,
    )


def _flag_rows(visit_id: uuid.UUID, flags: list[FlagDraft], now: datetime) -> list[Flag]:
    return [
        Flag(
            visit=visit_id,
            photo_id=uuid.UUID(f.photo_id) if f.photo_id else None,
            code=f.code,
            severity=f.severity,
            evidence=f.evidence,
            created_at=now,
        )
        for f in flags
    ]


async def insert_flags(visit_id: uuid.UUID, flags: list[FlagDraft], now: datetime) -> None:
    """Store quality flags of a visit (the photo analysis job's, ``analysis.py``)."""
    if flags:
        await Flag.insert(*_flag_rows(visit_id, flags, now))


async def complete_visit(
    visit_id: uuid.UUID,
    user_id: int,
    region_code: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """A submitted visit becomes complete (audited); ``analysis.py`` calls it when the
    visit's last photo is analysed, with that analysis' outcome in ``details``."""
    await Visit.update({Visit.state: VisitState.COMPLETE.value, Visit.completed_at: now}).where(
        (Visit.id == visit_id) & (Visit.state == VisitState.SUBMITTED.value)
    )
    await append_event(
        Actor.user(user_id),
        "visit.completed",
        "visit",
        str(visit_id),
        region_code=region_code,
        details=details,
    )


async def visible_visit(principal: Principal, visit_id: uuid.UUID) -> dict[str, Any]:
    """The visit, if the caller may see it: its enumerator, or staff/auditors of its region."""
    query = Visit.select().where(Visit.id == visit_id).output(load_json=True)
    if principal.role is Role.ENUMERATOR:
        query = query.where(Visit.enumerator_id == principal.user_id)
    else:
        region_filter = principal.region_filter(Visit.region_code)
        if region_filter is not None:
            query = query.where(region_filter)
    row = await query.first()
    if row is None:
        raise NotFound("No such visit.", code="visit_not_found")
    return row


async def visit_detail(principal: Principal, visit_id: uuid.UUID) -> VisitDetail:
    row = await visible_visit(principal, visit_id)
    photo_rows = await queries.photo_rows(visit_id)
    flag_rows = await queries.flags_of(visit_id)
    gps = None
    if row["gps_lat"] is not None:
        gps = VisitGps(
            lat=row["gps_lat"],
            lon=row["gps_lon"],
            accuracy_m=row["gps_accuracy_m"],
            altitude_m=row["gps_altitude_m"],
            fixed_at=row["gps_fixed_at"],
            poor_fix_reason=row["gps_poor_fix_reason"],
        )
    return VisitDetail(
        id=row["id"],
        household_id=row["household_id"],
        round_id=row["round_id"],
        region_code=row["region_code"],
        proposed_household=row["proposed_household"],
        enumerator_id=row["enumerator_id"],
        form=FormRef(id=row["form_id"], version=row["form_version"]),
        outcome=Outcome(row["outcome"]),
        eligibility=Eligibility(row["eligibility"]) if row["eligibility"] else None,
        answers=row["answers"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        gps=gps,
        device_id=row["device_id"],
        app_version=row["app_version"],
        revisit_of=row["revisit_of"],
        note=row["note"],
        state=VisitState(row["state"]),
        received_at=row["received_at"],
        completed_at=row["completed_at"],
        content_hash=row["content_hash"],
        photos=[
            PhotoOut(
                id=p["id"],
                kind=PhotoKind(p["kind"]),
                sha256=p["sha256"],
                size=p["size"],
                captured_at=p["captured_at"],
                gps=GpsFix(lat=p["gps_lat"], lon=p["gps_lon"], accuracy_m=p["gps_accuracy_m"])
                if p["gps_lat"] is not None
                else None,
                stored=p["stored_at"] is not None,
                width=p["width"],
                height=p["height"],
            )
            for p in photo_rows
        ],
        missing_photos=[p["id"] for p in photo_rows if p["stored_at"] is None],
        flags=[describe_flag(f) for f in flag_rows],
    )


__all__ = ["AsyncIterator", "DomainError", "submit", "visible_visit"]
