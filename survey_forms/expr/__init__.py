"""The form expression language (see survey_forms/EXPRESSIONS.md).

The TypeScript twin lives in pwa/src/forms/expr/; both run survey_forms/expression_vectors.json.
"""

from .errors import ErrorCode, ExpressionError
from .evaluator import Context, Expression, compare, evaluate
from .parser import FUNCTIONS, parse
from .regex import compile_regex
from .values import Value, format_number, to_string, truthy

__all__ = [
    "FUNCTIONS",
    "Context",
    "ErrorCode",
    "Expression",
    "ExpressionError",
    "Value",
    "compare",
    "compile_regex",
    "evaluate",
    "format_number",
    "parse",
    "to_string",
    "truthy",
]
