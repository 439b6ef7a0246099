"""Tokeniser. Positions are code-point offsets (Python str indices)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from .errors import ExpressionError
from .limits import MAX_EXPRESSION_LENGTH

TokenKind = Literal["num", "str", "ref", "dot", "name", "(", ")", ",", "op", "eof"]


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str  # operator, name, string contents, reference name or number source
    pos: int
    number: float = 0.0


_WS = " \t\n\r"
_DIGITS = "0123456789"
_ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NAME_START = _ASCII_LETTERS + "_"
_NAME_CHARS = _NAME_START + _DIGITS
_PUNCT: dict[str, TokenKind] = {"(": "(", ")": ")", ",": ","}


def tokenize(source: str) -> list[Token]:
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            "limit", f"expression longer than {MAX_EXPRESSION_LENGTH} characters", 0
        )
    tokens: list[Token] = []
    i = 0
    n = len(source)
    while i < n:
        c = source[i]
        if c in _WS:
            i += 1
            continue
        start = i
        if c in _DIGITS or (c == "." and i + 1 < n and source[i + 1] in _DIGITS):
            while i < n and source[i] in _DIGITS:
                i += 1
            if i < n and source[i] == ".":
                i += 1
                while i < n and source[i] in _DIGITS:
                    i += 1
            text = source[start:i]
            value = float(text)
            if not math.isfinite(value):
                raise ExpressionError("limit", "number out of range", start)
            tokens.append(Token("num", text, start, value))
            continue
        if c == "'" or c == '"':
            end = source.find(c, i + 1)
            if end < 0:
                raise ExpressionError("syntax", "unterminated string", start)
            tokens.append(Token("str", source[i + 1 : end], start))
            i = end + 1
            continue
        if c == "$":
            if i + 1 >= n or source[i + 1] != "{":
                raise ExpressionError("syntax", "expected '{' after '$'", start)
            j = i + 2
            if j >= n or source[j] not in _NAME_START:
                raise ExpressionError("syntax", "expected a field name after '${'", start)
            while j < n and source[j] in _NAME_CHARS:
                j += 1
            if j >= n or source[j] != "}":
                raise ExpressionError("syntax", "expected '}' to close the reference", start)
            tokens.append(Token("ref", source[i + 2 : j], start))
            i = j + 1
            continue
        if c in _ASCII_LETTERS:
            # Names may contain '-' only between letters (count-selected), so 'div-1' is
            # 'div', '-', '1'.
            j = i + 1
            while j < n:
                if source[j] in _NAME_CHARS:
                    j += 1
                elif source[j] == "-" and j + 1 < n and source[j + 1] in _ASCII_LETTERS:
                    j += 2
                else:
                    break
            tokens.append(Token("name", source[i:j], start))
            i = j
            continue
        if c == "(" or c == ")" or c == ",":
            tokens.append(Token(_PUNCT[c], c, start))
            i += 1
            continue
        if c == ".":
            tokens.append(Token("dot", ".", start))
            i += 1
            continue
        if c in "<>!":
            if i + 1 < n and source[i + 1] == "=":
                tokens.append(Token("op", c + "=", start))
                i += 2
                continue
            if c == "!":
                raise ExpressionError("syntax", "unexpected '!' (use != or not)", start)
            tokens.append(Token("op", c, start))
            i += 1
            continue
        if c in "=+-*/":
            tokens.append(Token("op", c, start))
            i += 1
            continue
        raise ExpressionError("syntax", f"unexpected character {c!r}", start)
    tokens.append(Token("eof", "", n))
    return tokens
