"""The baseline comparison and identity masking, without a database."""

from __future__ import annotations

from api.review.compare import answer_changes, mask_answers, member_changes
from survey_forms import get_form
from survey_forms.samples import dtks_submission, usulan_submission

DTKS = get_form("dtks_verval", 1)


def test_identity_numbers_are_masked_by_field_type():
    masked = mask_answers(DTKS, dtks_submission())
    niks = [m["nik"] for m in masked["members"]]
    assert niks[0] == "1706\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u20220001"
    assert niks[-1] == ""  # a new-born without a NIK stays empty
    assert masked["members"][0]["full_name"] == "Sutrisno"  # names are not identity numbers
    proposal = mask_answers(get_form("usulan_baru", 1), usulan_submission())
    assert proposal["kk_number"].count("\u2022") == 8
    assert proposal["head_nik"].count("\u2022") == 8
    assert proposal["head_name"] == "Rahmat Hidayat"
    unknown = mask_answers(None, {"x": "1706030707900001", "n": 16})
    assert unknown == {"x": "1706\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u20220001", "n": 16}


def test_answer_changes_normalise_before_comparing():
    answers = dtks_submission()
    baseline = {
        "floor_area": "48",  # the register's text, the phone's number: equal
        "house_ownership": 1,  # a code read as a number: equal
        "floor_material": "8",
        "lighting": "2",
    }
    changes = {
        c.field: c
        for c in answer_changes(DTKS, baseline, answers, show_identity=False)
        if c.kind != "added"
    }
    assert set(changes) == {"floor_material", "lighting"}
    assert changes["floor_material"].baseline_label == {"id": "Tanah", "en": "Earth"}
    assert changes["lighting"].code == "307a"
    removed = answer_changes(DTKS, {"land_proof": "5"}, {}, show_identity=False)
    assert [(c.field, c.kind, c.visited) for c in removed] == [("land_proof", "removed", None)]


def test_member_changes_mask_unless_allowed():
    answers = dtks_submission()
    baseline = [{"id": 7, "nik": "1706031505780001", "name": "Sutrisno", "marital_status": "2",
                 "sex": "1", "relationship": "1", "birth_date": "1978-05-15",
                 "answers": {"disability": "2", "chronic_illness": "1", "working": "1"}}]  # fmt: skip
    masked = member_changes(DTKS, baseline, answers, show_identity=False)
    assert all(m.status == "new" for m in masked)  # the head matched and did not change
    assert {m.nik for m in masked if m.nik} <= {
        "1706\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u20220002",
        "1706\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u20220003",
        "1706\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u20220004",
        "1706\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u20220005",
    }
    shown = member_changes(DTKS, baseline, answers, show_identity=True)
    assert "1706036208820002" in {m.nik for m in shown}


def _register_member(member_id: int, nik: str, name: str, **record: str) -> dict[str, object]:
    return {"id": member_id, "nik": nik, "name": name, "presence": None, **record}


def test_every_member_change_shows_before_and_after():
    """Version 2: who a died or moved member was in the register, and the change's details."""
    dtks2 = get_form("dtks_verval", 2)
    answers = dtks_submission(2)  # member 4 died (with a date and certificate), 5 joined
    answers["members"][3].update(presence="3", move_date="2026-10-01", move_destination="2",
                                 move_destination_region="17.06.05")  # fmt: skip
    for key in ("sex", "birth_date", "marital_status", "relationship", "disability",
                "chronic_illness", "working"):  # fmt: skip
        answers["members"][3].pop(key)
    baseline = [
        _register_member(3, "1706035001120004", "Dewi Lestari", sex="2",
                         birth_date="2012-01-10", relationship="3", marital_status="1"),
        _register_member(4, "1706034107450005", "Painem", sex="2", birth_date="1945-07-01",
                         relationship="6", marital_status="4"),
    ]  # fmt: skip
    changes = member_changes(
        dtks2, baseline, answers, show_identity=False, region_names={"17.06.05": "Ipuh"}
    )
    by_name = {c.name: c for c in changes}

    moved = by_name["Dewi Lestari"]
    assert moved.baseline_presence == "1"  # never changed in the register: lives here
    assert moved.baseline_presence_label == {
        "id": "Tinggal bersama keluarga",
        "en": "Lives with the family",
    }
    assert {f.field: f.value for f in moved.before} == {
        "sex": "2",
        "birth_date": "2012-01-10",
        "relationship": "3",
        "marital_status": "1",
    }
    details = {f.field: f for f in moved.details}
    assert set(details) == {"move_date", "move_destination", "move_destination_region"}
    assert details["move_destination"].value_label == {
        "id": "Wilayah lain di Indonesia",
        "en": "Another region of Indonesia",
    }
    assert details["move_destination_region"].value_label == {"id": "Ipuh", "en": "Ipuh"}

    died = by_name["Painem"]
    assert died.presence_label == {"id": "Meninggal", "en": "Died"}
    assert [f.field for f in died.before] == ["sex", "birth_date", "relationship", "marital_status"]
    assert {f.field: f.value for f in died.details} == {
        "death_date": "2026-08-14",
        "death_certificate_no": "1706-KM-0815",
    }

    joined = by_name["Putri Ayu"]
    assert joined.status == "new" and joined.before == []
    details = {f.field: f for f in joined.details}
    assert set(details) == {
        "new_member_kind",
        "sex",
        "birth_date",
        "marital_status",
        "relationship",
    }
    assert details["birth_date"].value == "2025-09-30"
    assert details["relationship"].value_label == {"id": "Cucu", "en": "Grandchild"}
    assert details["new_member_kind"].value_label == {
        "id": "Bergabung/pindah masuk",
        "en": "Joined/moved in",
    }
