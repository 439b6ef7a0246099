"""Public review (uji publik): publishing a village's list, the objections the public
sends, the supervisors' queue, and ratification after the window.

Publishing takes a snapshot: each line of the list is written once, masked (RT/RW, a
masked name, the change in words) and identified by an HMAC token, so the public pages
never read the register's personal data and no id can be guessed or walked. Ratification
turns the agreed changes into register state changes (proposed → active, active →
inactive) with their reason and audit event; no household is ever deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from piccolo.query.functions.aggregate import Count

from api import db
from api.audit.service import Actor, append_event
from api.errors import Conflict, DomainError, NotFound, Unprocessable
from api.registry import changes
from api.registry.queries import actor_of, enumerator_covers, enumerator_for
from api.registry.tables import Assignment, Household, Region
from api.reports.labels import local_zone, long_date
from api.village import deliberation, evidence
from api.village.access import village_in_scope
from api.village.labels import (
    MISSING_CATEGORY,
    MISSING_LABEL,
    OBJECTION_CATEGORIES,
    OBJECTION_STATES,
    REMOVING_OUTCOMES,
    change_words,
)
from api.village.masking import entry_token, mask_name
from api.village.schemas import (
    EvidenceOut,
    ObjectionOut,
    ObjectionReceipt,
    PublicEntryOut,
    PublicListOut,
    PublishRequest,
    RatificationOut,
    Resolution,
    ResolutionRequest,
    ReviewCounts,
    ReviewOut,
)
from api.village.tables import (
    HouseholdStatusChange,
    PublicEntry,
    PublicObjection,
    PublicReview,
)
from auth.roles import Principal
from media.store import ObjectStore

PUBLIC = Actor("public")  # the audit chain's name for anyone without an account
# Limits of the public intake, per client address and per village, in a sliding day.
PER_CLIENT_PER_DAY = 5
PER_VILLAGE_PER_DAY = 300
TEXT_MIN, TEXT_MAX = 10, 1000
CONTACT_MAX = 100
PUBLIC_PHOTO_MAX = 5 * 1024 * 1024


class TooManyObjections(DomainError):
    status_code = 429
    code = "objection_limit"


def _now() -> datetime:
    return datetime.now(UTC)


def public_path(village: str) -> str:
    return f"/publik/{village}"


# --- publishing ---------------------------------------------------------------------------


def _changes_from(
    items: list[dict[str, Any]], decided: dict[str, dict[str, Any]]
) -> tuple[set[int], dict[int, str]]:
    """(households added, households removed → reason) by the agreed items."""
    added: set[int] = set()
    removed: dict[int, str] = {}
    for item in items:
        decision = decided.get(item["key"])
        if decision is None or decision["decision"] != "agreed":
            continue
        household_id = item["household_id"]
        if item["kind"] == "addition":
            added.add(household_id)
        elif item["kind"] == "removal":
            removed[household_id] = item["reason"]
        elif item["outcome"] in REMOVING_OUTCOMES:
            removed[household_id] = REMOVING_OUTCOMES[item["outcome"]]
        elif item["eligibility"] == "tidak_layak":
            removed[household_id] = "not_eligible"
    return added, removed


async def publish(principal: Principal, data: PublishRequest, key: bytes) -> ReviewOut:
    row = await deliberation.visible(principal, data.deliberation_id)
    await village_in_scope(principal, row["region_code"])
    if row["state"] != "final":
        raise Conflict(
            "Attach the signed minutes before the public review.",
            code="deliberation_not_final",
        )
    items = await deliberation.agenda(row)
    decided = await deliberation.current_decisions(row["id"])
    added, removed = _changes_from(items, decided)
    village = row["region_code"]
    households = await (
        Household.select(Household.id, Household.head_name, Household.rt, Household.rw,
                         Household.status)
        .where((Household.region_code == village) & Household.status.is_in(["active", "proposed"]))
        .order_by(Household.rt, Household.rw, Household.head_name, Household.id)
    )  # fmt: skip
    now = _now()
    actor = actor_of(principal)
    async with db.write_transaction():
        if await PublicReview.exists().where(PublicReview.deliberation_id == row["id"]):
            raise Conflict("This list is already published.", code="review_exists")
        rows = await PublicReview.insert(
            PublicReview(
                round_id=row["round_id"],
                region_code=village,
                deliberation_id=row["id"],
                opens_at=now,
                closes_at=now + timedelta(days=data.days),
                state="open",
                published_by=actor.ref,
            )
        ).returning(PublicReview.id)
        review_id = int(rows[0]["id"])
        entries: list[PublicEntry] = []
        for household in households:
            hid = int(household["id"])
            if household["status"] == "proposed" and hid not in added:
                continue  # not in the register and not agreed: not on the list
            change = "added" if hid in added else "removed" if hid in removed else "unchanged"
            entries.append(
                PublicEntry(
                    review_id=review_id,
                    token=entry_token(key, review_id, hid),
                    household_id=hid,
                    position=len(entries) + 1,
                    rt=household["rt"],
                    rw=household["rw"],
                    masked_name=mask_name(household["head_name"]),
                    change=change,
                    reason=removed.get(hid, "new_household" if change == "added" else ""),
                )
            )
        for start in range(0, len(entries), 500):
            await PublicEntry.insert(*entries[start : start + 500])
        await append_event(
            actor,
            "public_review.published",
            "public_review",
            review_id,
            region_code=village,
            details={
                "deliberation_id": row["id"],
                "entries": len(entries),
                "added": sum(1 for e in entries if e.change == "added"),
                "removed": sum(1 for e in entries if e.change == "removed"),
                "closes_at": (now + timedelta(days=data.days)).isoformat(),
            },
        )
    return await review_out(principal, review_id)


async def visible_review(principal: Principal, review_id: int) -> dict[str, Any]:
    query = PublicReview.select().where(PublicReview.id == review_id)
    clause = principal.region_filter(PublicReview.region_code)
    if clause is not None:
        query = query.where(clause)
    row = await query.first()
    if row is None:
        raise NotFound("No such public review in your scope.", code="review_not_found")
    return row  # type: ignore[no-any-return]


async def counts(review_id: int) -> ReviewCounts:
    by_change = {
        r["change"]: r["n"]
        for r in await PublicEntry.select(PublicEntry.change, Count(PublicEntry.id, alias="n"))
        .where(PublicEntry.review_id == review_id)
        .group_by(PublicEntry.change)
    }
    by_state = {
        r["state"]: r["n"]
        for r in await PublicObjection.select(
            PublicObjection.state, Count(PublicObjection.id, alias="n")
        )
        .where(PublicObjection.review_id == review_id)
        .group_by(PublicObjection.state)
    }
    return ReviewCounts(
        entries=sum(by_change.values()),
        added=by_change.get("added", 0),
        removed=by_change.get("removed", 0),
        unchanged=by_change.get("unchanged", 0),
        objections=sum(by_state.values()),
        objections_open=by_state.get("open", 0),
        objections_accepted=by_state.get("accepted", 0),
        objections_rejected=by_state.get("rejected", 0),
    )


async def review_out(principal: Principal, review_id: int) -> ReviewOut:
    row = await visible_review(principal, review_id)
    return ReviewOut(
        id=row["id"],
        round_id=row["round_id"],
        region_code=row["region_code"],
        deliberation_id=row["deliberation_id"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        state=row["state"],
        public_url=public_path(row["region_code"]),
        counts=await counts(row["id"]),
        ratified_at=row["ratified_at"],
        signed_minutes=(await evidence.evidence_of("deliberation", [row["deliberation_id"]])).get(
            row["deliberation_id"], []
        ),
    )


async def reviews_of(principal: Principal, village: str) -> list[ReviewOut]:
    await village_in_scope(principal, village)
    rows = await PublicReview.select(PublicReview.id).where(PublicReview.region_code == village)
    return [await review_out(principal, int(r["id"])) for r in rows]


# --- the public side ----------------------------------------------------------------------


async def open_review(village: str) -> dict[str, Any]:
    """The village's review in its window; 404 for an unknown, unpublished or closed one."""
    now = _now()
    row = await (
        PublicReview.select()
        .where(
            (PublicReview.region_code == village)
            & (PublicReview.state == "open")
            & (PublicReview.opens_at <= now)
            & (PublicReview.closes_at > now)
        )
        .order_by(PublicReview.id, ascending=False)
        .first()
    )
    if row is None:
        raise NotFound("Tidak ada daftar uji publik untuk desa ini.", code="review_not_found")
    return row  # type: ignore[no-any-return]


