"""A small field situation for visit tests: a village, households, a round, assignments,
and the phone-side work (a complete DTKS submission, stamped JPEG photos with hashes)."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PIL import Image, ImageDraw

from api.audit.service import Actor
from api.forms import service as forms_service
from api.registry.tables import Assignment, Household, HouseholdMember, Region, Round
from auth.roles import Role
from survey_forms import get_form
from survey_forms.samples import dtks_submission
from tests.support.users import make_user

VILLAGE = "17.06.01.2005"  # Suka Pindah, Lubuk Pinang
FOREIGN_VILLAGE = "17.06.05.2001"
HOME = (-2.5601, 101.1102)


@dataclass
class Field:
    enumerator_id: int
    round_id: int
    household_ids: list[int]
    foreign_household_id: int
    other_enumerator_id: int
    extra: dict[str, Any] = field(default_factory=dict)


async def build_field(households: int = 3) -> Field:
    for code, name, level, parent in [
        ("17", "Bengkulu", "province", None),
        ("17.06", "Kabupaten Mukomuko", "regency", "17"),
        ("17.06.01", "Lubuk Pinang", "district", "17.06"),
        ("17.06.03", "Teras Terunjam", "district", "17.06"),  # the sample NIKs' district
        ("17.06.05", "Ipuh", "district", "17.06"),
        (VILLAGE, "Suka Pindah", "village", "17.06.01"),
        (FOREIGN_VILLAGE, "Ipuh Satu", "village", "17.06.05"),
    ]:
        await Region.insert(Region(code=code, name=name, level=level, parent_code=parent))
    await forms_service.publish(Actor.system(), get_form("dtks_verval", 1))
    await forms_service.publish(Actor.system(), get_form("usulan_baru", 1))
    enumerator = await make_user("siti", Role.ENUMERATOR, ["17.06.01"])
    other = await make_user("budi", Role.ENUMERATOR, ["17.06.05"])
    round_rows = await Round.insert(
        Round(
            name="Verval Juni 2026",
            region_code="17.06",
            starts_on=date(2026, 6, 1),
            # Open-ended: visits made "an hour ago" must fall inside it whenever tests run.
            ends_on=date(2099, 12, 31),
            state="open",
            created_by="test",
        )
    ).returning(Round.id)
    round_id = round_rows[0]["id"]
    ids = []
    for index in range(households + 1):
        village = VILLAGE if index < households else FOREIGN_VILLAGE
        rows = await Household.insert(
            Household(
                kk_number=f"17060112019{index:05d}",
                region_code=village,
                address=f"Jl. Melati {index}",
                rt="001",
                rw="002",
                head_name="Kepala",
                head_nik=None,
                latitude=HOME[0] + index * 0.01,
                longitude=HOME[1],
                baseline={"house_ownership": "1"},
                member_count=1,
            )
        ).returning(Household.id)
        household_id = rows[0]["id"]
        await HouseholdMember.insert(
            HouseholdMember(
                household=household_id,
                position=0,
                nik=f"17060141019{index:05d}",
                name="Anggota",
                sex="1",
                relationship="1",
            )
        )
        owner = enumerator.id if index < households else other.id
        await Assignment.insert(
            Assignment(
                round=round_id,
                household=household_id,
                enumerator=owner,
                region_code=village,
                state="open",
                assigned_by="test",
            )
        )
        ids.append(household_id)
    return Field(
        enumerator_id=enumerator.id,
        round_id=round_id,
        household_ids=ids[:households],
        foreign_household_id=ids[-1],
        other_enumerator_id=other.id,
    )


def jpeg_bytes(seed: int = 0, size: tuple[int, int] = (1600, 1200), quality: int = 75) -> bytes:
    """A camera-like JPEG (noise and shapes), distinct per seed."""
    image = Image.effect_noise(size, 40 + seed % 20).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(8):
        x = (seed * 97 + i * 211) % size[0]
        y = (seed * 53 + i * 137) % size[1]
        draw.rectangle([x, y, x + 300, y + 200], fill=((seed * 40 + i * 30) % 255, 80, 160))
    draw.text((20, 20), f"2026-06-10 {seed}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


@dataclass
class PhonePhoto:
    id: uuid.UUID
    kind: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def declared(
        self, captured_at: datetime, location: tuple[float, float] = HOME
    ) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "kind": self.kind,
            "sha256": self.sha256,
            "size": len(self.data),
            "captured_at": captured_at.isoformat(),
            "gps": {"lat": location[0], "lon": location[1], "accuracy_m": 8.0},
        }


def photos_for(kinds: list[str], seed: int = 0) -> list[PhonePhoto]:
    return [
        PhonePhoto(uuid.uuid4(), kind, jpeg_bytes(seed * 10 + i)) for i, kind in enumerate(kinds)
    ]


def visit_body(
    field_: Field,
    household_id: int,
    photos: list[PhonePhoto],
    *,
    outcome: str = "found",
    started: datetime | None = None,
    minutes: float = 12,
    location: tuple[float, float] | None = None,
    accuracy: float | None = 6.5,
    answers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    started = started or datetime.now(UTC) - timedelta(hours=1)
    ended = started + timedelta(minutes=minutes)
    index = field_.household_ids.index(household_id) if household_id in field_.household_ids else 0
    location = location or (HOME[0] + index * 0.01, HOME[1])
    return {
        "household_id": household_id,
        "round_id": field_.round_id,
        "form": {"id": "dtks_verval", "version": 1},
        "answers": answers
        if answers is not None
        else (dtks_submission() if outcome == "found" else {}),
        "outcome": outcome,
        "eligibility": "layak" if outcome == "found" else None,
        "started_at": started.isoformat(),
        "ended_at": ended.isoformat(),
        "gps": {
            "lat": location[0],
            "lon": location[1],
            "accuracy_m": accuracy,
            "fixed_at": started.isoformat(),
        },
        "device_id": "android-test-1",
        "app_version": "1.0.0",
        "photos": [p.declared(started + timedelta(minutes=2), location) for p in photos],
    }


FOUND_KINDS = ["house_front", "house_inside", "family_card"]
