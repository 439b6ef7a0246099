// The outbox state machine: pure functions over a VisitRecord, no I/O.
//
//   draft ──submit──▶ queued ──start──▶ sending ──visit_accepted──▶ waiting_photos ──▶ done
//                       ▲                 │  (no photo missing) ───────────────────────▲
//                       │                 │                          photo_accepted (last)
//                       └─transient/offline/auth (backoff)            │
//                                         │                           └─ transient: stays,
//                                         ├─409 conflict ─▶ needs_attention   backoff
//                                         └─422 invalid ──▶ needs_attention ──edit──▶ draft
//
// "done" is reached only when the server confirmed the record AND every declared photo;
// only then may the phone drop the photo bytes (canCompact).
import type { FieldProblem, Problem, VisitReceipt } from "../api/contract";
import type { OutboxState, VisitRecord } from "../data/types";

export type OutboxEvent =
  | { type: "submit"; now: number; endedAt: string }
  | { type: "start"; now: number }
  | { type: "visit_accepted"; now: number; receipt: VisitReceipt }
  | { type: "photo_accepted"; now: number; photoId: string; missing: string[] }
  | { type: "transient_error"; now: number; message: string; retryAfterS?: number | null; random?: number }
  | { type: "offline"; now: number }
  | { type: "auth_required"; now: number }
  | { type: "conflict"; now: number; problem: Problem }
  | { type: "invalid"; now: number; problem: Problem }
  | { type: "photo_invalid"; now: number; photoId: string; problem: Problem }
  | { type: "refused"; now: number; problem: Problem; status: number }
  | { type: "edit"; now: number; newId?: string }
  | { type: "resend_as_new"; now: number; newId: string }
  | { type: "recover"; now: number }
  | { type: "retry"; now: number };

export class IllegalTransition extends Error {
  constructor(state: OutboxState, event: string) {
    super(`cannot ${event} in state ${state}`);
    this.name = "IllegalTransition";
  }
}

export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_MAX_MS = 30 * 60_000;

/** Exponential backoff with ±25 % jitter: 5 s, 10 s, 20 s … capped at 30 min. */
export function backoffMs(attempts: number, random = 0.5): number {
  const raw = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.75 + random * 0.5));
}

/** States the sync engine works on. */
export const PENDING: ReadonlySet<OutboxState> = new Set(["queued", "sending", "waiting_photos"]);

export function isDue(v: VisitRecord, now: number, force = false): boolean {
  return PENDING.has(v.state) && (force || v.nextAttemptAt <= now);
}

/** Editable by the enumerator: never once the server may hold it. */
export function isEditable(v: VisitRecord): boolean {
  return v.state === "draft";
}

export function isUnsynced(v: VisitRecord): boolean {
  return v.state !== "done";
}

export function canCompact(v: VisitRecord): boolean {
  return (
    v.state === "done" &&
    v.serverHas &&
    v.receipt !== null &&
    v.receipt.missing_photos.length === 0 &&
    v.photos.every((p) => p.uploaded)
  );
}

export function photosSent(v: VisitRecord): number {
  return v.photos.filter((p) => p.uploaded).length;
}

function fieldErrors(problem: Problem): FieldProblem[] {
  return Array.isArray(problem.errors)
    ? problem.errors.filter((e) => e && typeof e.path === "string")
    : [];
}

function afterPhotos(v: VisitRecord, missing: string[], now: number): VisitRecord {
  const missingSet = new Set(missing);
  const photos = v.photos.map((p) => ({ ...p, uploaded: !missingSet.has(p.id) }));
  const complete = missing.length === 0;
  return {
    ...v,
    photos,
    serverHas: true,
    state: complete ? "done" : "waiting_photos",
    doneAt: complete ? now : null,
    lastError: null,
    attention: null,
  };
}

