"""Photo evidence that proves what it seems: corrupt pictures flagged, markup refused in
any metadata, copies without metadata, and stored bytes never answered for other bytes."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from api.audit.tables import AuditEvent
from api.visits.tables import Flag, Photo, Visit
from media.store import evidence_key
from tests.support.field import PhonePhoto, jpeg_bytes, visit_body
from tests.visits.analysed_events import analysed_photo_ids
from tests.visits.conftest import object_keys


async def _declare(app_client, phone, field, data: bytes, household: int = 0):
    photo = PhonePhoto(uuid.uuid4(), "house_front", data)
    body = visit_body(field, field.household_ids[household], [], outcome="not_home")
    body["photos"] = [photo.declared(datetime.now(UTC) - timedelta(minutes=50))]
    visit_id = uuid.uuid4()
    response = await app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert response.status_code == 201, response.text
    return visit_id, photo


async def _upload(app_client, phone, visit_id, photo_id, data: bytes):
    return await app_client.put(
        f"/api/v1/visits/{visit_id}/photos/{photo_id}",
        content=data,
        headers={**phone, "Content-Type": "image/jpeg"},
    )


def _with_segment(data: bytes, marker: int, payload: bytes) -> bytes:
    segment = bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload
    return data[:2] + segment + data[2:]


def _zeroed_after_scan_header(data: bytes) -> bytes:
    start = data.find(b"\xff\xda") + 200  # inside the compressed picture, headers intact
    return data[:start] + bytes(len(data) - start - 2) + data[-2:]


CORRUPT = {
    # Cut in half and closed with an end marker: a lenient decoder paints the rest grey.
    "cut_short_and_closed": lambda d: d[: len(d) // 2] + b"\xff\xd9",
    "zeroed_entropy_data": lambda d: _zeroed_after_scan_header(d),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
async def test_corrupt_picture_is_stored_as_sent_and_flagged(app_client, phone, field, case):
    data = CORRUPT[case](jpeg_bytes(8))
    visit_id, photo = await _declare(app_client, phone, field, data)
    response = await _upload(app_client, phone, visit_id, photo.id, data)
    assert response.status_code == 201, response.text
    flags = await Flag.select(Flag.code, Flag.severity, Flag.photo_id).where(Flag.visit == visit_id)
    corrupt = [f for f in flags if f["code"] == "photo_corrupt"]
    assert len(corrupt) == 1 and corrupt[0]["severity"] == "critical"
    assert str(corrupt[0]["photo_id"]) == str(photo.id)
    row = await Photo.select(Photo.thumbnail_key, Photo.display_key, Photo.perceptual_hash).first()
    # No picture is made from it, and it never counts as a near-duplicate of anything.
    assert row == {"thumbnail_key": None, "display_key": None, "perceptual_hash": None}
    detail = (await app_client.get(f"/api/v1/visits/{visit_id}", headers=phone)).json()
    assert any(f["code"] == "photo_corrupt" for f in detail["flags"])


MARKUP = {
    "comment_img_onerror": (0xFE, b"<img src=x onerror=alert(1)>"),
    "comment_anchor_javascript": (0xFE, b"see javascript:alert(1)"),
    "app_segment_svg_onload": (0xE9, b"VENDOR\x00<svg/onload=alert(1)>"),
    "xmp_with_html_tag": (
        0xE1,
        b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x='adobe:ns:meta/'>"
        b"<b style='x'>hi</b></x:xmpmeta>",
    ),
}


@pytest.mark.parametrize("case", sorted(MARKUP))
async def test_markup_in_any_metadata_segment_is_refused(app_client, phone, field, store, case):
    marker, payload = MARKUP[case]
    data = _with_segment(jpeg_bytes(12), marker, payload)
    visit_id, photo = await _declare(app_client, phone, field, data)
    response = await _upload(app_client, phone, visit_id, photo.id, data)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "not_a_jpeg"
    assert await Photo.count().where(Photo.stored_at.is_not_null()) == 0
    assert await object_keys(store) == []


async def test_honest_metadata_is_kept_in_evidence_and_left_out_of_copies(
    app_client, phone, field, store
):
    original = Image.open(io.BytesIO(jpeg_bytes(14)))
    exif = Image.Exif()
    exif[0x010F] = "SAMSUNG"  # Make
    out = io.BytesIO()
    original.save(out, format="JPEG", quality=80, exif=exif, comment=b"rumah bu siti")
    xmp = (
        b"http://ns.adobe.com/xap/1.0/\x00<?xpacket begin='' id='W5M0'?>"
        b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF/></x:xmpmeta>"
    )
    data = _with_segment(out.getvalue(), 0xE1, xmp)
    visit_id, photo = await _declare(app_client, phone, field, data)
    response = await _upload(app_client, phone, visit_id, photo.id, data)
    assert response.status_code == 201, response.text
    row = (
        await Photo.select(Photo.storage_key, Photo.display_key, Photo.exif)
        .output(load_json=True)
        .first()
    )
    assert row["storage_key"] == evidence_key(photo.sha256)
    assert row["display_key"] != row["storage_key"] and row["exif"]["Make"] == "SAMSUNG"
    evidence = b"".join([c async for c in store.open(row["storage_key"])])
    display = b"".join([c async for c in store.open(row["display_key"])])
    assert evidence == data  # the evidence is the bytes the phone sent
    for secret in (b"rumah bu siti", b"SAMSUNG", b"xmpmeta"):
        assert secret not in display
    # Lossless: the same pixels, not a re-encode.
    assert Image.open(io.BytesIO(display)).tobytes() == Image.open(io.BytesIO(data)).tobytes()
    assert len(display) < len(data)


async def test_repeat_with_other_bytes_after_storing_is_409(app_client, phone, field, store):
    data = jpeg_bytes(16)
    visit_id, photo = await _declare(app_client, phone, field, data)
    assert (await _upload(app_client, phone, visit_id, photo.id, data)).status_code == 201
    other = jpeg_bytes(17)
    conflict = await _upload(app_client, phone, visit_id, photo.id, other)
    assert conflict.status_code == 409, conflict.text
    assert conflict.json()["code"] == "photo_already_stored"
    same = await _upload(app_client, phone, visit_id, photo.id, data)
    assert same.status_code == 200 and same.json()["stored"] is True
    assert await object_keys(store) == [evidence_key(photo.sha256)]
    received = await AuditEvent.count().where(AuditEvent.action == "photo.received")
    assert received == 1
    assert await analysed_photo_ids() == [str(photo.id)]
    visit = await Visit.select(Visit.photos_stored, Visit.photos_analysed, Visit.state).first()
    assert visit == {"photos_stored": 1, "photos_analysed": 1, "state": "complete"}


async def test_analysing_a_photo_again_changes_nothing(app_client, phone, field, stack):
    from api.visits.analysis import analyse_photo
    from api.visits.quality import QualityThresholds

    data = jpeg_bytes(18)
    visit_id, photo = await _declare(app_client, phone, field, data)
    assert (await _upload(app_client, phone, visit_id, photo.id, data)).status_code == 201
    before = await Flag.count(), await AuditEvent.count()
    outcome = await analyse_photo(
        photo.id, store=stack[0].state.resources.store, limits=QualityThresholds()
    )
    assert outcome.analysed_now is False
    assert (await Flag.count(), await AuditEvent.count()) == before