def deadline_words(closes_at: datetime, village: str) -> str:
    local = closes_at.astimezone(local_zone(village))
    return f"{long_date(local.date())} pukul {local:%H.%M} {local.tzname()}"


async def public_list(village: str) -> PublicListOut:
    return await public_list_of(await open_review(village))


async def _village_names(village: str) -> dict[str, str]:
    return {
        r["code"]: r["name"]
        for r in await Region.select(Region.code, Region.name).where(
            Region.code.is_in([village, village.rsplit(".", 1)[0]])
        )
    }


def _entry_out(entry: dict[str, Any], state: str | None) -> PublicEntryOut:
    return PublicEntryOut(
        token=entry["token"],
        rt=entry["rt"],
        rw=entry["rw"],
        name=entry["masked_name"],
        change=entry["change"],
        change_words=change_words(entry["change"], entry["reason"]),
        objection_state=OBJECTION_STATES[state] if state else None,
    )


async def _listing(
    review: dict[str, Any], entries: list[PublicEntryOut], tally: ReviewCounts | None
) -> PublicListOut:
    village = review["region_code"]
    names = await _village_names(village)
    return PublicListOut(
        village_code=village,
        village_name=names.get(village, ""),
        district_name=names.get(village.rsplit(".", 1)[0], ""),
        opens_at=review["opens_at"],
        closes_at=review["closes_at"],
        deadline_words=deadline_words(review["closes_at"], village),
        counts=tally.model_dump() if tally else {},
        entries=entries,
    )


