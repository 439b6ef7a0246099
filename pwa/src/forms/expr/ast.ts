export type CompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type ArithOp = "+" | "-" | "*" | "div" | "mod";

export type Node =
  | { type: "num"; value: number; pos: number }
  | { type: "str"; value: string; pos: number }
  | { type: "bool"; value: boolean; pos: number }
  | { type: "ref"; name: string; pos: number }
  | { type: "current"; pos: number }
  | { type: "neg"; operand: Node; pos: number }
  | { type: "not"; operand: Node; pos: number }
  | { type: "logic"; op: "and" | "or"; operands: Node[]; pos: number }
  | { type: "compare"; op: CompareOp; left: Node; right: Node; pos: number }
  // A flat left-associative chain; each step keeps its operator's position.
  | { type: "arith"; first: Node; rest: Array<[ArithOp, Node, number]>; pos: number }
  | { type: "call"; name: string; args: Node[]; pos: number };

export function children(node: Node): Node[] {
  switch (node.type) {
    case "neg":
    case "not":
      return [node.operand];
    case "logic":
      return node.operands;
    case "compare":
      return [node.left, node.right];
    case "arith":
      return [node.first, ...node.rest.map((step) => step[1])];
    case "call":
      return node.args;
    default:
      return [];
  }
}

/** Names of all ${references} in an expression. */
export function references(node: Node): Set<string> {
  const out = new Set<string>();
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === "ref") out.add(n.name);
    stack.push(...children(n));
  }
  return out;
}
