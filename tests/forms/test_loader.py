from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from survey_forms.expr import Expression
from survey_forms.loader import (
    DEFINITIONS_DIR,
    FormDefinitionError,
    canonical_json,
    content_hash,
    get_form,
    load_definitions,
    load_form_file,
    parse_definition,
)
from survey_forms.model import FormDefinition


def L(text: str) -> dict[str, str]:
    return {"id": text, "en": text}


def field(name: str, type_: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "label": L(name), **extra}


def form(*fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "test_form",
        "version": 1,
        "title": L("Test"),
        "choice_lists": {"yn": [{"code": "1", "label": L("Ya")}, {"code": "2", "label": L("No")}]},
        "groups": [{"name": "main", "label": L("Main"), "fields": list(fields)}],
        **extra,
    }


def problems_of(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(FormDefinitionError) as info:
        parse_definition(data)
    return info.value.problems


def has(problems: list[tuple[str, str]], path: str, text: str) -> bool:
    return any(p == path and text in m for p, m in problems)


# --- shipped definitions --------------------------------------------------------------------


def test_shipped_definitions_load() -> None:
    forms = load_definitions()
    assert set(forms) == {
        ("dtks_verval", 1),
        ("dtks_verval", 2),
        ("usulan_baru", 1),
        ("usulan_baru", 2),
    }
    dtks = forms[("dtks_verval", 1)]
    codes = {f.field.code for f in dtks.fields.values() if f.field.code}
    assert codes == {
        "301a", "301b", "302", "303", "304", "305", "306a", "306b", "307a", "307b", "308",
        "309a", "309b", "310",
    }  # fmt: skip
    assert dtks.fields["land_proof"].choice_codes == frozenset("123456")
    assert dtks.choice_lists["cooking_fuel"][0] == "0"
    assert dtks.fields["nik"].parent == "members"
    assert dtks.fields["members"].children[:3] == ("nik", "full_name", "presence")


def test_get_form_is_cached_and_expressions_are_compiled_once() -> None:
    a = get_form("dtks_verval", 1)
    assert a is get_form("dtks_verval", 1)
    assert isinstance(a.fields["land_proof"].relevant, Expression)
    assert (
        a.fields["land_proof"].relevant is get_form("dtks_verval", 1).fields["land_proof"].relevant
    )
    with pytest.raises(KeyError):
        get_form("dtks_verval", 99)


def test_relevance_order_puts_dependencies_first() -> None:
    order = get_form("dtks_verval", 1).relevance_order
    assert order.index("house_ownership") < order.index("land_proof")
    assert order.index("disability") < order.index("disability_kind")
    assert order.index("presence") < order.index("disability")
    assert order.index("members") < order.index("nik")


def test_prefill_keys() -> None:
    dtks = get_form("dtks_verval", 1)
    assert dtks.fields["floor_material"].field.prefill == "baseline.floor_material"
    assert dtks.fields["members"].field.prefill == "baseline.members"
    assert dtks.fields["birth_date"].field.prefill == "member.birth_date"


# --- content hash ------------------------------------------------------------------------


def test_content_hash_is_sha256_of_canonical_json() -> None:
    path = DEFINITIONS_DIR / "usulan_baru.v1.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    expected = hashlib.sha256(
        json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    compiled = load_form_file(path)
    assert compiled.content_hash == expected
    assert content_hash(compiled) == expected
    assert content_hash(raw) == expected
    assert content_hash(path.read_text(encoding="utf-8")) == expected
    # whitespace and key order do not matter; any change of content does
    reordered = json.loads(json.dumps(raw), object_pairs_hook=lambda kv: dict(reversed(kv)))
    assert content_hash(json.dumps(reordered, indent=4)) == expected
    changed = copy.deepcopy(raw)
    changed["title"]["en"] += "!"
    assert content_hash(changed) != expected


def test_canonical_json_is_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_content_hash_of_a_model_uses_what_was_set() -> None:
    raw = form(field("x", "text"))
    assert content_hash(FormDefinition.model_validate(raw)) == content_hash(raw)


# --- broken definitions -------------------------------------------------------------------


def test_every_problem_is_reported_with_its_path() -> None:
    broken = form(
        field("age", "integer", constraint=". > 'abc'", constraint_message=L("x")),  # 0
        field("tenure", "select_one", choices="missing_list"),  # 1
        field("age", "text"),  # 2 duplicate
        field("c1", "text", relevant="${c2} = 'x'"),  # 3 cycle c1 -> c2 -> c1
        field("c2", "text", relevant="${c1} = 'y'"),  # 4
        field("e", "integer", relevant="${age} > 1 and"),  # 5 syntax
        field("g", "text", relevant="regex(${c1}, '(a')"),  # 6 bad regex
        field("h", "select_one", choices="yn", relevant="${h2} = 7"),  # 7 unknown code
        field("h2", "select_one", choices="yn"),  # 8
        field("i", "integer", relevant="${members}"),  # 9 repeat as value
        field("members", "repeat", fields=[field("j", "integer")], min_count=3, max_count=2),
        field("k", "integer", relevant="${j} = 1"),  # 11 member field out of scope
        field("l", "note", required=True),  # 12
        field("m", "integer", constraint=". > 1"),  # 13 no message
        field("n", "text", relevant="foo(1)"),  # 14 unknown function
        field("o", "date", relevant=". = 1"),  # 15 '.' outside a constraint
        field("p", "integer", relevant="${nowhere} = 1"),  # 16 unknown reference
        field("q", "text", relevant="${q} = 'x'"),  # 17 self cycle
        field("r", "date", relevant="${r2} = 5"),  # 18 date vs number
        field("r2", "date"),  # 19
        field("s", "select_multiple", choices="yn", relevant="${s2} = '1'"),  # 20
        field("s2", "select_multiple", choices="yn"),  # 21 compared with '='
        field("t", "integer", choices="yn", default="x"),  # 22 choices on integer, bad default
        field("u", "text", relevant="selected(${age}, '1')"),  # 23 selected() on a number
        field("v", "text", relevant="regex(${c1}, ${c2})"),  # 24 pattern from an answer
    )
    problems = problems_of(broken)
    f = "groups[0].fields"
    expected = [
        (f"{f}[0].constraint", "type mismatch: comparing a number with 'abc'"),
        (f"{f}[1].choices", "missing choice list 'missing_list'"),
        (f"{f}[2].name", "duplicate field name 'age'"),
        (f"{f}[5].relevant", "bad expression at 14"),
        (f"{f}[6].relevant", "invalid regex: missing ')'"),
        (f"{f}[7].relevant", "code '7' is not in choice list 'yn'"),
        (f"{f}[9].relevant", "repeat ${members} can only be counted"),
        (f"{f}[10].min_count", "min_count is larger than max_count"),
        (f"{f}[11].relevant", "${j} is inside repeat 'members'"),
        (f"{f}[12].required", "a note cannot be required"),
        (f"{f}[13].constraint_message", "a constraint needs a constraint_message"),
        (f"{f}[14].relevant", "unknown function foo()"),
        (f"{f}[15].relevant", "'.' (at 0) can only be used in a constraint"),
        (f"{f}[16].relevant", "unknown reference ${nowhere}"),
        (f"{f}[17].relevant", "cycle in relevance: q -> q"),
        (f"{f}[18].relevant", "comparing a number with a date"),
        (f"{f}[20].relevant", "use selected()"),
        (f"{f}[22].choices", "a integer field cannot have choices"),
        (f"{f}[22].default", "does not fit a integer field"),
        (f"{f}[23].relevant", "selected() needs a choice answer"),
        (f"{f}[24].relevant", "patterns in a form must be 'literal' strings"),
    ]
    for path, text in expected:
        assert has(problems, path, text), (path, text, problems)
    cycles = [m for p, m in problems if "cycle" in m]
    assert any("c1 -> c2 -> c1" in m or "c2 -> c1 -> c2" in m for m in cycles), cycles
    assert len(cycles) == 2  # c1/c2 once, q once


def test_structural_problems_are_all_listed() -> None:
    broken = form(
        {"name": "Bad Name", "type": "integer", "label": L("x")},
        {"name": "ok", "type": "integerish", "label": {"id": "x"}},
        {"name": "ok2", "type": "text", "label": L("x"), "relevent": "true", "required": 3},
    )
    broken["version"] = "1"
    problems = problems_of(broken)
    paths = {p for p, _ in problems}
    assert "version" in paths
    assert "groups[0].fields[0].name" in paths
    assert "groups[0].fields[1].type" in paths
    assert "groups[0].fields[1].label.en" in paths
    assert "groups[0].fields[2].relevent" in paths  # typo caught: extra keys are refused
    assert "groups[0].fields[2].required" in paths  # union tags are folded away


def test_choice_list_problems() -> None:
    broken = form(
        field("a", "select_one", choices=[{"code": "1", "label": L("x")}] * 2),
        field("b", "select_one"),
        field("c", "select_one", choices=[]),
    )
    broken["choice_lists"]["dup"] = [{"code": "x", "label": L("x")}] * 2
    broken["choice_lists"]["empty"] = []
    problems = problems_of(broken)
    assert has(problems, "choice_lists.dup[1].code", "duplicate choice code 'x'")
    assert has(problems, "choice_lists.empty", "at least one choice")
    assert has(problems, "groups[0].fields[0].choices[1].code", "duplicate choice code '1'")
    assert has(problems, "groups[0].fields[1].choices", "needs choices")
    assert has(problems, "groups[0].fields[2].choices", "at least one choice")


def test_repeat_rules() -> None:
    nested = field("inner", "repeat", fields=[field("z", "text")])
    problems = problems_of(
        form(
            field("outer", "repeat", fields=[nested]),
            field("empty_rep", "repeat", fields=[]),
            field("x", "text", min_count=1),
            field("y", "text", prefill="member.name"),
        )
    )
    assert has(problems, "groups[0].fields[0].fields[0].type", "repeats cannot be nested")
    assert has(problems, "groups[0].fields[1].fields", "at least one field")
    assert has(problems, "groups[0].fields[2].min_count", "only a repeat")
    assert has(problems, "groups[0].fields[3].prefill", "start with 'baseline.'")


def test_group_relevance_is_checked_and_can_form_cycles() -> None:
    data = form(field("a", "select_one", choices="yn"))
    data["groups"][0]["relevant"] = "${a} = 1"
    problems = problems_of(data)
    assert any("cycle in relevance: a -> a" in m for _, m in problems)
    data = form(field("a", "select_one", choices="yn"))
    data["groups"].append(
        {"name": "more", "label": L("m"), "relevant": "${a} = 1", "fields": [field("b", "text")]}
    )
    compiled = parse_definition(data)
    assert compiled.fields["b"].group_relevant is not None


def test_count_if_reads_member_fields() -> None:
    data = form(
        field(
            "members",
            "repeat",
            fields=[field("rel", "select_one", choices="yn")],
            constraint="count-if(${members}, ${rel} = 1) = 1",
            constraint_message=L("one head"),
        ),
        field("x", "integer", relevant="count-if(${members}, ${rel} = 3) > 0"),
    )
    problems = problems_of(data)
    assert problems == [("groups[0].fields[1].relevant", "code '3' is not in choice list 'yn'")]


def test_invalid_json_and_duplicate_keys() -> None:
    assert problems_of("{") == [("", "invalid JSON at line 1 column 2: Expecting property name "
                                     "enclosed in double quotes")]  # fmt: skip
    assert problems_of('{"id": "a", "id": "b"}') == [("", "duplicate key 'id' in a JSON object")]
    assert problems_of('{"version": NaN}')[0][1].startswith("invalid JSON")
    assert problems_of("[]") == [("", "a form definition must be a JSON object")]


def test_file_name_must_match(tmp_path: Path) -> None:
    good = form(field("a", "text"))
    (tmp_path / "test_form.v2.json").write_text(json.dumps(good), encoding="utf-8")
    (tmp_path / "other.v1.json").write_text(json.dumps(good), encoding="utf-8")
    (tmp_path / "bad-name.json").write_text(json.dumps(good), encoding="utf-8")
    with pytest.raises(FormDefinitionError) as info:
        load_definitions(tmp_path)
    problems = info.value.problems
    assert (
        "bad-name.json:",
        "file name must be <id>.v<version>.json, e.g. dtks_verval.v1.json",
    ) in problems
    assert any(p == "other.v1.json:id" for p, _ in problems)
    assert any(p == "test_form.v2.json:version" for p, _ in problems)
    assert "3 problem(s)" in str(info.value)


def test_error_message_lists_every_problem() -> None:
    with pytest.raises(FormDefinitionError) as info:
        parse_definition(form(field("a", "text", relevant="${x}")), source="x.json")
    text = str(info.value)
    assert text.startswith("x.json: ")
    assert "groups[0].fields[0].relevant: unknown reference ${x} at 0" in text
