// The form engine: a published definition (survey_forms/model.py) driven by the shared
// expression language. Same rules as survey_forms/validation.py: relevance first (each
// field after the fields it reads; a non-relevant answer reads as empty), then required
// and constraints on relevant fields only. No DOM here.
import { Context, Expression, ExpressionError, references } from "./expr";
import { checkNik, todayInIndonesia } from "./identity";

export interface Text {
  id: string;
  en: string;
}
export interface Choice {
  code: string;
  label: Text;
}
export type FieldType =
  | "text"
  | "integer"
  | "decimal"
  | "select_one"
  | "select_multiple"
  | "date"
  | "geopoint"
  | "photo"
  | "signature"
  | "note"
  | "nik"
  | "repeat";
export interface FieldDef {
  name: string;
  type: FieldType;
  code?: string | null;
  label: Text;
  hint?: Text | null;
  required?: boolean | string;
  relevant?: string | null;
  constraint?: string | null;
  constraint_message?: Text | null;
  default?: unknown;
  prefill?: string | null;
  choices?: string | Choice[] | null;
  fields?: FieldDef[] | null;
  min_count?: number | null;
  max_count?: number | null;
}
export interface GroupDef {
  name: string;
  label: Text;
  hint?: Text | null;
  relevant?: string | null;
  fields: FieldDef[];
}
export interface FormDef {
  id: string;
  version: number;
  title: Text;
  description?: Text | null;
  choice_lists?: Record<string, Choice[]>;
  groups: GroupDef[];
}

export interface CompiledField {
  def: FieldDef;
  name: string;
  group: string;
  parent: string | null;
  children: string[];
  choices: Choice[];
  relevant: Expression | null;
  required: boolean | Expression;
  constraint: Expression | null;
}

export interface CompiledForm {
  def: FormDef;
  fields: Map<string, CompiledField>;
  topLevel: string[];
  groupRelevant: Map<string, Expression | null>;
  relevanceOrder: string[];
}

export type Answers = Record<string, unknown>;
export type Instance = Record<string, unknown>;

export const REQUIRED: Text = { id: "Wajib diisi", en: "This answer is required" };
const INVALID: Text = { id: "Jawaban tidak sah", en: "Invalid answer" };
const RULE_FAILED: Text = {
  id: "Aturan formulir tidak dapat dihitung",
  en: "A form rule could not be evaluated",
};

