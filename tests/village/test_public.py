"""The public surface of the review: what anyone without an account can read and send.

Walks every public endpoint's answers for a published village and finds no NIK, No. KK,
unmasked name, photo or coordinate; the entry tokens are HMACs (not ids, not guessable);
limits per address and per village and size caps refuse with problem+json and store
nothing; an unknown, unpublished or closed village answers 404.
"""

from __future__ import annotations

import re

import pytest

from api.registry.tables import Household, HouseholdMember
from api.village import review as review_service
from api.village.masking import entry_token, mask_name
from api.village.tables import PublicEntry, PublicObjection, PublicReview
from survey_forms.samples import usulan_submission
from tests.conftest import TEST_SECRET
from tests.support.field import FOREIGN_VILLAGE, VILLAGE, jpeg_bytes
from tests.village.support import (
    NAMES,
    addition_body,
    approved_visits,
    final_deliberation,
    name_households,
    people,
    removal_body,
)

DIGITS_16 = re.compile(r"\d{16}")


async def published(app_client, field) -> tuple[dict, dict]:
    who = await people(app_client)
    await name_households(field)
    await approved_visits(field)
    await app_client.post(
        "/api/v1/village-proposals", headers=who["ops"],
        json=addition_body(field, usulan_submission()),
    )  # fmt: skip
    await app_client.post(
        "/api/v1/village-proposals", headers=who["ops"],
        json=removal_body(field, field.household_ids[2]),
    )  # fmt: skip
    deliberation = await final_deliberation(app_client, who["ops"], field)
    response = await app_client.post(
        "/api/v1/public-reviews", headers=who["sari"], json={"deliberation_id": deliberation["id"]}
    )
    assert response.status_code == 201, response.text
    return who, response.json()


async def secrets_of_the_register() -> list[str]:
    """Every NIK, No. KK and full name the register holds for the village."""
    households = await Household.select(
        Household.id, Household.kk_number, Household.head_nik, Household.head_name,
        Household.latitude, Household.longitude,
    )  # fmt: skip
    members = await HouseholdMember.select(HouseholdMember.nik, HouseholdMember.name)
    found = [h["kk_number"] for h in households] + [m["nik"] for m in members]
    found += [h["head_nik"] for h in households if h["head_nik"]]
    found += [h["head_name"] for h in households] + [
        m["name"] for m in members if len(m["name"]) > 8
    ]
    found += [str(h["latitude"]) for h in households if h["latitude"] is not None]
    return [value for value in found if value]


def test_masking():
    assert mask_name("Sugiarti Wibowo") == "S******i W****o"
    assert mask_name("  Ani  Al  B ") == "A*i A* B"


