"""The visit's answers beside the household's baseline: what changed, in words.

Pure functions over a compiled form, the baseline (``Household.baseline`` plus the
``HouseholdMember`` rows) and the visit's answers. Top-level fields compare with the
baseline key their ``prefill`` names (``baseline.floor_material``); member fields with
the member record's key (``member.name`` → the member row's name). Members are matched
by NIK; a member without a match is new, a baseline member the visit does not list is
missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from api.review.schemas import AnswerChange, MemberChange, MemberFact
from survey_forms import CompiledForm, mask_nik
from survey_forms.model import Choice, FormField

LIVES_HERE = "1"
# Field names that hold a No. KK without being typed "nik" (the proposal form's).
_KK_FIELDS = frozenset({"kk_number"})


def _is_identity(field: FormField) -> bool:
    return field.type == "nik" or field.name in _KK_FIELDS


def mask_answers(form: CompiledForm | None, answers: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``answers`` with every NIK / No. KK masked (the form says which fields)."""
    masked = dict(answers)
    if form is None:  # unknown form: mask anything that looks like an identity number
        for key, value in masked.items():
            if isinstance(value, str) and len(value) == 16 and value.isdigit():
                masked[key] = mask_nik(value)
        return masked
    for name in form.top_level:
        compiled = form.fields.get(name)
        if compiled is None or name not in masked:
            continue
        field = compiled.field
        value = masked[name]
        if _is_identity(field) and isinstance(value, str) and value:
            masked[name] = mask_nik(value)
        elif field.type == "repeat" and isinstance(value, list):
            identity_children = {c.name for c in field.fields or [] if _is_identity(c)}
            masked[name] = [
                {
                    k: (mask_nik(v) if k in identity_children and isinstance(v, str) and v else v)
                    for k, v in item.items()
                }
                if isinstance(item, dict)
                else item
                for item in value
            ]
    return masked


def _choices(form: CompiledForm, field: FormField) -> dict[str, dict[str, str]]:
    choices: list[Choice] = []
    if isinstance(field.choices, str):
        choices = form.definition.choice_lists.get(field.choices, [])
    elif isinstance(field.choices, list):
        choices = field.choices
    return {c.code: {"id": c.label.id, "en": c.label.en} for c in choices}


def _normalise(field: FormField, value: Any) -> Any:
    """One comparable form of a value: numbers as numbers, codes as strings."""
    if value is None or value == "" or value == []:
        return None
    if field.type == "select_multiple":
        items = value if isinstance(value, list) else str(value).split()
        return sorted(str(v) for v in items)
    if field.type in ("integer", "decimal"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value)
        return int(number) if number.is_integer() else number
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        return value if field.type not in ("select_one", "text", "nik") else str(value)
    return str(value)


def _label(choices: dict[str, dict[str, str]], value: Any) -> dict[str, str] | None:
    if not choices or value is None:
        return None
    codes = value if isinstance(value, list) else [value]
    labels = [choices.get(str(code)) for code in codes]
    if any(label is None for label in labels):
        return None
    return {
        "id": ", ".join(label["id"] for label in labels if label),
        "en": ", ".join(label["en"] for label in labels if label),
    }


def _change(
    form: CompiledForm,
    field: FormField,
    path: str,
    baseline: Any,
    visited: Any,
    *,
    show_identity: bool,
) -> AnswerChange | None:
    before, after = _normalise(field, baseline), _normalise(field, visited)
    if before == after:
        return None
    if _is_identity(field) and not show_identity:
        before = mask_nik(before) if isinstance(before, str) else before
        after = mask_nik(after) if isinstance(after, str) else after
    choices = _choices(form, field)
    return AnswerChange(
        field=path,
        code=field.code,
        label={"id": field.label.id, "en": field.label.en},
        kind="added" if before is None else "removed" if after is None else "changed",
        baseline=before,
        visited=after,
        baseline_label=_label(choices, before),
        visited_label=_label(choices, after),
    )


def _prefill_key(field: FormField, prefix: str) -> str | None:
    if field.prefill and field.prefill.startswith(prefix):
        return field.prefill[len(prefix) :]
    return None


