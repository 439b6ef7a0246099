"""The visits part of ``verval demo``: a dozen visits already sent, so a supervisor who
signs in to the demo has a queue to review (some clean, some flagged) and an auditor has
a trail to follow.

They go through the real intake (``service.submit``, ``photos.receive_photo``) and the
real review (``review.service.decide``): the flags, hashes, stored objects and audit
events are the ones a phone would produce. Idempotent: the demo enumerator's visits are
made once.
"""

from __future__ import annotations

import hashlib
import io
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image, ImageDraw

from api.registry.tables import Assignment, Household, HouseholdMember
from api.review import service as review_service
from api.review.schemas import DecisionKind, DecisionRequest
from api.settings import Settings
from api.visits import photos, service
from api.visits.analysis import analyse_photo
from api.visits.quality import thresholds_from_settings
from api.visits.schemas import VisitSubmission
from api.visits.tables import Visit
from auth import service as auth_service
from media.store import ObjectStore
from survey_forms.samples import dtks_submission

DEMO_FIELD_ENUMERATOR = "enumerator.demo"
# Every third visit is sent in Kecamatan Ipuh, so each demo supervisor has a queue
# (``supervisor.ipuh`` sees only district 17.06.05).
DEMO_IPUH_ENUMERATOR = "enumerator.ipuh"
DEMO_VISITS = 12
METRES_PER_DEGREE = 111_320


@dataclass(frozen=True)
class Scenario:
    """What happened at one door, as the quality checks will see it."""

    outcome: str = "found"
    offset_m: float = 12  # the phone's fix from the household's recorded location
    accuracy_m: float = 7
    minutes: float = 14
    reuse_photo_of: int | None = None  # the same house-front bytes as that visit's
    member_died: bool = False
    decision: DecisionKind | None = None


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(decision=DecisionKind.APPROVE),
    Scenario(member_died=True, decision=DecisionKind.APPROVE),
    Scenario(offset_m=420),  # "GPS 420 m from the household's recorded location"
    Scenario(accuracy_m=65),
    Scenario(minutes=1.5),
    Scenario(reuse_photo_of=1),  # the same photo as another household's visit
    Scenario(outcome="not_home"),
    Scenario(),
    Scenario(member_died=True),
    Scenario(offset_m=260, accuracy_m=45),
    Scenario(outcome="moved"),
    Scenario(),
)


def demo_photo(seed: int, caption: str) -> bytes:
    """A small, distinct JPEG standing in for a camera photo.

    The layout (light and dark blocks) varies with the seed, so the perceptual hashes of
    two demo photos differ as much as two real houses' do: only the visit that reuses a
    photo on purpose is flagged as a near-duplicate.
    """
    rng = random.Random(seed)
    image = Image.new("RGB", (960, 720), (rng.randint(0, 255),) * 3)
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rng.randint(-200, 900), rng.randint(-200, 660)
        w, h = rng.randint(120, 520), rng.randint(90, 420)
        shade = rng.randint(0, 255)
        tint = (shade, min(255, shade + rng.randint(0, 40)), max(0, shade - rng.randint(0, 40)))
        draw.rectangle([x, y, x + w, y + h], fill=tint)
    noise = Image.effect_noise((960, 720), 12).convert("RGB")
    image = Image.blend(image, noise, 0.15)
    ImageDraw.Draw(image).text((24, 24), caption, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=72)
    return out.getvalue()


def _members(
    rows: list[dict[str, Any]], died: bool, form_version: int, visited: datetime
) -> list[dict[str, Any]]:
    members = []
    for index, row in enumerate(rows):
        last = index == len(rows) - 1 and index > 0
        if died and last:
            member = {"nik": row["nik"], "full_name": row["name"], "presence": "2"}
            if form_version >= 2:  # version 2 asks when, and for the certificate if any
                member["death_date"] = (visited - timedelta(days=40)).date().isoformat()
                if row["birth_date"] is not None:
                    member["birth_date"] = row["birth_date"].isoformat()
            members.append(member)
            continue
        members.append(
            {
                "nik": row["nik"],
                "full_name": row["name"],
                "presence": "1",
                "sex": row["sex"] or "1",
                "birth_date": (row["birth_date"] or datetime(1990, 1, 1).date()).isoformat(),
                "marital_status": row["marital_status"] or "1",
                "relationship": row["relationship"] or "8",
                "disability": "2",
                "chronic_illness": "2",
                "working": "1" if index == 0 else "2",
            }
        )
    return members


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _assigned(enumerator_id: int, how_many: int) -> list[dict[str, Any]]:
    """The first assignments of one demo enumerator, with what a visit needs to name."""
    return await (
        Assignment.select(
            Assignment.round,
            Assignment.round.form_id.as_alias("form_id"),
            Assignment.round.form_version.as_alias("form_version"),
            Assignment.household.id.as_alias("household_id"),
            Assignment.household.latitude.as_alias("lat"),
            Assignment.household.longitude.as_alias("lon"),
        )
        .where(Assignment.enumerator == enumerator_id)
        .order_by(Assignment.id)
        .limit(how_many)
    )


