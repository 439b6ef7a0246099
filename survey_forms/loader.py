"""Load form definitions, check their meaning and compile their expressions.

``load_form_file`` / ``parse_definition`` return a CompiledForm or raise one
FormDefinitionError listing every problem found, each as (path in the definition, message).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .expr import Expression, ExpressionError
from .expr import nodes as n
from .expr.regex import compile_regex
from .expr.values import format_number, parse_numeric
from .model import SELECT_TYPES, FormDefinition, FormField, Group

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
_FILE_NAME = re.compile(r"^(?P<id>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.json$")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Problem = tuple[str, str]


class FormDefinitionError(ValueError):
    """A definition that cannot be used; ``problems`` lists every (path, message)."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f"{source}: " if source else ""
        lines = "\n".join(f"  {p or '<root>'}: {m}" for p, m in problems)
        super().__init__(f"{where}{len(problems)} problem(s) in form definition\n{lines}")


# --- content hash -----------------------------------------------------------------------


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the bytes that content_hash() hashes."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(
    definition: CompiledForm | FormDefinition | Mapping[str, Any] | str | bytes,
) -> str:
    """SHA-256 (hex) of the definition's canonical JSON, for ETags and immutability checks.

    The raw document is hashed, not the model's dump, so a change of model defaults can
    never change the hash of a published version.
    """
    if isinstance(definition, CompiledForm):
        obj: Any = definition.raw
    elif isinstance(definition, FormDefinition):
        obj = definition.model_dump(mode="json", exclude_unset=True)
    elif isinstance(definition, str | bytes):
        obj = json.loads(definition)
    else:
        obj = definition
    return hashlib.sha256(canonical_json(obj)).hexdigest()


# --- compiled form ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompiledField:
    name: str
    field: FormField
    path: str  # where it sits in the definition, e.g. "groups[0].fields[3]"
    group: str
    parent: str | None  # the repeat holding it
    relevant: Expression | None
    group_relevant: Expression | None
    required: bool | Expression
    constraint: Expression | None
    choice_codes: frozenset[str] | None
    children: tuple[str, ...] = ()

    @property
    def type(self) -> str:
        return self.field.type


@dataclass(frozen=True)
class CompiledForm:
    """A checked definition with its expressions parsed once, ready for validation."""

    definition: FormDefinition
    raw: Mapping[str, Any]
    content_hash: str
    fields: Mapping[str, CompiledField]
    top_level: tuple[str, ...]  # top-level field names in form order
    relevance_order: tuple[str, ...]  # every field, each after the fields its relevance reads
    source: str | None = None
    choice_lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def version(self) -> int:
        return self.definition.version


# --- static analysis of expressions --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _T:
    """Static type of an expression."""

    kind: str  # number string bool date select multi repeat note any
    codes: frozenset[str] | None = None  # choice codes of a select/multi
    list_name: str | None = None
    literal: str | float | None = None  # value of a literal


_ANY = _T("any")
_NUMBER = _T("number")
_BOOL = _T("bool")
_STRING = _T("string")
_DATE = _T("date")

_FIELD_KIND = {
    "text": "string",
    "nik": "string",
    "photo": "string",
    "signature": "string",
    "geopoint": "string",
    "integer": "number",
    "decimal": "number",
    "date": "date",
    "select_one": "select",
    "select_multiple": "multi",
    "note": "note",
    "repeat": "repeat",
}

_KIND_NAMES = {
    "number": "a number",
    "string": "text",
    "bool": "a condition",
    "date": "a date",
    "select": "a single-choice answer",
    "multi": "a multiple-choice answer",
    "repeat": "a repeat",
    "note": "a note",
}


def _is_iso_date(s: str) -> bool:
    if not _ISO_DATE.fullmatch(s):
        return False
    try:
        date.fromisoformat(s)
    except ValueError:
        return False
    return True


