from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from survey_forms.identity import check_kk, check_nik, mask_nik

VECTORS = json.loads(
    (Path(__file__).resolve().parents[2] / "survey_forms" / "identity_vectors.json").read_text(
        encoding="utf-8"
    )
)


def _known(case: dict[str, Any]) -> Any:
    known = case.get("known_districts")
    return None if known is None else known.__contains__


@pytest.mark.parametrize("case", VECTORS["nik"], ids=[c["value"] for c in VECTORS["nik"]])
def test_nik_vectors(case: dict[str, Any]) -> None:
    r = check_nik(
        case["value"],
        today=date.fromisoformat(case["today"]),
        is_known_district=_known(case),
    )
    assert r.valid is case["valid"]
    assert [e.code for e in r.errors] == case["errors"]
    assert [w.code for w in r.warnings] == case["warnings"]
    if "sex" in case:
        assert r.sex == case["sex"]
    if "birth_date" in case:
        assert r.birth_date == date.fromisoformat(case["birth_date"])
    if "region_code" in case:
        assert r.region_code == case["region_code"]
    if not r.valid:
        assert r.birth_date is None and r.sex is None
    for issue in (*r.errors, *r.warnings):
        assert issue.message_id and issue.message_en


@pytest.mark.parametrize("case", VECTORS["kk"], ids=[c["value"] for c in VECTORS["kk"]])
def test_kk_vectors(case: dict[str, Any]) -> None:
    r = check_kk(
        case["value"], today=date.fromisoformat(case["today"]), is_known_district=_known(case)
    )
    assert r.valid is case["valid"]
    assert [e.code for e in r.errors] == case["errors"]
    assert [w.code for w in r.warnings] == case["warnings"]
    expected = case.get("issue_date")
    assert r.issue_date == (date.fromisoformat(expected) if expected else None)


@pytest.mark.parametrize(("value", "masked"), [(c["value"], c["masked"]) for c in VECTORS["mask"]])
def test_mask_vectors(value: str, masked: str) -> None:
    assert mask_nik(value) == masked


def test_mask_never_shows_a_whole_nik() -> None:
    masked = mask_nik("3507010101900003")
    assert masked == "3507••••••••0003"
    assert "01019000" not in masked


def test_non_string_input_is_a_format_error() -> None:
    assert [e.code for e in check_nik(3507010101900003).errors] == ["format"]  # type: ignore[arg-type]


def test_default_clock_is_used_when_today_is_not_given() -> None:
    assert check_nik("3507010101900003").birth_date == date(1990, 1, 1)


def test_real_district_codes_from_the_region_list() -> None:
    # Mukomuko (17.06) districts from the Kemendagri list the admin imports
    known = {"17.06.01", "17.06.02", "17.06.03"}
    ok = check_nik(
        "1706031505780001", today=date(2026, 6, 15), is_known_district=known.__contains__
    )
    assert ok.valid and not ok.warnings and ok.region_code == "17.06.03"
    unknown = check_nik(
        "1799031505780001", today=date(2026, 6, 15), is_known_district=known.__contains__
    )
    assert unknown.valid and [w.code for w in unknown.warnings] == ["region_unknown"]
