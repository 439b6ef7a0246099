// The check before sending: what the visit changes against the register (answers, and each
// member who died, moved, joined or was not found, with the details given), and what still
// stops it (required answers, photos, the recommendation). Pure; the screen draws it.
// Unit-tested in summary.test.ts.
import type { VisitRecord } from "../data/types";
import { type CompiledForm, choiceLabel, evaluateForm, isEmpty, type Text } from "../forms/engine";
import { maskNik } from "../forms/identity";
import { baselineAt, itemsOf, pathOf } from "./draft";
import type { Regions } from "./regions";
import { needsForm, type VisitProblem, visitProblems } from "./visit";

export type MemberChangeKind = "died" | "moved" | "moved_abroad" | "new" | "not_found" | "edited";

/** The presence codes of the form's `presence` list (dtks_verval). */
const PRESENCE_KIND: Record<string, MemberChangeKind> = {
  "2": "died",
  "3": "moved",
  "4": "moved_abroad",
  "5": "new",
  "6": "not_found",
};

export interface Detail {
  field: string;
  label: Text;
  value: string;
  /** the register's value, when the answer changes it */
  before?: string;
}

export interface MemberChange {
  index: number;
  name: string;
  kind: MemberChangeKind;
  details: Detail[];
}

export interface VisitSummary {
  /** top-level answers that differ from the register */
  answers: Detail[];
  members: MemberChange[];
  /** everything that still stops the visit, in screen order */
  missing: VisitProblem[];
}

const IDENTITY = new Set(["full_name", "presence"]);

function shown(form: CompiledForm, field: string, value: unknown, lang: "id" | "en", regions: Regions | null): string {
  const cf = form.fields.get(field)!;
  switch (cf.def.type) {
    case "select_one":
      return choiceLabel(cf, value, lang);
    case "select_multiple":
      return Array.isArray(value) ? value.map((c) => choiceLabel(cf, c, lang)).join(", ") : String(value);
    case "nik":
      return typeof value === "string" ? maskNik(value) : "";
    case "photo":
    case "signature":
      return lang === "en" ? "photo taken" : "foto diambil";
    default: {
      const text = String(value);
      const region = regions && /_region$/.test(field) ? regions[text] : undefined;
      return region ? `${region} (${text})` : text;
    }
  }
}

const differs = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) !== JSON.stringify(b ?? null);

export function summarise(
  v: VisitRecord,
  form: CompiledForm | null,
  initial: Record<string, unknown>,
  opts: { lang?: "id" | "en"; today?: string; regions?: Regions | null } = {},
): VisitSummary {
  const lang = opts.lang ?? "id";
  const regions = opts.regions ?? null;
  const missing = visitProblems(v, form, opts.today);
  if (!form || !needsForm(v.outcome)) return { answers: [], members: [], missing };
  const ev = evaluateForm(form, v.answers, opts.today);
  const answers: Detail[] = [];
  const members: MemberChange[] = [];
  for (const name of form.topLevel) {
    const cf = form.fields.get(name)!;
    if (!ev.top.get(name)?.relevant || cf.def.type === "note") continue;
    if (cf.def.type !== "repeat") {
      const now = v.answers[name];
      const was = initial[name];
      // A proposal has no register to differ from: every answer is news.
      if (v.proposal && !isEmpty(now)) answers.push({ field: name, label: cf.def.label, value: shown(form, name, now, lang, regions) });
      else if (!isEmpty(was) && !isEmpty(now) && differs(now, was))
        answers.push({ field: name, label: cf.def.label, value: shown(form, name, now, lang, regions), before: shown(form, name, was, lang, regions) });
      continue;
    }
    itemsOf(v.answers, name).forEach((item, i) => {
      const stats = ev.instances.get(name)?.[i];
      const presence = String(item.presence ?? "");
      const kind: MemberChangeKind = item._new ? "new" : (PRESENCE_KIND[presence] ?? "edited");
      const details: Detail[] = [];
      for (const child of cf.children) {
        const value = item[child];
        if (IDENTITY.has(child) || !stats?.get(child)?.relevant || isEmpty(value)) continue;
        const ccf = form.fields.get(child)!;
        const was = baselineAt(v.answers, initial, pathOf(name, i, child));
        // A register member shows what the visit adds or changes; a new member everything.
        if (kind !== "new" && !isEmpty(was) && !differs(value, was)) continue;
        const d: Detail = { field: child, label: ccf.def.label, value: shown(form, child, value, lang, regions) };
        if (!isEmpty(was)) d.before = shown(form, child, was, lang, regions);
        details.push(d);
      }
      if (kind === "edited" && details.length === 0) return;
      const fullName = typeof item.full_name === "string" && item.full_name ? item.full_name : `#${i + 1}`;
      members.push({ index: i, name: fullName, kind, details });
    });
  }
  return { answers, members, missing };
}
