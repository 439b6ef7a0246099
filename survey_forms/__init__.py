"""Survey forms (SPEC §4): the definition model, the expression language, NIK checks and
answer validation. See survey_forms/EXPRESSIONS.md for the expression language."""

from .identity import IdentityCheck, check_kk, check_nik, mask_kk, mask_nik
from .loader import (
    CompiledField,
    CompiledForm,
    FormDefinitionError,
    content_hash,
    get_form,
    load_definitions,
    load_form_file,
    parse_definition,
    shipped_forms,
)
from .model import FormDefinition
from .validation import ValidationProblem, ValidationResult, validate_submission

__all__ = [
    "CompiledField",
    "CompiledForm",
    "FormDefinition",
    "FormDefinitionError",
    "IdentityCheck",
    "ValidationProblem",
    "ValidationResult",
    "check_kk",
    "check_nik",
    "content_hash",
    "get_form",
    "load_definitions",
    "load_form_file",
    "mask_kk",
    "mask_nik",
    "parse_definition",
    "shipped_forms",
    "validate_submission",
]
