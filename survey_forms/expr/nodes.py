"""AST of the expression language. Every node carries its source position."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CompareOp = Literal["=", "!=", "<", "<=", ">", ">="]
ArithOp = Literal["+", "-", "*", "div", "mod"]  # '/' is parsed as 'div'


@dataclass(frozen=True, slots=True)
class Num:
    value: float
    pos: int


@dataclass(frozen=True, slots=True)
class Str:
    value: str
    pos: int


@dataclass(frozen=True, slots=True)
class Bool:
    value: bool
    pos: int


@dataclass(frozen=True, slots=True)
class Ref:
    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Current:
    pos: int


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Logic:
    op: Literal["and", "or"]
    operands: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Compare:
    op: CompareOp
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Arith:
    """A left-associative chain ``first op1 x1 op2 x2 ...`` (flat, so long chains need no
    deep recursion). Each step keeps its operator's position, where its errors point."""

    first: Node
    rest: tuple[tuple[ArithOp, Node, int], ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]
    pos: int


Node = Num | Str | Bool | Ref | Current | Neg | Not | Logic | Compare | Arith | Call


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Neg | Not):
        return (node.operand,)
    if isinstance(node, Logic):
        return node.operands
    if isinstance(node, Compare):
        return (node.left, node.right)
    if isinstance(node, Arith):
        return (node.first, *(step[1] for step in node.rest))
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node) -> list[Node]:
    """All nodes, pre-order (iterative)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(children(n)))
    return out


def references(node: Node) -> set[str]:
    return {n.name for n in walk(node) if isinstance(n, Ref)}
