"""A corpus of bad inputs: each gets a clear 4xx with a stable code and leaves nothing
stored (no visit or photo row, no evidence object)."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from api.visits.tables import Photo, Visit
from tests.support.field import FOUND_KINDS, PhonePhoto, jpeg_bytes, photos_for, visit_body
from tests.visits.conftest import object_keys

Body = dict[str, Any]


def _set(path: str, value: Any) -> Callable[[Body], Body]:
    def mutate(body: Body) -> Body:
        target = body
        parts = path.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
        return body

    return mutate


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"x": value}
    return value


FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()

VISIT_CASES: dict[str, tuple[Callable[[Body], Body], int, str]] = {
    "gps_latitude_out_of_range": (_set("gps.lat", 123.0), 400, "invalid_request"),
    "gps_longitude_out_of_range": (_set("gps.lon", -500.0), 400, "invalid_request"),
    "start_in_the_future": (_set("started_at", FUTURE), 422, "invalid_visit"),
    "photo_captured_in_the_future": (_set("photos.0.captured_at", FUTURE), 422, "invalid_visit"),
    "unknown_form_version": (
        _set("form", {"id": "dtks_verval", "version": 99}),
        422,
        "unknown_form_version",
    ),
    "invalid_member_nik": (_set("answers.members.0.nik", "1234567890123456"), 422, "invalid_visit"),
    "required_photo_missing": (lambda b: {**b, "photos": b["photos"][:1]}, 422, "invalid_visit"),
    "deeply_nested_answers": (_set("answers.note_deep", _nested(40)), 422, "invalid_visit"),
    "unknown_top_level_field": (_set("surprise", 1), 400, "invalid_request"),
    "bad_sha256": (_set("photos.0.sha256", "zz" * 32), 400, "invalid_request"),
    "poor_gps_without_reason": (_set("gps.accuracy_m", 250.0), 422, "invalid_visit"),
    "answers_for_not_home": (lambda b: {**b, "outcome": "not_home"}, 422, "invalid_visit"),
    "ended_before_started": (
        lambda b: {
            **b,
            "ended_at": (
                datetime.fromisoformat(b["started_at"]) - timedelta(minutes=1)
            ).isoformat(),
        },
        422,
        "invalid_visit",
    ),
}


@pytest.mark.parametrize("case", sorted(VISIT_CASES))
async def test_bad_visit_is_refused_and_stores_nothing(app_client, phone, field, store, case):
    mutate, status, code = VISIT_CASES[case]
    photos = photos_for(FOUND_KINDS)
    body = mutate(json.loads(json.dumps(visit_body(field, field.household_ids[0], photos))))
    response = await app_client.put(f"/api/v1/visits/{uuid.uuid4()}", json=body, headers=phone)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert await Visit.count() == 0 and await Photo.count() == 0
    assert await object_keys(store) == []


async def test_oversize_json_is_413_and_stores_nothing(app_client, phone, field, store):
    body = visit_body(field, field.household_ids[0], photos_for(FOUND_KINDS))
    body["note"] = "x" * (3 * 1024 * 1024)
    response = await app_client.put(f"/api/v1/visits/{uuid.uuid4()}", json=body, headers=phone)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
    assert await Visit.count() == 0


async def test_invalid_answers_list_every_problem_with_paths(app_client, phone, field):
    body = visit_body(field, field.household_ids[0], photos_for(FOUND_KINDS))
    body["answers"]["floor_area"] = 0
    body["answers"]["members"][1]["nik"] = "9999999999999999"
    response = await app_client.put(f"/api/v1/visits/{uuid.uuid4()}", json=body, headers=phone)
    assert response.status_code == 422
    paths = {item["path"] for item in response.json()["errors"]}
    assert {"answers.floor_area", "answers.members[1].nik"} <= paths
    assert all(item["message"]["id"] for item in response.json()["errors"])


# --- photo bytes ---------------------------------------------------------------------


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def _bomb() -> bytes:
    # 12,000 x 12,000 = 144 MP of one colour: a few hundred KB that would decode to 430 MB.
    out = io.BytesIO()
    Image.new("L", (12_000, 12_000), 0).save(out, format="JPEG", quality=10)
    return out.getvalue()


def _polyglot() -> bytes:
    # A valid JPEG that a browser sniffing content would also render as HTML.
    data = jpeg_bytes(77)
    comment = b"<html><script>alert(document.cookie)</script></html>"
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return data[:2] + segment + data[2:]


PHOTO_CASES: dict[str, tuple[Callable[[], bytes], int, str]] = {
    "decompression_bomb": (_bomb, 422, "image_too_large"),
    "truncated_jpeg": (lambda: jpeg_bytes(5)[:-2000], 422, "not_a_jpeg"),
    "png_renamed_jpg": (_png, 422, "not_a_jpeg"),
    "html_renamed_jpg": (lambda: b"<!doctype html><html><body>hi</body></html>", 422, "not_a_jpeg"),
    "jpeg_html_polyglot": (_polyglot, 422, "not_a_jpeg"),
    "jpeg_with_html_appended": (
        lambda: jpeg_bytes(6) + b"<html><script>x()</script></html>",
        422,
        "not_a_jpeg",
    ),
    "zeroed_headers": (
        lambda: (lambda d: d[:600] + bytes(len(d) - 602) + d[-2:])(jpeg_bytes(8)),
        422,
        "not_a_jpeg",
    ),
}
# Corrupt entropy data is found by the analysis decode, not the request: it is stored
# and flagged photo_corrupt (tests/visits/test_photos_evidence.py).


async def _declare(
    app_client, phone, field, data: bytes, size: int | None = None, sha: str | None = None
):
    photo = PhonePhoto(uuid.uuid4(), "house_front", data)
    declared = photo.declared(datetime.now(UTC) - timedelta(minutes=50))
    if size is not None:
        declared["size"] = size
    if sha is not None:
        declared["sha256"] = sha
    body = visit_body(field, field.household_ids[0], [], outcome="not_home")
    body["photos"] = [declared]
    visit_id = uuid.uuid4()
    response = await app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    assert response.status_code == 201, response.text
    return visit_id, photo


@pytest.mark.parametrize("case", sorted(PHOTO_CASES))
async def test_bad_photo_bytes_are_refused_and_nothing_is_stored(
    app_client, phone, field, store, case
):
    make, status, code = PHOTO_CASES[case]
    data = make()
    visit_id, photo = await _declare(app_client, phone, field, data)
    response = await app_client.put(
        f"/api/v1/visits/{visit_id}/photos/{photo.id}",
        content=data,
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    row = await Photo.select(Photo.stored_at).where(Photo.id == photo.id).first()
    assert row["stored_at"] is None
    assert await object_keys(store) == [] and await object_keys(store, "derivatives/") == []


async def test_wrong_hash_wrong_size_empty_and_oversize_photos(app_client, phone, field, store):
    good = jpeg_bytes(9)
    visit_id, photo = await _declare(app_client, phone, field, good, sha="ab" * 32)
    wrong_hash = await app_client.put(
        f"/api/v1/visits/{visit_id}/photos/{photo.id}",
        content=good,
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    assert wrong_hash.status_code == 422 and wrong_hash.json()["code"] == "photo_hash_mismatch"

    visit_id, photo = await _declare(app_client, phone, field, good, size=len(good) + 1)
    wrong_size = await app_client.put(
        f"/api/v1/visits/{visit_id}/photos/{photo.id}",
        content=good,
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    assert wrong_size.status_code == 422 and wrong_size.json()["code"] == "photo_size_mismatch"

    visit_id, photo = await _declare(app_client, phone, field, good)
    empty = await app_client.put(
        f"/api/v1/visits/{visit_id}/photos/{photo.id}",
        content=b"",
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    assert empty.status_code == 422 and empty.json()["code"] == "photo_size_mismatch"

    huge = good + b"\x00" * (11 * 1024 * 1024)
    oversize = await app_client.put(
        f"/api/v1/visits/{visit_id}/photos/{photo.id}",
        content=huge,
        headers={**phone, "Content-Type": "image/jpeg"},
    )
    assert oversize.status_code == 413 and oversize.json()["code"] == "payload_too_large"

    wrong_type = await app_client.put(
        f"/api/v1/visits/{visit_id}/photos/{photo.id}",
        content=good,
        headers={**phone, "Content-Type": "text/html"},
    )
    assert wrong_type.status_code == 415

    assert await object_keys(store) == []
    assert await Photo.count().where(Photo.stored_at.is_not_null()) == 0
