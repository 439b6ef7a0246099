"""Each quality check fires on a crafted case and stays quiet on a clean one (SPEC §6)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from api.visits.quality import Point, QualityThresholds, VisitFacts, check_same_spot
from tests.support.field import FOUND_KINDS, HOME, PhonePhoto, jpeg_bytes, photos_for, visit_body

T0 = datetime.now(UTC) - timedelta(hours=6)


async def _submit(app_client, phone, body, photos=()):
    visit_id = uuid.uuid4()
    response = await app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert response.status_code == 201, response.text
    for photo in photos:
        uploaded = await app_client.put(
            f"/api/v1/visits/{visit_id}/photos/{photo.id}",
            content=photo.data,
            headers={**phone, "Content-Type": "image/jpeg"},
        )
        assert uploaded.status_code == 201, uploaded.text
    detail = await app_client.get(f"/api/v1/visits/{visit_id}", headers=phone)
    return {f["code"]: {**f, "visit_id": str(visit_id)} for f in detail.json()["flags"]}


async def test_clean_visit_has_no_flags(app_client, phone, field):
    photos = photos_for(FOUND_KINDS)
    body = visit_body(field, field.household_ids[0], photos, started=T0)
    # The form sample's members are new NIKs to this household: leave only registry-neutral
    # members out of the picture by checking the non-member flags.
    flags = await _submit(app_client, phone, body, photos)
    assert not {c for c in flags if not c.startswith("member_")}, flags


async def test_gps_flags(app_client, phone, field):
    zero = visit_body(
        field, field.household_ids[0], [], outcome="refused", started=T0, accuracy=0.0
    )
    assert "gps_accuracy_zero" in await _submit(app_client, phone, zero)

    poor = visit_body(
        field,
        field.household_ids[1],
        [],
        outcome="refused",
        started=T0 + timedelta(hours=1),
        accuracy=80.0,
    )
    poor["gps"]["poor_fix_reason"] = "di bawah pohon lebat"
    flags = await _submit(app_client, phone, poor)
    assert flags["gps_poor_accuracy"]["evidence"]["accuracy_m"] == 80.0

    far_location = (HOME[0] + 0.02 + 0.005, HOME[1])  # ~550 m from household 2's reference point
    far = visit_body(
        field,
        field.household_ids[2],
        [],
        outcome="refused",
        started=T0 + timedelta(hours=2),
        location=far_location,
    )
    flags = await _submit(app_client, phone, far)
    distance = flags["far_from_household"]["evidence"]["distance_m"]
    assert 500 < distance < 600
    assert f"GPS {distance} m from the household" in flags["far_from_household"]["message"]["en"]


async def test_photo_time_and_place_flags(app_client, phone, field):
    photo = PhonePhoto(uuid.uuid4(), "house_front", jpeg_bytes(31))
    body = visit_body(field, field.household_ids[0], [photo], outcome="not_home", started=T0)
    body["photos"][0]["captured_at"] = (T0 - timedelta(minutes=45)).isoformat()
    body["photos"][0]["gps"] = {
        "lat": HOME[0] + 0.01,
        "lon": HOME[1],
        "accuracy_m": 5.0,
    }  # ~1.1 km away
    flags = await _submit(app_client, phone, body, [photo])
    assert flags["photo_outside_visit_window"]["evidence"]["minutes_outside"] == 45.0
    assert flags["photo_far_from_visit"]["evidence"]["distance_m"] > 1000


async def test_short_visit_flag(app_client, phone, field):
    body = visit_body(field, field.household_ids[0], [], outcome="refused", started=T0, minutes=1.5)
    flags = await _submit(app_client, phone, body)
    assert flags["visit_too_short"]["evidence"]["minutes"] == 1.5


async def test_impossible_travel_flag(app_client, phone, field):
    first = visit_body(field, field.household_ids[0], [], outcome="refused", started=T0)
    await _submit(app_client, phone, first)
    # 20 minutes after the first ended, 50 km away: 150 km/h.
    second = visit_body(
        field,
        field.household_ids[1],
        [],
        outcome="refused",
        started=T0 + timedelta(minutes=32),
        location=(HOME[0] + 0.45, HOME[1]),
    )
    flags = await _submit(app_client, phone, second)
    assert flags["impossible_travel"]["evidence"]["speed_kmh"] > 80


def test_same_spot_check_fires_at_the_threshold():
    facts = VisitFacts(
        visit_id="v",
        household_id=9,
        started_at=T0,
        ended_at=T0,
        location=Point(*HOME),
        accuracy_m=5,
        household_location=None,
    )
    limits = QualityThresholds(same_spot_households=4)
    assert check_same_spot(facts, {1, 2, 3}, limits)[0].evidence["households"] == 4
    assert check_same_spot(facts, {1, 2}, limits) == []
    assert check_same_spot(facts, {9, 1, 2}, limits) == []  # the same household twice counts once


async def test_same_spot_stays_quiet_below_the_threshold(app_client, phone, field):
    flags = {}
    for index, household in enumerate(field.household_ids):
        body = visit_body(
            field,
            household,
            [],
            outcome="refused",
            started=T0 + timedelta(minutes=15 * index),
            location=HOME,
        )
        flags = await _submit(app_client, phone, body)
    assert "many_households_same_spot" not in flags  # three is under the default of four


async def test_member_changes_needing_a_registry_check(app_client, phone, field):
    photos = photos_for(FOUND_KINDS, seed=3)
    body = visit_body(field, field.household_ids[0], photos, started=T0)
    body["answers"]["members"][1]["presence"] = "2"
    for key in list(body["answers"]["members"][1]):
        if key not in {"nik", "full_name", "presence"}:
            del body["answers"]["members"][1][key]
    flags = await _submit(app_client, phone, body, photos)
    visit = (
        await app_client.get("/api/v1/visits/" + flags["member_died"]["visit_id"], headers=phone)
    ).json()
    died = [f["evidence"] for f in visit["flags"] if f["code"] == "member_died"]
    assert {"member_index": 1} in died
    assert "member_new_nik" in flags
    # The evidence names the member by position, never by NIK.
    assert set(flags["member_new_nik"]["evidence"]) == {"member_index"}


def test_flag_words_count_members_from_one():
    from api.visits.flags import describe_flag

    flag = describe_flag(
        {"code": "member_died", "severity": "info", "evidence": {"member_index": 0}}
    )
    assert flag.message["id"].startswith("Anggota #1 dilaporkan meninggal")
    assert flag.message["en"].startswith("Member #1 reported dead")
    assert flag.evidence == {"member_index": 0}  # the evidence keeps the list index


def _recompressed(data: bytes, quality: int, scale: float = 1.0) -> bytes:
    """The same picture saved again (another size and quality): other bytes, same look."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if scale != 1.0:
            image = image.resize((int(image.width * scale), int(image.height * scale)))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality)
        return out.getvalue()


