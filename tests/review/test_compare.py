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