# Which objection state an entry shows when it has several: open first (still being
# checked), then accepted, then rejected.
STATE_ORDER = ["open", "accepted", "rejected"]


async def _entry_states(review_id: int, entry_ids: list[int] | None = None) -> dict[int, str]:
    query = PublicObjection.select(PublicObjection.entry_id, PublicObjection.state).where(
        (PublicObjection.review_id == review_id) & PublicObjection.entry_id.is_not_null()
    )
    if entry_ids is not None:
        query = query.where(PublicObjection.entry_id.is_in(entry_ids or [0]))
    states: dict[int, str] = {}
    for objection in await query:
        current = states.get(objection["entry_id"])
        if current is None or STATE_ORDER.index(objection["state"]) < STATE_ORDER.index(current):
            states[objection["entry_id"]] = objection["state"]
    return states


async def public_list_of(review: dict[str, Any]) -> PublicListOut:
    """The whole published list of an open review (``review`` from :func:`open_review`)."""
    entries = await (
        PublicEntry.select(
            PublicEntry.id, PublicEntry.token, PublicEntry.rt, PublicEntry.rw,
            PublicEntry.masked_name, PublicEntry.change, PublicEntry.reason,
        )
        .where(PublicEntry.review_id == review["id"])
        .order_by(PublicEntry.position)
    )  # fmt: skip
    states = await _entry_states(review["id"])
    return await _listing(
        review,
        [_entry_out(e, states.get(e["id"])) for e in entries],
        await counts(review["id"]),
    )


async def public_heading(village: str, token: str | None = None) -> PublicListOut:
    """What the form and message pages show: the village, the deadline and at most the one
    entry ``token`` names (no counts, no other entries: a single lookup, not the list)."""
    review = await open_review(village)
    entries: list[PublicEntryOut] = []
    if token:
        entry = await (
            PublicEntry.select(
                PublicEntry.id, PublicEntry.token, PublicEntry.rt, PublicEntry.rw,
                PublicEntry.masked_name, PublicEntry.change, PublicEntry.reason,
            )
            .where((PublicEntry.review_id == review["id"]) & (PublicEntry.token == token))
            .first()
        )  # fmt: skip
        if entry is not None:
            states = await _entry_states(review["id"], [entry["id"]])
            entries.append(_entry_out(entry, states.get(entry["id"])))
    return await _listing(review, entries, None)


async def _changed(review_id: int) -> None:
    """What the public list shows has changed: its pre-rendered copy is out of date
    (api/village/public_render.py). Called inside the changing transaction."""
    await PublicReview.update({PublicReview.version: PublicReview.version + 1}).where(
        PublicReview.id == review_id
    )


@dataclass
class ObjectionForm:
    """What the public form sends (multipart fields); checked in :func:`receive_objection`."""

    entry: str = ""  # the entry's token; empty for a missing household
    category: str = ""
    text: str = ""
    rt: str = ""
    rw: str = ""
    latitude: str = ""
    longitude: str = ""
    contact: str = ""
    photo: bytes | None = None


def _refuse(detail: str, code: str, field: str) -> Unprocessable:
    return Unprocessable(detail, code=code, extra={"field": field})