export function transition(v: VisitRecord, e: OutboxEvent): VisitRecord {
  const bad = (): never => {
    throw new IllegalTransition(v.state, e.type);
  };
  const base = { ...v, updatedAt: e.now };
  switch (e.type) {
    case "submit":
      if (v.state !== "draft") bad();
      return {
        ...base,
        state: "queued",
        endedAt: v.endedAt ?? e.endedAt,
        attempts: 0,
        nextAttemptAt: 0,
        lastError: null,
        attention: null,
      };
    case "start":
      if (v.state === "queued") return { ...base, state: "sending" };
      if (v.state === "waiting_photos" || v.state === "sending") return base;
      return bad();
    case "visit_accepted": {
      if (!PENDING.has(v.state)) bad();
      const next = afterPhotos(base, e.receipt.missing_photos, e.now);
      return { ...next, receipt: e.receipt, attempts: 0, nextAttemptAt: 0 };
    }
    case "photo_accepted": {
      if (v.state !== "waiting_photos" && v.state !== "sending") bad();
      if (!v.serverHas) bad();
      const missing = e.missing.filter((id) => id !== e.photoId);
      const next = afterPhotos(base, missing, e.now);
      return {
        ...next,
        receipt: v.receipt ? { ...v.receipt, missing_photos: missing } : v.receipt,
      };
    }
    case "transient_error": {
      if (!PENDING.has(v.state)) bad();
      const attempts = v.attempts + 1;
      const wait = Math.max(backoffMs(attempts, e.random), (e.retryAfterS ?? 0) * 1000);
      return {
        ...base,
        state: v.serverHas ? "waiting_photos" : "queued",
        attempts,
        nextAttemptAt: e.now + wait,
        lastError: e.message,
      };
    }
    case "offline":
    case "auth_required":
      // Not the visit's fault: no attempt is counted; sync resumes on reconnect / sign-in.
      if (!PENDING.has(v.state)) bad();
      return { ...base, state: v.serverHas ? "waiting_photos" : "queued" };
    case "retry":
      // The enumerator asks to send a refused visit again (e.g. the round has opened since).
      if (v.state !== "needs_attention" || v.attention?.kind !== "refused") bad();
      return { ...base, state: v.serverHas ? "waiting_photos" : "queued", attention: null, attempts: 0, nextAttemptAt: 0 };
    case "recover":
      // A tab or the worker died mid-send; the record may or may not have arrived:
      // the PUT is idempotent, so sending again is safe.
      if (v.state !== "sending") return v;
      return { ...base, state: v.serverHas ? "waiting_photos" : "queued" };
    case "conflict":
      if (!PENDING.has(v.state)) bad();
      return {
        ...base,
        state: "needs_attention",
        attention: { kind: "conflict", detail: e.problem.detail ?? "" },
      };
    case "invalid":
      if (!PENDING.has(v.state)) bad();
      return {
        ...base,
        state: "needs_attention",
        attention: { kind: "invalid", detail: e.problem.detail ?? "", errors: fieldErrors(e.problem) },
      };
    case "photo_invalid":
      if (!PENDING.has(v.state)) bad();
      return {
        ...base,
        state: "needs_attention",
        attention: { kind: "photo", detail: e.problem.detail ?? "", photoId: e.photoId },
      };
    case "refused":
      if (!PENDING.has(v.state)) bad();
      return {
        ...base,
        state: "needs_attention",
        attention: {
          kind: "refused",
          detail: e.problem.detail ?? `HTTP ${e.status}`,
          code: e.problem.code ?? `http_${e.status}`,
        },
      };
    case "edit":
      // Back to the form. When the server already holds this id (a photo was refused after
      // the record arrived), the corrected visit must travel under a new id.
      if (v.state !== "needs_attention") bad();
      if (v.serverHas && !e.newId) bad();
      return {
        ...base,
        id: v.serverHas ? e.newId! : v.id,
        state: "draft",
        serverHas: false,
        receipt: null,
        attempts: 0,
        nextAttemptAt: 0,
        photos: v.photos.map((p) => ({ ...p, uploaded: false })),
      };
    case "resend_as_new":
      if (v.state !== "needs_attention" || v.attention?.kind !== "conflict") bad();
      return {
        ...base,
        id: e.newId,
        state: "queued",
        serverHas: false,
        receipt: null,
        attention: null,
        attempts: 0,
        nextAttemptAt: 0,
        lastError: null,
        photos: v.photos.map((p) => ({ ...p, uploaded: false })),
      };
  }
}
