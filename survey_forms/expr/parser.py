"""Recursive-descent parser. The grammar (lowest precedence first):

    expr    := or
    or      := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | cmp              -- 'not(' ... is the function form instead
    cmp     := add (('='|'!='|'<'|'<='|'>'|'>=') add)?   -- not chainable
    add     := mul (('+'|'-') mul)*
    mul     := unary (('*'|'/'|'div'|'mod') unary)*
    unary   := '-' unary | primary
    primary := number | string | true | false | true() | false() | ${name} | '.'
             | name '(' [expr (',' expr)*] ')' | '(' expr ')'

The TypeScript parser (pwa/src/forms/expr/parser.ts) follows the same steps, so both report
the same error code at the same position.
"""

from __future__ import annotations

from typing import cast

from . import nodes as n
from .errors import ExpressionError
from .lexer import Token, tokenize
from .limits import MAX_DEPTH
from .regex import compile_regex

# name -> (min args, max args)
FUNCTIONS: dict[str, tuple[int, int]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "regex": (2, 2),
    "if": (3, 3),
    "today": (0, 0),
    "add-months": (2, 2),
    "count": (1, 1),
    "count-if": (2, 2),
    "not": (1, 1),
}

_KEYWORDS = {"and", "or", "not", "div", "mod", "true", "false"}
_COMPARE = {"=", "!=", "<", "<=", ">", ">="}


def _describe(tok: Token) -> str:
    if tok.kind == "eof":
        return "end of expression"
    if tok.kind == "str":
        return "string"
    if tok.kind == "num":
        return f"number {tok.text}"
    if tok.kind == "ref":
        return f"${{{tok.text}}}"
    return f"'{tok.text}'"


