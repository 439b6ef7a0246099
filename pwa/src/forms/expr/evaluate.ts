// Evaluation by walking the AST; the same semantics and evaluation order as
// survey_forms/expr/evaluator.py (see survey_forms/EXPRESSIONS.md).
import type { ArithOp, CompareOp, Node } from "./ast";
import { ExpressionError } from "./errors";
import { parse } from "./parser";
import { compileRegex } from "./regex";
import {
  type Value,
  checkString,
  compareCodePoints,
  fromContext,
  isRecord,
  numericValue,
  splitCodes,
  codePointLength,
  toString,
  truthy,
} from "./values";

export type Answers = Readonly<Record<string, unknown>>;

export interface ContextInit {
  /** Top-level answers; a repeat is an array of objects, one per instance. */
  values?: Answers;
  /** The current repeat instance: ${name} looks here first when the key exists. */
  instance?: Answers | null;
  /** The value of '.', for constraints. Leave the key out when there is none. */
  current?: unknown;
  /** 'YYYY-MM-DD', a Date (its local calendar date), or a clock. */
  today?: string | Date | (() => string | Date);
}

export class Context {
  readonly values: Answers;
  readonly instance: Answers | null;
  readonly hasCurrent: boolean;
  readonly current: unknown;
  private todayValue: string | Date | (() => string | Date) | undefined;

  constructor(init: ContextInit = {}) {
    this.values = init.values ?? {};
    this.instance = init.instance ?? null;
    this.hasCurrent = Object.hasOwn(init, "current");
    this.current = init.current;
    this.todayValue = init.today;
  }

  today(): string {
    let t = this.todayValue ?? new Date();
    if (typeof t === "function") t = t();
    if (t instanceof Date) t = isoDate(t);
    this.todayValue = t;
    return t;
  }

  withInstance(instance: Answers): Context {
    const init: ContextInit = { values: this.values, instance, today: () => this.today() };
    if (this.hasCurrent) init.current = this.current;
    return new Context(init);
  }

  withCurrent(current: unknown): Context {
    return new Context({
      values: this.values,
      instance: this.instance,
      today: () => this.today(),
      current,
    });
  }
}

