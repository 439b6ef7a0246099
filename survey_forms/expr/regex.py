"""The regex() dialect: a small, safe subset, matched by our own automaton.

Neither Python's ``re`` nor the browser's ``RegExp`` is used: their syntax and character
classes differ (``\\d`` is Unicode in Python, ASCII in JS; ``.`` and ``$`` differ around
newlines) and both backtrack, so a submitted answer could make ``(a+)+`` run for minutes.
Patterns compile to a Thompson NFA and are simulated in time linear in the input, with the
same result in Python and TypeScript by construction. A pattern must match the whole string.

Supported: literals, ``.`` (any character but newline), ``[...]`` / ``[^...]`` with ranges,
``\\d \\w \\s`` (ASCII) and their negations outside ``[]``, escapes ``\\n \\t \\r`` and of
the metacharacters ``^$\\.*+?()[]{}|/-``, groups ``(...)`` and ``(?:...)``, alternation, and
the quantifiers ``* + ? {n} {n,} {n,m}`` (optionally lazy, which does not change a full
match). ``^`` may only start and ``$`` only end the pattern. Anything else (lookaround,
backreferences, ``\\b``, named groups, inline flags, possessive quantifiers) is an error.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from .errors import ExpressionError
from .limits import MAX_PATTERN_LENGTH, MAX_REGEX_STATES, MAX_REPEAT_COUNT

Ranges = tuple[tuple[int, int], ...]

_DIGIT: Ranges = ((0x30, 0x39),)
_WORD: Ranges = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
_SPACE: Ranges = ((0x09, 0x0D), (0x20, 0x20))  # \t \n \v \f \r and space
_SHORTHAND = {"d": _DIGIT, "w": _WORD, "s": _SPACE}
_NEG_SHORTHAND = {"D": _DIGIT, "W": _WORD, "S": _SPACE}
_MAX_GROUP_DEPTH = 16
_CONTROL = {"n": 0x0A, "t": 0x09, "r": 0x0D}
_META = set("^$\\.*+?()[]{}|/-")
_QUANT_START = set("*+?{")


# Regex AST: ("set", ranges, negated) | ("cat", items) | ("alt", items) | ("rep", node, lo, hi)
# | ("empty",). hi is None for unbounded.
@dataclass(frozen=True, slots=True)
class _Set:
    ranges: Ranges
    negated: bool


@dataclass(frozen=True, slots=True)
class _Cat:
    items: tuple[_RNode, ...]


@dataclass(frozen=True, slots=True)
class _Alt:
    items: tuple[_RNode, ...]


@dataclass(frozen=True, slots=True)
class _Rep:
    node: _RNode
    lo: int
    hi: int | None


_RNode = _Set | _Cat | _Alt | _Rep


class _PatternParser:
    def __init__(self, pattern: str, pos: int) -> None:
        self.p = pattern
        self.i = 0
        self.depth = 0
        self.pos = pos  # position of the pattern in the expression, for errors

    def fail(self, message: str) -> ExpressionError:
        return ExpressionError("regex", f"invalid regex: {message}", self.pos)

    def parse(self) -> _RNode:
        node = self.parse_alt()
        if self.i < len(self.p):  # only a stray ')' stops parse_alt early
            raise self.fail("unbalanced ')'")
        return node

    def parse_alt(self) -> _RNode:
        branches = [self.parse_cat()]
        while self.i < len(self.p) and self.p[self.i] == "|":
            self.i += 1
            branches.append(self.parse_cat())
        return branches[0] if len(branches) == 1 else _Alt(tuple(branches))

    def parse_cat(self) -> _RNode:
        items: list[_RNode] = []
        while self.i < len(self.p) and self.p[self.i] not in "|)":
            item = self.parse_repeat()
            if item is not None:
                items.append(item)
        return items[0] if len(items) == 1 else _Cat(tuple(items))

    def parse_repeat(self) -> _RNode | None:
        p = self.p
        atom = self.parse_atom()
        if self.i >= len(p) or p[self.i] not in _QUANT_START:
            return atom
        if atom is None:
            raise self.fail("nothing to repeat")
        c = p[self.i]
        if c == "{":
            lo, hi = self.parse_braces()
        else:
            self.i += 1
            lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
        if self.i < len(p) and p[self.i] == "?":
            self.i += 1  # lazy: same set of full matches
        if self.i < len(p) and p[self.i] in _QUANT_START:
            raise self.fail("a quantifier cannot follow another quantifier")
        return _Rep(atom, lo, hi)

    def parse_braces(self) -> tuple[int, int | None]:
        p = self.p
        j = self.i + 1

        def number() -> int | None:
            nonlocal j
            start = j
            while j < len(p) and "0" <= p[j] <= "9":
                j += 1
            if j == start or j - start > 4:
                return None
            return int(p[start:j])

        lo = number()
        hi: int | None
        if lo is None:
            raise self.fail("'{' must be escaped or form {n}, {n,} or {n,m}")
        if j < len(p) and p[j] == "}":
            hi = lo
        elif j < len(p) and p[j] == ",":
            j += 1
            if j < len(p) and p[j] == "}":
                hi = None
            else:
                hi = number()
                if hi is None or j >= len(p) or p[j] != "}":
                    raise self.fail("'{' must be escaped or form {n}, {n,} or {n,m}")
        else:
            raise self.fail("'{' must be escaped or form {n}, {n,} or {n,m}")
        self.i = j + 1
        if lo > MAX_REPEAT_COUNT or (hi is not None and hi > MAX_REPEAT_COUNT):
            raise self.fail(f"repeat count above {MAX_REPEAT_COUNT}")
        if hi is not None and hi < lo:
            raise self.fail("repeat range out of order")
        return lo, hi

    def parse_atom(self) -> _RNode | None:
        """None for an anchor (matches the empty string, cannot be quantified)."""
        p = self.p
        c = p[self.i]
        if c == "(":
            self.i += 1
            if self.i < len(p) and p[self.i] == "?":
                if self.i + 1 < len(p) and p[self.i + 1] == ":":
                    self.i += 2
                else:
                    raise self.fail(
                        "only (...) and (?:...) groups are supported (no lookaround, "
                        "named groups or flags)"
                    )
            self.depth += 1
            if self.depth > _MAX_GROUP_DEPTH:
                raise self.fail("groups nested too deeply")
            inner = self.parse_alt()
            if self.i >= len(p) or p[self.i] != ")":
                raise self.fail("missing ')'")
            self.i += 1
            self.depth -= 1
            return inner
        if c == "[":
            return self.parse_class()
        if c == ".":
            self.i += 1
            return _Set(((0x0A, 0x0A),), True)
        if c == "\\":
            return self.parse_escape()
        if c in "*+?":
            raise self.fail("nothing to repeat")
        if c in "{}]":
            raise self.fail(f"'{c}' must be escaped")
        if c == "^":
            if self.i != 0:
                raise self.fail("'^' is only allowed at the start")
            self.i += 1
            return None
        if c == "$":
            if self.i != len(p) - 1:
                raise self.fail("'$' is only allowed at the end")
            self.i += 1
            return None
        self.i += 1
        cp = ord(c)
        return _Set(((cp, cp),), False)

    def parse_escape(self) -> _RNode:
        p = self.p
        if self.i + 1 >= len(p):
            raise self.fail("trailing backslash")
        c = p[self.i + 1]
        self.i += 2
        if c in _SHORTHAND:
            return _Set(_SHORTHAND[c], False)
        if c in _NEG_SHORTHAND:
            return _Set(_NEG_SHORTHAND[c], True)
        if c in _CONTROL:
            cp = _CONTROL[c]
            return _Set(((cp, cp),), False)
        if c in _META:
            cp = ord(c)
            return _Set(((cp, cp),), False)
        if "0" <= c <= "9":
            raise self.fail("backreferences are not supported")
        if c in "bB":
            raise self.fail("word boundaries are not supported")
        raise self.fail(f"unknown escape '\\{c}'")

    def class_char(self) -> int | Ranges:
        """One member of a [...] class: a code point, or the ranges of \\d \\w \\s."""
        p = self.p
        c = p[self.i]
        if c == "[":
            raise self.fail("'[' inside [...] must be escaped")
        if c != "\\":
            self.i += 1
            return ord(c)
        if self.i + 1 >= len(p):
            raise self.fail("trailing backslash")
        e = p[self.i + 1]
        self.i += 2
        if e in _SHORTHAND:
            return _SHORTHAND[e]
        if e in _CONTROL:
            return _CONTROL[e]
        if e in _META:
            return ord(e)
        if e in _NEG_SHORTHAND:
            raise self.fail(f"'\\{e}' is not allowed inside [...]")
        raise self.fail(f"unknown escape '\\{e}'")

    def parse_class(self) -> _RNode:
        p = self.p
        self.i += 1
        negated = False
        if self.i < len(p) and p[self.i] == "^":
            negated = True
            self.i += 1
        ranges: list[tuple[int, int]] = []
        while True:
            if self.i >= len(p):
                raise self.fail("unterminated '['")
            if p[self.i] == "]":
                break
            lo = self.class_char()
            if isinstance(lo, tuple):
                ranges.extend(lo)
                if self.i + 1 < len(p) and p[self.i] == "-" and p[self.i + 1] != "]":
                    raise self.fail("a class shorthand cannot start a range")
                continue
            if self.i + 1 < len(p) and p[self.i] == "-" and p[self.i + 1] != "]":
                self.i += 1
                hi = self.class_char()
                if isinstance(hi, tuple):
                    raise self.fail("a class shorthand cannot end a range")
                if hi < lo:
                    raise self.fail("range out of order in [...]")
                ranges.append((lo, hi))
            else:
                ranges.append((lo, lo))
        if not ranges:
            raise self.fail("empty character class")
        self.i += 1
        return _Set(tuple(ranges), negated)


class _Builder:
    """Thompson construction. State kinds: 0 = char set, 1 = split, 2 = match."""

    def __init__(self, pos: int) -> None:
        self.kind: list[int] = []
        self.sets: list[_Set | None] = []
        self.out1: list[int] = []
        self.out2: list[int] = []
        self.pos = pos

    def state(self, kind: int, s: _Set | None = None) -> int:
        if len(self.kind) >= MAX_REGEX_STATES:
            raise ExpressionError("regex", "invalid regex: pattern too complex", self.pos)
        self.kind.append(kind)
        self.sets.append(s)
        self.out1.append(-1)
        self.out2.append(-1)
        return len(self.kind) - 1

    # A fragment is (start, dangling) where dangling lists (state, slot) to patch.
    def patch(self, dangling: list[tuple[int, int]], target: int) -> None:
        for st, slot in dangling:
            if slot == 1:
                self.out1[st] = target
            else:
                self.out2[st] = target

    def build(self, node: _RNode) -> tuple[int, list[tuple[int, int]]]:
        if isinstance(node, _Set):
            s = self.state(0, node)
            return s, [(s, 1)]
        if isinstance(node, _Cat):
            if not node.items:
                return self.empty()
            start, dangling = self.build(node.items[0])
            for item in node.items[1:]:
                s2, d2 = self.build(item)
                self.patch(dangling, s2)
                dangling = d2
            return start, dangling
        if isinstance(node, _Alt):
            first, dangling = self.build(node.items[0])
            start = first
            for item in node.items[1:]:
                s2, d2 = self.build(item)
                split = self.state(1)
                self.out1[split] = start
                self.out2[split] = s2
                start = split
                dangling = dangling + d2
            return start, dangling
        return self.build_rep(node)

    def empty(self) -> tuple[int, list[tuple[int, int]]]:
        s = self.state(1)  # a split with both outs patched to the same target
        return s, [(s, 1), (s, 2)]

    def build_rep(self, node: _Rep) -> tuple[int, list[tuple[int, int]]]:
        parts: list[tuple[int, list[tuple[int, int]]]] = []
        for _ in range(node.lo):
            parts.append(self.build(node.node))
        if node.hi is None:
            body, bd = self.build(node.node)
            split = self.state(1)
            self.out1[split] = body
            self.patch(bd, split)
            parts.append((split, [(split, 2)]))
        else:
            for _ in range(node.hi - node.lo):
                body, bd = self.build(node.node)
                split = self.state(1)
                self.out1[split] = body
                parts.append((split, [*bd, (split, 2)]))
        if not parts:
            return self.empty()
        start, dangling = parts[0]
        for s2, d2 in parts[1:]:
            self.patch(dangling, s2)
            dangling = d2
        return start, dangling


_DFA_CACHE_LIMIT = 50_000  # total size of the cached state sets of one pattern


class CompiledRegex:
    __slots__ = (
        "_cache",
        "_cache_size",
        "_closures",
        "kind",
        "match_state",
        "out1",
        "out2",
        "sets",
        "start",
    )

    def __init__(self, b: _Builder, start: int, match_state: int) -> None:
        self.kind = b.kind
        self.sets = b.sets
        self.out1 = b.out1
        self.out2 = b.out2
        self.start = start
        self.match_state = match_state
        self._closures: dict[int, frozenset[int]] = {}
        self._cache: dict[tuple[frozenset[int], int], frozenset[int]] = {}
        self._cache_size = 0

    def _closure(self, state: int) -> frozenset[int]:
        """Char-set and match states reachable from state through splits."""
        cached = self._closures.get(state)
        if cached is not None:
            return cached
        seen: set[int] = set()
        out: set[int] = set()
        stack = [state]
        while stack:
            s = stack.pop()
            if s in seen:
                continue
            seen.add(s)
            if self.kind[s] == 1:
                stack.append(self.out1[s])
                stack.append(self.out2[s])
            else:
                out.add(s)
        result = frozenset(out)
        self._closures[state] = result
        return result

    def _step(self, current: frozenset[int], cp: int) -> frozenset[int]:
        nxt: set[int] = set()
        for s in current:
            st = self.sets[s]
            if st is None:
                continue
            hit = False
            for lo, hi in st.ranges:
                if lo <= cp <= hi:
                    hit = True
                    break
            if hit != st.negated:
                nxt |= self._closure(self.out1[s])
        return frozenset(nxt)

    def fullmatch(self, text: str) -> bool:
        current = self._closure(self.start)
        cache = self._cache
        for ch in text:
            if not current:
                return False
            key = (current, ord(ch))
            nxt = cache.get(key)
            if nxt is None:
                nxt = self._step(current, key[1])
                self._cache_size += len(nxt) + 1
                if self._cache_size > _DFA_CACHE_LIMIT:
                    cache.clear()
                    self._cache_size = len(nxt) + 1
                cache[key] = nxt
            current = nxt
        return self.match_state in current


_compiled: OrderedDict[str, CompiledRegex] = OrderedDict()
_COMPILED_LIMIT = 128


def compile_regex(pattern: str, pos: int = 0) -> CompiledRegex:
    """Compile a pattern of the supported subset; raises ExpressionError('regex')."""
    hit = _compiled.get(pattern)
    if hit is not None:
        _compiled.move_to_end(pattern)
        return hit
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ExpressionError(
            "regex", f"invalid regex: pattern longer than {MAX_PATTERN_LENGTH} characters", pos
        )
    tree = _PatternParser(pattern, pos).parse()
    b = _Builder(pos)
    start, dangling = b.build(tree)
    match_state = b.state(2)
    b.patch(dangling, match_state)
    compiled = CompiledRegex(b, start, match_state)
    _compiled[pattern] = compiled
    if len(_compiled) > _COMPILED_LIMIT:
        _compiled.popitem(last=False)
    return compiled