def answer_changes(
    form: CompiledForm,
    baseline: Mapping[str, Any],
    answers: Mapping[str, Any],
    *,
    show_identity: bool,
) -> list[AnswerChange]:
    """Top-level answers that differ from the baseline, in form order."""
    changes: list[AnswerChange] = []
    for name in form.top_level:
        field = form.fields[name].field
        key = _prefill_key(field, "baseline.")
        if key is None or field.type in ("repeat", "note", "photo", "signature"):
            continue
        change = _change(
            form, field, name, baseline.get(key), answers.get(name), show_identity=show_identity
        )
        if change is not None:
            changes.append(change)
    return changes


def member_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``HouseholdMember`` row as the form's ``member.<key>`` pre-fill sees it."""
    record: dict[str, Any] = {
        "nik": row.get("nik") or "",
        "name": row.get("name") or "",
        "sex": row.get("sex") or None,
        "birth_date": row["birth_date"].isoformat()
        if isinstance(row.get("birth_date"), date)
        else row.get("birth_date"),
        "relationship": row.get("relationship") or None,
        "marital_status": row.get("marital_status"),
    }
    answers = row.get("answers")
    if isinstance(answers, dict):
        record.update({k: v for k, v in answers.items() if k not in record})
    return record


def _repeat(form: CompiledForm) -> tuple[str, FormField] | None:
    for name in form.top_level:
        field = form.fields[name].field
        if field.type == "repeat" and field.prefill == "baseline.members":
            return name, field
    return None


# Facts of the register's member record shown as "before" (in this order, when answered).
_BEFORE_KEYS = ("sex", "birth_date", "relationship", "marital_status")
# Member fields that identify the row rather than describe the change.
_IDENTITY_FIELDS = frozenset({"presence"})


def _fact(
    form: CompiledForm,
    field: FormField,
    value: Any,
    region_names: Mapping[str, str],
) -> MemberFact:
    value = _normalise(field, value)
    value_label = _label(_choices(form, field), value)
    if value_label is None and field.name.endswith("_region") and isinstance(value, str):
        name = region_names.get(value)
        value_label = {"id": name, "en": name} if name else None
    return MemberFact(
        field=field.name,
        label={"id": field.label.id, "en": field.label.en},
        value=value,
        value_label=value_label,
    )


def _before(
    form: CompiledForm, children: list[FormField], record: Mapping[str, Any]
) -> list[MemberFact]:
    """The register's record of a member, as the form's member fields name it."""
    by_key = {_prefill_key(c, "member."): c for c in children}
    facts = []
    for key in _BEFORE_KEYS:
        field = by_key.get(key)
        if field is not None and record.get(key) not in (None, ""):
            facts.append(_fact(form, field, record.get(key), {}))
    return facts


def _details(
    form: CompiledForm,
    children: list[FormField],
    member: Mapping[str, Any],
    *,
    new: bool,
    region_names: Mapping[str, str],
) -> list[MemberFact]:
    """What the visit says about the change: the answered detail fields of its presence
    (they have no register counterpart); for a new member also who they are (sex, birth
    date, relationship, marital status), as "before" shows it for the others."""
    facts = []
    for field in children:
        if field.type in ("nik", "note") or field.name in _IDENTITY_FIELDS:
            continue
        key = _prefill_key(field, "member.")
        if key is not None and not (new and key in _BEFORE_KEYS):
            continue
        if member.get(field.name) in (None, "", []):
            continue
        facts.append(_fact(form, field, member.get(field.name), region_names))
    return facts