async def load_visits_demo(settings: Settings, store: ObjectStore) -> int:
    """Send the demo visits once; returns how many exist for the demo enumerators."""
    enumerator = await auth_service.acting_as(DEMO_FIELD_ENUMERATOR, "demo")
    ipuh = await auth_service.acting_as(DEMO_IPUH_ENUMERATOR, "demo")
    supervisor = await auth_service.acting_as("supervisor", "demo")
    if enumerator is None or ipuh is None or supervisor is None:
        return 0
    made = await Visit.count().where(Visit.enumerator_id.is_in([enumerator.user_id, ipuh.user_id]))
    if made:
        return int(made)
    plan = [ipuh if index % 3 == 2 else enumerator for index in range(len(SCENARIOS))]
    queues = {
        who.user_id: await _assigned(who.user_id, sum(p is who for p in plan))
        for who in (enumerator, ipuh)
    }
    pairs = [(who, queues[who.user_id].pop(0)) for who in plan if queues[who.user_id]]
    limits = thresholds_from_settings(settings)
    settings.spool_dir.mkdir(parents=True, exist_ok=True)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1, hours=6)
    front_photos: dict[int, bytes] = {}
    for index, ((sender, row), scenario) in enumerate(zip(pairs, SCENARIOS, strict=False)):
        started = start + timedelta(minutes=35 * index)
        lat = (row["lat"] or -2.58) + scenario.offset_m / METRES_PER_DEGREE
        lon = row["lon"] or 101.12
        members = await (
            HouseholdMember.select()
            .where(HouseholdMember.household == row["household_id"])
            .order_by(HouseholdMember.position)
        )
        household = (
            await Household.select(Household.baseline)
            .where(Household.id == row["household_id"])
            .output(load_json=True)
            .first()
        )
        found = scenario.outcome == "found"
        answers: dict[str, Any] = {}
        if found:
            baseline = (household or {}).get("baseline") or {}
            answers = {**dtks_submission(row["form_version"]), **baseline}
            answers["members"] = _members(
                members, scenario.member_died, row["form_version"], started
            )
        kinds = ["house_front", "house_inside", "family_card"] if found else ["house_front"]
        shots = []
        for k, kind in enumerate(kinds):
            data = demo_photo(index * 10 + k, f"Demo {kind} #{index + 1}")
            if kind == "house_front":
                data = front_photos.get(scenario.reuse_photo_of, data)  # type: ignore[arg-type]
                front_photos.setdefault(index, data)
            shots.append((uuid.uuid4(), kind, data))
        submission = VisitSubmission.model_validate(
            {
                "household_id": row["household_id"],
                "round_id": row["round"],
                "form": {"id": row["form_id"], "version": row["form_version"]},
                "answers": answers,
                "outcome": scenario.outcome,
                "eligibility": "layak" if found else None,
                "started_at": started,
                "ended_at": started + timedelta(minutes=scenario.minutes),
                "gps": {
                    "lat": lat,
                    "lon": lon,
                    "accuracy_m": scenario.accuracy_m,
                    "fixed_at": started,
                    "poor_fix_reason": "Di bawah kebun sawit yang rapat"
                    if scenario.accuracy_m > limits.gps_accuracy_m
                    else None,
                },
                "device_id": f"demo-phone-{1 if sender is enumerator else 2}",
                "app_version": "demo",
                "photos": [
                    {
                        "id": str(photo_id),
                        "kind": kind,
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "size": len(data),
                        "captured_at": started + timedelta(minutes=2 + k),
                        "gps": {"lat": lat, "lon": lon, "accuracy_m": scenario.accuracy_m},
                    }
                    for k, (photo_id, kind, data) in enumerate(shots)
                ],
            }
        )
        visit_id = uuid.uuid4()
        await service.submit(sender, visit_id, submission, limits)
        for photo_id, _, data in shots:
            await photos.receive_photo(
                sender,
                visit_id,
                photo_id,
                _chunks(data),
                store=store,
                max_bytes=settings.max_photo_bytes,
                spool_dir=settings.spool_dir,
                queue_analysis=False,
            )
            # The demo's flags are there when it returns, on either database.
            await analyse_photo(photo_id, store=store, limits=limits)
        if scenario.decision is not None:
            await review_service.decide(
                supervisor, visit_id, DecisionRequest(decision=scenario.decision)
            )
    return len(pairs)
