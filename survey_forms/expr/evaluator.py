"""Evaluation. ASTs are compiled once into nested Python closures, which is several times
faster than walking the tree for every submission."""

from __future__ import annotations

import calendar
import math
import operator
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from . import nodes as n
from .errors import ExpressionError
from .parser import parse
from .regex import compile_regex
from .values import (
    Value,
    check_string,
    from_context,
    numeric_value,
    parse_numeric,
    split_codes,
    to_string,
    truthy,
)

_MISSING: Any = object()

Clock = Callable[[], date]


class Context:
    """What an expression can see.

    values: the top-level answers (a repeat is a list of mappings, one per instance).
    instance: the current repeat instance; ``${name}`` looks here first when the key exists.
    current: the value of '.', the field whose constraint is checked.
    today: a date, an ISO 'YYYY-MM-DD' string, or a clock function (called at most once).
    """

    __slots__ = ("_today", "current", "has_current", "instance", "values")

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        today: date | str | Clock | None = None,
        current: Any = _MISSING,
        instance: Mapping[str, Any] | None = None,
    ) -> None:
        self.values: Mapping[str, Any] = values if values is not None else {}
        self.instance = instance
        self.has_current = current is not _MISSING
        self.current = current if self.has_current else None
        self._today: date | str | Clock | None = today

    def today(self) -> str:
        t = self._today
        if t is None:
            t = date.today()
        elif callable(t):
            t = t()
        if isinstance(t, date):
            t = t.isoformat()
        self._today = t
        return t

    def with_instance(self, instance: Mapping[str, Any]) -> Context:
        c = Context.__new__(Context)
        c.values = self.values
        c.instance = instance
        c.has_current = self.has_current
        c.current = self.current
        c._today = self._today
        return c

    def with_current(self, current: Any) -> Context:
        c = self.with_instance(self.instance) if self.instance is not None else self._copy()
        c.has_current = True
        c.current = current
        return c

    def _copy(self) -> Context:
        c = Context.__new__(Context)
        c.values = self.values
        c.instance = self.instance
        c.has_current = self.has_current
        c.current = self.current
        c._today = self._today
        return c


Fn = Callable[[Context], Value]


def _lookup(ctx: Context, name: str) -> Any:
    inst = ctx.instance
    if inst is not None and name in inst:
        return inst[name]
    return ctx.values.get(name)


def _to_number(v: Value, pos: int) -> float:
    if v.__class__ is float:
        return v  # type: ignore[return-value]
    if v.__class__ is bool:
        return 1.0 if v else 0.0
    x = numeric_value(v)
    if x is None:
        shown = to_string(v)
        if len(shown) > 20:
            shown = shown[:20] + "…"
        raise ExpressionError("type", f"'{shown}' is not a number", pos)
    return x


def _finite(x: float, pos: int) -> float:
    if not math.isfinite(x):
        raise ExpressionError("limit", "number out of range", pos)
    return x


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def add_months(d: Value, months: Value, pos: int) -> Value:
    """The ISO date ``months`` calendar months after ``d``; the day is clamped to the month's
    last day ('2026-03-31' + -1 -> '2026-02-28'). '' when either is unanswered."""
    if d == "" or months == "":
        return ""
    text = to_string(d)
    m = _ISO_DATE.fullmatch(text)
    try:
        if m is None:
            raise ValueError
        day = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise ExpressionError("type", f"'{shown}' is not a YYYY-MM-DD date", pos) from None
    count = _to_number(months, pos)
    if not count.is_integer():
        raise ExpressionError("type", "add-months() needs a whole number of months", pos)
    total = day.year * 12 + day.month - 1 + int(count) if abs(count) <= 200_000 else -1
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise ExpressionError("limit", "date out of range", pos)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last)).isoformat()


def arith(op: n.ArithOp, a: Value, b: Value, pos: int) -> Value:
    # Empty propagates: an unanswered operand makes the result unanswered.
    if a == "" or b == "":  # only a str equals ""
        return ""
    x = _to_number(a, pos)
    y = _to_number(b, pos)
    if op == "+":
        r = x + y
    elif op == "-":
        r = x - y
    elif op == "*":
        r = x * y
    else:
        if y == 0:
            raise ExpressionError("division_by_zero", "division by zero", pos)
        try:
            r = x / y if op == "div" else math.fmod(x, y)
        except (OverflowError, ValueError):
            raise ExpressionError("limit", "number out of range", pos) from None
    return _finite(r, pos)


def _code_point_cmp(a: str, b: str) -> int:
    return (a > b) - (a < b)


def compare(op: n.CompareOp, a: Value, b: Value) -> bool:
    a_bool = a.__class__ is bool
    b_bool = b.__class__ is bool
    if a_bool or b_bool:
        c = int(truthy(a)) - int(truthy(b))
    elif a == "" or b == "":  # both are str or float here; '' only matches ''
        both = a == b
        if op == "=":
            return both
        if op == "!=":
            return not both
        return False
    else:
        x = numeric_value(a)
        y = numeric_value(b)
        if x is not None and y is not None:
            c = (x > y) - (x < y)
        elif a.__class__ is str and b.__class__ is str:
            c = _code_point_cmp(a, b)  # type: ignore[arg-type]
        else:  # a number and a non-numeric string never compare
            return op == "!="
    if op == "=":
        return c == 0
    if op == "!=":
        return c != 0
    if op == "<":
        return c < 0
    if op == "<=":
        return c <= 0
    if op == ">":
        return c > 0
    return c >= 0