def member_changes(
    form: CompiledForm,
    baseline_members: Sequence[Mapping[str, Any]],
    answers: Mapping[str, Any],
    *,
    show_identity: bool,
    region_names: Mapping[str, str] | None = None,
) -> list[MemberChange]:
    """Members matched by NIK: new ones, missing ones, presence and answer changes, each
    with the register's record (before) and the details of the change (after).

    region_names: names of the region codes a member moved to (from the region tree).
    """
    found = _repeat(form)
    if found is None:
        return []
    names = region_names or {}
    repeat_name, repeat = found
    children = list(repeat.fields or [])
    presence_field = next((c for c in children if c.name == "presence"), None)
    presence_choices = _choices(form, presence_field) if presence_field else {}
    nik_child = next((c.name for c in children if c.type == "nik"), None)
    name_child = next(
        (c.name for c in children if _prefill_key(c, "member.") == "name"), "full_name"
    )
    visited = [m for m in answers.get(repeat_name) or [] if isinstance(m, dict)]
    by_nik = {
        str(row.get("nik")): row for row in baseline_members if row.get("nik")
    }  # fmt: skip
    matched_ids: set[Any] = set()

    def shown(nik: str | None) -> str | None:
        if not nik:
            return None
        return nik if show_identity else mask_nik(nik)

    result: list[MemberChange] = []
    for index, member in enumerate(visited):
        nik = str(member.get(nik_child) or "") if nik_child else ""
        row = by_nik.get(nik) if nik else None
        presence = member.get("presence")
        presence = str(presence) if presence not in (None, "") else None
        if row is None:
            result.append(
                MemberChange(
                    status="new",
                    index=index,
                    baseline_member_id=None,
                    name=str(member.get(name_child) or ""),
                    nik=shown(nik),
                    presence=presence,
                    presence_label=presence_choices.get(presence or ""),
                    baseline_presence=None,
                    baseline_presence_label=None,
                    changes=[],
                    before=[],
                    details=_details(form, children, member, new=True, region_names=names),
                )
            )
            continue
        matched_ids.add(row.get("id"))
        record = member_record(row)
        changes = []
        for child in children:
            key = _prefill_key(child, "member.")
            if key is None or child.type == "nik":
                continue
            change = _change(
                form,
                child,
                f"{repeat_name}[{index}].{child.name}",
                record.get(key),
                member.get(child.name),
                show_identity=show_identity,
            )
            if change is not None:
                changes.append(change)
        baseline_presence = row.get("presence") or LIVES_HERE
        presence_changed = presence != baseline_presence
        if changes or presence_changed:
            result.append(
                MemberChange(
                    status="matched",
                    index=index,
                    baseline_member_id=row.get("id"),
                    name=str(member.get(name_child) or record["name"]),
                    nik=shown(nik),
                    presence=presence,
                    presence_label=presence_choices.get(presence or ""),
                    baseline_presence=baseline_presence,
                    baseline_presence_label=presence_choices.get(baseline_presence),
                    changes=changes,
                    before=_before(form, children, record),
                    details=_details(form, children, member, new=False, region_names=names),
                )
            )
    for row in baseline_members:
        if row.get("id") in matched_ids:
            continue
        baseline_presence = row.get("presence") or LIVES_HERE
        result.append(
            MemberChange(
                status="missing",
                index=None,
                baseline_member_id=row.get("id"),
                name=str(row.get("name") or ""),
                nik=shown(str(row.get("nik") or "")),
                presence=None,
                presence_label=None,
                baseline_presence=baseline_presence,
                baseline_presence_label=presence_choices.get(baseline_presence),
                changes=[],
                before=_before(form, children, member_record(row)),
                details=[],
            )
        )
    return result


def moved_to_regions(answers: Mapping[str, Any]) -> set[str]:
    """The region codes members moved to, whose names the detail shows."""
    members = answers.get("members")
    if not isinstance(members, list):
        return set()
    return {
        str(m["move_destination_region"])
        for m in members
        if isinstance(m, dict) and m.get("move_destination_region")
    }


def baseline_members_out(
    baseline_members: Sequence[Mapping[str, Any]], *, show_identity: bool
) -> list[dict[str, Any]]:
    """The baseline members as the detail shows them (NIK masked unless allowed)."""
    out = []
    for row in baseline_members:
        record = member_record(row)
        if not show_identity:
            record["nik"] = mask_nik(record["nik"]) if record["nik"] else record["nik"]
        out.append(
            {"member_id": row.get("id"), "position": row.get("position"),
             "presence": row.get("presence"), **record}
        )  # fmt: skip
    return out