class _Checker:
    def __init__(self, definition: FormDefinition) -> None:
        self.d = definition
        self.problems: list[Problem] = []
        self.fields: dict[str, tuple[str, FormField, str | None]] = {}
        self.codes: dict[str, tuple[str, ...]] = {}

    def add(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    # -- choices
    def check_choice_lists(self) -> None:
        for name, choices in self.d.choice_lists.items():
            if not choices:
                self.add(f"choice_lists.{name}", "a choice list needs at least one choice")
            self.codes[name] = self._unique_codes(choices, f"choice_lists.{name}")

    def _unique_codes(self, choices: Iterable[Any], path: str) -> tuple[str, ...]:
        seen: list[str] = []
        for i, ch in enumerate(choices):
            if ch.code in seen:
                self.add(f"{path}[{i}].code", f"duplicate choice code '{ch.code}'")
            else:
                seen.append(ch.code)
        return tuple(seen)

    def field_codes(self, f: FormField, path: str) -> tuple[str, ...] | None:
        if f.choices is None:
            return None
        if isinstance(f.choices, str):
            if f.choices not in self.d.choice_lists:
                self.add(f"{path}.choices", f"missing choice list '{f.choices}'")
                return None
            return self.codes.get(f.choices, ())
        if not f.choices:
            self.add(f"{path}.choices", "inline choices need at least one choice")
        return self._unique_codes(f.choices, f"{path}.choices")

    # -- structure
    def check_structure(self) -> None:
        group_names: dict[str, str] = {}
        for gi, g in enumerate(self.d.groups):
            if g.name in group_names:
                self.add(
                    f"groups[{gi}].name",
                    f"duplicate group name '{g.name}' (first at {group_names[g.name]})",
                )
            else:
                group_names[g.name] = f"groups[{gi}]"
        for path, f, parent in self.d.iter_fields():
            if f.name in self.fields:
                self.add(
                    f"{path}.name",
                    f"duplicate field name '{f.name}' (first at {self.fields[f.name][0]})",
                )
            else:
                self.fields[f.name] = (path, f, parent)
            self.check_field(path, f, parent)

    def check_field(self, path: str, f: FormField, parent: str | None) -> None:
        t = f.type
        if t in SELECT_TYPES:
            if f.choices is None:
                self.add(f"{path}.choices", f"a {t} field needs choices")
        elif f.choices is not None:
            self.add(f"{path}.choices", f"a {t} field cannot have choices")
        if t == "repeat":
            if parent is not None:
                self.add(f"{path}.type", "repeats cannot be nested")
            if not f.fields:
                self.add(f"{path}.fields", "a repeat needs at least one field")
            if f.min_count is not None and f.max_count is not None and f.min_count > f.max_count:
                self.add(f"{path}.min_count", "min_count is larger than max_count")
        else:
            for attr in ("fields", "min_count", "max_count"):
                if getattr(f, attr) is not None:
                    self.add(f"{path}.{attr}", f"only a repeat can have {attr}")
        if t == "note":
            for attr in ("constraint", "default", "prefill"):
                if getattr(f, attr) is not None:
                    self.add(f"{path}.{attr}", f"a note cannot have {attr}")
            if f.required is not False:
                self.add(f"{path}.required", "a note cannot be required")
        if f.constraint is not None and f.constraint_message is None:
            self.add(f"{path}.constraint_message", "a constraint needs a constraint_message")
        if f.constraint is None and f.constraint_message is not None:
            self.add(f"{path}.constraint_message", "constraint_message without a constraint")
        if f.prefill is not None:
            if t in ("note", "photo", "signature"):
                self.add(f"{path}.prefill", f"a {t} field cannot be pre-filled")
            scope = "member" if parent is not None else "baseline"
            if f.prefill.split(".", 1)[0] != scope:
                self.add(f"{path}.prefill", f"pre-fill keys here start with '{scope}.'")

    def check_default(self, path: str, f: FormField, codes: tuple[str, ...] | None) -> None:
        v = f.default
        if v is None:
            return
        t = f.type
        ok = True
        if t in ("geopoint", "photo", "signature", "repeat", "note"):
            self.add(f"{path}.default", f"a {t} field cannot have a default")
            return
        if t == "integer":
            ok = isinstance(v, int) and not isinstance(v, bool)
        elif t == "decimal":
            ok = isinstance(v, int | float) and not isinstance(v, bool)
        elif t in ("text", "nik"):
            ok = isinstance(v, str)
        elif t == "date":
            ok = isinstance(v, str) and _is_iso_date(v)
        elif t == "select_one":
            ok = isinstance(v, str) and (codes is None or v in codes)
        elif t == "select_multiple":
            items = v.split() if isinstance(v, str) else v
            ok = isinstance(items, list) and (codes is None or all(c in codes for c in items))
        if not ok:
            self.add(f"{path}.default", f"default {v!r} does not fit a {t} field")

    # -- expressions
    def parse(self, source: str, path: str) -> Expression | None:
        try:
            return Expression(source)
        except ExpressionError as e:
            self.add(path, f"bad expression at {e.position}: {e.message}")
            return None

    def analyse(
        self,
        expr: Expression,
        path: str,
        scope: str | None,
        current: FormField | None,
        condition: bool,
    ) -> None:
        """Check references and types. scope: the repeat the expression runs in."""
        t = self.infer(expr.node, path, scope, current)
        if condition and t.kind not in ("bool", "any"):
            self.add(
                path,
                f"type mismatch: must be a condition (true/false), not {_KIND_NAMES[t.kind]}",
            )

    def resolve(self, ref: n.Ref, path: str, scope: str | None) -> FormField | None:
        entry = self.fields.get(ref.name)
        if entry is None:
            self.add(path, f"unknown reference ${{{ref.name}}} at {ref.pos}")
            return None
        _, f, parent = entry
        if parent is not None and parent != scope:
            self.add(
                path,
                f"${{{ref.name}}} is inside repeat '{parent}' and cannot be read here; "
                f"use count-if(${{{parent}}}, ...)",
            )
            return None
        return f

    def field_type(self, f: FormField) -> _T:
        kind = _FIELD_KIND[f.type]
        if kind in ("select", "multi") and f.choices is not None:
            if isinstance(f.choices, str):
                codes = self.codes.get(f.choices)
                return _T(kind, frozenset(codes) if codes is not None else None, f.choices)
            return _T(kind, frozenset(c.code for c in f.choices), f.name)
        return _T(kind)

    def infer(self, node: n.Node, path: str, scope: str | None, current: FormField | None) -> _T:
        if isinstance(node, n.Num):
            return _T("number", literal=node.value)
        if isinstance(node, n.Str):
            return _T("string", literal=node.value)
        if isinstance(node, n.Bool):
            return _BOOL
        if isinstance(node, n.Ref):
            f = self.resolve(node, path, scope)
            if f is None:
                return _ANY
            t = self.field_type(f)
            if t.kind == "repeat":
                self.add(path, f"type mismatch: repeat ${{{node.name}}} can only be counted")
                return _ANY
            if t.kind == "note":
                self.add(path, f"type mismatch: note ${{{node.name}}} has no value")
                return _ANY
            return t
        if isinstance(node, n.Current):
            if current is None:
                self.add(path, f"'.' (at {node.pos}) can only be used in a constraint")
                return _ANY
            return _NUMBER if current.type == "repeat" else self.field_type(current)
        if isinstance(node, n.Neg):
            self.arith_operand(self.infer(node.operand, path, scope, current), path)
            return _NUMBER
        if isinstance(node, n.Not):
            self.infer(node.operand, path, scope, current)
            return _BOOL
        if isinstance(node, n.Logic):
            for x in node.operands:
                self.infer(x, path, scope, current)
            return _BOOL
        if isinstance(node, n.Arith):
            self.arith_operand(self.infer(node.first, path, scope, current), path)
            for _, x, _pos in node.rest:
                self.arith_operand(self.infer(x, path, scope, current), path)
            return _NUMBER
        if isinstance(node, n.Compare):
            left = self.infer(node.left, path, scope, current)
            right = self.infer(node.right, path, scope, current)
            self.comparable(left, right, path)
            return _BOOL
        return self.infer_call(node, path, scope, current)

    def infer_call(
        self, node: n.Call, path: str, scope: str | None, current: FormField | None
    ) -> _T:
        name = node.name
        if name in ("count", "count-if"):
            ref = node.args[0]
            assert isinstance(ref, n.Ref)
            f = self.resolve(ref, path, scope)
            if f is not None and f.type != "repeat":
                self.add(path, f"type mismatch: {name}() needs a repeat, ${{{ref.name}}} is not")
            if name == "count-if":
                inner = ref.name if f is not None and f.type == "repeat" else scope
                self.infer(node.args[1], path, inner, current)
            return _NUMBER
        args = [self.infer(a, path, scope, current) for a in node.args]
        if name == "selected":
            if args[0].kind in ("number", "bool", "date"):
                self.add(
                    path,
                    "type mismatch: selected() needs a choice answer, not "
                    f"{_KIND_NAMES[args[0].kind]}",
                )
            self.check_code(args[0], args[1], path)
            return _BOOL
        if name == "count-selected":
            if args[0].kind in ("number", "bool", "date"):
                self.add(path, "type mismatch: count-selected() needs a multiple-choice answer")
            return _NUMBER
        if name == "string-length":
            return _NUMBER
        if name == "regex":
            pattern = node.args[1]
            if isinstance(pattern, n.Str):
                try:
                    compile_regex(pattern.value, pattern.pos)
                except ExpressionError as e:
                    self.add(path, f"bad expression at {e.position}: {e.message}")
            else:  # a pattern taken from an answer would let a submission choose the automaton
                self.add(path, "regex() patterns in a form must be 'literal' strings")
            return _BOOL
        if name == "if":
            a, b = args[1], args[2]
            if a.kind == b.kind and a.codes == b.codes:
                return _T(a.kind, a.codes, a.list_name)
            return _ANY
        if name == "today":
            return _DATE
        if name == "add-months":
            when, months = args
            if when.kind not in ("date", "string", "any") or (
                isinstance(when.literal, str) and not _is_iso_date(when.literal)
            ):
                self.add(path, "type mismatch: add-months() needs a YYYY-MM-DD date first")
            if months.kind not in ("number", "any"):
                self.add(path, "type mismatch: add-months() needs a number of months second")
            return _DATE
        return _BOOL  # not()

    def arith_operand(self, t: _T, path: str) -> None:
        bad = t.kind in ("bool", "date", "multi")
        if t.kind == "select" and t.codes is not None:
            bad = not all(parse_numeric(c) is not None for c in t.codes)
        if t.kind == "string" and isinstance(t.literal, str):
            bad = parse_numeric(t.literal) is None and t.literal != ""
        if bad:
            self.add(path, f"type mismatch: arithmetic on {_KIND_NAMES[t.kind]}")

    def comparable(self, a: _T, b: _T, path: str) -> None:
        for x, y in ((a, b), (b, a)):
            if x.kind == "any" or y.kind == "any":
                return
            if x.kind == "bool" and y.kind != "bool":
                self.add(path, f"type mismatch: comparing a condition with {_KIND_NAMES[y.kind]}")
                return
            if x.kind == "multi":
                self.add(path, "type mismatch: use selected() to test a multiple-choice answer")
                return
            if x.kind == "number" and y.kind == "date":
                self.add(path, "type mismatch: comparing a number with a date")
                return
            if x.kind == "number" and isinstance(y.literal, str) and y.literal != "":
                if parse_numeric(y.literal) is None:
                    self.add(path, f"type mismatch: comparing a number with '{y.literal}'")
                    return
            if x.kind == "date" and isinstance(y.literal, str) and y.literal != "":
                if not _is_iso_date(y.literal):
                    self.add(path, f"type mismatch: '{y.literal}' is not a YYYY-MM-DD date")
                    return
        for x, y in ((a, b), (b, a)):
            if x.kind == "select":
                self.check_code(x, y, path)

    def check_code(self, choice: _T, lit: _T, path: str) -> None:
        if choice.codes is None or lit.literal is None or lit.literal == "":
            return
        text = lit.literal if isinstance(lit.literal, str) else format_number(lit.literal)
        value = parse_numeric(text)
        for code in choice.codes:
            if code == text:
                return
            num = parse_numeric(code)
            if value is not None and num is not None and num == value:
                return
        self.add(path, f"code '{text}' is not in choice list '{choice.list_name}'")


def _group_of(definition: FormDefinition) -> dict[str, tuple[int, Group]]:
    out: dict[str, tuple[int, Group]] = {}
    for gi, g in enumerate(definition.groups):
        for f in g.fields:
            out.setdefault(f.name, (gi, g))
            for c in f.fields or []:
                out.setdefault(c.name, (gi, g))
    return out


def _relevance_order(
    deps: dict[str, set[str]], form_order: list[str], paths: dict[str, str]
) -> tuple[list[str], list[Problem]]:
    """Topological order of the relevance graph; every cycle is reported once."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done
    problems: list[Problem] = []
    reported: set[frozenset[str]] = set()
    for root in form_order:
        if state.get(root):
            continue
        stack: list[tuple[str, list[str]]] = [(root, sorted(deps.get(root, ())))]
        trail = [root]
        state[root] = 1
        while stack:
            node, todo = stack[-1]
            if todo:
                nxt = todo.pop(0)
                s = state.get(nxt, 0)
                if s == 0:
                    state[nxt] = 1
                    trail.append(nxt)
                    stack.append((nxt, sorted(deps.get(nxt, ()))))
                elif s == 1:
                    cycle = [*trail[trail.index(nxt) :], nxt]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        problems.append(
                            (
                                f"{paths[nxt]}.relevant",
                                "cycle in relevance: " + " -> ".join(cycle),
                            )
                        )
                continue
            stack.pop()
            trail.pop()
            state[node] = 2
            order.append(node)
    return order, problems


def _pydantic_problems(err: ValidationError) -> list[Problem]:
    merged: dict[str, list[str]] = {}
    for e in err.errors():
        parts: list[str] = []
        loc = list(e["loc"])
        for i, item in enumerate(loc):
            if isinstance(item, int):
                parts.append(f"[{item}]")
                continue
            # Drop pydantic's union-member tags (e.g. required.bool, choices.list[Choice]).
            if i > 0 and loc[i - 1] in ("required", "default", "choices"):
                continue
            parts.append(("." if parts else "") + str(item))
        merged.setdefault("".join(parts), []).append(e["msg"])
    return [(p, " or ".join(dict.fromkeys(msgs))) for p, msgs in merged.items()]


def _loads(text: str | bytes) -> Any:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                duplicates.append(k)
            out[k] = v
        return out

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not allowed")

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=no_constants)
    except json.JSONDecodeError as e:
        raise FormDefinitionError(
            [("", f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}")]
        ) from None
    except (ValueError, UnicodeDecodeError) as e:
        raise FormDefinitionError([("", f"invalid JSON: {e}")]) from None
    if duplicates:
        raise FormDefinitionError(
            [("", f"duplicate key '{k}' in a JSON object") for k in dict.fromkeys(duplicates)]
        )
    return data


def parse_definition(
    data: Mapping[str, Any] | str | bytes,
    *,
    source: str | None = None,
    expected_id: str | None = None,
    expected_version: int | None = None,
) -> CompiledForm:
    """Check a definition (parsed JSON or JSON text) and compile it."""
    try:
        raw = _loads(data) if isinstance(data, str | bytes) else data
    except FormDefinitionError as e:
        raise FormDefinitionError(e.problems, source) from None
    if not isinstance(raw, Mapping):
        raise FormDefinitionError([("", "a form definition must be a JSON object")], source)
    try:
        definition = FormDefinition.model_validate(raw)
    except ValidationError as e:
        raise FormDefinitionError(_pydantic_problems(e), source) from None

    ck = _Checker(definition)
    if expected_id is not None and definition.id != expected_id:
        ck.add("id", f"id '{definition.id}' does not match the file name ('{expected_id}')")
    if expected_version is not None and definition.version != expected_version:
        ck.add(
            "version",
            f"version {definition.version} does not match the file name ({expected_version})",
        )
    ck.check_choice_lists()
    ck.check_structure()

    groups = _group_of(definition)
    group_rel: dict[int, Expression | None] = {}
    group_deps: dict[int, set[str]] = {}
    for gi, g in enumerate(definition.groups):
        expr = ck.parse(g.relevant, f"groups[{gi}].relevant") if g.relevant else None
        group_rel[gi] = expr
        group_deps[gi] = set()
        if expr is not None:
            ck.analyse(expr, f"groups[{gi}].relevant", None, None, condition=True)
            group_deps[gi] = {r for r in expr.references if r in ck.fields}

    compiled: dict[str, CompiledField] = {}
    deps: dict[str, set[str]] = {}
    paths: dict[str, str] = {}
    form_order: list[str] = []
    for path, f, parent in definition.iter_fields():
        if ck.fields.get(f.name, ("",))[0] != path:
            continue  # a duplicate, already reported
        codes = ck.field_codes(f, path)
        ck.check_default(path, f, codes)
        scope = parent
        relevant = required = constraint = None
        if f.relevant is not None:
            relevant = ck.parse(f.relevant, f"{path}.relevant")
            if relevant is not None:
                ck.analyse(relevant, f"{path}.relevant", scope, None, condition=True)
        if isinstance(f.required, str):
            required = ck.parse(f.required, f"{path}.required")
            if required is not None:
                ck.analyse(required, f"{path}.required", scope, None, condition=True)
        if f.constraint is not None:
            constraint = ck.parse(f.constraint, f"{path}.constraint")
            if constraint is not None:
                ck.analyse(constraint, f"{path}.constraint", scope, f, condition=True)
        gi, _ = groups[f.name]
        d = set(group_deps[gi])
        if relevant is not None:
            d |= {r for r in relevant.references if r in ck.fields}
        if parent is not None:
            d.add(parent)
        deps[f.name] = d
        paths[f.name] = path
        form_order.append(f.name)
        compiled[f.name] = CompiledField(
            name=f.name,
            field=f,
            path=path,
            group=definition.groups[gi].name,
            parent=parent,
            relevant=relevant,
            group_relevant=group_rel[gi],
            required=required if required is not None else f.required is True,
            constraint=constraint,
            choice_codes=frozenset(codes) if codes is not None else None,
            children=tuple(c.name for c in f.fields or []) if f.type == "repeat" else (),
        )

    order, cycle_problems = _relevance_order(deps, form_order, paths)
    ck.problems.extend(cycle_problems)
    if ck.problems:
        raise FormDefinitionError(ck.problems, source)
    return CompiledForm(
        definition=definition,
        raw=raw,
        content_hash=content_hash(raw),
        fields=compiled,
        top_level=tuple(f.name for g in definition.groups for f in g.fields),
        relevance_order=tuple(order),
        source=source,
        choice_lists=dict(ck.codes),
    )


def load_form_file(path: str | Path) -> CompiledForm:
    """Load ``<id>.v<version>.json``; the name must match the definition's id and version."""
    p = Path(path)
    m = _FILE_NAME.fullmatch(p.name)
    if m is None:
        raise FormDefinitionError(
            [("", "file name must be <id>.v<version>.json, e.g. dtks_verval.v1.json")], str(p)
        )
    return parse_definition(
        p.read_bytes(),
        source=str(p),
        expected_id=m["id"],
        expected_version=int(m["version"]),
    )


def load_definitions(
    directory: str | Path = DEFINITIONS_DIR,
) -> dict[tuple[str, int], CompiledForm]:
    """Every ``*.json`` definition of a directory by (id, version); problems of all files
    are reported together, each path prefixed with its file name."""
    forms: dict[tuple[str, int], CompiledForm] = {}
    problems: list[Problem] = []
    for p in sorted(Path(directory).glob("*.json")):
        try:
            form = load_form_file(p)
        except FormDefinitionError as e:
            problems.extend((f"{p.name}:{path}", msg) for path, msg in e.problems)
            continue
        forms[(form.id, form.version)] = form
    if problems:
        raise FormDefinitionError(problems, str(directory))
    return forms


@lru_cache(maxsize=1)
def _shipped() -> dict[tuple[str, int], CompiledForm]:
    return load_definitions(DEFINITIONS_DIR)


def shipped_forms() -> dict[tuple[str, int], CompiledForm]:
    """The definitions shipped in survey_forms/definitions (loaded once)."""
    return dict(_shipped())


def get_form(form_id: str, version: int) -> CompiledForm:
    """A shipped definition; KeyError when there is none."""
    try:
        return _shipped()[(form_id, version)]
    except KeyError:
        raise KeyError(f"no form {form_id} version {version}") from None
