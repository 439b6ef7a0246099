// A visit from start to "finish": creation with baseline pre-fill, the checks that must
// pass before it can be queued, and the frozen record that goes into the outbox.
import { type Outcome, requiredPhotoKinds } from "../api/contract";
import type { Assignment, Session, VisitRecord } from "../data/types";
import { type CompiledForm, type Text, cleanAnswers, evaluateForm, prefill } from "../forms/engine";
import { GOOD_ACCURACY_M } from "../geo/gps";
import { type OutboxEvent, transition } from "../sync/outbox";

/** Outcomes for which the household was interviewed and the form is filled. */
export function needsForm(outcome: Outcome | null): boolean {
  return outcome === "found" || outcome === "new_household";
}

/** The household's baseline as the form's prefill keys see it (baseline.members = members). */
export function baselineOf(a: Assignment | null): Record<string, unknown> {
  if (!a) return {};
  return { ...a.household.baseline, members: a.household.members };
}

/** What tells one new draft from another; the rest (outbox state, times, step) starts equal. */
export type DraftStart = Pick<
  VisitRecord,
  "id" | "userId" | "assignmentKey" | "householdId" | "roundId" | "label" | "form" | "answers" | "outcome" | "revisitOf"
> &
  Partial<Pick<VisitRecord, "proposal">>;

/** A new draft on the phone (a visit or a proposal), not yet in the outbox. */
export function newDraft(start: DraftStart, now: number): VisitRecord {
  return {
    ...start,
    eligibility: null,
    note: "",
    startedAt: new Date(now).toISOString(),
    endedAt: null,
    gps: null,
    gpsReason: "",
    photos: [],
    state: "draft",
    serverHas: false,
    attempts: 0,
    nextAttemptAt: 0,
    lastError: null,
    attention: null,
    receipt: null,
    createdAt: now,
    updatedAt: now,
    doneAt: null,
    step: 0,
  };
}

export function createVisit(
  a: Assignment,
  form: CompiledForm,
  session: Session,
  now = Date.now(),
  id: string = crypto.randomUUID(),
): VisitRecord {
  return newDraft(
    {
      id,
      userId: session.userId,
      assignmentKey: a.key,
      householdId: a.household.id,
      roundId: a.roundId,
      label: [a.household.headName, a.household.address].filter(Boolean).join(" · "),
      form: { id: form.def.id, version: form.def.version },
      answers: prefill(form, baselineOf(a)),
      outcome: null,
      revisitOf: a.state === "returned" ? a.returnedVisitId : null,
    },
    now,
  );
}

export type StepKey = "start" | "form" | "photos" | "finish";

export interface VisitProblem {
  step: StepKey;
  /** field path, photo kind, "outcome", "gps" */
  key: string;
  group?: string;
  message: Text;
}

export function gpsIsPoor(v: VisitRecord): boolean {
  const acc = v.gps?.accuracy_m;
  return acc === null || acc === undefined || acc > GOOD_ACCURACY_M;
}

export function gpsProblem(v: VisitRecord): Text | null {
  const g = v.gps;
  const reason = v.gpsReason.trim();
  if (!g || g.accuracy_m === null || g.accuracy_m === undefined) {
    if (reason) return null;
    return { id: "Ambil lokasi GPS atau beri alasan", en: "Take a GPS location or give a reason" };
  }
  if (g.accuracy_m > GOOD_ACCURACY_M && !reason)
    return {
      id: `Akurasi GPS lebih dari ${GOOD_ACCURACY_M} m: beri alasan`,
      en: `GPS accuracy worse than ${GOOD_ACCURACY_M} m: give a reason`,
    };
  return null;
}

const KIND_TEXT: Record<string, Text> = {
  house_front: { id: "Rumah tampak depan", en: "House, front" },
  house_inside: { id: "Dalam rumah", en: "Inside the house" },
  family_card: { id: "Kartu Keluarga", en: "Family card" },
};

/** Everything that stops the visit from being finished, in screen order. */
export function visitProblems(v: VisitRecord, form: CompiledForm | null, today?: string): VisitProblem[] {
  const out: VisitProblem[] = [];
  if (!v.outcome) out.push({ step: "start", key: "outcome", message: { id: "Pilih hasil kunjungan", en: "Choose the visit outcome" } });
  const gp = gpsProblem(v);
  if (gp) out.push({ step: "start", key: "gps", message: gp });
  if (needsForm(v.outcome) && form) {
    const ev = evaluateForm(form, v.answers, today);
    for (const p of ev.problems) out.push({ step: "form", key: p.path, group: p.group, message: p.message });
  }
  const have = new Set(v.photos.map((p) => p.kind));
  for (const kind of requiredPhotoKinds(v.outcome)) {
    if (!have.has(kind)) {
      const k = KIND_TEXT[kind] ?? { id: kind, en: kind };
      out.push({ step: "photos", key: kind, message: { id: `Foto wajib: ${k.id}`, en: `Required photo: ${k.en}` } });
    }
  }
  // The minutes need a recommendation for every household found (SPEC §2 step 4).
  if (v.outcome === "found" && !v.eligibility)
    out.push({ step: "finish", key: "eligibility", message: { id: "Pilih rekomendasi kelayakan", en: "Choose the eligibility recommendation" } });
  return out;
}

/** Freeze the visit and queue it: answers cleaned to what the server validates. */
export function finishVisit(v: VisitRecord, form: CompiledForm | null, now = Date.now(), today?: string): VisitRecord {
  const problems = visitProblems(v, form, today);
  if (problems.length) throw new Error(`visit has ${problems.length} problems`);
  let answers: Record<string, unknown> = {};
  if (needsForm(v.outcome) && form) answers = cleanAnswers(form, v.answers, evaluateForm(form, v.answers, today));
  const reason = v.gpsReason.trim().slice(0, 200);
  const gps = v.gps ? { ...v.gps, poor_fix_reason: gpsIsPoor(v) && reason ? reason : null } : null;
  // Without any fix the reason travels in the note (the record's gps is then null).
  const note = !v.gps && reason ? [`GPS: ${reason}`, v.note.trim()].filter(Boolean).join("\n") : v.note.trim();
  const frozen: VisitRecord = {
    ...v,
    answers,
    gps,
    note: note.slice(0, 2000),
    eligibility: needsForm(v.outcome) ? v.eligibility : null,
  };
  const e: OutboxEvent = { type: "submit", now, endedAt: new Date(now).toISOString() };
  return transition(frozen, e);
}
