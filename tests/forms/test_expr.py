"""Parser and evaluator unit tests, plus property tests: nothing but ExpressionError escapes."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_forms.expr import (
    Context,
    Expression,
    ExpressionError,
    compile_regex,
    evaluate,
    format_number,
    parse,
)
from survey_forms.expr import nodes as n
from survey_forms.expr.lexer import tokenize

# --- lexer and parser ---------------------------------------------------------------------


def test_tokens_carry_code_point_positions() -> None:
    toks = tokenize("'😀' = ${a}")
    assert [(t.kind, t.pos) for t in toks] == [("str", 0), ("op", 4), ("ref", 6), ("eof", 10)]


def test_names_take_dashes_only_between_letters() -> None:
    assert [t.text for t in tokenize("count-selected(x) div-1")][:1] == ["count-selected"]
    assert [t.text for t in tokenize("5 div-1")] == ["5", "div", "-", "1", ""]


def test_precedence_builds_the_expected_tree() -> None:
    node = parse("${a} + 2 * 3 > 4 and not ${b} or ${c}")
    assert isinstance(node, n.Logic) and node.op == "or"
    left = node.operands[0]
    assert isinstance(left, n.Logic) and left.op == "and"
    cmp_, neg = left.operands
    assert isinstance(cmp_, n.Compare) and cmp_.op == ">"
    assert isinstance(cmp_.left, n.Arith)
    assert cmp_.left.rest[0][0] == "+"
    assert isinstance(cmp_.left.rest[0][1], n.Arith)  # 2 * 3 binds tighter
    assert isinstance(neg, n.Not)


def test_arithmetic_chains_are_flat() -> None:
    node = parse("1 - 2 - 3 + 4")
    assert isinstance(node, n.Arith)
    assert [op for op, _, _ in node.rest] == ["-", "-", "+"]


def test_not_function_form_binds_like_a_call() -> None:
    node = parse("not(${a}) = 1")
    assert isinstance(node, n.Compare) and isinstance(node.left, n.Call)
    node = parse("not ${a} = 1")
    assert isinstance(node, n.Not) and isinstance(node.operand, n.Compare)


def test_slash_is_div() -> None:
    node = parse("6 / 3")
    assert isinstance(node, n.Arith) and node.rest[0][0] == "div"


def test_references_are_collected() -> None:
    assert n.references(parse("count-if(${m}, ${x} = 1) + ${y}")) == {"m", "x", "y"}


@pytest.mark.parametrize(
    ("source", "code", "position"),
    [
        ("1 +", "syntax", 3),
        ("'open", "syntax", 0),
        ("frob(1)", "unknown_function", 0),
        ("if(1, 2)", "arity", 0),
        ("regex(${a}, '(?=x)')", "regex", 12),
        ("count(1)", "argument", 6),
        ("1 < 2 < 3", "syntax", 6),
    ],
)
def test_parse_errors(source: str, code: str, position: int) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(source)
    assert (info.value.code, info.value.position) == (code, position)
    assert str(info.value).endswith(f"(at {position})")


def test_non_string_source_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError):
        parse(42)  # type: ignore[arg-type]


# --- evaluation ---------------------------------------------------------------------------


def test_expression_object_is_reusable() -> None:
    e = Expression("${x} * 2")
    assert e.references == {"x"}
    assert e.evaluate(Context({"x": 2})) == 4.0
    assert e.evaluate(Context({"x": "21"})) == 42.0
    assert e.test(Context({"x": 0})) is False


def test_today_accepts_a_date_a_string_or_a_clock() -> None:
    calls: list[int] = []

    def clock() -> date:
        calls.append(1)
        return date(2026, 1, 2)

    assert evaluate("today()", Context(today=date(2026, 6, 15))) == "2026-06-15"
    assert evaluate("today()", Context(today="2020-02-29")) == "2020-02-29"
    ctx = Context(today=clock)
    assert evaluate("today() = today()", ctx) is True
    assert calls == [1]  # the clock is read once per context


def test_instance_scope_prefers_siblings() -> None:
    ctx = Context({"name": "top", "n": 1}).with_instance({"name": "member", "x": None})
    assert evaluate("${name}", ctx) == "member"
    assert evaluate("${n}", ctx) == 1.0
    assert evaluate("${x}", ctx) == ""


def test_with_current_keeps_instance() -> None:
    ctx = Context({"a": 1}).with_instance({"b": 2}).with_current(3)
    assert evaluate(". + ${a} + ${b}", ctx) == 6.0


def test_count_if_sees_each_instance() -> None:
    members = [{"rel": "1", "p": "1"}, {"rel": "1", "p": "2"}, {"rel": "3", "p": "1"}]
    ctx = Context({"members": members})
    assert evaluate("count-if(${members}, ${rel} = 1 and ${p} = 1)", ctx) == 1.0
    assert evaluate("count(${members})", ctx) == 3.0


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (-2.5, "-2.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (123456789012345680000.0, "123456789012345680000"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (2.0**60, "1152921504606847000"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (5e-324, "5e-324"),
        (float("inf"), "Infinity"),
        (float("nan"), "NaN"),
    ],
)
def test_numbers_print_as_in_javascript(value: float, text: str) -> None:
    assert format_number(value) == text


def test_regex_is_linear_on_catastrophic_patterns() -> None:
    subject = "a" * 5000 + "!"
    start = time.perf_counter()
    for pattern in ("(a+)+b", "(a|aa)*b", "(a*)*b", "(?:a|a)*b", "(a|a?)+b"):
        assert compile_regex(pattern).fullmatch(subject) is False
    assert time.perf_counter() - start < 2.0


def test_regex_matches_whole_string() -> None:
    nik = compile_regex("[0-9]{16}")
    assert nik.fullmatch("3507010101900003")
    assert not nik.fullmatch("3507010101900003\n")
    assert not nik.fullmatch("x3507010101900003")


def test_values_that_are_not_answers_are_type_errors() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("${g}", Context({"g": {"lat": 1}}))
    assert info.value.code == "type"
    with pytest.raises(ExpressionError) as info:
        evaluate("${n} + 1", Context({"n": 10**400}))
    assert info.value.code == "limit"


# --- properties ---------------------------------------------------------------------------

_FRAGMENTS = [
    "${a}", "${b}", "${s}", "${m}", "${rep}", "${missing}", ".", "1", "0", "-", "2.5", ".5",
    "'x'", '"1 2"', "''", "'2026-06-15'", "true", "false", "(", ")", ",", " ", "+", "*", "/",
    " div ", " mod ", "=", "!=", "<", "<=", ">", ">=", " and ", " or ", "not ", "not(",
    "selected(", "count-selected(", "string-length(", "regex(", "if(", "today()", "count(",
    "count-if(", "'[0-9]+'", "'(a+)+'", "'[a-'", "'\\d{2,3}'", "$", "{", "}", "'", '"',
    "😀", "é", "\u00a0", "foo(", "true()", "1e5", "${", "..", "|",
]  # fmt: skip

_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
_answers = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
_contexts = st.builds(
    lambda a, b, s, m, rep, current, instance: Context(
        {"a": a, "b": b, "s": s, "m": m, "rep": rep},
        today="2026-06-15",
        current=current,
        instance=instance,
    ),
    _answers,
    _answers,
    _answers,
    st.lists(st.sampled_from(["1", "2", "x"]), max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["a", "b", "x"]), _json_scalars), max_size=3),
    _answers,
    st.none() | st.dictionaries(st.sampled_from(["a", "s", "x"]), _json_scalars),
)


def _only_expression_errors(source: str, ctx: Context) -> Any:
    try:
        return evaluate(source, ctx)
    except ExpressionError as e:
        assert isinstance(e.position, int) and e.position >= 0
        assert e.code in {
            "syntax", "limit", "unknown_function", "arity", "argument", "regex", "type",
            "division_by_zero", "reference",
        }  # fmt: skip
        return None


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=25).map("".join), _contexts)
def test_token_soup_raises_only_expression_errors(source: str, ctx: Context) -> None:
    result = _only_expression_errors(source, ctx)
    assert result is None or isinstance(result, bool | float | str)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60), _contexts)
def test_arbitrary_text_raises_only_expression_errors(source: str, ctx: Context) -> None:
    _only_expression_errors(source, ctx)


_leaf = st.sampled_from(["${a}", "${b}", "${s}", "${m}", ".", "1", "0", "-3", "'x'", "''", "true"])


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binop = st.sampled_from(["+", "-", "*", "div", "mod", "=", "!=", "<", ">=", "and", "or"])
    return (
        st.tuples(inner, binop, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
        | inner.map(lambda x: f"-{x}")
        | inner.map(lambda x: f"not({x})")
        | st.tuples(inner, inner, inner).map(lambda t: f"if({t[0]}, {t[1]}, {t[2]})")
        | st.tuples(inner, _leaf).map(lambda t: f"selected({t[0]}, {t[1]})")
        | inner.map(lambda x: f"string-length({x})")
        | inner.map(lambda x: f"count-selected({x})")
        | st.tuples(inner, st.sampled_from(["'[0-9]+'", "'a|b'", "${s}", "'.*'"])).map(
            lambda t: f"regex({t[0]}, {t[1]})"
        )
        | inner.map(lambda x: f"count-if(${{rep}}, {x})")
    )


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(_leaf, _combine, max_leaves=30), _contexts)
def test_well_formed_expressions_raise_only_expression_errors(source: str, ctx: Context) -> None:
    result = _only_expression_errors(source, ctx)
    assert result is None or isinstance(result, bool | float | str)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab()[]{}|*+?.^$\\-,0123:!=<dws")), max_size=30))
def test_arbitrary_patterns_raise_only_expression_errors(pattern: str) -> None:
    try:
        compiled = compile_regex(pattern)
    except ExpressionError as e:
        assert e.code == "regex"
        return
    assert compiled.fullmatch("ab" * 5) in (True, False)
