// The visit being edited, as pure functions: every change the enumerator makes is one action
// applied to the current draft, giving the next draft. The screen keeps exactly one draft (the
// store in store.ts), saves it and draws from it; no handler edits a copy of its own.
// Unit-tested in draft.test.ts; played through the screen in ui/visit.members.test.ts.
import type { Eligibility, Outcome, PhotoKind } from "../api/contract";
import { FIELD_PHOTO_KINDS, PHOTO_KINDS } from "../api/contract";
import type { PhotoMeta, VisitRecord } from "../data/types";
import { type CompiledForm, type Instance, newInstance } from "../forms/engine";
import type { Fix } from "../geo/gps";
import { needsForm } from "./visit";

/** A field of the form: top-level (`floor_area`) or inside a repeat (`members[2].presence`). */
export type AnswerPath = { repeat: null; field: string } | { repeat: string; index: number; field: string };

const REPEAT_PATH = /^(\w+)\[(\d+)\]\.(\w+)$/;

export function parsePath(path: string): AnswerPath {
  const m = REPEAT_PATH.exec(path);
  return m ? { repeat: m[1]!, index: Number(m[2]), field: m[3]! } : { repeat: null, field: path };
}

export function pathOf(repeat: string, index: number, field: string): string {
  return `${repeat}[${index}].${field}`;
}

export function itemsOf(answers: Record<string, unknown>, repeat: string): Instance[] {
  const list = answers[repeat];
  return Array.isArray(list) ? (list as Instance[]) : [];
}

export function answerAt(answers: Record<string, unknown>, path: string): unknown {
  const p = parsePath(path);
  return p.repeat === null ? answers[p.field] : itemsOf(answers, p.repeat)[p.index]?.[p.field];
}

/**
 * The register's value for a path: `initial` is the pre-filled answers; a member added during the
 * visit has none, a register member keeps its register position in `_base` once others move.
 */
export function baselineAt(answers: Record<string, unknown>, initial: Record<string, unknown>, path: string): unknown {
  const p = parsePath(path);
  if (p.repeat === null) return initial[p.field];
  const item = itemsOf(answers, p.repeat)[p.index];
  if (!item || item._new) return undefined;
  const base = itemsOf(initial, p.repeat)[Number(item._base ?? p.index)];
  return base?.[p.field];
}

/** Presence code of a member who joined during the visit ("5 anggota baru"). */
export const NEW_MEMBER_PRESENCE = "5";

export type DraftAction =
  | { type: "answer"; path: string; value: unknown }
  | { type: "add_member"; repeat: string }
  | { type: "remove_member"; repeat: string; index: number }
  | { type: "fix"; fix: Fix }
  | { type: "gps_reason"; reason: string }
  | { type: "outcome"; outcome: Outcome }
  | { type: "eligibility"; eligibility: Eligibility }
  | { type: "note"; note: string }
  | { type: "step"; step: number }
  | { type: "photo"; photo: PhotoMeta; replaceKind: boolean };

const isBlank = (value: unknown): boolean => value === null || value === undefined;

function withAnswer(answers: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const p = parsePath(path);
  if (p.repeat === null) {
    const next = { ...answers };
    if (isBlank(value)) delete next[p.field];
    else next[p.field] = value;
    return next;
  }
  const list = [...itemsOf(answers, p.repeat)];
  // A path past the end (a stale widget) must not grow the list with holes.
  if (p.index < 0 || p.index >= list.length) return answers;
  const item = { ...list[p.index] };
  if (isBlank(value)) delete item[p.field];
  else item[p.field] = value;
  list[p.index] = item;
  return { ...answers, [p.repeat]: list };
}

/** Photo ids a member's answers point to (photo fields inside the repeat). */
function photoIdsIn(form: CompiledForm | null, repeat: string, item: Instance): Set<string> {
  const ids = new Set<string>();
  const cf = form?.fields.get(repeat);
  for (const child of cf?.children ?? []) {
    const type = form!.fields.get(child)!.def.type;
    const v = item[child];
    if ((type === "photo" || type === "signature") && typeof v === "string") ids.add(v);
  }
  return ids;
}

