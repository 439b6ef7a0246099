"""Validate a submission's answers against a compiled form (SPEC §4).

``validate_submission`` returns every problem at once, or the cleaned answers. Paths are
``floor_area`` or ``members[2].nik`` (repeat instances count from 0). Answers to fields that
are not relevant are dropped from the cleaned output and listed in ``dropped``; they are not
errors. Constraints are checked only on answered, relevant fields, as in ODK.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .expr import Context, Expression, ExpressionError
from .expr.values import format_number
from .identity import DistrictCheck, check_nik, today_in_indonesia
from .loader import CompiledField, CompiledForm

TEXT_MAX_LENGTH = 2000
MAX_SAFE_INTEGER = 2**53 - 1  # exact in JavaScript too
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_GEO_KEYS = frozenset({"lat", "lon", "accuracy", "altitude"})


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    en: str


@dataclass(frozen=True, slots=True)
class ValidationProblem:
    path: str
    code: str  # required constraint type choice unknown_field nik_invalid repeat_count ...
    message: Message

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "code": self.code,
            "message": {"id": self.message.id, "en": self.message.en},
        }


@dataclass
class ValidationResult:
    problems: list[ValidationProblem] = field(default_factory=list)
    warnings: list[ValidationProblem] = field(default_factory=list)
    cleaned: dict[str, Any] | None = None  # set only when there is no problem
    dropped: list[str] = field(default_factory=list)  # paths of non-relevant answers

    @property
    def ok(self) -> bool:
        return not self.problems


_REQUIRED = Message("Wajib diisi", "This answer is required")
_UNKNOWN = Message("Isian ini tidak ada pada formulir", "Not a field of this form")


def _is_empty(raw: Any) -> bool:
    return raw is None or raw == "" or (isinstance(raw, list) and not raw)


class _Bad(Exception):
    def __init__(self, code: str, message: Message) -> None:
        self.code = code
        self.message = message


def _number(raw: Any) -> float | int:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _Bad("type", Message("Harus berupa angka", "Must be a number"))
    if isinstance(raw, float) and not math.isfinite(raw):
        raise _Bad("type", Message("Harus berupa angka", "Must be a number"))
    return raw


def _codes(cf: CompiledField, items: list[str]) -> None:
    codes = cf.choice_codes or frozenset()
    for code in items:
        if code not in codes:
            shown = code if len(code) <= 32 else code[:32] + "…"
            raise _Bad(
                "choice",
                Message(
                    f"Kode '{shown}' tidak ada dalam pilihan",
                    f"'{shown}' is not one of the choices",
                ),
            )


def _text(cf: CompiledField, raw: Any, run: _Run) -> tuple[Any, Any]:
    if not isinstance(raw, str):
        raise _Bad("type", Message("Harus berupa teks", "Must be text"))
    if len(raw) > TEXT_MAX_LENGTH:
        raise _Bad(
            "type",
            Message(
                f"Paling banyak {TEXT_MAX_LENGTH} karakter",
                f"At most {TEXT_MAX_LENGTH} characters",
            ),
        )
    return raw, raw


def _integer(cf: CompiledField, raw: Any, run: _Run) -> tuple[Any, Any]:
    x = _number(raw)
    if isinstance(x, float):
        if not x.is_integer():
            raise _Bad("type", Message("Harus bilangan bulat", "Must be a whole number"))
        x = int(x)
    if abs(x) > MAX_SAFE_INTEGER:
        raise _Bad("type", Message("Angka terlalu besar", "Number too large"))
    return x, x


def _decimal(cf: CompiledField, raw: Any, run: _Run) -> tuple[Any, Any]:
    x = _number(raw)
    if abs(x) > MAX_SAFE_INTEGER:
        raise _Bad("type", Message("Angka terlalu besar", "Number too large"))
    return x, x


def _date(cf: CompiledField, raw: Any, run: _Run) -> tuple[Any, Any]:
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw):
        raise _Bad(
            "type", Message("Tanggal harus berformat YYYY-MM-DD", "A date must be YYYY-MM-DD")
        )
    try:
        date.fromisoformat(raw)
    except ValueError:
        raise _Bad(
            "type", Message("Tanggal tidak ada di kalender", "Not a real calendar date")
        ) from None
    return raw, raw


def _select_one(cf: CompiledField, raw: Any, run: _Run) -> tuple[Any, Any]:
    if raw.__class__ is int:
        raw = str(raw)
    if not isinstance(raw, str):
        raise _Bad("type", Message("Harus satu kode pilihan", "Must be one choice code"))
    _codes(cf, [raw])
    return raw, raw


def _select_multiple(cf: CompiledField, raw: Any, run: _Run) -> tuple[Any, Any]:
    items = raw.split() if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise _Bad("type", Message("Harus daftar kode pilihan", "Must be a list of choice codes"))
    if len(set(items)) != len(items):
        raise _Bad("choice", Message("Kode pilihan berulang", "A choice is repeated"))
    _codes(cf, items)
    return list(items), list(items)


def _media(cf: CompiledField, raw: Any, run: _Run) -> tuple[Any, Any]:
    try:
        if not isinstance(raw, str) or len(raw) > 64:
            raise ValueError
        u = str(uuid.UUID(raw))
    except ValueError:
        raise _Bad("type", Message("Harus UUID foto", "Must be the UUID of a photo")) from None
    return u, u


def _nik(cf: CompiledField, raw: Any, run: _Run) -> tuple[Any, Any]:
    if not isinstance(raw, str):
        raise _Bad("type", Message("NIK harus teks 16 digit", "A NIK must be 16 digit text"))
    check = check_nik(raw, today=run.today, is_known_district=run.is_known_district)
    if not check.valid:
        raise _Bad(
            "nik_invalid",
            Message(
                "; ".join(e.message_id for e in check.errors),
                "; ".join(e.message_en for e in check.errors),
            ),
        )
    for w in check.warnings:
        run.pending_warnings.append(("nik_" + w.code, Message(w.message_id, w.message_en)))
    return raw, raw


def _note(cf: CompiledField, raw: Any, run: _Run) -> tuple[Any, Any]:
    raise _Bad("type", Message("Catatan tidak diisi", "A note takes no answer"))


def _geopoint(cf: CompiledField, raw: Any, run: _Run) -> tuple[Any, Any]:
    bad = _Bad(
        "type",
        Message(
            "Lokasi harus {lat, lon, accuracy} dalam rentang yang sah",
            "A location must be {lat, lon, accuracy} within valid ranges",
        ),
    )
    if not isinstance(raw, Mapping) or not set(raw) <= _GEO_KEYS:
        raise bad
    try:
        lat = _number(raw.get("lat"))
        lon = _number(raw.get("lon"))
        acc = _number(raw["accuracy"]) if raw.get("accuracy") is not None else None
        alt = _number(raw["altitude"]) if raw.get("altitude") is not None else None
    except _Bad:
        raise bad from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (acc is not None and acc < 0):
        raise bad
    if alt is not None and abs(alt) > 100_000:
        raise bad
    cleaned: dict[str, float] = {"lat": lat, "lon": lon}
    if acc is not None:
        cleaned["accuracy"] = acc
    if alt is not None:
        cleaned["altitude"] = alt
    # ODK's text form "lat lon altitude accuracy"
    text = " ".join(format_number(float(v)) for v in (lat, lon, alt or 0, acc or 0))
    return cleaned, text


# (cleaned value, value seen by expressions) of a non-empty answer; they raise _Bad.
_COERCE = {
    "text": _text,
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "select_one": _select_one,
    "select_multiple": _select_multiple,
    "geopoint": _geopoint,
    "photo": _media,
    "signature": _media,
    "nik": _nik,
    "note": _note,
}


class _Run:
    """State of one validation."""

    __slots__ = ("is_known_district", "pending_warnings", "result", "today")

    def __init__(self, today: date, is_known_district: DistrictCheck | None) -> None:
        self.today = today
        self.is_known_district = is_known_district
        self.result = ValidationResult()
        self.pending_warnings: list[tuple[str, Message]] = []

    def problem(self, path: str, code: str, message: Message) -> None:
        self.result.problems.append(ValidationProblem(path, code, message))


@dataclass(slots=True)
class _Slot:
    """One answer: its cleaned value, a type problem, and its warnings."""

    answered: bool = False
    cleaned: Any = None
    problem: tuple[str, Message] | None = None
    warnings: list[tuple[str, Message]] | None = None
    relevant: bool = True


def _slot(cf: CompiledField, raw: Any, run: _Run) -> tuple[_Slot, Any]:
    """Type-check one answer: (slot, value seen by expressions)."""
    if _is_empty(raw):
        return _Slot(), None
    slot = _Slot(answered=True)
    if run.pending_warnings:
        run.pending_warnings = []
    try:
        slot.cleaned, value = _COERCE[cf.field.type](cf, raw, run)
    except _Bad as bad:
        slot.problem = (bad.code, bad.message)
        return slot, None  # a bad answer reads as empty in expressions
    if run.pending_warnings:
        slot.warnings = run.pending_warnings
    return slot, value


def _expression_problem(e: ExpressionError) -> Message:
    return Message(
        f"Aturan formulir tidak dapat dihitung: {e.message}",
        f"A form rule could not be evaluated: {e.message}",
    )


def validate_submission(
    form: CompiledForm,
    answers: Any,
    *,
    today: date | None = None,
    is_known_district: DistrictCheck | None = None,
) -> ValidationResult:
    """Check answers (a JSON object: field name -> answer; a repeat is a list of objects).

    today: the date for today() and NIK birth dates (default: today in WIT, UTC+9).
    is_known_district: when given, NIKs from an unknown district get a warning.
    """
    run = _Run(today or today_in_indonesia(), is_known_district)
    if not isinstance(answers, Mapping):
        run.problem("", "type", Message("Jawaban harus objek JSON", "Answers must be an object"))
        return run.result
    fields = form.fields
    top_names = form.top_level
    for key in answers:
        if key not in fields or fields[key].parent is not None:
            run.problem(str(key), "unknown_field", _UNKNOWN)

    # 1. type-check every answer; expressions see the typed values
    env: dict[str, Any] = {}
    slots: dict[str, _Slot] = {}
    instances: dict[str, list[dict[str, Any]]] = {}  # repeat -> expression env per instance
    inst_slots: dict[str, list[dict[str, _Slot]]] = {}
    for name in top_names:
        cf = fields[name]
        raw = answers.get(name)
        if cf.field.type != "repeat":
            slots[name], env[name] = _slot(cf, raw, run)
            continue
        slot = _Slot(answered=not _is_empty(raw))
        slots[name] = slot
        envs: list[dict[str, Any]] = []
        islots: list[dict[str, _Slot]] = []
        if raw is not None and not isinstance(raw, list):
            slot.problem = ("type", Message("Harus daftar", "Must be a list"))
            raw = []
        for i, item in enumerate(raw or []):
            ienv: dict[str, Any] = dict.fromkeys(cf.children)
            islot: dict[str, _Slot] = {}
            if not isinstance(item, Mapping):
                run.problem(f"{name}[{i}]", "type", Message("Harus objek", "Must be an object"))
                item = {}
            for key in item:
                if key not in cf.children:
                    run.problem(f"{name}[{i}].{key}", "unknown_field", _UNKNOWN)
            for child in cf.children:
                islot[child], ienv[child] = _slot(fields[child], item.get(child), run)
            envs.append(ienv)
            islots.append(islot)
        instances[name] = envs
        inst_slots[name] = islots
        env[name] = envs

    ctx = Context(env, today=run.today)

    # 2. relevance, each field after the fields it reads
    group_cache: dict[str, bool] = {}

    def test(expr: Expression, c: Context, path: str) -> bool:
        try:
            return expr.test(c)
        except ExpressionError as e:
            run.problem(path, "expression_error", _expression_problem(e))
            return True

    for name in form.relevance_order:
        cf = fields[name]
        if cf.parent is None:
            rel = True
            if cf.group_relevant is not None:
                if cf.group not in group_cache:
                    group_cache[cf.group] = test(cf.group_relevant, ctx, name)
                rel = group_cache[cf.group]
            if rel and cf.relevant is not None:
                rel = test(cf.relevant, ctx, name)
            slots[name].relevant = rel
            if not rel:
                env[name] = [] if cf.field.type == "repeat" else None
            continue
        parent = cf.parent
        parent_relevant = slots[parent].relevant
        for i, ienv in enumerate(instances[parent]):
            s = inst_slots[parent][i][name]
            rel = parent_relevant
            if rel and cf.relevant is not None:
                rel = test(cf.relevant, ctx.with_instance(ienv), f"{parent}[{i}].{name}")
            s.relevant = rel
            if not rel:
                ienv[name] = None

    # 3. required, constraints, cleaned output
    cleaned: dict[str, Any] = {}
    for name in top_names:
        cf = fields[name]
        slot = slots[name]
        if not slot.relevant:
            if slot.answered:
                run.result.dropped.append(name)
            continue
        if cf.field.type == "repeat":
            items = _check_repeat(form, cf, slot, instances[name], inst_slots[name], ctx, run)
            if items is not None:
                cleaned[name] = items
            continue
        if _check_answer(cf, slot, env[name], ctx, name, run):
            cleaned[name] = slot.cleaned

    if run.result.ok:
        run.result.cleaned = cleaned
    return run.result


def _check_answer(
    cf: CompiledField, slot: _Slot, value: Any, ctx: Context, path: str, run: _Run
) -> bool:
    """Required and constraint checks of a relevant answer; True when it goes in the output."""
    if slot.problem is not None:
        run.problem(path, *slot.problem)
        return False
    for code, message in slot.warnings or ():
        run.result.warnings.append(ValidationProblem(path, code, message))
    if not slot.answered:
        if _is_required(cf, ctx, path, run):
            run.problem(path, "required", _REQUIRED)
        return False
    if cf.constraint is not None:
        _check_constraint(cf, ctx.with_current(value), path, run)
    return True


def _is_required(cf: CompiledField, ctx: Context, path: str, run: _Run) -> bool:
    req = cf.required
    if not isinstance(req, Expression):
        return req
    try:
        return req.test(ctx)
    except ExpressionError as e:
        run.problem(path, "expression_error", _expression_problem(e))
        return False


def _check_constraint(cf: CompiledField, ctx: Context, path: str, run: _Run) -> None:
    assert cf.constraint is not None
    try:
        ok = cf.constraint.test(ctx)
    except ExpressionError as e:
        run.problem(path, "expression_error", _expression_problem(e))
        return
    if not ok:
        msg = cf.field.constraint_message
        run.problem(
            path,
            "constraint",
            Message(msg.id, msg.en) if msg else Message("Jawaban tidak sah", "Invalid answer"),
        )


def _check_repeat(
    form: CompiledForm,
    cf: CompiledField,
    slot: _Slot,
    envs: list[dict[str, Any]],
    islots: list[dict[str, _Slot]],
    ctx: Context,
    run: _Run,
) -> list[dict[str, Any]] | None:
    name = cf.name
    if slot.problem is not None:
        run.problem(name, *slot.problem)
        return None
    count = len(envs)
    lo = cf.field.min_count or 0
    hi = cf.field.max_count
    if count < lo or (hi is not None and count > hi):
        if hi is None:
            msg = Message(f"Paling sedikit {lo} isian", f"At least {lo} entries")
        else:
            msg = Message(
                f"Jumlah isian harus {lo} sampai {hi}",
                f"The number of entries must be {lo} to {hi}",
            )
        run.problem(name, "repeat_count", msg)
    elif count == 0 and _is_required(cf, ctx, name, run):
        run.problem(name, "required", _REQUIRED)
    items: list[dict[str, Any]] = []
    for i, ienv in enumerate(envs):
        ictx = ctx.with_instance(ienv)
        out: dict[str, Any] = {}
        for child in cf.children:
            ccf = form.fields[child]
            s = islots[i][child]
            path = f"{name}[{i}].{child}"
            if not s.relevant:
                if s.answered:
                    run.result.dropped.append(path)
                continue
            if _check_answer(ccf, s, ienv[child], ictx, path, run):
                out[child] = s.cleaned
        items.append(out)
    if cf.constraint is not None and count > 0:
        _check_constraint(cf, ctx.with_current(count), name, run)
    return items