def _coordinates(form: ObjectionForm) -> tuple[float | None, float | None]:
    if not form.latitude and not form.longitude:
        return None, None
    try:
        lat, lon = float(form.latitude), float(form.longitude)
    except ValueError:
        raise _refuse("Lokasi tidak dapat dibaca.", "location_invalid", "latitude") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _refuse("Lokasi di luar jangkauan.", "location_invalid", "latitude")
    return lat, lon


def _digits(value: str, field: str) -> str:
    value = value.strip()
    if value and (not value.isdigit() or len(value) > 3):
        raise _refuse("RT/RW berupa angka, paling banyak 3 digit.", "rt_rw_invalid", field)
    return value.zfill(3) if value else ""


async def receive_objection(
    village: str,
    form: ObjectionForm,
    client: str,
    *,
    store: ObjectStore,
    spool_dir: Path,
) -> ObjectionReceipt:
    review = await open_review(village)
    text = form.text.strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise _refuse(f"Tuliskan alasan {TEXT_MIN} sampai {TEXT_MAX} huruf.", "text_length", "text")
    contact = form.contact.strip()
    if len(contact) > CONTACT_MAX:
        raise _refuse(f"Kontak paling banyak {CONTACT_MAX} huruf.", "contact_length", "contact")
    entry_id: int | None = None
    if form.entry:
        entry = (
            await PublicEntry.select(PublicEntry.id)
            .where(
                (PublicEntry.token == form.entry.strip().lower())
                & (PublicEntry.review_id == review["id"])
            )
            .first()
        )
        if entry is None:
            raise NotFound("Tidak ada entri seperti itu di daftar ini.", code="entry_not_found")
        entry_id = int(entry["id"])
        if form.category not in OBJECTION_CATEGORIES:
            raise _refuse("Pilih alasan sanggahan.", "category_invalid", "category")
        kind, category = "objection", form.category
    else:
        kind, category = "missing_household", MISSING_CATEGORY
    lat, lon = _coordinates(form)
    rt, rw = _digits(form.rt, "rt"), _digits(form.rw, "rw")
    since = _now() - timedelta(days=1)
    recent = (PublicObjection.review_id == review["id"]) & (PublicObjection.created_at > since)
    from_client = PublicObjection.count().where(recent & (PublicObjection.client_hash == client))
    if await from_client >= PER_CLIENT_PER_DAY:
        raise TooManyObjections(
            "Batas sanggahan dari alamat ini untuk hari ini sudah tercapai.",
            code="objection_limit_client",
            headers={"Retry-After": "86400"},
        )
    if await PublicObjection.count().where(recent) >= PER_VILLAGE_PER_DAY:
        raise TooManyObjections(
            "Batas sanggahan untuk desa ini hari ini sudah tercapai; coba lagi besok atau "
            "sampaikan ke kantor desa.",
            code="objection_limit_village",
            headers={"Retry-After": "3600"},
        )
    sealed = None
    if form.photo:
        sealed = await evidence.seal_jpeg(
            evidence.one_chunk(form.photo),
            store=store,
            max_bytes=PUBLIC_PHOTO_MAX,
            spool_dir=spool_dir,
        )
    async with db.write_transaction():
        rows = await PublicObjection.insert(
            PublicObjection(
                review_id=review["id"],
                region_code=village,
                entry_id=entry_id,
                kind=kind,
                category=category,
                text=text,
                rt=rt,
                rw=rw,
                latitude=lat,
                longitude=lon,
                contact=contact or None,
                client_hash=client,
                state="open",
                created_at=_now(),
            )
        ).returning(PublicObjection.id)
        objection_id = int(rows[0]["id"])
        await _changed(review["id"])
        await append_event(
            PUBLIC,
            "objection.received",
            "objection",
            objection_id,
            region_code=village,
            details={
                "review_id": review["id"],
                "kind": kind,
                "category": category,
                "photo": sealed is not None,
            },
        )
        if sealed is not None:
            await evidence.record_evidence(
                PUBLIC,
                sealed,
                evidence_id=uuid.uuid4(),
                kind="objection",
                owner_type="objection",
                owner_id=objection_id,
                region_code=village,
            )
    return ObjectionReceipt(
        reference=f"SGH-{objection_id:06d}",
        state=OBJECTION_STATES["open"],
        message="Terima kasih. Sanggahan Anda diterima dan akan diperiksa Dinas Sosial.",
    )


# --- the supervisors' queue ---------------------------------------------------------------


