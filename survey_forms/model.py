"""Pydantic model of a form definition (SPEC §4).

A definition is data: ``survey_forms/definitions/<id>.v<version>.json``. This model checks its
shape; survey_forms.loader checks its meaning (references, types, choice lists, cycles) and
compiles its expressions.

Pre-fill keys: a top-level field or a repeat reads ``baseline.<key>`` from the household's
baseline record (a repeat reads a list of member records); a field inside a repeat reads
``member.<key>`` from that instance's baseline member record.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
ChoiceCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Expr = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
PrefillKey = Annotated[
    str, StringConstraints(pattern=r"^(baseline|member)(\.[a-z][a-z0-9_]{0,63}){1,4}$")
]

FieldType = Literal[
    "text",
    "integer",
    "decimal",
    "select_one",
    "select_multiple",
    "date",
    "geopoint",
    "photo",
    "signature",
    "note",
    "nik",
    "repeat",
]
FIELD_TYPES: tuple[FieldType, ...] = FieldType.__args__  # type: ignore[attr-defined]
SELECT_TYPES = frozenset({"select_one", "select_multiple"})

DefaultValue = bool | int | float | str | list[str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class LocalizedText(_Strict):
    """Text in Indonesian (the default language) and English."""

    id: Text
    en: Text


class Choice(_Strict):
    code: ChoiceCode
    label: LocalizedText


class FormField(_Strict):
    name: Name
    type: FieldType
    code: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z._-]{1,16}$")] | None = None
    """The register's question code, e.g. '301a'."""
    label: LocalizedText
    hint: LocalizedText | None = None
    required: bool | Expr = False
    relevant: Expr | None = None
    constraint: Expr | None = None
    constraint_message: LocalizedText | None = None
    default: DefaultValue | None = None
    prefill: PrefillKey | None = None
    choices: Name | list[Choice] | None = None
    """A choice list name from the form's choice_lists, or inline choices."""
    fields: list[FormField] | None = None
    """Child fields of a repeat."""
    min_count: Annotated[int, Field(ge=0, le=1000)] | None = None
    max_count: Annotated[int, Field(ge=1, le=1000)] | None = None


class Group(_Strict):
    name: Name
    label: LocalizedText
    hint: LocalizedText | None = None
    relevant: Expr | None = None
    fields: Annotated[list[FormField], Field(min_length=1)]


class FormDefinition(_Strict):
    id: Name
    version: Annotated[int, Field(ge=1)]
    title: LocalizedText
    description: LocalizedText | None = None
    choice_lists: dict[Name, list[Choice]] = {}
    groups: Annotated[list[Group], Field(min_length=1)]

    def iter_fields(self) -> list[tuple[str, FormField, str | None]]:
        """(definition path, field, parent repeat name) of every field, in form order."""
        out: list[tuple[str, FormField, str | None]] = []
        for gi, group in enumerate(self.groups):
            for fi, field in enumerate(group.fields):
                path = f"groups[{gi}].fields[{fi}]"
                out.append((path, field, None))
                for ci, child in enumerate(field.fields or []):
                    out.append((f"{path}.fields[{ci}]", child, field.name))
        return out


FormField.model_rebuild()
