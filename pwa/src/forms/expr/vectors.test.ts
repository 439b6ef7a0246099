// Runs every case of the shared vector file, as tests/forms/test_expression_vectors.py does.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Context, type ContextInit, ExpressionError, evaluate, type Value } from "./index";

interface Case {
  id: string;
  expression: string;
  context?: { base?: string; values?: Record<string, unknown>; [key: string]: unknown };
  expect?: { type: "number" | "string" | "bool"; value: number | string | boolean };
  error?: { code: string; position?: number };
}
interface VectorFile {
  contexts: Record<string, { today?: string; values?: Record<string, unknown> }>;
  cases: Case[];
}

const data = JSON.parse(
  readFileSync(new URL("../../../../survey_forms/expression_vectors.json", import.meta.url), "utf8"),
) as VectorFile;

function buildContext(spec: NonNullable<Case["context"]>): Context {
  const base = spec.base !== undefined ? data.contexts[spec.base]! : {};
  const init: ContextInit = {
    values: { ...(base.values ?? {}), ...(spec.values ?? {}) },
    instance: (spec.instance as Record<string, unknown> | undefined) ?? null,
  };
  const today = (spec.today as string | undefined) ?? base.today;
  if (today !== undefined) init.today = today;
  if (Object.hasOwn(spec, "current")) init.current = spec.current;
  return new Context(init);
}

function typed(v: Value): [string, Value] {
  if (typeof v === "boolean") return ["bool", v];
  if (typeof v === "number") return ["number", v];
  return ["string", v];
}

describe("expression vectors", () => {
  it("has enough cases", () => {
    expect(data.cases.length).toBeGreaterThanOrEqual(220);
  });

  it.each(data.cases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const ctx = buildContext(c.context ?? {});
    if (c.error !== undefined) {
      let caught: unknown;
      try {
        evaluate(c.expression, ctx);
      } catch (e) {
        caught = e;
      }
      expect(caught, "expected an ExpressionError").toBeInstanceOf(ExpressionError);
      const err = caught as ExpressionError;
      expect(err.code, err.message).toBe(c.error.code);
      if (c.error.position !== undefined) expect(err.position, err.message).toBe(c.error.position);
      return;
    }
    let result: Value;
    try {
      result = evaluate(c.expression, ctx);
    } catch (e) {
      throw new Error(`unexpected ${String(e)}`);
    }
    const [kind, value] = typed(result);
    expect(kind).toBe(c.expect!.type);
    // === so that -0 equals 0, as in Python
    expect(value === c.expect!.value, `${String(value)} !== ${String(c.expect!.value)}`).toBe(true);
  });
});