async def _objection_outs(rows: list[dict[str, Any]]) -> list[ObjectionOut]:
    entry_ids = [r["entry_id"] for r in rows if r["entry_id"] is not None]
    entries = {
        e["id"]: e
        for e in (
            await PublicEntry.select(
                PublicEntry.id, PublicEntry.token, PublicEntry.household_id,
                PublicEntry.masked_name, PublicEntry.rt, PublicEntry.rw,
            ).where(PublicEntry.id.is_in(entry_ids))
            if entry_ids
            else []
        )
    }  # fmt: skip
    photos = await evidence.evidence_of("objection", [r["id"] for r in rows])
    outs = []
    for row in rows:
        entry = entries.get(row["entry_id"]) if row["entry_id"] is not None else None
        photo: EvidenceOut | None = next(iter(photos.get(row["id"], [])), None)
        outs.append(
            ObjectionOut(
                id=row["id"],
                review_id=row["review_id"],
                region_code=row["region_code"],
                kind=row["kind"],
                category=row["category"],
                category_label=OBJECTION_CATEGORIES.get(row["category"], MISSING_LABEL),
                text=row["text"],
                entry_token=entry["token"] if entry else None,
                household_id=entry["household_id"] if entry else None,
                entry_name_masked=entry["masked_name"] if entry else None,
                rt=entry["rt"] if entry else row["rt"],
                rw=entry["rw"] if entry else row["rw"],
                latitude=row["latitude"],
                longitude=row["longitude"],
                contact=row["contact"],
                photo=photo,
                state=row["state"],
                resolution_reason=row["resolution_reason"],
                revisit_assignment_id=row["revisit_assignment_id"],
                created_at=row["created_at"],
            )
        )
    return outs


async def queue(principal: Principal, region: str | None, state: str | None) -> list[ObjectionOut]:
    query = PublicObjection.select().order_by(PublicObjection.created_at).limit(500)
    clause = principal.region_filter(PublicObjection.region_code)
    if clause is not None:
        query = query.where(clause)
    if region:
        if not principal.covers(region):
            raise NotFound("No such region in your scope.", code="region_not_found")
        query = query.where(
            (PublicObjection.region_code == region)
            | PublicObjection.region_code.like(region + ".%")
        )
    if state:
        query = query.where(PublicObjection.state == state)
    return await _objection_outs(await query)


async def _visible_objection(principal: Principal, objection_id: int) -> dict[str, Any]:
    query = PublicObjection.select().where(PublicObjection.id == objection_id)
    clause = principal.region_filter(PublicObjection.region_code)
    if clause is not None:
        query = query.where(clause)
    row = await query.first()
    if row is None:
        raise NotFound("No such objection in your scope.", code="objection_not_found")
    return row  # type: ignore[no-any-return]


async def _revisit(
    principal: Principal,
    review: dict[str, Any],
    household_id: int,
    data: ResolutionRequest,
    category: str,
    now: datetime,
) -> int:
    """Reopen the household's assignment of the round, or assign it; returns its id."""
    comment = f"Sanggahan uji publik: {OBJECTION_CATEGORIES.get(category, category)}"
    existing = (
        await Assignment.select(Assignment.id, Assignment.enumerator)
        .where((Assignment.round == review["round_id"]) & (Assignment.household == household_id))
        .first()
    )
    await changes.lock()
    if existing is not None:
        await Assignment.update(
            {Assignment.state: "returned", Assignment.returned_comment: comment,
             Assignment.updated_at: now}
        ).where(Assignment.id == existing["id"])  # fmt: skip
        await changes.record([(existing["enumerator"], existing["id"])])
        assignment_id, enumerator_id = int(existing["id"]), int(existing["enumerator"])
    else:
        enumerator = (
            await enumerator_for(principal, data.enumerator_id) if data.enumerator_id else None
        )
        if enumerator is None or not enumerator_covers(enumerator, review["region_code"]):
            raise Unprocessable(
                "The household has no assignment in the round: name an enumerator of the "
                "village for the revisit.",
                code="enumerator_required",
            )
        rows = await Assignment.insert(
            Assignment(
                round=review["round_id"],
                household=household_id,
                enumerator=enumerator["id"],
                region_code=review["region_code"],
                state="open",
                returned_comment=comment,
                assigned_by=actor_of(principal).ref,
                assigned_at=now,
                updated_at=now,
            )
        ).returning(Assignment.id)
        assignment_id, enumerator_id = int(rows[0]["id"]), int(enumerator["id"])
        await changes.record([(enumerator_id, assignment_id)])
    await append_event(
        actor_of(principal),
        "assignment.revisit_for_objection",
        "assignment",
        assignment_id,
        region_code=review["region_code"],
        details={"round_id": review["round_id"], "household_id": household_id,
                 "enumerator_id": enumerator_id},
    )  # fmt: skip
    return assignment_id