async def test_public_answers_hold_no_personal_data(app_client, field):
    _, review = await published(app_client, field)
    secrets = await secrets_of_the_register()
    assert NAMES[0] in secrets and any(DIGITS_16.fullmatch(s) for s in secrets)
    listing = await app_client.get(f"/api/v1/public/reviews/{VILLAGE}")
    page = await app_client.get(f"/publik/{VILLAGE}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script" not in page.text.lower()  # no JavaScript needed or sent
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    tokens = [e["token"] for e in listing.json()["entries"]]
    forms = [await app_client.get(f"/publik/{VILLAGE}/sanggah?entri={t}") for t in tokens]
    forms.append(await app_client.get(f"/publik/{VILLAGE}/sanggah"))
    for response in [listing, page, *forms]:
        assert response.status_code == 200
        text = response.text
        for secret in secrets:
            assert secret not in text, f"{secret!r} in {response.request.url}"
        assert not DIGITS_16.search(text)
        assert "<img" not in text and '"latitude":' not in text and "evidence/" not in text
    assert "S******i W****o" in page.text and "Keluar dari daftar: meninggal dunia" in page.text
    assert f"{review['counts']['entries']} keluarga" in page.text
    assert "sanggahan sampai" in page.text  # the deadline is on the page


async def test_tokens_are_hmacs_not_ids(app_client, field):
    _, review = await published(app_client, field)
    entries = await PublicEntry.select().where(PublicEntry.review_id == review["id"])
    for entry in entries:
        assert entry["token"] == entry_token(
            (TEST_SECRET).encode(), review["id"], entry["household_id"]
        )
        assert len(entry["token"]) == 24
    assert len({e["token"] for e in entries}) == len(entries)
    # a token made of an id, or with the wrong key, is not an entry
    for guess in [str(entries[0]["household_id"]), entry_token(b"other-key", review["id"], 1)]:
        refused = await app_client.post(
            f"/api/v1/public/reviews/{VILLAGE}/objections",
            data={"entry": guess, "category": "other", "text": "Coba-coba menebak entri."},
        )
        assert refused.status_code == 404
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert await PublicObjection.count() == 0


async def test_unknown_unpublished_or_closed_village_is_404(app_client, field):
    assert (await app_client.get(f"/publik/{VILLAGE}")).status_code == 404  # not published
    assert (await app_client.get(f"/api/v1/public/reviews/{VILLAGE}")).status_code == 404
    _, review = await published(app_client, field)
    assert (await app_client.get(f"/publik/{VILLAGE}")).status_code == 200
    for path in [f"/publik/{FOREIGN_VILLAGE}", "/publik/99.99.99.9999", "/publik/17.06.01",
                 f"/api/v1/public/reviews/{FOREIGN_VILLAGE}"]:  # fmt: skip
        assert (await app_client.get(path)).status_code == 404, path
    bad = await app_client.post(
        f"/api/v1/public/reviews/{FOREIGN_VILLAGE}/objections",
        data={"text": "Keluarga belum terdaftar di desa ini."},
    )
    assert bad.status_code == 404
    # The window's end cannot be waited for: move it into the past.
    await PublicReview.update({PublicReview.closes_at: PublicReview.opens_at}).where(
        PublicReview.id == review["id"]
    )
    assert (await app_client.get(f"/publik/{VILLAGE}")).status_code == 404
    late = await app_client.post(
        f"/api/v1/public/reviews/{VILLAGE}/objections",
        data={"text": "Keluarga belum terdaftar di desa ini."},
    )
    assert late.status_code == 404 and await PublicObjection.count() == 0


async def test_refusals_and_size_caps(app_client, field):
    await published(app_client, field)
    url = f"/api/v1/public/reviews/{VILLAGE}/objections"
    cases = [
        ({"text": "pendek"}, None, 422, "text_length"),
        ({"text": "x" * 1001}, None, 422, "text_length"),
        ({"text": "Keluarga belum terdaftar.", "contact": "9" * 101}, None, 422, "contact_length"),
        ({"text": "Keluarga belum terdaftar.", "latitude": "abc", "longitude": "1"}, None, 422,
         "location_invalid"),
        ({"text": "Keluarga belum terdaftar.", "rt": "12a"}, None, 422, "rt_rw_invalid"),
        ({"text": "Keluarga belum terdaftar."}, b"GIF89a not a jpeg", 422, None),
    ]  # fmt: skip
    for data, photo, status, code in cases:
        files = {"photo": ("x.jpg", photo, "image/jpeg")} if photo else None
        response = await app_client.post(url, data=data, files=files)
        assert response.status_code == status, (data, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        if code:
            assert response.json()["code"] == code
    too_big = await app_client.post(
        url,
        data={"text": "Keluarga belum terdaftar."},
        files={"photo": ("x.jpg", b"\xff" * (6 * 1024 * 1024), "image/jpeg")},
    )
    assert too_big.status_code == 413
    assert too_big.headers["content-type"].startswith("application/problem+json")
    # A JSON body (even a 1,000-deep one) is not a form: 415 in words, not a missing text.
    for body in (b'{"text": "Keluarga belum terdaftar."}', b"[" * 1000 + b"]" * 1000):
        as_json = await app_client.post(
            url, content=body, headers={"content-type": "application/json"}
        )
        assert as_json.status_code == 415, as_json.text
        assert as_json.headers["content-type"].startswith("application/problem+json")
    assert await PublicObjection.count() == 0
    # the HTML form answers in words, on the page, with the same status
    page = await app_client.post(f"/publik/{VILLAGE}/sanggah", data={"text": "pendek"})
    assert page.status_code == 422 and "Tuliskan alasan" in page.text


async def test_limits_per_address_and_per_village(app_client, field, monkeypatch):
    await published(app_client, field)
    url = f"/api/v1/public/reviews/{VILLAGE}/objections"
    body = {"text": "Keluarga janda belum terdaftar di RT 2."}
    for _ in range(review_service.PER_CLIENT_PER_DAY):
        assert (await app_client.post(url, data=body)).status_code == 201
    limited = await app_client.post(url, data=body)
    assert limited.status_code == 429 and limited.json()["code"] == "objection_limit_client"
    assert limited.headers["retry-after"]
    assert await PublicObjection.count() == review_service.PER_CLIENT_PER_DAY
    # another address, but the village's own limit is reached
    await PublicObjection.update({PublicObjection.client_hash: "someone-else"}).where(
        PublicObjection.id > 0
    )
    monkeypatch.setattr(review_service, "PER_VILLAGE_PER_DAY", review_service.PER_CLIENT_PER_DAY)
    village_limited = await app_client.post(url, data=body)
    assert village_limited.status_code == 429
    assert village_limited.json()["code"] == "objection_limit_village"


@pytest.mark.parametrize("photo_seed", [11])
async def test_objection_photo_is_sealed_evidence(app_client, field, store, photo_seed):
    await published(app_client, field)
    listing = (await app_client.get(f"/api/v1/public/reviews/{VILLAGE}")).json()
    data = jpeg_bytes(seed=photo_seed, size=(640, 480))
    sent = await app_client.post(
        f"/api/v1/public/reviews/{VILLAGE}/objections",
        data={"entry": listing["entries"][0]["token"], "category": "wrong_data",
              "text": "Alamat di daftar tidak sesuai."},
        files={"photo": ("foto.jpg", data, "image/jpeg")},
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    import hashlib

    from media.store import evidence_key

    keys = [key async for key in store.list_keys("evidence/")]
    assert evidence_key(hashlib.sha256(data).hexdigest()) in keys
