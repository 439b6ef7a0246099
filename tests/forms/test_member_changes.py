"""dtks_verval version 2: the details of a member change, checked by the form's own rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from survey_forms.loader import CompiledForm, get_form
from survey_forms.samples import dtks_submission
from survey_forms.validation import validate_submission

TODAY = date(2026, 12, 2)
PHOTO = "0b4e1f0e-8f5e-4a53-9d7e-3b2b1d1c0a01"
Members = list[dict[str, Any]]


@pytest.fixture(scope="module")
def dtks2() -> CompiledForm:
    return get_form("dtks_verval", 2)


def problems(form: CompiledForm, change: Callable[[Members], None]) -> set[tuple[str, str]]:
    answers = dtks_submission(2)
    change(answers["members"])
    result = validate_submission(form, answers, today=TODAY)
    return {(p.path, p.code) for p in result.problems}


def test_the_sample_household_with_a_death_and_a_new_member_is_valid(dtks2: CompiledForm) -> None:
    answers = dtks_submission(2)
    result = validate_submission(dtks2, answers, today=TODAY)
    assert result.ok, [p.as_dict() for p in result.problems]
    assert result.cleaned is not None
    assert result.cleaned["members"][4] == {
        "nik": "1706034107450005",
        "full_name": "Painem",
        "presence": "2",
        "birth_date": "1945-07-01",
        "death_date": "2026-08-14",
        "death_certificate_no": "1706-KM-0815",
    }


def _set(index: int, **answers: Any) -> Callable[[Members], None]:
    def change(members: Members) -> None:
        members[index].update(answers)

    return change


def _drop(index: int, *names: str) -> Callable[[Members], None]:
    def change(members: Members) -> None:
        for name in names:
            members[index].pop(name, None)

    return change


DEATH = 4
NEW = 5
DAUGHTER = 3


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # died: date required, not in the future, not before the birth date when it is known
        (_drop(DEATH, "death_date"), {(f"members[{DEATH}].death_date", "required")}),
        (_set(DEATH, death_date="2026-12-03"), {(f"members[{DEATH}].death_date", "constraint")}),
        (_set(DEATH, death_date="1945-06-30"), {(f"members[{DEATH}].death_date", "constraint")}),
        (_set(DEATH, death_date="1945-07-01"), set()),
        (_set(DEATH, death_date="2026-12-02"), set()),
        (_set(DEATH, birth_date="", death_date="1930-01-01"), set()),  # birth date unknown
        (_set(DEATH, death_certificate_photo=PHOTO, death_certificate_no=""), set()),
        (_set(DEATH, death_certificate_photo="not-a-uuid"), {(f"members[{DEATH}].death_certificate_photo", "type")}),
        # moved within Indonesia: date and destination required; a region code when elsewhere
        (
            _set(DAUGHTER, presence="3"),
            {(f"members[{DAUGHTER}].move_date", "required"), (f"members[{DAUGHTER}].move_destination", "required")},
        ),
        (_set(DAUGHTER, presence="3", move_date="2026-10-01", move_destination="1"), set()),
        (
            _set(DAUGHTER, presence="3", move_date="2026-10-01", move_destination="2"),
            {(f"members[{DAUGHTER}].move_destination_region", "required")},
        ),
        (_set(DAUGHTER, presence="3", move_date="2026-10-01", move_destination="2", move_destination_region="35.07"), set()),
        (_set(DAUGHTER, presence="3", move_date="2026-10-01", move_destination="2", move_destination_region="35.07.01"), set()),
        (
            _set(DAUGHTER, presence="3", move_date="2026-10-01", move_destination="2", move_destination_region="Malang"),
            {(f"members[{DAUGHTER}].move_destination_region", "constraint")},
        ),
        (
            _set(DAUGHTER, presence="3", move_date="2027-01-01", move_destination="1"),
            {(f"members[{DAUGHTER}].move_date", "constraint")},
        ),
        # moved abroad: date required, country optional
        (_set(DAUGHTER, presence="4", move_date="2026-03-01"), set()),
        (_set(DAUGHTER, presence="4"), {(f"members[{DAUGHTER}].move_date", "required")}),
        # new member: kind required; a newborn is born within the last 12 months
        (_drop(NEW, "new_member_kind"), {(f"members[{NEW}].new_member_kind", "required")}),
        (_set(NEW, new_member_kind="1"), {(f"members[{NEW}].new_member_kind", "constraint")}),
        (_set(NEW, new_member_kind="1", birth_date="2025-12-02"), set()),
        (_set(NEW, new_member_kind="1", birth_date="2025-12-01"), {(f"members[{NEW}].new_member_kind", "constraint")}),
        (_set(NEW, new_member_kind="1", birth_date="2026-11-30", birth_certificate_no="AL.123"), set()),
        # not found: a reason is required
        (_set(DAUGHTER, presence="6"), {(f"members[{DAUGHTER}].not_found_reason", "required")}),
        (_set(DAUGHTER, presence="6", not_found_reason="2"), set()),
    ],
)  # fmt: skip
def test_member_change_rules(
    dtks2: CompiledForm, change: Callable[[Members], None], expected: set[tuple[str, str]]
) -> None:
    assert problems(dtks2, change) == expected


def test_details_of_another_presence_are_dropped_not_kept(dtks2: CompiledForm) -> None:
    """A member first marked moved, then found at home: the move details do not travel on."""
    answers = dtks_submission(2)
    answers["members"][DAUGHTER].update(move_date="2026-10-01", move_destination="1")
    result = validate_submission(dtks2, answers, today=TODAY)
    assert result.ok
    assert result.cleaned is not None
    assert "move_date" not in result.cleaned["members"][DAUGHTER]
    assert f"members[{DAUGHTER}].move_date" in result.dropped


def test_version_1_stays_as_published() -> None:
    v1 = get_form("dtks_verval", 1)
    assert "death_date" not in v1.fields
    assert validate_submission(v1, dtks_submission(), today=TODAY).ok
