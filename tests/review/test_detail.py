"""The visit detail for review: answers beside the baseline, member changes, flags in words,
photo links (sensitive kinds only for regional staff), and NIKs masked by role.

Runs on SQLite + the local store and on PostgreSQL + SeaweedFS (presigned S3 URLs)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from api.visits import thumbnails
from tests.review.conftest import Reviewers, problem_code
from tests.review.flow import (
    BASELINE_MEMBERS,
    fetch,
    give_household_a_baseline,
    send_visit,
    sha256,
)
from tests.support.users import bearer, login

FULL_NIK = "1706031505780001"
MASKED_NIK = "1706\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u20220001"


async def test_detail_for_a_supervisor_of_the_region(app_client, phone, field):
    household = field.household_ids[0]
    await give_household_a_baseline(household)
    visit_id, photos = await send_visit(app_client, phone, field, household)
    reviewers = Reviewers(app_client)
    response = await app_client.get(f"/api/v1/visits/{visit_id}", headers=await reviewers("sari"))
    assert response.status_code == 200, response.text
    detail = response.json()

    assert detail["state"] == "complete"
    assert detail["village_name"] == "Suka Pindah" and detail["enumerator_name"] == "Siti"
    assert detail["allowed_decisions"] == ["approve", "return", "escalate"]
    assert detail["identity_numbers_visible"] is True
    assert detail["household"]["id"] == household
    assert detail["household"]["kk_number"].isdigit()  # full for the region's supervisor
    assert detail["answers"]["members"][0]["nik"] == FULL_NIK

    baseline = detail["baseline"]
    assert baseline["answers"]["house_ownership"] == "2"
    assert [m["nik"] for m in baseline["members"]] == [m["nik"] for m in BASELINE_MEMBERS]
    changes = {c["field"]: c for c in baseline["changes"]}
    ownership = changes["house_ownership"]
    assert ownership["kind"] == "changed" and ownership["code"] == "301a"
    assert (ownership["baseline"], ownership["visited"]) == ("2", "1")
    assert ownership["baseline_label"]["id"].lower().startswith("kontrak")
    assert ownership["visited_label"]["en"].lower().startswith("own")
    assert ownership["label"]["id"].startswith("301a")
    assert changes["floor_material"]["kind"] == "changed"
    assert changes["floor_material"]["visited"] == "6"
    assert "floor_area" not in changes  # "48" in the register, 48 on the phone: the same
    assert changes["roof_material"]["kind"] == "added"  # the register did not have it

    members = baseline["member_changes"]
    by_name = {m["name"]: m for m in members}
    head = by_name["Sutrisno"]
    assert head["status"] == "matched" and head["index"] == 0 and head["nik"] == FULL_NIK
    changed = [c for c in head["changes"] if c["kind"] == "changed"]
    assert [c["field"] for c in changed] == ["members[0].marital_status"]
    assert changed[0]["baseline"] == "1" and changed[0]["visited"] == "2"
    assert changed[0]["baseline_label"]["id"] == "Belum kawin"
    # Answers the register never had are listed as added, not as changed.
    assert {c["field"] for c in head["changes"] if c["kind"] == "added"} == {
        "members[0].disability", "members[0].chronic_illness", "members[0].working",
    }  # fmt: skip
    died = by_name["Painem"]
    assert died["status"] == "matched" and died["presence"] == "2"
    assert died["presence_label"]["en"].lower().startswith("died")
    assert by_name["Karto"]["status"] == "missing" and by_name["Karto"]["index"] is None
    assert {m["name"] for m in members if m["status"] == "new"} == {
        "Siti Aminah", "Budi Santoso", "Dewi Lestari", "Putri Ayu",
    }  # fmt: skip
    assert by_name["Putri Ayu"]["nik"] is None and by_name["Putri Ayu"]["presence"] == "5"

    flags = {f["code"]: f for f in detail["flags"]}
    assert "member_new_nik" in flags and "member_died" in flags
    assert "Dukcapil" in flags["member_died"]["message"]["id"]
    assert flags["member_died"]["evidence"] == {"member_index": 4}

    # Every photo: metadata, hash, capture time and place, and short-lived links.
    by_kind = {p["kind"]: p for p in detail["photos"]}
    assert by_kind["family_card"]["sensitive"] and not by_kind["house_front"]["sensitive"]
    now = datetime.now(UTC)
    for photo in photos:
        shown = by_kind[photo.kind]
        assert shown["sha256"] == photo.sha256 and shown["size"] == len(photo.data)
        assert shown["gps"]["lat"] and shown["captured_at"] and shown["received_at"]
        links = shown["links"]
        assert links is not None, photo.kind
        expires = datetime.fromisoformat(links["expires_at"])
        assert now < expires <= now + timedelta(minutes=5, seconds=5)
        original = await fetch(app_client, links["original"])
        assert original.status_code == 200 and sha256(original.content) == photo.sha256
        # The phone's photos carry no metadata segments: the display copy is the evidence
        # itself (no re-encode, issue 18); the thumbnail is its own small picture.
        display = await fetch(app_client, links["display"])
        assert display.status_code == 200 and sha256(display.content) == photo.sha256
        thumbnail = await fetch(app_client, links["thumbnail"])
        assert thumbnail.status_code == 200 and thumbnail.content[:2] == b"\xff\xd8"
        assert sha256(thumbnail.content) != photo.sha256
        query = parse_qs(urlparse(links["original"]).query)
        lifetime = query.get("X-Amz-Expires", [None])[0]
        if lifetime is not None:
            assert lifetime == "300"
        else:
            assert int(query["expires"][0]) <= now.timestamp() + 301


async def test_a_thumbnail_link_opens_only_its_own_photo_until_it_expires(app_client, phone, field):
    """The thumbnail kept in the photo's row is served by the API through a signed link,
    standing in for the object store's presigned URL with the same authority."""
    visit_id, _ = await send_visit(app_client, phone, field, field.household_ids[0])
    reviewers = Reviewers(app_client)
    detail = (
        await app_client.get(f"/api/v1/visits/{visit_id}", headers=await reviewers("sari"))
    ).json()
    first, second = (p["links"]["thumbnail"] for p in detail["photos"][:2])
    assert first.startswith("/api/v1/photo-thumbnails/")
    shown = await app_client.get(first)  # no bearer token: the link is the credential
    assert shown.status_code == 200 and shown.content[:2] == b"\xff\xd8"
    assert shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["cache-control"] == "private, max-age=300"
    assert shown.headers["x-content-type-options"] == "nosniff"

    path, query = first.split("?")
    other_path = second.split("?")[0]
    # One photo's signature does not open another photo.
    swapped = await app_client.get(f"{other_path}?{query}")
    assert swapped.status_code == 403 and problem_code(swapped) == "bad_signature"
    params = parse_qs(query)
    later = int(params["expires"][0]) + 60
    stretched = await app_client.get(f"{path}?expires={later}&signature={params['signature'][0]}")
    assert stretched.status_code == 403 and problem_code(stretched) == "bad_signature"
    forged = await app_client.get(f"{path}?expires={params['expires'][0]}&signature={'0' * 64}")
    assert forged.status_code == 403 and problem_code(forged) == "bad_signature"


