// Recursive-descent parser; the same steps as survey_forms/expr/parser.py (see the grammar
// there), so both report the same error code at the same position.
import type { ArithOp, CompareOp, Node } from "./ast";
import { ExpressionError } from "./errors";
import { type Token, tokenize } from "./lexer";
import { MAX_DEPTH } from "./limits";
import { compileRegex } from "./regex";

/** name -> [min args, max args] */
export const FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = {
  selected: [2, 2],
  "count-selected": [1, 1],
  "string-length": [1, 1],
  regex: [2, 2],
  if: [3, 3],
  today: [0, 0],
  "add-months": [2, 2],
  count: [1, 1],
  "count-if": [2, 2],
  not: [1, 1],
};

const KEYWORDS = new Set(["and", "or", "not", "div", "mod", "true", "false"]);
const COMPARE = new Set(["=", "!=", "<", "<=", ">", ">="]);

const isFunction = (name: string): boolean => Object.hasOwn(FUNCTIONS, name);

function describe(tok: Token): string {
  switch (tok.kind) {
    case "eof":
      return "end of expression";
    case "str":
      return "string";
    case "num":
      return `number ${tok.text}`;
    case "ref":
      return `\${${tok.text}}`;
    default:
      return `'${tok.text}'`;
  }
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  get tok(): Token {
    return this.tokens[this.i]!;
  }

  /** peek(0) re-reads the current token where TypeScript would keep a stale narrowing. */
  peek(k = 1): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!;
  }

  advance(): Token {
    const t = this.tokens[this.i]!;
    if (t.kind !== "eof") this.i++;
    return t;
  }

  unexpected(tok?: Token): ExpressionError {
    const t = tok ?? this.tok;
    return new ExpressionError("syntax", `unexpected ${describe(t)}`, t.pos);
  }

  isName(text: string): boolean {
    return this.tok.kind === "name" && this.tok.text === text;
  }

  static enter(depth: number, pos: number): number {
    const d = depth + 1;
    if (d > MAX_DEPTH) throw new ExpressionError("limit", "expression nested too deeply", pos);
    return d;
  }

  parseExpr(depth: number): Node {
    return this.parseOr(Parser.enter(depth, this.tok.pos));
  }

  parseOr(depth: number): Node {
    const first = this.parseAnd(depth);
    if (!this.isName("or")) return first;
    const items = [first];
    while (this.isName("or")) {
      this.advance();
      items.push(this.parseAnd(depth));
    }
    return { type: "logic", op: "or", operands: items, pos: first.pos };
  }

  parseAnd(depth: number): Node {
    const first = this.parseNot(depth);
    if (!this.isName("and")) return first;
    const items = [first];
    while (this.isName("and")) {
      this.advance();
      items.push(this.parseNot(depth));
    }
    return { type: "logic", op: "and", operands: items, pos: first.pos };
  }

  parseNot(depth: number): Node {
    if (this.isName("not") && this.peek().kind !== "(") {
      const tok = this.advance();
      const d = Parser.enter(depth, tok.pos);
      return { type: "not", operand: this.parseNot(d), pos: tok.pos };
    }
    return this.parseCmp(depth);
  }

  parseCmp(depth: number): Node {
    const left = this.parseAdd(depth);
    const t = this.tok;
    if (t.kind === "op" && COMPARE.has(t.text)) {
      this.advance();
      const right = this.parseAdd(depth);
      const t2 = this.tok;
      if (t2.kind === "op" && COMPARE.has(t2.text)) {
        throw new ExpressionError(
          "syntax",
          "comparisons cannot be chained; combine them with 'and'",
          t2.pos,
        );
      }
      return { type: "compare", op: t.text as CompareOp, left, right, pos: left.pos };
    }
    return left;
  }

  parseAdd(depth: number): Node {
    const first = this.parseMul(depth);
    const rest: Array<[ArithOp, Node, number]> = [];
    while (this.tok.kind === "op" && (this.tok.text === "+" || this.tok.text === "-")) {
      const t = this.advance();
      rest.push([t.text as ArithOp, this.parseMul(depth), t.pos]);
    }
    return rest.length > 0 ? { type: "arith", first, rest, pos: first.pos } : first;
  }

  parseMul(depth: number): Node {
    const first = this.parseUnary(depth);
    const rest: Array<[ArithOp, Node, number]> = [];
    for (;;) {
      const t = this.tok;
      let op: ArithOp;
      if (t.kind === "op" && (t.text === "*" || t.text === "/")) {
        op = t.text === "*" ? "*" : "div";
      } else if (t.kind === "name" && (t.text === "div" || t.text === "mod")) {
        op = t.text;
      } else {
        break;
      }
      this.advance();
      rest.push([op, this.parseUnary(depth), t.pos]);
    }
    return rest.length > 0 ? { type: "arith", first, rest, pos: first.pos } : first;
  }

  parseUnary(depth: number): Node {
    const t = this.tok;
    if (t.kind === "op" && t.text === "-") {
      this.advance();
      const d = Parser.enter(depth, t.pos);
      return { type: "neg", operand: this.parseUnary(d), pos: t.pos };
    }
    return this.parsePrimary(depth);
  }

  parsePrimary(depth: number): Node {
    const t = this.tok;
    switch (t.kind) {
      case "num":
        this.advance();
        return { type: "num", value: t.number, pos: t.pos };
      case "str":
        this.advance();
        return { type: "str", value: t.text, pos: t.pos };
      case "ref":
        this.advance();
        return { type: "ref", name: t.text, pos: t.pos };
      case "dot":
        this.advance();
        return { type: "current", pos: t.pos };
      case "(": {
        this.advance();
        const inner = this.parseExpr(depth);
        if (this.tok.kind !== ")") {
          throw new ExpressionError(
            "syntax",
            `expected ')' but found ${describe(this.tok)}`,
            this.tok.pos,
          );
        }
        this.advance();
        return inner;
      }
      case "name":
        return this.parseName(depth);
      default:
        throw this.unexpected();
    }
  }

  parseName(depth: number): Node {
    const t = this.advance();
    const name = t.text;
    const hasParen = this.tok.kind === "(";
    if (name === "true" || name === "false") {
      if (hasParen) {
        // ODK's true() / false()
        this.advance();
        if (this.tok.kind !== ")") {
          throw new ExpressionError("arity", `${name}() takes no arguments`, t.pos);
        }
        this.advance();
      }
      return { type: "bool", value: name === "true", pos: t.pos };
    }
    if (!hasParen) {
      if (isFunction(name)) {
        throw new ExpressionError("syntax", `expected '(' after ${name}`, this.tok.pos);
      }
      if (KEYWORDS.has(name)) throw this.unexpected(t);
      throw new ExpressionError("syntax", `unknown name '${name}'`, t.pos);
    }
    if (!isFunction(name)) {
      throw new ExpressionError("unknown_function", `unknown function ${name}()`, t.pos);
    }
    this.advance(); // '('
    const args: Node[] = [];
    if (this.tok.kind !== ")") {
      for (;;) {
        args.push(this.parseExpr(depth));
        if (this.tok.kind === ",") {
          this.advance();
          continue;
        }
        break;
      }
      if (this.peek(0).kind !== ")") {
        throw new ExpressionError(
          "syntax",
          `expected ',' or ')' but found ${describe(this.tok)}`,
          this.tok.pos,
        );
      }
    }
    this.advance();
    const [lo, hi] = FUNCTIONS[name]!;
    if (args.length < lo || args.length > hi) {
      const want = lo === hi ? String(lo) : `${lo}-${hi}`;
      throw new ExpressionError(
        "arity",
        `${name}() takes ${want} argument(s), got ${args.length}`,
        t.pos,
      );
    }
    if ((name === "count" || name === "count-if") && args[0]!.type !== "ref") {
      throw new ExpressionError("argument", `${name}() needs a \${repeat} reference`, args[0]!.pos);
    }
    const pattern = args[1];
    if (name === "regex" && pattern !== undefined && pattern.type === "str") {
      compileRegex(pattern.value, pattern.pos); // reject bad patterns at parse time
    }
    return { type: "call", name, args, pos: t.pos };
  }
}

/** Parse an expression; throws ExpressionError. */
export function parse(source: string): Node {
  if (typeof source !== "string") {
    throw new ExpressionError("syntax", "expression must be a string", 0);
  }
  const p = new Parser(tokenize(source));
  if (p.tok.kind === "eof") throw new ExpressionError("syntax", "empty expression", 0);
  const node = p.parseExpr(0);
  if (p.peek(0).kind !== "eof") throw p.unexpected();
  return node;
}