async def test_a_recompressed_photo_of_another_household_is_a_near_duplicate(
    app_client, phone, field
):
    original = PhonePhoto(uuid.uuid4(), "house_front", jpeg_bytes(300))
    first = visit_body(field, field.household_ids[0], [original], outcome="not_home", started=T0)
    first_flags = await _submit(app_client, phone, first, [original])
    assert "photo_near_duplicate" not in first_flags

    # Another household's visit with the same picture, re-saved smaller: different bytes
    # (so not "photo_reused"), the same perceptual hash neighbourhood.
    copy = PhonePhoto(uuid.uuid4(), "house_front", _recompressed(original.data, 60, 0.8))
    assert copy.sha256 != original.sha256
    second = visit_body(
        field, field.household_ids[1], [copy], outcome="not_home", started=T0 + timedelta(hours=1)
    )
    flags = await _submit(app_client, phone, second, [copy])
    near = flags["photo_near_duplicate"]
    assert near["evidence"]["other_household_id"] == field.household_ids[0]
    assert near["evidence"]["other_photo"] == str(original.id)
    assert near["evidence"]["hamming_distance"] <= 6

    # The band index (up to 7 bits) and the full comparison (a wider threshold) agree.
    from api.visits import queries
    from api.visits.analysis import _near_duplicates
    from api.visits.quality import QualityThresholds
    from media.images import analyse_jpeg

    perceptual_hash = analyse_jpeg(copy.data).perceptual_hash
    assert perceptual_hash is not None
    visit = await queries.visit_row(uuid.UUID(near["visit_id"]))
    for bits in (6, 7, 12):
        found = await _near_duplicates(
            visit, copy.id, perceptual_hash, QualityThresholds(near_duplicate_bits=bits)
        )
        assert [f.evidence["other_photo"] for f in found] == [str(original.id)], bits

    # A different picture in a third household is not.
    other = PhonePhoto(uuid.uuid4(), "house_front", jpeg_bytes(301))
    third = visit_body(
        field, field.household_ids[2], [other], outcome="not_home", started=T0 + timedelta(hours=2)
    )
    assert "photo_near_duplicate" not in await _submit(app_client, phone, third, [other])