def test_a_thumbnail_link_expires():
    key = thumbnails.link_key(b"k" * 32)
    photo_id = uuid.uuid4()
    url = thumbnails.thumbnail_url(key, photo_id, timedelta(minutes=5), now=1_000_000)
    params = parse_qs(url.split("?")[1])
    expires, signature = int(params["expires"][0]), params["signature"][0]
    assert thumbnails.link_is_valid(key, photo_id, expires, signature, now=1_000_000 + 299)
    assert not thumbnails.link_is_valid(key, photo_id, expires, signature, now=1_000_000 + 301)
    assert not thumbnails.link_is_valid(
        thumbnails.link_key(b"j" * 32), photo_id, expires, signature, now=1_000_000
    )


async def test_what_each_role_sees(app_client, phone, field):
    household = field.household_ids[0]
    await give_household_a_baseline(household)
    visit_id, _ = await send_visit(app_client, phone, field, household)
    reviewers = Reviewers(app_client)
    url = f"/api/v1/visits/{visit_id}"

    def sensitive_links(detail):
        return {p["kind"]: p["links"] is not None for p in detail["photos"]}

    auditor = (await app_client.get(url, headers=await reviewers("audra"))).json()
    assert auditor["identity_numbers_visible"] is True
    assert auditor["answers"]["members"][0]["nik"] == FULL_NIK
    assert all(sensitive_links(auditor).values())
    assert auditor["allowed_decisions"] == []  # read-only

    admin = (await app_client.get(url, headers=await reviewers("root"))).json()
    assert admin["identity_numbers_visible"] is False
    assert admin["answers"]["members"][0]["nik"] == MASKED_NIK
    assert admin["baseline"]["members"][0]["nik"] == MASKED_NIK
    assert admin["household"]["kk_number"].count("\u2022") == 8
    assert all(sensitive_links(admin).values())
    assert admin["allowed_decisions"] == ["approve", "return", "escalate"]

    # The enumerator sees their own visit: metadata of every photo, no link to the family
    # card, and no full NIK anywhere in the answer.
    own = await app_client.get(url, headers=phone)
    assert own.status_code == 200
    mine = own.json()
    assert sensitive_links(mine) == {
        "house_front": True, "house_inside": True, "family_card": False,
    }  # fmt: skip
    card = next(p for p in mine["photos"] if p["kind"] == "family_card")
    assert card["sha256"] and card["sensitive"] and card["received_at"]
    assert mine["allowed_decisions"] == [] and mine["identity_numbers_visible"] is False
    for member in BASELINE_MEMBERS:
        assert member["nik"] not in own.text
    assert FULL_NIK not in own.text

    for outsider in ("joko", "ivan"):  # staff and auditors of the other district
        response = await app_client.get(url, headers=await reviewers(outsider))
        assert response.status_code == 404 and problem_code(response) == "visit_not_found"
    other_enumerator = bearer(await login(app_client, "budi"))
    assert (await app_client.get(url, headers=other_enumerator)).status_code == 404


async def test_missing_photos_have_no_links_and_refused_visits_no_baseline(
    app_client, phone, field
):
    from tests.support.field import photos_for, visit_body

    photos = photos_for(["house_front"], seed=5)
    body = visit_body(field, field.household_ids[1], photos, outcome="not_home")
    response = await app_client.put(
        "/api/v1/visits/6b0d3f0e-6a43-4a8e-9d8e-0c1f2d3e4f50", json=body, headers=phone
    )
    assert response.status_code == 201, response.text
    detail = (
        await app_client.get(
            "/api/v1/visits/6b0d3f0e-6a43-4a8e-9d8e-0c1f2d3e4f50",
            headers=await Reviewers(app_client)("sari"),
        )
    ).json()
    assert detail["state"] == "submitted" and detail["baseline"] is None
    assert detail["photos"][0]["links"] is None and detail["photos"][0]["received_at"] is None
    assert detail["allowed_decisions"] == ["return", "escalate"]  # photos pending