export function compileForm(def: FormDef): CompiledForm {
  const fields = new Map<string, CompiledField>();
  const topLevel: string[] = [];
  const groupRelevant = new Map<string, Expression | null>();
  const lists = def.choice_lists ?? {};
  const compile = (f: FieldDef, group: string, parent: string | null): CompiledField => {
    const choices =
      typeof f.choices === "string" ? (lists[f.choices] ?? []) : Array.isArray(f.choices) ? f.choices : [];
    const cf: CompiledField = {
      def: f,
      name: f.name,
      group,
      parent,
      children: (f.fields ?? []).map((c) => c.name),
      choices,
      relevant: f.relevant ? new Expression(f.relevant) : null,
      required: typeof f.required === "string" ? new Expression(f.required) : Boolean(f.required),
      constraint: f.constraint ? new Expression(f.constraint) : null,
    };
    fields.set(f.name, cf);
    return cf;
  };
  for (const g of def.groups) {
    groupRelevant.set(g.name, g.relevant ? new Expression(g.relevant) : null);
    for (const f of g.fields) {
      compile(f, g.name, null);
      topLevel.push(f.name);
      for (const c of f.fields ?? []) compile(c, g.name, f.name);
    }
  }
  // Relevance order: a field after every field its relevance (or its group's) reads.
  const order: string[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (name: string): void => {
    const st = state.get(name);
    if (st === 2 || st === 1) return; // done, or a cycle (the server refuses those)
    state.set(name, 1);
    const cf = fields.get(name)!;
    const deps = new Set<string>();
    if (cf.relevant) for (const r of references(cf.relevant.node)) deps.add(r);
    const gr = cf.parent === null ? groupRelevant.get(cf.group) : null;
    if (gr) for (const r of references(gr.node)) deps.add(r);
    if (cf.parent) deps.add(cf.parent);
    for (const d of deps) if (fields.has(d) && d !== name) visit(d);
    state.set(name, 2);
    order.push(name);
  };
  for (const name of fields.keys()) visit(name);
  return { def, fields, topLevel, groupRelevant, relevanceOrder: order };
}

export const isEmpty = (raw: unknown): boolean =>
  raw === null || raw === undefined || raw === "" || (Array.isArray(raw) && raw.length === 0);

/** What an answer looks like to expressions (server: _COERCE's second value). */
function exprValue(cf: CompiledField, raw: unknown): unknown {
  if (isEmpty(raw)) return null;
  const t = cf.def.type;
  if (t === "geopoint" && typeof raw === "object" && raw !== null) {
    const g = raw as Record<string, number | null | undefined>;
    return [g.lat, g.lon, g.altitude ?? 0, g.accuracy ?? 0].map((x) => String(x ?? 0)).join(" ");
  }
  if (t === "integer" || t === "decimal") return typeof raw === "number" ? raw : null;
  if (t === "select_one" && typeof raw === "number") return String(raw);
  return raw;
}

/** A type problem of a non-empty answer, or null. */
export function typeProblem(cf: CompiledField, raw: unknown, today: string): Text | null {
  if (isEmpty(raw)) return null;
  switch (cf.def.type) {
    case "integer":
      if (typeof raw !== "number" || !Number.isInteger(raw))
        return { id: "Harus bilangan bulat", en: "Must be a whole number" };
      if (Math.abs(raw) > Number.MAX_SAFE_INTEGER) return { id: "Angka terlalu besar", en: "Number too large" };
      return null;
    case "decimal":
      return typeof raw === "number" && Number.isFinite(raw)
        ? null
        : { id: "Harus berupa angka", en: "Must be a number" };
    case "date": {
      if (typeof raw !== "string" || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(raw))
        return { id: "Tanggal harus berformat YYYY-MM-DD", en: "A date must be YYYY-MM-DD" };
      const d = new Date(`${raw}T00:00:00Z`);
      if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== raw)
        return { id: "Tanggal tidak ada di kalender", en: "Not a real calendar date" };
      return null;
    }
    case "select_one": {
      const code = typeof raw === "number" ? String(raw) : raw;
      if (typeof code !== "string" || !cf.choices.some((c) => c.code === code))
        return { id: "Pilihan tidak ada dalam daftar", en: "Not one of the choices" };
      return null;
    }
    case "select_multiple":
      if (!Array.isArray(raw) || !raw.every((c) => cf.choices.some((x) => x.code === c)))
        return { id: "Pilihan tidak ada dalam daftar", en: "Not one of the choices" };
      return null;
    case "nik": {
      if (typeof raw !== "string") return { id: "NIK harus 16 digit angka", en: "A NIK must be exactly 16 digits" };
      const check = checkNik(raw, { today });
      if (!check.valid)
        return {
          id: check.errors.map((e) => e.messageId).join("; "),
          en: check.errors.map((e) => e.messageEn).join("; "),
        };
      return null;
    }
    case "text":
      if (typeof raw !== "string") return { id: "Harus berupa teks", en: "Must be text" };
      if (raw.length > 2000) return { id: "Paling banyak 2000 karakter", en: "At most 2000 characters" };
      return null;
    default:
      return null;
  }
}

export interface FieldStatus {
  relevant: boolean;
  required: boolean;
  error: Text | null;
}

export interface Problem {
  path: string;
  field: string;
  group: string;
  message: Text;
}

export interface Evaluation {
  groups: Map<string, boolean>;
  top: Map<string, FieldStatus>;
  /** repeat name -> per instance: child name -> status */
  instances: Map<string, Map<string, FieldStatus>[]>;
  problems: Problem[];
}

function safeTest(e: Expression, ctx: Context, fallback: boolean, onError: () => void): boolean {
  try {
    return e.test(ctx);
  } catch (err) {
    if (err instanceof ExpressionError) {
      onError();
      return fallback;
    }
    throw err;
  }
}