/** The draft after one action. `form` is the visit's form (null when it is not on the phone). */
export function applyDraft(v: VisitRecord, action: DraftAction, form: CompiledForm | null): VisitRecord {
  switch (action.type) {
    case "answer": {
      const answers = withAnswer(v.answers, action.path, action.value);
      if (answers === v.answers) return v;
      // A retaken photo answer replaces the photo it pointed to.
      const type = form?.fields.get(parsePath(action.path).field)?.def.type;
      const old = answerAt(v.answers, action.path);
      const photos =
        (type === "photo" || type === "signature") && typeof old === "string" && old !== action.value
          ? v.photos.filter((p) => p.id !== old)
          : v.photos;
      return { ...v, answers, photos };
    }
    case "add_member": {
      if (!form?.fields.get(action.repeat)) return v;
      const item: Instance = { ...newInstance(form, action.repeat, null), _new: true };
      const children = form.fields.get(action.repeat)!.children;
      const presence = form.fields.get("presence");
      if (children.includes("presence") && presence?.choices.some((c) => c.code === NEW_MEMBER_PRESENCE))
        item.presence = NEW_MEMBER_PRESENCE;
      return { ...v, answers: { ...v.answers, [action.repeat]: [...itemsOf(v.answers, action.repeat), item] } };
    }
    case "remove_member": {
      const list = itemsOf(v.answers, action.repeat);
      const item = list[action.index];
      // Register members are never removed: their presence says what became of them.
      if (!item || !item._new) return v;
      const dropped = photoIdsIn(form, action.repeat, item);
      return {
        ...v,
        answers: { ...v.answers, [action.repeat]: list.filter((_, i) => i !== action.index) },
        photos: v.photos.filter((p) => !dropped.has(p.id)),
      };
    }
    case "fix": {
      const f = action.fix;
      return {
        ...v,
        gps: {
          lat: f.lat,
          lon: f.lon,
          accuracy_m: Math.round(f.accuracy * 10) / 10,
          altitude_m: f.altitude,
          fixed_at: new Date(f.at).toISOString(),
        },
      };
    }
    case "gps_reason":
      return { ...v, gpsReason: action.reason.trim() };
    case "outcome":
      return { ...v, outcome: action.outcome };
    case "eligibility":
      return { ...v, eligibility: action.eligibility };
    case "note":
      return { ...v, note: action.note };
    case "step":
      return { ...v, step: Math.max(0, action.step) };
    case "photo": {
      const kept = action.replaceKind ? v.photos.filter((p) => p.kind !== action.photo.kind) : v.photos;
      return { ...v, photos: [...kept, action.photo] };
    }
  }
}

/** The photos a change dropped from the draft (their bytes can go). */
export function droppedPhotos(before: VisitRecord, after: VisitRecord): PhotoMeta[] {
  const still = new Set(after.photos.map((p) => p.id));
  return before.photos.filter((p) => !still.has(p.id));
}

/**
 * The photo kind of a photo field: the field's name (`house_front`) or the name without
 * `_photo` (`death_certificate_photo` → `death_certificate`); other photos are minutes.
 */
export function photoKindFor(field: string): PhotoKind {
  const kinds: string[] = [...PHOTO_KINDS, ...FIELD_PHOTO_KINDS];
  const bare = field.replace(/_photo$/, "");
  if (kinds.includes(field)) return field as PhotoKind;
  if (kinds.includes(bare)) return bare as PhotoKind;
  return "minutes";
}

export type Step =
  | { key: "start" }
  | { key: "group"; group: string }
  | { key: "photos" }
  | { key: "finish" };

/**
 * The visit's steps. Until an outcome is chosen the form's groups are counted (most visits
 * find the household), so the counter does not jump from 1/3 to 1/7 when "found" is picked.
 */
export function visitSteps(form: CompiledForm | null, outcome: Outcome | null): Step[] {
  const s: Step[] = [{ key: "start" }];
  if (form && (outcome === null || needsForm(outcome))) for (const g of form.def.groups) s.push({ key: "group", group: g.name });
  s.push({ key: "photos" }, { key: "finish" });
  return s;
}