function isoDate(d: Date): string {
  const pad = (n: number, w: number): string => String(n).padStart(w, "0");
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)}`;
}

function lookup(ctx: Context, name: string): unknown {
  const inst = ctx.instance;
  if (inst !== null && Object.hasOwn(inst, name)) return inst[name];
  return Object.hasOwn(ctx.values, name) ? ctx.values[name] : undefined;
}

function toNumber(v: Value, pos: number): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  const x = numericValue(v);
  if (x === null) {
    let shown = toString(v);
    if (codePointLength(shown) > 20) shown = Array.from(shown).slice(0, 20).join("") + "…";
    throw new ExpressionError("type", `'${shown}' is not a number`, pos);
  }
  return x;
}

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/** The ISO date `months` calendar months after `d`, the day clamped to the month's last day
 *  ('2026-03-31' + -1 -> '2026-02-28'); '' when either is unanswered. As add_months in Python. */
export function addMonths(d: Value, months: Value, pos: number): Value {
  if (d === "" || months === "") return "";
  const text = toString(d);
  const m = ISO_DATE.exec(text);
  const [y, mo, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  if (!m || y < 1 || mo < 1 || mo > 12 || day < 1 || day > daysInMonth(y, mo)) {
    let shown = text;
    if (codePointLength(shown) > 20) shown = Array.from(shown).slice(0, 20).join("") + "…";
    throw new ExpressionError("type", `'${shown}' is not a YYYY-MM-DD date`, pos);
  }
  const count = toNumber(months, pos);
  if (!Number.isInteger(count)) {
    throw new ExpressionError("type", "add-months() needs a whole number of months", pos);
  }
  const total = Math.abs(count) <= 200_000 ? y * 12 + mo - 1 + count : -1;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  if (year < 1 || year > 9999) throw new ExpressionError("limit", "date out of range", pos);
  const clamped = Math.min(day, daysInMonth(year, month));
  const pad = (n: number, w: number): string => String(n).padStart(w, "0");
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(clamped, 2)}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function arith(op: ArithOp, a: Value, b: Value, pos: number): Value {
  // Empty propagates: an unanswered operand makes the result unanswered.
  if (a === "" || b === "") return "";
  const x = toNumber(a, pos);
  const y = toNumber(b, pos);
  let r: number;
  if (op === "+") r = x + y;
  else if (op === "-") r = x - y;
  else if (op === "*") r = x * y;
  else {
    if (y === 0) throw new ExpressionError("division_by_zero", "division by zero", pos);
    r = op === "div" ? x / y : x % y; // JS % is C fmod, as Python's math.fmod
  }
  if (!Number.isFinite(r)) throw new ExpressionError("limit", "number out of range", pos);
  return r;
}

export function compare(op: CompareOp, a: Value, b: Value): boolean {
  let c: number;
  if (typeof a === "boolean" || typeof b === "boolean") {
    c = Number(truthy(a)) - Number(truthy(b));
  } else if (a === "" || b === "") {
    const both = a === b;
    if (op === "=") return both;
    if (op === "!=") return !both;
    return false;
  } else {
    const x = numericValue(a);
    const y = numericValue(b);
    if (x !== null && y !== null) c = x > y ? 1 : x < y ? -1 : 0;
    else if (typeof a === "string" && typeof b === "string") c = compareCodePoints(a, b);
    else return op === "!="; // a number and a non-numeric string never compare
  }
  switch (op) {
    case "=":
      return c === 0;
    case "!=":
      return c !== 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
  }
}

function repeatInstances(ctx: Context, name: string, pos: number): Answers[] {
  const raw = lookup(ctx, name);
  if (raw === null || raw === undefined || raw === "") return [];
  if (Array.isArray(raw) && raw.every(isRecord)) return raw as Answers[];
  throw new ExpressionError("reference", `\${${name}} is not a repeat`, pos);
}

export function evaluateNode(node: Node, ctx: Context): Value {
  switch (node.type) {
    case "num":
    case "str":
    case "bool":
      return node.value;
    case "ref":
      return fromContext(lookup(ctx, node.name), node.name, node.pos);
    case "current":
      if (!ctx.hasCurrent) {
        throw new ExpressionError("reference", "'.' is only available in a constraint", node.pos);
      }
      return fromContext(ctx.current, ".", node.pos);
    case "neg": {
      const v = evaluateNode(node.operand, ctx);
      if (v === "") return "";
      return -toNumber(v, node.pos);
    }
    case "not":
      return !truthy(evaluateNode(node.operand, ctx));
    case "logic":
      if (node.op === "and") return node.operands.every((x) => truthy(evaluateNode(x, ctx)));
      return node.operands.some((x) => truthy(evaluateNode(x, ctx)));
    case "compare":
      return compare(node.op, evaluateNode(node.left, ctx), evaluateNode(node.right, ctx));
    case "arith": {
      let acc = evaluateNode(node.first, ctx);
      for (const [op, operand, pos] of node.rest) {
        acc = arith(op, acc, evaluateNode(operand, ctx), pos);
      }
      return acc;
    }
    case "call":
      return evaluateCall(node, ctx);
  }
}

function evaluateCall(node: Extract<Node, { type: "call" }>, ctx: Context): Value {
  const args = node.args;
  const arg = (i: number): Value => evaluateNode(args[i]!, ctx);
  switch (node.name) {
    case "count":
    case "count-if": {
      const ref = args[0]!;
      if (ref.type !== "ref") throw new ExpressionError("argument", "needs a reference", ref.pos);
      const instances = repeatInstances(ctx, ref.name, ref.pos);
      if (node.name === "count") return instances.length;
      let n = 0;
      for (const inst of instances) {
        if (truthy(evaluateNode(args[1]!, ctx.withInstance(inst)))) n++;
      }
      return n;
    }
    case "if":
      return truthy(arg(0)) ? arg(1) : arg(2);
    case "not":
      return !truthy(arg(0));
    case "today":
      return ctx.today();
    case "add-months": {
      const when = arg(0); // arguments left to right, as in Python
      return addMonths(when, arg(1), node.pos);
    }
    case "selected": {
      const codes = splitCodes(arg(0));
      return codes.includes(toString(arg(1)));
    }
    case "count-selected":
      return splitCodes(arg(0)).length;
    case "string-length":
      return codePointLength(toString(arg(0)));
    case "regex": {
      const subject = checkString(toString(arg(0)), node.pos);
      return compileRegex(toString(arg(1)), args[1]!.pos).fullmatch(subject);
    }
    default:
      throw new ExpressionError("unknown_function", `unknown function ${node.name}()`, node.pos);
  }
}

/** A parsed expression, ready to evaluate many times. */
export class Expression {
  readonly node: Node;
  constructor(readonly source: string) {
    this.node = parse(source);
  }
  evaluate(ctx: Context): Value {
    return evaluateNode(this.node, ctx);
  }
  /** Evaluate as a condition (relevance, required, constraint). */
  test(ctx: Context): boolean {
    return truthy(evaluateNode(this.node, ctx));
  }
}

/** Parse (if needed) and evaluate; throws only ExpressionError. */
export function evaluate(expression: string | Node, ctx: Context = new Context()): Value {
  const node = typeof expression === "string" ? parse(expression) : expression;
  return evaluateNode(node, ctx);
}
