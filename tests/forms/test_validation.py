from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from survey_forms.loader import CompiledForm, get_form, parse_definition
from survey_forms.samples import dtks_submission, usulan_submission, usulan_v2_submission
from survey_forms.validation import ValidationResult, validate_submission

TODAY = date(2026, 6, 15)


@pytest.fixture(scope="module")
def dtks() -> CompiledForm:
    return get_form("dtks_verval", 1)


def check(form: CompiledForm, answers: Any, **kw: Any) -> ValidationResult:
    return validate_submission(form, answers, today=TODAY, **kw)


def codes(result: ValidationResult) -> set[tuple[str, str]]:
    return {(p.path, p.code) for p in result.problems}


# --- the DTKS form ------------------------------------------------------------------------


def test_complete_submission_with_six_members_is_valid(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    assert len(answers["members"]) == 6
    r = check(dtks, answers)
    assert r.ok, [p.as_dict() for p in r.problems]
    assert r.cleaned is not None
    assert r.dropped == []
    assert r.cleaned["floor_area"] == 48
    assert r.cleaned["members"][2]["disability_kind"] == ["1", "5"]
    # the member who died keeps only the fields relevant to a death
    assert r.cleaned["members"][4] == {
        "nik": "1706034107450005",
        "full_name": "Painem",
        "presence": "2",
    }
    assert "nik" not in r.cleaned["members"][5]  # empty NIK of a new-born is allowed
    assert set(r.cleaned) == set(answers)


def test_missing_required(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    del answers["floor_material"]
    answers["roof_material"] = None
    answers["members"][0]["sex"] = ""
    r = check(dtks, answers)
    assert codes(r) == {
        ("floor_material", "required"),
        ("roof_material", "required"),
        ("members[0].sex", "required"),
    }
    assert r.cleaned is None
    p = r.problems[0]
    assert p.message.id == "Wajib diisi" and p.message.en


def test_answer_to_a_skipped_question_is_dropped_not_an_error(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["house_ownership"] = "2"  # rented: 301b (land proof) is not asked
    answers["land_proof"] = "9"  # even a bad code is no error when it is not asked
    answers["lighting"] = "4"  # not electricity: 307b is not asked
    r = check(dtks, answers)
    assert r.ok, r.problems
    assert r.cleaned is not None
    assert "land_proof" not in r.cleaned and "electricity_power" not in r.cleaned
    assert r.dropped == ["land_proof", "electricity_power"]


def test_land_proof_required_when_owner(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    del answers["land_proof"]
    assert codes(check(dtks, answers)) == {("land_proof", "required")}


def test_toilet_type_only_with_a_toilet(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["toilet_facility"] = "6"
    r = check(dtks, answers)
    assert r.ok and r.dropped == ["toilet_type"]
    answers["toilet_facility"] = "5"
    del answers["toilet_type"]
    assert codes(check(dtks, answers)) == {("toilet_type", "required")}


def test_bad_choice_code(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["floor_material"] = "12"
    answers["members"][3]["presence"] = "7"
    r = check(dtks, answers)
    assert ("floor_material", "choice") in codes(r)
    assert ("members[3].presence", "choice") in codes(r)
    assert "'12'" in r.problems[0].message.en


def test_floor_area_zero_breaks_the_constraint(dtks: CompiledForm) -> None:
    for area in (0, 2001, -5):
        answers = dtks_submission()
        answers["floor_area"] = area
        r = check(dtks, answers)
        assert codes(r) == {("floor_area", "constraint")}
        assert r.problems[0].message.id == "Luas lantai harus 1 sampai 2000 m²"
    answers = dtks_submission()
    answers["floor_area"] = 2000
    assert check(dtks, answers).ok


def test_invalid_nik(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["members"][1]["nik"] = "1706036208820000"  # serial 0000
    answers["members"][3]["nik"] = "1706033202120004"  # 32 February
    answers["members"][0]["nik"] = "17060315057800"  # too short
    r = check(dtks, answers)
    assert codes(r) == {
        ("members[0].nik", "nik_invalid"),
        ("members[1].nik", "nik_invalid"),
        ("members[3].nik", "nik_invalid"),
    }
    assert "0000" in r.problems[1].message.en


def test_nik_required_except_for_new_members(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["members"][1]["nik"] = ""
    assert codes(check(dtks, answers)) == {("members[1].nik", "required")}


def test_unknown_district_is_a_warning(dtks: CompiledForm) -> None:
    r = check(dtks, dtks_submission(), is_known_district=lambda code: code != "17.06.03")
    assert r.ok
    assert {(w.path, w.code) for w in r.warnings} == {
        (f"members[{i}].nik", "nik_region_unknown") for i in range(5)
    }


def test_two_heads_of_family(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["members"][2]["relationship"] = "1"
    r = check(dtks, answers)
    assert codes(r) == {("members", "constraint")}
    assert "tepat satu kepala keluarga" in r.problems[0].message.id


def test_no_head_of_family(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["members"][0]["presence"] = "2"  # the head died
    r = check(dtks, answers)
    assert codes(r) == {("members", "constraint")}
    assert r.dropped == [f"members[0].{f}" for f in (
        "sex", "birth_date", "marital_status", "relationship", "disability", "chronic_illness",
        "working",
    )]  # fmt: skip


def test_head_who_moved_does_not_count(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["members"][0]["presence"] = "3"
    answers["members"][1]["relationship"] = "1"  # the wife is now the head
    assert check(dtks, answers).ok


def test_member_details_and_disability_kind_skip_logic(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["members"][2]["disability"] = "2"  # kind is no longer asked
    r = check(dtks, answers)
    assert r.ok and r.dropped == ["members[2].disability_kind"]
    answers = dtks_submission()
    del answers["members"][2]["disability_kind"]
    assert codes(check(dtks, answers)) == {("members[2].disability_kind", "required")}


def test_birth_date_in_the_future(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["members"][5]["birth_date"] = "2026-06-16"
    assert codes(check(dtks, answers)) == {("members[5].birth_date", "constraint")}
    answers["members"][5]["birth_date"] = "2026-06-15"
    assert check(dtks, answers).ok


def test_spouse_must_be_married(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["members"][1]["marital_status"] = "1"
    assert codes(check(dtks, answers)) == {("members[1].relationship", "constraint")}


def test_unknown_fields(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["favourite_colour"] = "blue"
    answers["nik"] = "1706031505780001"  # a member field at the top level
    answers["members"][0]["shoe_size"] = 42
    r = check(dtks, answers)
    assert codes(r) == {
        ("favourite_colour", "unknown_field"),
        ("nik", "unknown_field"),
        ("members[0].shoe_size", "unknown_field"),
    }


def test_wrong_types(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["floor_area"] = "48"
    answers["livestock_goat"] = 2.5
    answers["asset_car"] = True
    answers["members"][0]["birth_date"] = "15-05-1978"
    answers["members"][1]["birth_date"] = "1982-02-30"
    answers["members"][2]["disability_kind"] = "1 1"
    answers["members"][3]["nik"] = 1706035001120004
    r = check(dtks, answers)
    assert codes(r) == {
        ("floor_area", "type"),
        ("livestock_goat", "type"),
        ("asset_car", "type"),
        ("members[0].birth_date", "type"),
        ("members[1].birth_date", "type"),
        ("members[2].disability_kind", "choice"),
        ("members[3].nik", "type"),
    }


def test_repeat_counts_and_shapes(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["members"] = []
    assert codes(check(dtks, answers)) == {("members", "repeat_count")}
    answers["members"] = [dtks_submission()["members"][0]] * 51
    assert ("members", "repeat_count") in codes(check(dtks, answers))
    answers["members"] = {"0": {}}
    assert codes(check(dtks, answers)) == {("members", "type")}
    answers = dtks_submission()
    answers["members"][3] = "Dewi"
    assert codes(check(dtks, answers)) == {
        ("members[3]", "type"),
        ("members[3].nik", "required"),
        ("members[3].full_name", "required"),
        ("members[3].presence", "required"),
    }


def test_all_problems_are_reported_at_once(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    del answers["floor_material"]
    answers["floor_area"] = 0
    answers["wall_material"] = "99"
    answers["members"][1]["nik"] = "1706036208820000"
    answers["members"][2]["relationship"] = "1"
    answers["extra"] = 1
    answers["members"][4]["sex"] = "9"  # not asked for a member who died: dropped
    r = check(dtks, answers)
    assert codes(r) == {
        ("floor_material", "required"),
        ("floor_area", "constraint"),
        ("wall_material", "choice"),
        ("members[1].nik", "nik_invalid"),
        ("members", "constraint"),
        ("extra", "unknown_field"),
    }
    assert r.dropped == ["members[4].sex"]


def test_answers_must_be_an_object(dtks: CompiledForm) -> None:
    assert codes(check(dtks, [1, 2])) == {("", "type")}


def test_problems_serialise(dtks: CompiledForm) -> None:
    answers = dtks_submission()
    answers["floor_area"] = 0
    (p,) = check(dtks, answers).problems
    assert p.as_dict() == {
        "path": "floor_area",
        "code": "constraint",
        "message": {
            "id": "Luas lantai harus 1 sampai 2000 m²",
            "en": "The floor area must be 1 to 2000 m²",
        },
    }


# --- the proposal form --------------------------------------------------------------------


def test_usulan_baru() -> None:
    form = get_form("usulan_baru", 1)
    assert check(form, usulan_submission()).ok
    answers = usulan_submission()
    answers["rt"] = "12a"
    answers["kk_number"] = "123"
    answers["reason"] = "5"
    answers["members_count"] = 0
    r = check(form, answers)
    assert codes(r) == {
        ("rt", "constraint"),
        ("kk_number", "constraint"),
        ("reason_other", "required"),
        ("members_count", "constraint"),
    }


def test_usulan_baru_v2_names_each_member_with_a_nik() -> None:
    form = get_form("usulan_baru", 2)
    assert check(form, usulan_v2_submission()).ok
    alone = {k: v for k, v in usulan_v2_submission().items() if k != "members"}
    assert check(form, alone).ok  # a household of one: the head
    answers = usulan_v2_submission()
    answers["members"][0]["nik"] = "1706035203920"  # too short
    del answers["members"][1]["sex"]
    answers["members"][2]["relationship"] = "1"  # the head is named above, not among members
    answers["members"][2]["birth_date"] = "2999-01-01"
    assert codes(check(form, answers)) == {
        ("members[0].nik", "nik_invalid"),
        ("members[1].sex", "required"),
        ("members[2].relationship", "choice"),
        ("members[2].birth_date", "constraint"),
    }


# --- every field type ---------------------------------------------------------------------


def L(text: str) -> dict[str, str]:
    return {"id": text, "en": text}


@pytest.fixture(scope="module")
def all_types() -> CompiledForm:
    fields = [
        {"name": name, "type": type_, "label": L(name), **extra}
        for name, type_, extra in [
            ("t", "text", {}),
            ("i", "integer", {}),
            ("d", "decimal", {}),
            ("one", "select_one", {"choices": [{"code": "a", "label": L("a")}]}),
            ("many", "select_multiple", {"choices": "abc"}),
            ("dt", "date", {}),
            ("gps", "geopoint", {}),
            ("photo", "photo", {}),
            ("sig", "signature", {}),
            ("info", "note", {}),
            ("id_no", "nik", {}),
            ("ratio", "integer", {"constraint": "100 div . > 1", "constraint_message": L("r")}),
            ("need", "text", {"required": "${i} > 10"}),
        ]
    ]
    return parse_definition(
        {
            "id": "all_types",
            "version": 1,
            "title": L("All"),
            "choice_lists": {"abc": [{"code": c, "label": L(c)} for c in "abc"]},
            "groups": [{"name": "g", "label": L("g"), "fields": fields}],
        }
    )


GOOD: dict[str, Any] = {
    "t": "hello",
    "i": 3,
    "d": 2.5,
    "one": "a",
    "many": ["c", "a"],
    "dt": "2024-02-29",
    "gps": {"lat": -2.58, "lon": 101.1, "accuracy": 8.5},
    "photo": "6F9619FF-8B86-D011-B42D-00C04FC964FF",
    "sig": "6f9619ff-8b86-d011-b42d-00c04fc964ff",
    "id_no": "3507010101900003",
    "ratio": 5,
}


def test_every_type_accepts_good_values(all_types: CompiledForm) -> None:
    r = check(all_types, GOOD)
    assert r.ok, r.problems
    assert r.cleaned is not None
    assert r.cleaned["photo"] == "6f9619ff-8b86-d011-b42d-00c04fc964ff"
    assert r.cleaned["gps"] == {"lat": -2.58, "lon": 101.1, "accuracy": 8.5}
    r = check(all_types, {**GOOD, "i": 7.0, "many": "a b"})
    assert r.ok and r.cleaned is not None
    assert r.cleaned["i"] == 7 and isinstance(r.cleaned["i"], int)
    assert r.cleaned["many"] == ["a", "b"]


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("t", 5, "type"),
        ("t", "x" * 2001, "type"),
        ("i", True, "type"),
        ("i", 1.5, "type"),
        ("i", 2**60, "type"),
        ("d", "2.5", "type"),
        ("d", float("nan"), "type"),
        ("one", "b", "choice"),
        ("one", ["a"], "type"),
        ("many", ["a", "z"], "choice"),
        ("many", [1], "type"),
        ("dt", "2023-02-29", "type"),
        ("dt", "2024-2-1", "type"),
        ("gps", {"lat": 91, "lon": 0}, "type"),
        ("gps", {"lat": 0, "lon": 181}, "type"),
        ("gps", {"lat": 0, "lon": 0, "accuracy": -1}, "type"),
        ("gps", {"lat": 0, "lon": 0, "speed": 3}, "type"),
        ("gps", {"lat": "0", "lon": 0}, "type"),
        ("gps", [0, 0], "type"),
        ("photo", "not-a-uuid", "type"),
        ("info", "anything", "type"),
        ("id_no", "3507010101900000", "nik_invalid"),
        ("ratio", 200, "constraint"),
        ("ratio", 0, "expression_error"),
    ],
)
def test_every_type_rejects_bad_values(
    all_types: CompiledForm, name: str, value: Any, code: str
) -> None:
    assert codes(check(all_types, {**GOOD, name: value})) == {(name, code)}


def test_required_expression(all_types: CompiledForm) -> None:
    assert codes(check(all_types, {**GOOD, "i": 11})) == {("need", "required")}
    assert check(all_types, {**GOOD, "i": 11, "need": "x"}).ok


def test_one_choice_accepts_an_integer_code() -> None:
    form = get_form("dtks_verval", 1)
    answers = dtks_submission()
    answers["floor_material"] = 6
    r = check(form, answers)
    assert r.ok and r.cleaned is not None and r.cleaned["floor_material"] == "6"
