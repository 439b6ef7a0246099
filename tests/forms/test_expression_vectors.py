"""Runs every case of the shared vector file; the PWA runs the same file
(pwa/src/forms/expr/vectors.test.ts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from survey_forms.expr import Context, ExpressionError, evaluate

VECTORS = Path(__file__).resolve().parents[2] / "survey_forms" / "expression_vectors.json"
DATA = json.loads(VECTORS.read_text(encoding="utf-8"))


def build_context(spec: dict[str, Any]) -> Context:
    base = DATA["contexts"][spec["base"]] if "base" in spec else {}
    values = {**base.get("values", {}), **spec.get("values", {})}
    kwargs: dict[str, Any] = {
        "today": spec.get("today", base.get("today")),
        "instance": spec.get("instance"),
    }
    if "current" in spec:
        kwargs["current"] = spec["current"]
    return Context(values, **kwargs)


def typed(value: object) -> tuple[str, object]:
    if isinstance(value, bool):
        return "bool", value
    if isinstance(value, float):
        return "number", value
    if isinstance(value, str):
        return "string", value
    raise AssertionError(f"evaluator returned {type(value).__name__}")


def test_file_is_big_enough() -> None:
    assert len(DATA["cases"]) >= 220
    assert len({c["id"] for c in DATA["cases"]}) == len(DATA["cases"])


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["id"] for c in DATA["cases"]])
def test_vector(case: dict[str, Any]) -> None:
    ctx = build_context(case.get("context", {}))
    if "error" in case:
        with pytest.raises(ExpressionError) as info:
            evaluate(case["expression"], ctx)
        assert info.value.code == case["error"]["code"], info.value
        if "position" in case["error"]:
            assert info.value.position == case["error"]["position"], info.value
        return
    try:
        result = evaluate(case["expression"], ctx)
    except ExpressionError as e:  # pragma: no cover - reported as a failure
        pytest.fail(f"unexpected {e!r}")
    kind, value = typed(result)
    expected = case["expect"]
    assert kind == expected["type"]
    if kind == "number":  # JSON numbers are doubles, as in JavaScript
        assert value == float(expected["value"])
    else:
        assert value == expected["value"]