async def resolve(principal: Principal, objection_id: int, data: ResolutionRequest) -> ObjectionOut:
    now = _now()
    async with db.write_transaction():
        row = await _visible_objection(principal, objection_id)
        if data.decision is Resolution.REJECT and not data.reason.strip():
            raise Unprocessable("A rejection needs its reason.", code="resolution_reason_required")
        if row["state"] != "open":
            raise Conflict("This objection is already resolved.", code="objection_resolved")
        review = await visible_review(principal, row["review_id"])
        assignment_id = None
        if data.decision is Resolution.ACCEPT and row["entry_id"] is not None:
            entry = (
                await PublicEntry.select(PublicEntry.household_id)
                .where(PublicEntry.id == row["entry_id"])
                .first()
            )
            assert entry is not None
            assignment_id = await _revisit(
                principal, review, int(entry["household_id"]), data, row["category"], now
            )
        state = "accepted" if data.decision is Resolution.ACCEPT else "rejected"
        await PublicObjection.update(
            {
                PublicObjection.state: state,
                PublicObjection.resolution_reason: data.reason.strip() or None,
                PublicObjection.resolved_by: actor_of(principal).ref,
                PublicObjection.resolved_at: now,
                PublicObjection.revisit_assignment_id: assignment_id,
            }
        ).where(PublicObjection.id == objection_id)
        await _changed(row["review_id"])
        await append_event(
            actor_of(principal),
            "objection.resolved",
            "objection",
            objection_id,
            region_code=row["region_code"],
            details={"state": state, "revisit_assignment_id": assignment_id},
        )
    return (await _objection_outs([await _visible_objection(principal, objection_id)]))[0]


# --- ratification -------------------------------------------------------------------------


async def ratify(principal: Principal, review_id: int) -> RatificationOut:
    now = _now()
    actor = actor_of(principal)
    async with db.write_transaction():
        review = await visible_review(principal, review_id)
        if review["state"] != "open":
            raise Conflict("This list is already ratified.", code="review_ratified")
        if review["closes_at"] > now:
            raise Conflict(
                "The public review window is still open.",
                code="review_window_open",
                extra={"closes_at": review["closes_at"].isoformat()},
            )
        if await PublicObjection.exists().where(
            (PublicObjection.review_id == review_id) & (PublicObjection.state == "open")
        ):
            raise Conflict("Resolve every objection first.", code="objections_open")
        moving = await PublicEntry.select(
            PublicEntry.household_id, PublicEntry.change, PublicEntry.reason
        ).where((PublicEntry.review_id == review_id) & (PublicEntry.change != "unchanged"))
        counted = {"added": 0, "removed": 0}
        for entry in moving:
            from_status, to_status = (
                ("proposed", "active") if entry["change"] == "added" else ("active", "inactive")
            )
            updated = (
                await Household.update({Household.status: to_status, Household.updated_at: now})
                .where((Household.id == entry["household_id"]) & (Household.status == from_status))
                .returning(Household.id)
            )
            if not updated:
                continue  # changed since publishing (e.g. by another round): left as it is
            await HouseholdStatusChange.insert(
                HouseholdStatusChange(
                    household_id=entry["household_id"],
                    region_code=review["region_code"],
                    from_status=from_status,
                    to_status=to_status,
                    reason=entry["reason"],
                    review_id=review_id,
                    changed_by=actor.ref,
                    changed_at=now,
                )
            )
            await append_event(
                actor,
                "household.status_changed",
                "household",
                entry["household_id"],
                region_code=review["region_code"],
                details={"from": from_status, "to": to_status, "reason": entry["reason"],
                         "review_id": review_id},
            )  # fmt: skip
            counted[entry["change"]] += 1
        await PublicReview.update(
            {PublicReview.state: "ratified", PublicReview.ratified_by: actor.ref,
             PublicReview.ratified_at: now}
        ).where(PublicReview.id == review_id)  # fmt: skip
        await append_event(
            actor,
            "public_review.ratified",
            "public_review",
            review_id,
            region_code=review["region_code"],
            details=counted,
        )
    return RatificationOut(
        review=await review_out(principal, review_id),
        added=counted["added"],
        removed=counted["removed"],
    )
