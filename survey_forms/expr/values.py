"""Run-time values and their conversions (see survey_forms/EXPRESSIONS.md).

A value is a float (number), str or bool. The empty string '' is "no answer".
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .errors import ExpressionError
from .limits import MAX_STRING_LENGTH

Value = float | str | bool

_NUMERIC = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_SEPARATORS = re.compile(r"[ \t\n\r]+")


def format_number(x: float) -> str:
    """ECMAScript Number::toString, so both runtimes print numbers the same way."""
    if x != x:
        return "NaN"
    if x == 0:
        return "0"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    sign = "-" if x < 0 else ""
    mantissa, _, exp = repr(abs(x)).partition("e")  # repr gives the shortest round trip
    int_part, _, frac_part = mantissa.partition(".")
    digits = int_part + frac_part
    point = len(int_part) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    exp_text = ("+" if e >= 0 else "-") + str(abs(e))
    if k == 1:
        return sign + digits + "e" + exp_text
    return sign + digits[0] + "." + digits[1:] + "e" + exp_text


def to_string(v: Value) -> str:
    if v.__class__ is str:
        return v  # type: ignore[return-value]
    if v is True:
        return "true"
    if v is False:
        return "false"
    return format_number(v)  # type: ignore[arg-type]


def parse_numeric(s: str) -> float | None:
    """The number a numeric string denotes, else None. Numeric: -?digits[.digits] only."""
    if len(s) > 400:  # also keeps long answers out of the cache
        return None
    return _parse_numeric(s)


@lru_cache(maxsize=4096)  # the same codes ('1', '2', ...) are compared over and over
def _parse_numeric(s: str) -> float | None:
    if not _NUMERIC.fullmatch(s):
        return None
    x = float(s)
    return x if math.isfinite(x) else None


def numeric_value(v: Value) -> float | None:
    """A number for numbers and numeric strings (not for booleans)."""
    if v.__class__ is float:
        return v  # type: ignore[return-value]
    if v.__class__ is str:
        return parse_numeric(v)  # type: ignore[arg-type]
    return None


def truthy(v: Value) -> bool:
    if v.__class__ is bool:
        return v  # type: ignore[return-value]
    if v.__class__ is str:
        return v != ""
    return v != 0  # numbers are finite, never NaN


def split_codes(v: Value) -> list[str]:
    """select_multiple codes: the string split on ASCII whitespace."""
    return [t for t in _SEPARATORS.split(to_string(v)) if t]


def string_length(s: str) -> int:
    return len(s)  # code points


def check_string(s: str, pos: int) -> str:
    if len(s) > MAX_STRING_LENGTH:
        raise ExpressionError("limit", f"string longer than {MAX_STRING_LENGTH} characters", pos)
    return s


def _number(x: float, pos: int) -> float:
    if not math.isfinite(x):
        raise ExpressionError("limit", "number out of range", pos)
    return x


def from_context(raw: Any, name: str, pos: int) -> Value:
    """Turn an answer from the context into a value (repeats are refused here)."""
    if raw is None:
        return ""
    cls = raw.__class__
    if cls is str:
        return check_string(raw, pos)
    if cls is bool:
        return bool(raw)
    if cls is float:
        return _number(raw, pos)
    if isinstance(raw, int):
        try:
            return _number(float(raw), pos)
        except OverflowError:
            raise ExpressionError("limit", "number out of range", pos) from None
    if isinstance(raw, float):
        return _number(float(raw), pos)
    if isinstance(raw, str):
        return check_string(str(raw), pos)
    if isinstance(raw, list | tuple):
        if not raw:
            return ""
        if all(isinstance(x, Mapping) for x in raw):
            raise ExpressionError("type", f"${{{name}}} is a repeat; use count(${{{name}}})", pos)
        parts = []
        for x in raw:
            if isinstance(x, Mapping | list | tuple):
                raise ExpressionError("type", f"${{{name}}} holds an unsupported value", pos)
            parts.append(to_string(from_context(x, name, pos)))
        return check_string(" ".join(parts), pos)
    raise ExpressionError("type", f"${{{name}}} holds an unsupported value", pos)
