// Seeded fuzzing: whatever the input, the parser and evaluator throw only ExpressionError
// (the Python side has the same property under hypothesis, tests/forms/test_expr.py).
import { describe, expect, it } from "vitest";
import { Context, ExpressionError, compileRegex, evaluate } from "./index";

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  "${a}", "${b}", "${s}", "${m}", "${rep}", "${missing}", ".", "1", "0", "-", "2.5", ".5",
  "'x'", '"1 2"', "''", "'2026-06-15'", "true", "false", "(", ")", ",", " ", "+", "*", "/",
  " div ", " mod ", "=", "!=", "<", "<=", ">", ">=", " and ", " or ", "not ", "not(",
  "selected(", "count-selected(", "string-length(", "regex(", "if(", "today()", "count(",
  "count-if(", "'[0-9]+'", "'(a+)+'", "'[a-'", "'\\d{2,3}'", "$", "{", "}", "'", '"',
  "😀", "é", "\u00a0", "foo(", "true()", "1e5", "${", "..", "|", "constructor(", "${__proto__}",
];
const VALUES: unknown[] = [
  null, true, false, 0, -1, 2.5, 1e300, Infinity, NaN, "", "x", "10", " 5", "1 2", "😀",
  [], ["1", "x"], [1, true], [{ a: 1 }], { lat: 1 }, [[1]], "a".repeat(10_001),
];

describe("fuzz", () => {
  it("throws nothing but ExpressionError", () => {
    const rnd = mulberry32(20260615);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    for (let i = 0; i < 20_000; i++) {
      const n = 1 + Math.floor(rnd() * 20);
      let src = "";
      for (let k = 0; k < n; k++) src += pick(FRAGMENTS);
      const values: Record<string, unknown> = {
        a: pick(VALUES),
        b: pick(VALUES),
        s: pick(VALUES),
        m: pick(VALUES),
        rep: rnd() < 0.5 ? [{ a: pick(VALUES) }, { b: pick(VALUES) }] : pick(VALUES),
      };
      const ctx = new Context(
        rnd() < 0.5
          ? { values, today: "2026-06-15", current: pick(VALUES) }
          : { values, today: "2026-06-15" },
      );
      try {
        const r = evaluate(src, ctx);
        expect(["number", "string", "boolean"]).toContain(typeof r);
      } catch (e) {
        if (!(e instanceof ExpressionError)) throw new Error(`${JSON.stringify(src)}: ${String(e)}`);
      }
    }
  });

  it("rejects or compiles arbitrary patterns", () => {
    const rnd = mulberry32(7);
    const alphabet = Array.from("ab()[]{}|*+?.^$\\-,0123:!=<dws");
    for (let i = 0; i < 5000; i++) {
      let p = "";
      const n = Math.floor(rnd() * 30);
      for (let k = 0; k < n; k++) p += alphabet[Math.floor(rnd() * alphabet.length)];
      try {
        expect(typeof compileRegex(p).fullmatch("abab")).toBe("boolean");
      } catch (e) {
        if (!(e instanceof ExpressionError) || e.code !== "regex") throw e;
      }
    }
  });
});
