// Run-time values and conversions; mirrors survey_forms/expr/values.py.
import { ExpressionError } from "./errors";
import { MAX_STRING_LENGTH } from "./limits";

export type Value = number | string | boolean;

const NUMERIC = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
const SEPARATORS = /[ \t\n\r]+/;

/** ECMAScript Number::toString (Python implements the same algorithm). */
export function formatNumber(x: number): string {
  return String(x);
}

export function toString(v: Value): string {
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  return formatNumber(v);
}

export function parseNumeric(s: string): number | null {
  if (s.length > 400 || !NUMERIC.test(s)) return null;
  const x = Number(s);
  return Number.isFinite(x) ? x : null;
}

/** A number for numbers and numeric strings (not for booleans). */
export function numericValue(v: Value): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "string") return parseNumeric(v);
  return null;
}

export function truthy(v: Value): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") return v !== "";
  return v !== 0;
}

/** Length in Unicode code points, as Python's len(). */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Code-point order, as Python compares str (UTF-16 order differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  const restA = i < a.length;
  const restB = j < b.length;
  return restA === restB ? 0 : restA ? 1 : -1;
}

/** select_multiple codes: the string split on ASCII whitespace. */
export function splitCodes(v: Value): string[] {
  return toString(v)
    .split(SEPARATORS)
    .filter((t) => t !== "");
}

export function checkString(s: string, pos: number): string {
  // s.length counts UTF-16 units, never fewer than code points: count only when needed.
  if (s.length > MAX_STRING_LENGTH && codePointLength(s) > MAX_STRING_LENGTH) {
    throw new ExpressionError("limit", `string longer than ${MAX_STRING_LENGTH} characters`, pos);
  }
  return s;
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

function finite(x: number, pos: number): number {
  if (!Number.isFinite(x)) throw new ExpressionError("limit", "number out of range", pos);
  return x;
}

/** Turn an answer from the context into a value (repeats are refused here). */
export function fromContext(raw: unknown, name: string, pos: number): Value {
  if (raw === null || raw === undefined) return "";
  if (typeof raw === "string") return checkString(raw, pos);
  if (typeof raw === "boolean") return raw;
  if (typeof raw === "number") return finite(raw, pos);
  if (Array.isArray(raw)) {
    if (raw.length === 0) return "";
    if (raw.every(isRecord)) {
      throw new ExpressionError("type", `\${${name}} is a repeat; use count(\${${name}})`, pos);
    }
    const parts: string[] = [];
    for (const x of raw) {
      if (typeof x === "object" && x !== null) {
        throw new ExpressionError("type", `\${${name}} holds an unsupported value`, pos);
      }
      parts.push(toString(fromContext(x, name, pos)));
    }
    return checkString(parts.join(" "), pos);
  }
  throw new ExpressionError("type", `\${${name}} holds an unsupported value`, pos);
}

export { isRecord };