_ORDER = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _compare_with_number(lf: Fn, op: n.CompareOp, y: float) -> Fn:
    """``x <op> <number literal>``, the commonest relevance test, without the general
    dispatch of compare() (same result)."""
    test = _ORDER[op]
    differs = op == "!="

    def cmp_num(c: Context) -> Value:
        a = lf(c)
        cls = a.__class__
        if cls is float:
            return test(a, y)
        if cls is str:
            x = parse_numeric(a)  # type: ignore[arg-type]
            return differs if x is None else test(x, y)  # '' and text never match a number
        return compare(op, a, y)

    return cmp_num


def _repeat_instances(ctx: Context, name: str, pos: int) -> list[Mapping[str, Any]]:
    raw = _lookup(ctx, name)
    if raw is None or raw == "":
        return []
    if isinstance(raw, list | tuple) and all(isinstance(x, Mapping) for x in raw):
        return list(raw)
    raise ExpressionError("reference", f"${{{name}}} is not a repeat", pos)


def compile_node(node: n.Node) -> Fn:
    if isinstance(node, n.Num | n.Str | n.Bool):
        const: Value = node.value
        return lambda _c: const
    if isinstance(node, n.Ref):
        name, pos = node.name, node.pos

        def ref(c: Context) -> Value:
            inst = c.instance
            raw = inst[name] if inst is not None and name in inst else c.values.get(name)
            return from_context(raw, name, pos)

        return ref
    if isinstance(node, n.Current):
        pos = node.pos

        def current(c: Context) -> Value:
            if not c.has_current:
                raise ExpressionError("reference", "'.' is only available in a constraint", pos)
            return from_context(c.current, ".", pos)

        return current
    if isinstance(node, n.Neg):
        f = compile_node(node.operand)
        pos = node.pos

        def neg(c: Context) -> Value:
            v = f(c)
            if v == "":
                return ""
            return -_to_number(v, pos)

        return neg
    if isinstance(node, n.Not):
        f = compile_node(node.operand)
        return lambda c: not truthy(f(c))
    if isinstance(node, n.Logic):
        fs = tuple(compile_node(x) for x in node.operands)
        if node.op == "and":

            def and_(c: Context) -> Value:
                for f in fs:
                    if not truthy(f(c)):
                        return False
                return True

            return and_

        def or_(c: Context) -> Value:
            for f in fs:
                if truthy(f(c)):
                    return True
            return False

        return or_
    if isinstance(node, n.Compare):
        lf, op = compile_node(node.left), node.op
        if isinstance(node.right, n.Num):
            return _compare_with_number(lf, op, node.right.value)
        rf = compile_node(node.right)
        return lambda c: compare(op, lf(c), rf(c))
    if isinstance(node, n.Arith):
        first = compile_node(node.first)
        rest = tuple((op_, compile_node(x), p) for op_, x, p in node.rest)

        def chain(c: Context) -> Value:
            acc = first(c)
            for op_, f, p in rest:
                acc = arith(op_, acc, f(c), p)
            return acc

        return chain
    return _compile_call(node)


def _compile_call(node: n.Call) -> Fn:
    name, pos = node.name, node.pos
    args = node.args
    if name in ("count", "count-if"):
        ref = args[0]
        assert isinstance(ref, n.Ref)  # guaranteed by the parser
        rname, rpos = ref.name, ref.pos
        if name == "count":
            return lambda c: float(len(_repeat_instances(c, rname, rpos)))
        cond = compile_node(args[1])

        def count_if(c: Context) -> Value:
            return float(
                sum(
                    1
                    for inst in _repeat_instances(c, rname, rpos)
                    if truthy(cond(c.with_instance(inst)))
                )
            )

        return count_if
    fs = tuple(compile_node(a) for a in args)
    if name == "if":
        cf, af, bf = fs
        return lambda c: af(c) if truthy(cf(c)) else bf(c)
    if name == "not":
        (f,) = fs
        return lambda c: not truthy(f(c))
    if name == "today":
        return lambda c: c.today()
    if name == "add-months":
        df, mf = fs
        return lambda c: add_months(df(c), mf(c), pos)
    if name == "selected":
        sf, cf2 = fs

        def selected(c: Context) -> Value:
            codes = split_codes(sf(c))  # arguments are evaluated left to right
            return to_string(cf2(c)) in codes

        return selected
    if name == "count-selected":
        (f,) = fs
        return lambda c: float(len(split_codes(f(c))))
    if name == "string-length":
        (f,) = fs
        return lambda c: float(len(to_string(f(c))))
    if name == "regex":
        sf, pf = fs
        ppos = args[1].pos

        def regex(c: Context) -> Value:
            subject = check_string(to_string(sf(c)), pos)
            return compile_regex(to_string(pf(c)), ppos).fullmatch(subject)

        return regex
    raise ExpressionError("unknown_function", f"unknown function {name}()", pos)


class Expression:
    """A parsed and compiled expression, ready to evaluate many times."""

    __slots__ = ("_fn", "node", "references", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.node = parse(source)
        self.references = n.references(self.node)
        self._fn = compile_node(self.node)

    def evaluate(self, ctx: Context) -> Value:
        return self._fn(ctx)

    def test(self, ctx: Context) -> bool:
        """Evaluate as a condition (relevance, required, constraint)."""
        return truthy(self._fn(ctx))

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def evaluate(expression: str | n.Node | Expression, ctx: Context | None = None) -> Value:
    """Parse (if needed) and evaluate; raises only ExpressionError."""
    ctx = ctx if ctx is not None else Context()
    if isinstance(expression, Expression):
        return expression.evaluate(ctx)
    node = parse(expression) if isinstance(expression, str) else expression
    return compile_node(node)(ctx)