class _Parser:
    __slots__ = ("i", "tokens")

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        j = min(self.i + k, len(self.tokens) - 1)
        return self.tokens[j]

    def advance(self) -> Token:
        t = self.tokens[self.i]
        if t.kind != "eof":
            self.i += 1
        return t

    def unexpected(self, tok: Token | None = None) -> ExpressionError:
        t = tok or self.tok
        return ExpressionError("syntax", f"unexpected {_describe(t)}", t.pos)

    def is_name(self, text: str) -> bool:
        t = self.tok
        return t.kind == "name" and t.text == text

    @staticmethod
    def enter(depth: int, pos: int) -> int:
        depth += 1
        if depth > MAX_DEPTH:
            raise ExpressionError("limit", "expression nested too deeply", pos)
        return depth

    def parse_expr(self, depth: int) -> n.Node:
        depth = self.enter(depth, self.tok.pos)
        return self.parse_or(depth)

    def parse_or(self, depth: int) -> n.Node:
        first = self.parse_and(depth)
        if not self.is_name("or"):
            return first
        items = [first]
        while self.is_name("or"):
            self.advance()
            items.append(self.parse_and(depth))
        return n.Logic("or", tuple(items), first.pos)

    def parse_and(self, depth: int) -> n.Node:
        first = self.parse_not(depth)
        if not self.is_name("and"):
            return first
        items = [first]
        while self.is_name("and"):
            self.advance()
            items.append(self.parse_not(depth))
        return n.Logic("and", tuple(items), first.pos)

    def parse_not(self, depth: int) -> n.Node:
        if self.is_name("not") and self.peek().kind != "(":
            tok = self.advance()
            depth = self.enter(depth, tok.pos)
            return n.Not(self.parse_not(depth), tok.pos)
        return self.parse_cmp(depth)

    def parse_cmp(self, depth: int) -> n.Node:
        left = self.parse_add(depth)
        t = self.tok
        if t.kind == "op" and t.text in _COMPARE:
            self.advance()
            right = self.parse_add(depth)
            t2 = self.tok
            if t2.kind == "op" and t2.text in _COMPARE:
                raise ExpressionError(
                    "syntax", "comparisons cannot be chained; combine them with 'and'", t2.pos
                )
            return n.Compare(cast(n.CompareOp, t.text), left, right, left.pos)
        return left

    def parse_add(self, depth: int) -> n.Node:
        first = self.parse_mul(depth)
        rest: list[tuple[n.ArithOp, n.Node, int]] = []
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            t = self.advance()
            rest.append((cast(n.ArithOp, t.text), self.parse_mul(depth), t.pos))
        return n.Arith(first, tuple(rest), first.pos) if rest else first

    def parse_mul(self, depth: int) -> n.Node:
        first = self.parse_unary(depth)
        rest: list[tuple[n.ArithOp, n.Node, int]] = []
        while True:
            t = self.tok
            if t.kind == "op" and t.text in ("*", "/"):
                op: n.ArithOp = "*" if t.text == "*" else "div"
            elif t.kind == "name" and t.text in ("div", "mod"):
                op = "div" if t.text == "div" else "mod"
            else:
                break
            self.advance()
            rest.append((op, self.parse_unary(depth), t.pos))
        return n.Arith(first, tuple(rest), first.pos) if rest else first

    def parse_unary(self, depth: int) -> n.Node:
        t = self.tok
        if t.kind == "op" and t.text == "-":
            self.advance()
            depth = self.enter(depth, t.pos)
            return n.Neg(self.parse_unary(depth), t.pos)
        return self.parse_primary(depth)

    def parse_primary(self, depth: int) -> n.Node:
        t = self.tok
        if t.kind == "num":
            self.advance()
            return n.Num(t.number, t.pos)
        if t.kind == "str":
            self.advance()
            return n.Str(t.text, t.pos)
        if t.kind == "ref":
            self.advance()
            return n.Ref(t.text, t.pos)
        if t.kind == "dot":
            self.advance()
            return n.Current(t.pos)
        if t.kind == "(":
            self.advance()
            inner = self.parse_expr(depth)
            if self.tok.kind != ")":
                raise ExpressionError(
                    "syntax", f"expected ')' but found {_describe(self.tok)}", self.tok.pos
                )
            self.advance()
            return inner
        if t.kind == "name":
            return self.parse_name(depth)
        raise self.unexpected()

    def parse_name(self, depth: int) -> n.Node:
        t = self.advance()
        name = t.text
        has_paren = self.tok.kind == "("
        if name in ("true", "false"):
            if has_paren:  # ODK's true() / false()
                self.advance()
                if self.tok.kind != ")":
                    raise ExpressionError("arity", f"{name}() takes no arguments", t.pos)
                self.advance()
            return n.Bool(name == "true", t.pos)
        if not has_paren:
            if name in FUNCTIONS:
                raise ExpressionError("syntax", f"expected '(' after {name}", self.tok.pos)
            if name in _KEYWORDS:
                raise self.unexpected(t)
            raise ExpressionError("syntax", f"unknown name '{name}'", t.pos)
        if name not in FUNCTIONS:
            raise ExpressionError("unknown_function", f"unknown function {name}()", t.pos)
        self.advance()  # '('
        args: list[n.Node] = []
        if self.tok.kind != ")":
            while True:
                args.append(self.parse_expr(depth))
                if self.tok.kind == ",":
                    self.advance()
                    continue
                break
            if self.tok.kind != ")":
                raise ExpressionError(
                    "syntax", f"expected ',' or ')' but found {_describe(self.tok)}", self.tok.pos
                )
        self.advance()
        lo, hi = FUNCTIONS[name]
        if not lo <= len(args) <= hi:
            want = str(lo) if lo == hi else f"{lo}-{hi}"
            raise ExpressionError(
                "arity", f"{name}() takes {want} argument(s), got {len(args)}", t.pos
            )
        if name in ("count", "count-if") and not isinstance(args[0], n.Ref):
            raise ExpressionError(
                "argument", f"{name}() needs a ${{repeat}} reference", args[0].pos
            )
        if name == "regex" and isinstance(args[1], n.Str):
            compile_regex(args[1].value, args[1].pos)  # reject bad patterns at parse time
        return n.Call(name, tuple(args), t.pos)


def parse(source: str) -> n.Node:
    """Parse an expression; raises ExpressionError."""
    if not isinstance(source, str):
        raise ExpressionError("syntax", "expression must be a string", 0)
    tokens = tokenize(source)
    p = _Parser(tokens)
    if p.tok.kind == "eof":
        raise ExpressionError("syntax", "empty expression", 0)
    node = p.parse_expr(0)
    if p.tok.kind != "eof":
        raise p.unexpected()
    return node