/** Relevance, required and constraints of every field, with every problem in form order. */
export function evaluateForm(form: CompiledForm, answers: Answers, today = todayInIndonesia()): Evaluation {
  const env: Record<string, unknown> = {};
  const instEnvs = new Map<string, Record<string, unknown>[]>();
  const top = new Map<string, FieldStatus>();
  const instances = new Map<string, Map<string, FieldStatus>[]>();
  const groups = new Map<string, boolean>();
  const typeErr = new Map<string, Text>();

  for (const name of form.topLevel) {
    const cf = form.fields.get(name)!;
    const raw = answers[name];
    if (cf.def.type !== "repeat") {
      const p = typeProblem(cf, raw, today);
      if (p) typeErr.set(name, p);
      env[name] = p ? null : exprValue(cf, raw);
      continue;
    }
    const list = Array.isArray(raw) ? (raw as Instance[]) : [];
    const envs = list.map((item, i) => {
      const ienv: Record<string, unknown> = {};
      for (const child of cf.children) {
        const ccf = form.fields.get(child)!;
        const v = item?.[child];
        const p = typeProblem(ccf, v, today);
        if (p) typeErr.set(`${name}[${i}].${child}`, p);
        ienv[child] = p ? null : exprValue(ccf, v);
      }
      return ienv;
    });
    instEnvs.set(name, envs);
    instances.set(name, envs.map(() => new Map()));
    env[name] = envs;
  }
  const ctx = new Context({ values: env, today });
  const ruleErrors = new Map<string, Text>();

  for (const name of form.relevanceOrder) {
    const cf = form.fields.get(name)!;
    if (cf.parent === null) {
      let rel = true;
      if (!groups.has(cf.group)) {
        const gr = form.groupRelevant.get(cf.group) ?? null;
        groups.set(cf.group, gr ? safeTest(gr, ctx, true, () => ruleErrors.set(name, RULE_FAILED)) : true);
      }
      rel = groups.get(cf.group)!;
      if (rel && cf.relevant) rel = safeTest(cf.relevant, ctx, true, () => ruleErrors.set(name, RULE_FAILED));
      top.set(name, { relevant: rel, required: false, error: null });
      if (!rel) env[name] = cf.def.type === "repeat" ? [] : null;
      continue;
    }
    const parentRel = top.get(cf.parent)?.relevant ?? true;
    const envs = instEnvs.get(cf.parent) ?? [];
    const stats = instances.get(cf.parent) ?? [];
    envs.forEach((ienv, i) => {
      let rel = parentRel;
      const path = `${cf.parent}[${i}].${name}`;
      if (rel && cf.relevant)
        rel = safeTest(cf.relevant, ctx.withInstance(ienv), true, () => ruleErrors.set(path, RULE_FAILED));
      stats[i]!.set(name, { relevant: rel, required: false, error: null });
      if (!rel) ienv[name] = null;
    });
  }

  const problems: Problem[] = [];
  const check = (
    cf: CompiledField,
    status: FieldStatus,
    raw: unknown,
    value: unknown,
    c: Context,
    path: string,
  ): void => {
    if (!status.relevant) return;
    const req = cf.required;
    status.required =
      typeof req === "boolean" ? req : safeTest(req, c, false, () => ruleErrors.set(path, RULE_FAILED));
    let err: Text | null = ruleErrors.get(path) ?? typeErr.get(path) ?? null;
    if (!err && isEmpty(raw) && status.required && cf.def.type !== "note") err = REQUIRED;
    if (!err && !isEmpty(raw) && cf.constraint) {
      const ok = safeTest(cf.constraint, c.withCurrent(value), true, () => (err = RULE_FAILED));
      if (!ok) err = cf.def.constraint_message ?? INVALID;
    }
    status.error = err;
    if (err) problems.push({ path, field: cf.name, group: cf.group, message: err });
  };

  for (const name of form.topLevel) {
    const cf = form.fields.get(name)!;
    const status = top.get(name)!;
    if (cf.def.type !== "repeat") {
      check(cf, status, answers[name], env[name], ctx, name);
      continue;
    }
    if (!status.relevant) continue;
    const envs = instEnvs.get(name) ?? [];
    const stats = instances.get(name) ?? [];
    envs.forEach((ienv, i) => {
      const ictx = ctx.withInstance(ienv);
      const item = ((answers[name] as Instance[] | undefined) ?? [])[i] ?? {};
      for (const child of cf.children) {
        const ccf = form.fields.get(child)!;
        check(ccf, stats[i]!.get(child)!, item[child], ienv[child], ictx, `${name}[${i}].${child}`);
      }
    });
    const count = envs.length;
    const lo = cf.def.min_count ?? 0;
    const hi = cf.def.max_count ?? null;
    const req = cf.required;
    status.required = typeof req === "boolean" ? req : safeTest(req, ctx, false, () => undefined);
    let err: Text | null = null;
    if (count < lo || (hi !== null && count > hi)) {
      err =
        hi === null
          ? { id: `Paling sedikit ${lo} isian`, en: `At least ${lo} entries` }
          : { id: `Jumlah isian harus ${lo} sampai ${hi}`, en: `The number of entries must be ${lo} to ${hi}` };
    } else if (count === 0 && status.required) {
      err = REQUIRED;
    } else if (cf.constraint && count > 0) {
      const ok = safeTest(cf.constraint, ctx.withCurrent(count), true, () => (err = RULE_FAILED));
      if (!ok) err = cf.def.constraint_message ?? INVALID;
    }
    status.error = err;
    if (err) problems.push({ path: name, field: name, group: cf.group, message: err });
  }
  return { groups, top, instances, problems };
}

