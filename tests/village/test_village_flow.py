"""The village's part of a round, end to end through the HTTP API (SQLite + local store,
PostgreSQL + SeaweedFS): proposals, the deliberation and its finality, publishing,
objections and their queue, ratification into register state changes."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

from api.audit.tables import AuditEvent
from api.registry.tables import Assignment, Household
from api.village.tables import HouseholdStatusChange, PublicReview, VillageEvidence
from survey_forms.samples import usulan_submission
from tests.support.field import VILLAGE, jpeg_bytes
from tests.village.support import (
    addition_body,
    approved_visits,
    final_deliberation,
    name_households,
    people,
    removal_body,
)


async def actions() -> list[str]:
    return [r["action"] for r in await AuditEvent.select(AuditEvent.action)]


async def test_proposals_are_registered_checked_and_scoped(app_client, field):
    who = await people(app_client)
    await name_households(field)
    created = await app_client.post(
        "/api/v1/village-proposals", headers=who["ops"],
        json=addition_body(field, usulan_submission()),
    )  # fmt: skip
    assert created.status_code == 201, created.text
    addition = created.json()
    assert addition["kind"] == "addition" and addition["head_name_masked"] == "R****t H*****t"
    household = await Household.select().where(Household.id == addition["household_id"]).first()
    assert household["status"] == "proposed" and household["proposed_by_visit"] is None

    # the same No. KK again: the register (with its proposals) holds it already
    again = await app_client.post(
        "/api/v1/village-proposals", headers=who["ops"],
        json=addition_body(field, usulan_submission()),
    )  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "proposal_in_register"
    # the form's own checks: a KK of 15 digits is refused, nothing stored
    bad = await app_client.post(
        "/api/v1/village-proposals", headers=who["ops"],
        json=addition_body(field, {**usulan_submission(), "kk_number": "170603120315000"}),
    )  # fmt: skip
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json"
    )

    removal = await app_client.post(
        "/api/v1/village-proposals", headers=who["ops"],
        json=removal_body(field, field.household_ids[2]),
    )  # fmt: skip
    assert removal.status_code == 201, removal.text
    photo_id = uuid.uuid4()
    photo = await app_client.put(
        f"/api/v1/village-proposals/{removal.json()['id']}/photos/{photo_id}",
        headers={**who["ops"], "Content-Type": "image/jpeg"},
        content=jpeg_bytes(seed=3, size=(640, 480)),
    )
    assert photo.status_code == 201, photo.text
    repeat = await app_client.put(
        f"/api/v1/village-proposals/{removal.json()['id']}/photos/{photo_id}",
        headers={**who["ops"], "Content-Type": "image/jpeg"},
        content=jpeg_bytes(seed=3, size=(640, 480)),
    )
    assert repeat.status_code == 200  # the same photo is stored once
    assert await VillageEvidence.count() == 1
    # not a JPEG: refused, nothing stored
    junk = await app_client.put(
        f"/api/v1/village-proposals/{removal.json()['id']}/photos/{uuid.uuid4()}",
        headers={**who["ops"], "Content-Type": "image/jpeg"},
        content=b"<svg onload=alert(1)>",
    )
    assert junk.status_code == 422 and await VillageEvidence.count() == 1

    listed = await app_client.get(
        f"/api/v1/village-proposals?village={VILLAGE}&round_id={field.round_id}",
        headers=who["ops"],
    )
    assert [p["kind"] for p in listed.json()] == ["addition", "removal"]
    assert listed.json()[1]["evidence_photos"] == 1
    assert "Bambang" not in listed.text and "Dewi" not in listed.text  # masked names

    # an operator of another village: the village does not exist for it
    foreign = await app_client.get(
        f"/api/v1/village-proposals?village={VILLAGE}&round_id={field.round_id}",
        headers=who["ops.ipuh"],
    )
    assert foreign.status_code == 404
    foreign_write = await app_client.post(
        "/api/v1/village-proposals", headers=who["ops.ipuh"],
        json=removal_body(field, field.household_ids[1]),
    )  # fmt: skip
    assert foreign_write.status_code == 404
    assert {"village.proposal_registered", "household.proposed", "evidence.sealed"} <= set(
        await actions()
    )


async def test_deliberation_decisions_are_final_after_signed_minutes(app_client, field):
    who = await people(app_client)
    await name_households(field)
    visits = await approved_visits(field)
    await app_client.post(
        "/api/v1/village-proposals", headers=who["ops"],
        json=removal_body(field, field.household_ids[2]),
    )  # fmt: skip
    created = await app_client.post(
        "/api/v1/deliberations", headers=who["ops"],
        json={"round_id": field.round_id, "region_code": VILLAGE, "held_on": "2026-07-02",
              "place": "Balai Desa", "attendance": [{"name": "Hasan", "position": "kepala_desa"}]},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    body = created.json()
    keys = [item["key"] for item in body["agenda"]]
    assert f"visit:{visits['found']}" in keys and f"visit:{visits['moved']}" in keys
    assert len(keys) == 3 and body["undecided"] == 3
    deliberation = body["id"]
    twice = await app_client.post(
        "/api/v1/deliberations", headers=who["sari"],
        json={"round_id": field.round_id, "region_code": VILLAGE, "held_on": "2026-07-02",
              "place": "Balai Desa"},
    )  # fmt: skip
    assert twice.status_code == 409
    # signed minutes before any decision: refused
    early = await app_client.put(
        f"/api/v1/deliberations/{deliberation}/minutes/{uuid.uuid4()}",
        headers={**who["ops"], "Content-Type": "image/jpeg"},
        content=jpeg_bytes(seed=5, size=(800, 1100)),
    )
    assert early.status_code == 409
    rejected = await app_client.post(
        f"/api/v1/deliberations/{deliberation}/decisions", headers=who["ops"],
        json={"item_key": keys[0], "decision": "rejected"},
    )  # fmt: skip
    assert rejected.status_code == 422  # a rejection needs its reason
    for key in keys:
        decided = await app_client.post(
            f"/api/v1/deliberations/{deliberation}/decisions", headers=who["ops"],
            json={"item_key": key, "decision": "agreed"},
        )  # fmt: skip
        assert decided.status_code == 201
    pdf = await app_client.get(
        f"/api/v1/deliberations/{deliberation}/minutes.pdf", headers=who["ops"]
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert len(pdf.headers["x-document-sha256"]) == 64
    signed = await app_client.put(
        f"/api/v1/deliberations/{deliberation}/minutes/{uuid.uuid4()}",
        headers={**who["ops"], "Content-Type": "image/jpeg"},
        content=jpeg_bytes(seed=6, size=(800, 1100)),
    )
    assert signed.status_code == 201 and signed.json()["kind"] == "minutes"
    final = await app_client.get(f"/api/v1/deliberations/{deliberation}", headers=who["ops"])
    assert final.json()["state"] == "final" and len(final.json()["minutes_pages"]) == 1

    # final: the meeting's record does not change, a decision changes only as an amendment
    edit = await app_client.patch(
        f"/api/v1/deliberations/{deliberation}", headers=who["sari"], json={"place": "Kantor"}
    )
    assert edit.status_code == 409 and edit.json()["code"] == "deliberation_final"
    silent = await app_client.post(
        f"/api/v1/deliberations/{deliberation}/decisions", headers=who["sari"],
        json={"item_key": keys[0], "decision": "deferred"},
    )  # fmt: skip
    assert silent.status_code == 422  # deferring needs a reason, and so does any amendment
    amended = await app_client.post(
        f"/api/v1/deliberations/{deliberation}/decisions", headers=who["sari"],
        json={"item_key": keys[0], "decision": "deferred", "reason": "Keberatan warga RT 1"},
    )  # fmt: skip
    assert amended.status_code == 201
    item = next(i for i in amended.json()["agenda"] if i["key"] == keys[0])
    assert item["decision"] == "deferred"
    done = await actions()
    assert done.count("deliberation.decided") == 3
    assert "deliberation.minutes_signed" in done and "deliberation.decision_amended" in done
    assert "deliberation.minutes_downloaded" in done
    # the operator of another village sees nothing of it
    other = await app_client.get(f"/api/v1/deliberations/{deliberation}", headers=who["ops.ipuh"])
    assert other.status_code == 404


async def test_publish_object_resolve_ratify(app_client, field):
    who = await people(app_client)
    await name_households(field)
    await approved_visits(field)
    added = await app_client.post(
        "/api/v1/village-proposals", headers=who["ops"],
        json=addition_body(field, usulan_submission()),
    )  # fmt: skip
    new_household = added.json()["household_id"]
    await app_client.post(
        "/api/v1/village-proposals", headers=who["ops"],
        json=removal_body(field, field.household_ids[2]),
    )  # fmt: skip
    deliberation = await final_deliberation(app_client, who["ops"], field)

    by_operator = await app_client.post(
        "/api/v1/public-reviews", headers=who["ops"], json={"deliberation_id": deliberation["id"]}
    )
    assert by_operator.status_code == 403  # publishing is the office's
    published = await app_client.post(
        "/api/v1/public-reviews", headers=who["sari"], json={"deliberation_id": deliberation["id"]}
    )
    assert published.status_code == 201, published.text
    review = published.json()
    assert review["counts"] == {
        "entries": 4, "added": 1, "removed": 2, "unchanged": 1, "objections": 0,
        "objections_open": 0, "objections_accepted": 0, "objections_rejected": 0,
    }  # fmt: skip
    assert review["public_url"] == f"/publik/{VILLAGE}"

    listing = (await app_client.get(f"/api/v1/public/reviews/{VILLAGE}")).json()
    by_name = {e["name"]: e for e in listing["entries"]}
    assert by_name["S******i W****o"]["change"] == "unchanged"
    assert by_name["B*****g S******o"]["change_words"] == "Keluar dari daftar: pindah domisili"
    assert by_name["D**i L*****i"]["change_words"] == "Keluar dari daftar: meninggal dunia"
    assert by_name["R****t H*****t"]["change"] == "added"

    # an objection through the HTML form, with a photo and a location
    token = by_name["S******i W****o"]["token"]
    sent = await app_client.post(
        f"/publik/{VILLAGE}/sanggah",
        data={"entry": token, "category": "not_eligible",
              "text": "Keluarga ini punya mobil dan toko besar.",
              "latitude": "-2.5601", "longitude": "101.1102", "contact": "0812 0000 0000"},
        files={"photo": ("rumah.jpg", jpeg_bytes(seed=9, size=(640, 480)), "image/jpeg")},
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    assert "SGH-" in sent.text
    # a missing household, through the JSON API
    missing = await app_client.post(
        f"/api/v1/public/reviews/{VILLAGE}/objections",
        data={"text": "Keluarga janda tua di ujung gang belum terdaftar.", "rt": "2", "rw": "1"},
    )
    assert missing.status_code == 201, missing.text

    queue = await app_client.get("/api/v1/objections?status=open", headers=who["sari"])
    assert queue.status_code == 200 and len(queue.json()) == 2
    objection = next(o for o in queue.json() if o["kind"] == "objection")
    assert objection["contact"] == "0812 0000 0000" and objection["photo"]["size"] > 0
    assert objection["household_id"] == field.household_ids[0]
    proposal_objection = next(o for o in queue.json() if o["kind"] == "missing_household")
    assert proposal_objection["rt"] == "002"
    assert (await app_client.get("/api/v1/objections", headers=who["ops"])).status_code == 403

    accepted = await app_client.post(
        f"/api/v1/objections/{objection['id']}/resolution", headers=who["sari"],
        json={"decision": "accept"},
    )  # fmt: skip
    assert accepted.status_code == 200, accepted.text
    assignment = (
        await Assignment.select()
        .where(Assignment.id == accepted.json()["revisit_assignment_id"])
        .first()
    )
    assert assignment["household"] == field.household_ids[0] and assignment["state"] == "returned"
    # the revisit reaches the enumerator's phone at its next sync
    synced = await app_client.get("/api/v1/assignments", headers=who["siti"])
    mine = {a["assignment_id"]: a for a in synced.json()["assignments"]}
    assert mine[assignment["id"]]["state"] == "returned"
    assert mine[assignment["id"]]["returned_comment"].startswith("Sanggahan uji publik")
    twice = await app_client.post(
        f"/api/v1/objections/{objection['id']}/resolution", headers=who["sari"],
        json={"decision": "reject", "reason": "x"},
    )  # fmt: skip
    assert twice.status_code == 409
    rejected = await app_client.post(
        f"/api/v1/objections/{proposal_objection['id']}/resolution", headers=who["sari"],
        json={"decision": "reject", "reason": "Sudah terdaftar di desa tetangga."},
    )  # fmt: skip
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"

    page = await app_client.get(f"/publik/{VILLAGE}")
    assert "Sanggahan: Diterima, akan dikunjungi ulang" in page.text
    assert "0812" not in page.text  # the author's contact is never public

    early = await app_client.post(
        f"/api/v1/public-reviews/{review['id']}/ratification", headers=who["sari"]
    )
    assert early.status_code == 409 and early.json()["code"] == "review_window_open"
    # The window's end cannot be waited for in a test: move it into the past.
    await PublicReview.update({PublicReview.closes_at: PublicReview.opens_at}).where(
        PublicReview.id == review["id"]
    )
    assert (await app_client.get(f"/publik/{VILLAGE}")).status_code == 404  # closed
    ratified = await app_client.post(
        f"/api/v1/public-reviews/{review['id']}/ratification", headers=who["sari"]
    )
    assert ratified.status_code == 200, ratified.text
    assert (ratified.json()["added"], ratified.json()["removed"]) == (1, 2)
    assert len(ratified.json()["review"]["signed_minutes"]) == 1  # the list keeps its minutes
    statuses = {
        r["id"]: r["status"]
        for r in await Household.select(Household.id, Household.status).where(
            Household.id.is_in([*field.household_ids, new_household])
        )
    }
    assert statuses == {
        field.household_ids[0]: "active",
        field.household_ids[1]: "inactive",
        field.household_ids[2]: "inactive",
        new_household: "active",
    }
    changes = await HouseholdStatusChange.select().order_by(HouseholdStatusChange.household_id)
    assert {(c["household_id"], c["reason"]) for c in changes} == {
        (field.household_ids[1], "moved"),
        (field.household_ids[2], "died"),
        (new_household, "new_household"),
    }
    done = await actions()
    assert done.count("household.status_changed") == 3 and "public_review.ratified" in done
    assert "objection.received" in done and "objection.resolved" in done

    final_csv = await app_client.get(
        f"/api/v1/public-reviews/{review['id']}/final.csv", headers=who["sari"]
    )
    assert final_csv.status_code == 200
    rows = list(csv.DictReader(io.StringIO(final_csv.content.decode("utf-8-sig"))))
    assert [r["STATUS_UJI_PUBLIK"] for r in rows].count("KELUAR") == 2
    assert "NAMA_KRT" in rows[0] and "NO_KK" in rows[0]
    final_xlsx = await app_client.get(
        f"/api/v1/public-reviews/{review['id']}/final.xlsx", headers=who["sari"]
    )
    assert final_xlsx.status_code == 200
    assert "xl/worksheets/sheet1.xml" in zipfile.ZipFile(io.BytesIO(final_xlsx.content)).namelist()
