// The regex() dialect, matched by our own Thompson automaton: the same syntax, semantics and
// limits as survey_forms/expr/regex.py (read its docstring). RegExp is not used because its
// classes differ from Python's and it backtracks.
import { ExpressionError } from "./errors";
import { MAX_PATTERN_LENGTH, MAX_REGEX_STATES, MAX_REPEAT_COUNT } from "./limits";

type Ranges = ReadonlyArray<readonly [number, number]>;

interface RSet {
  t: "set";
  ranges: Ranges;
  negated: boolean;
}
type RNode =
  | RSet
  | { t: "cat"; items: RNode[] }
  | { t: "alt"; items: RNode[] }
  | { t: "rep"; node: RNode; lo: number; hi: number | null };

const DIGIT: Ranges = [[0x30, 0x39]];
const WORD: Ranges = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: Ranges = [
  [0x09, 0x0d],
  [0x20, 0x20],
];
const SHORTHAND: Record<string, Ranges> = { d: DIGIT, w: WORD, s: SPACE };
const NEG_SHORTHAND: Record<string, Ranges> = { D: DIGIT, W: WORD, S: SPACE };
const CONTROL: Record<string, number> = { n: 0x0a, t: 0x09, r: 0x0d };
const META = new Set(Array.from("^$\\.*+?()[]{}|/-"));
const QUANT_START = new Set(["*", "+", "?", "{"]);
const MAX_GROUP_DEPTH = 16;
const has = (o: object, k: string): boolean => Object.hasOwn(o, k);
const cp = (c: string): number => c.codePointAt(0)!;
const single = (c: number): RSet => ({ t: "set", ranges: [[c, c]], negated: false });

class PatternParser {
  private i = 0;
  private depth = 0;
  private readonly p: string[];
  constructor(
    pattern: string[],
    private readonly pos: number,
  ) {
    this.p = pattern;
  }

  fail(message: string): ExpressionError {
    return new ExpressionError("regex", `invalid regex: ${message}`, this.pos);
  }

  parse(): RNode {
    const node = this.parseAlt();
    if (this.i < this.p.length) throw this.fail("unbalanced ')'");
    return node;
  }

  parseAlt(): RNode {
    const branches = [this.parseCat()];
    while (this.i < this.p.length && this.p[this.i] === "|") {
      this.i++;
      branches.push(this.parseCat());
    }
    return branches.length === 1 ? branches[0]! : { t: "alt", items: branches };
  }

  parseCat(): RNode {
    const items: RNode[] = [];
    while (this.i < this.p.length && this.p[this.i] !== "|" && this.p[this.i] !== ")") {
      const item = this.parseRepeat();
      if (item !== null) items.push(item);
    }
    return items.length === 1 ? items[0]! : { t: "cat", items };
  }

  parseRepeat(): RNode | null {
    const p = this.p;
    const atom = this.parseAtom();
    if (this.i >= p.length || !QUANT_START.has(p[this.i]!)) return atom;
    if (atom === null) throw this.fail("nothing to repeat");
    const c = p[this.i]!;
    let lo: number;
    let hi: number | null;
    if (c === "{") {
      [lo, hi] = this.parseBraces();
    } else {
      this.i++;
      [lo, hi] = c === "*" ? [0, null] : c === "+" ? [1, null] : [0, 1];
    }
    if (this.i < p.length && p[this.i] === "?") this.i++; // lazy: same set of full matches
    if (this.i < p.length && QUANT_START.has(p[this.i]!)) {
      throw this.fail("a quantifier cannot follow another quantifier");
    }
    return { t: "rep", node: atom, lo, hi };
  }

  parseBraces(): [number, number | null] {
    const p = this.p;
    let j = this.i + 1;
    const bad = "'{' must be escaped or form {n}, {n,} or {n,m}";
    const num = (): number | null => {
      const start = j;
      while (j < p.length && p[j]! >= "0" && p[j]! <= "9") j++;
      if (j === start || j - start > 4) return null;
      return Number(p.slice(start, j).join(""));
    };
    const lo = num();
    let hi: number | null;
    if (lo === null) throw this.fail(bad);
    if (j < p.length && p[j] === "}") {
      hi = lo;
    } else if (j < p.length && p[j] === ",") {
      j++;
      if (j < p.length && p[j] === "}") {
        hi = null;
      } else {
        hi = num();
        if (hi === null || j >= p.length || p[j] !== "}") throw this.fail(bad);
      }
    } else {
      throw this.fail(bad);
    }
    this.i = j + 1;
    if (lo > MAX_REPEAT_COUNT || (hi !== null && hi > MAX_REPEAT_COUNT)) {
      throw this.fail(`repeat count above ${MAX_REPEAT_COUNT}`);
    }
    if (hi !== null && hi < lo) throw this.fail("repeat range out of order");
    return [lo, hi];
  }

