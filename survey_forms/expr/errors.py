"""The single error type of the expression language."""

from __future__ import annotations

from typing import Literal

# Stable codes, shared with the TypeScript implementation and the test vectors.
ErrorCode = Literal[
    "syntax",  # malformed expression: bad token, unterminated string, missing ')' ...
    "limit",  # expression/string too long, nested too deeply, number out of range
    "unknown_function",
    "arity",  # wrong number of arguments
    "argument",  # e.g. count() of something that is not a ${reference}
    "regex",  # pattern outside the supported subset
    "type",  # value of the wrong kind at run time (e.g. 'abc' + 1)
    "division_by_zero",
    "reference",  # '.' without a current value, count() of a non-repeat
]


class ExpressionError(Exception):
    """Any failure to parse or evaluate an expression.

    ``position`` is a 0-based offset in Unicode code points into the expression source.
    """

    def __init__(self, code: ErrorCode, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (at {self.position})"

    def __repr__(self) -> str:
        return f"ExpressionError({self.code!r}, {self.message!r}, {self.position})"