/** The answers the server gets: relevant ones only, empty ones left out. */
export function cleanAnswers(form: CompiledForm, answers: Answers, ev: Evaluation): Answers {
  const out: Answers = {};
  for (const name of form.topLevel) {
    const cf = form.fields.get(name)!;
    if (!ev.top.get(name)?.relevant || cf.def.type === "note") continue;
    const raw = answers[name];
    if (cf.def.type !== "repeat") {
      if (!isEmpty(raw)) out[name] = raw;
      continue;
    }
    const stats = ev.instances.get(name) ?? [];
    const list = Array.isArray(raw) ? (raw as Instance[]) : [];
    out[name] = list.map((item, i) => {
      const o: Instance = {};
      for (const child of cf.children) {
        const ccf = form.fields.get(child)!;
        if (ccf.def.type === "note" || !stats[i]?.get(child)?.relevant) continue;
        if (!isEmpty(item[child])) o[child] = item[child];
      }
      return o;
    });
  }
  return out;
}

function readPath(source: Record<string, unknown>, keys: string[]): unknown {
  let cur: unknown = source;
  for (const k of keys) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Coerce a baseline value to the field's answer type (the register may send "3" for 3). */
function coerce(cf: CompiledField, v: unknown): unknown {
  if (isEmpty(v)) return undefined;
  switch (cf.def.type) {
    case "integer":
    case "decimal": {
      const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case "select_one":
      return typeof v === "number" || typeof v === "string" ? String(v) : undefined;
    case "select_multiple":
      return Array.isArray(v) ? v.map(String) : typeof v === "string" ? v.split(/\s+/).filter(Boolean) : undefined;
    case "date":
      return typeof v === "string" ? v.slice(0, 10) : undefined;
    default:
      return typeof v === "string" || typeof v === "number" ? String(v) : undefined;
  }
}

function defaultOf(cf: CompiledField): unknown {
  const d = cf.def.default;
  if (d === null || d === undefined) return undefined;
  return coerce(cf, d);
}

/**
 * The starting answers of a visit: each field's baseline value (prefill) or default.
 * baseline: the household's baseline answers, with `members` a list of member records.
 */
export function prefill(form: CompiledForm, baseline: Record<string, unknown>): Answers {
  const out: Answers = {};
  const root = { baseline };
  for (const name of form.topLevel) {
    const cf = form.fields.get(name)!;
    if (cf.def.type === "note") continue;
    const pre = cf.def.prefill ? readPath(root, cf.def.prefill.split(".")) : undefined;
    if (cf.def.type === "repeat") {
      const list = Array.isArray(pre) ? pre : [];
      out[name] = list.map((m) => newInstance(form, name, m as Record<string, unknown>));
      continue;
    }
    const v = coerce(cf, pre) ?? defaultOf(cf);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** A repeat instance from a baseline member record (or an empty one for a new member). */
export function newInstance(form: CompiledForm, repeat: string, member: Record<string, unknown> | null): Instance {
  const cf = form.fields.get(repeat)!;
  const item: Instance = {};
  for (const child of cf.children) {
    const ccf = form.fields.get(child)!;
    const pre = member && ccf.def.prefill ? readPath({ member }, ccf.def.prefill.split(".")) : undefined;
    const v = coerce(ccf, pre) ?? defaultOf(ccf);
    if (v !== undefined) item[child] = v;
  }
  return item;
}

/** Fields of a group in display order, with the group's relevance. */
export function groupFields(form: CompiledForm, group: string): CompiledField[] {
  return form.topLevel.map((n) => form.fields.get(n)!).filter((f) => f.group === group);
}

export function choiceLabel(cf: CompiledField, code: unknown, lang: "id" | "en"): string {
  const c = cf.choices.find((x) => x.code === String(code));
  return c ? c.label[lang] : String(code ?? "");
}