  /** null for an anchor (matches the empty string, cannot be quantified). */
  parseAtom(): RNode | null {
    const p = this.p;
    const c = p[this.i]!;
    if (c === "(") {
      this.i++;
      if (this.i < p.length && p[this.i] === "?") {
        if (this.i + 1 < p.length && p[this.i + 1] === ":") {
          this.i += 2;
        } else {
          throw this.fail(
            "only (...) and (?:...) groups are supported (no lookaround, named groups or flags)",
          );
        }
      }
      this.depth++;
      if (this.depth > MAX_GROUP_DEPTH) throw this.fail("groups nested too deeply");
      const inner = this.parseAlt();
      if (this.i >= p.length || p[this.i] !== ")") throw this.fail("missing ')'");
      this.i++;
      this.depth--;
      return inner;
    }
    if (c === "[") return this.parseClass();
    if (c === ".") {
      this.i++;
      return { t: "set", ranges: [[0x0a, 0x0a]], negated: true };
    }
    if (c === "\\") return this.parseEscape();
    if (c === "*" || c === "+" || c === "?") throw this.fail("nothing to repeat");
    if (c === "{" || c === "}" || c === "]") throw this.fail(`'${c}' must be escaped`);
    if (c === "^") {
      if (this.i !== 0) throw this.fail("'^' is only allowed at the start");
      this.i++;
      return null;
    }
    if (c === "$") {
      if (this.i !== p.length - 1) throw this.fail("'$' is only allowed at the end");
      this.i++;
      return null;
    }
    this.i++;
    return single(cp(c));
  }

  parseEscape(): RNode {
    const p = this.p;
    if (this.i + 1 >= p.length) throw this.fail("trailing backslash");
    const c = p[this.i + 1]!;
    this.i += 2;
    if (has(SHORTHAND, c)) return { t: "set", ranges: SHORTHAND[c]!, negated: false };
    if (has(NEG_SHORTHAND, c)) return { t: "set", ranges: NEG_SHORTHAND[c]!, negated: true };
    if (has(CONTROL, c)) return single(CONTROL[c]!);
    if (META.has(c)) return single(cp(c));
    if (c >= "0" && c <= "9") throw this.fail("backreferences are not supported");
    if (c === "b" || c === "B") throw this.fail("word boundaries are not supported");
    throw this.fail(`unknown escape '\\${c}'`);
  }

  classChar(): number | Ranges {
    const p = this.p;
    const c = p[this.i]!;
    if (c === "[") throw this.fail("'[' inside [...] must be escaped");
    if (c !== "\\") {
      this.i++;
      return cp(c);
    }
    if (this.i + 1 >= p.length) throw this.fail("trailing backslash");
    const e = p[this.i + 1]!;
    this.i += 2;
    if (has(SHORTHAND, e)) return SHORTHAND[e]!;
    if (has(CONTROL, e)) return CONTROL[e]!;
    if (META.has(e)) return cp(e);
    if (has(NEG_SHORTHAND, e)) throw this.fail(`'\\${e}' is not allowed inside [...]`);
    throw this.fail(`unknown escape '\\${e}'`);
  }

  parseClass(): RNode {
    const p = this.p;
    this.i++;
    let negated = false;
    if (this.i < p.length && p[this.i] === "^") {
      negated = true;
      this.i++;
    }
    const ranges: Array<readonly [number, number]> = [];
    for (;;) {
      if (this.i >= p.length) throw this.fail("unterminated '['");
      if (p[this.i] === "]") break;
      const lo = this.classChar();
      if (typeof lo !== "number") {
        ranges.push(...lo);
        if (this.i + 1 < p.length && p[this.i] === "-" && p[this.i + 1] !== "]") {
          throw this.fail("a class shorthand cannot start a range");
        }
        continue;
      }
      if (this.i + 1 < p.length && p[this.i] === "-" && p[this.i + 1] !== "]") {
        this.i++;
        const hi = this.classChar();
        if (typeof hi !== "number") throw this.fail("a class shorthand cannot end a range");
        if (hi < lo) throw this.fail("range out of order in [...]");
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
    if (ranges.length === 0) throw this.fail("empty character class");
    this.i++;
    return { t: "set", ranges, negated };
  }
}

type Dangling = Array<[number, 1 | 2]>;
type Frag = [number, Dangling];
const CHAR = 0;
const SPLIT = 1;
const MATCH = 2;

class Builder {
  readonly kind: number[] = [];
  readonly sets: Array<RSet | null> = [];
  readonly out1: number[] = [];
  readonly out2: number[] = [];
  constructor(private readonly pos: number) {}

  state(kind: number, s: RSet | null = null): number {
    if (this.kind.length >= MAX_REGEX_STATES) {
      throw new ExpressionError("regex", "invalid regex: pattern too complex", this.pos);
    }
    this.kind.push(kind);
    this.sets.push(s);
    this.out1.push(-1);
    this.out2.push(-1);
    return this.kind.length - 1;
  }

  patch(dangling: Dangling, target: number): void {
    for (const [st, slot] of dangling) {
      if (slot === 1) this.out1[st] = target;
      else this.out2[st] = target;
    }
  }

  empty(): Frag {
    const s = this.state(SPLIT);
    return [s, [
      [s, 1],
      [s, 2],
    ]];
  }

  build(node: RNode): Frag {
    switch (node.t) {
      case "set": {
        const s = this.state(CHAR, node);
        return [s, [[s, 1]]];
      }
      case "cat": {
        if (node.items.length === 0) return this.empty();
        let [start, dangling] = this.build(node.items[0]!);
        for (const item of node.items.slice(1)) {
          const [s2, d2] = this.build(item);
          this.patch(dangling, s2);
          dangling = d2;
        }
        return [start, dangling];
      }
      case "alt": {
        let [start, dangling] = this.build(node.items[0]!);
        for (const item of node.items.slice(1)) {
          const [s2, d2] = this.build(item);
          const split = this.state(SPLIT);
          this.out1[split] = start;
          this.out2[split] = s2;
          start = split;
          dangling = dangling.concat(d2);
        }
        return [start, dangling];
      }
      case "rep":
        return this.buildRep(node.node, node.lo, node.hi);
    }
  }

  buildRep(inner: RNode, lo: number, hi: number | null): Frag {
    const parts: Frag[] = [];
    for (let k = 0; k < lo; k++) parts.push(this.build(inner));
    if (hi === null) {
      const [body, bd] = this.build(inner);
      const split = this.state(SPLIT);
      this.out1[split] = body;
      this.patch(bd, split);
      parts.push([split, [[split, 2]]]);
    } else {
      for (let k = 0; k < hi - lo; k++) {
        const [body, bd] = this.build(inner);
        const split = this.state(SPLIT);
        this.out1[split] = body;
        parts.push([split, [...bd, [split, 2]]]);
      }
    }
    if (parts.length === 0) return this.empty();
    let [start, dangling] = parts[0]!;
    for (const [s2, d2] of parts.slice(1)) {
      this.patch(dangling, s2);
      dangling = d2;
    }
    return [start, dangling];
  }
}

const DFA_CACHE_LIMIT = 50_000; // total size of the cached state sets of one pattern

interface StateSet {
  states: number[]; // sorted
  key: string;
}

export class CompiledRegex {
  private readonly closures = new Map<number, number[]>();
  private readonly cache = new Map<string, StateSet>();
  private cacheSize = 0;

  constructor(
    private readonly b: Builder,
    private readonly start: number,
    private readonly matchState: number,
  ) {}

  private closure(state: number): number[] {
    const cached = this.closures.get(state);
    if (cached !== undefined) return cached;
    const seen = new Set<number>();
    const out: number[] = [];
    const stack = [state];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      if (this.b.kind[s] === SPLIT) {
        stack.push(this.b.out1[s]!, this.b.out2[s]!);
      } else {
        out.push(s);
      }
    }
    this.closures.set(state, out);
    return out;
  }

  private makeSet(states: Iterable<number>): StateSet {
    const sorted = Array.from(new Set(states)).sort((x, y) => x - y);
    return { states: sorted, key: sorted.join(",") };
  }

  private step(current: StateSet, c: number): StateSet {
    const next: number[] = [];
    for (const s of current.states) {
      const set = this.b.sets[s];
      if (set === null || set === undefined) continue;
      let hit = false;
      for (const [lo, hi] of set.ranges) {
        if (lo <= c && c <= hi) {
          hit = true;
          break;
        }
      }
      if (hit !== set.negated) next.push(...this.closure(this.b.out1[s]!));
    }
    return this.makeSet(next);
  }

  fullmatch(text: string): boolean {
    let current = this.makeSet(this.closure(this.start));
    for (const ch of text) {
      if (current.states.length === 0) return false;
      const c = cp(ch);
      const key = `${current.key}:${c}`;
      let next = this.cache.get(key);
      if (next === undefined) {
        next = this.step(current, c);
        this.cacheSize += next.states.length + 1;
        if (this.cacheSize > DFA_CACHE_LIMIT) {
          this.cache.clear();
          this.cacheSize = next.states.length + 1;
        }
        this.cache.set(key, next);
      }
      current = next;
    }
    return current.states.includes(this.matchState);
  }
}

const compiled = new Map<string, CompiledRegex>();
const COMPILED_LIMIT = 128;

/** Compile a pattern of the supported subset; throws ExpressionError("regex"). */
export function compileRegex(pattern: string, pos = 0): CompiledRegex {
  const hit = compiled.get(pattern);
  if (hit !== undefined) {
    compiled.delete(pattern);
    compiled.set(pattern, hit);
    return hit;
  }
  const chars = Array.from(pattern);
  if (chars.length > MAX_PATTERN_LENGTH) {
    throw new ExpressionError(
      "regex",
      `invalid regex: pattern longer than ${MAX_PATTERN_LENGTH} characters`,
      pos,
    );
  }
  const tree = new PatternParser(chars, pos).parse();
  const b = new Builder(pos);
  const [start, dangling] = b.build(tree);
  const matchState = b.state(MATCH);
  b.patch(dangling, matchState);
  const result = new CompiledRegex(b, start, matchState);
  compiled.set(pattern, result);
  if (compiled.size > COMPILED_LIMIT) compiled.delete(compiled.keys().next().value!);
  return result;
}
