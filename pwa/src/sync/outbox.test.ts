import { describe, expect, it } from "vitest";
import type { VisitReceipt } from "../api/contract";
import {
  BACKOFF_MAX_MS,
  IllegalTransition,
  backoffMs,
  canCompact,
  isDue,
  transition,
} from "./outbox";

import { P1, P2, visit } from "../test/fixtures";

const receipt = (missing: string[]): VisitReceipt => ({
  visit_id: visit().id,
  state: missing.length ? "submitted" : "complete",
  received_at: "2026-06-12T02:00:00Z",
  missing_photos: missing,
  content_hash: "h",
});

describe("outbox state machine", () => {
  it("walks draft → queued → sending → waiting for photos → done", () => {
    let v = transition(visit(), { type: "submit", now: 10, endedAt: "2026-06-12T01:10:00Z" });
    expect(v.state).toBe("queued");
    expect(v.endedAt).toBe("2026-06-12T01:10:00Z");
    v = transition(v, { type: "start", now: 11 });
    expect(v.state).toBe("sending");
    v = transition(v, { type: "visit_accepted", now: 12, receipt: receipt([P1, P2]) });
    expect(v.state).toBe("waiting_photos");
    expect(v.serverHas).toBe(true);
    expect(canCompact(v)).toBe(false);
    v = transition(v, { type: "photo_accepted", now: 13, photoId: P1, missing: [P2] });
    expect(v.state).toBe("waiting_photos");
    expect(v.photos.map((p) => p.uploaded)).toEqual([true, false]);
    expect(canCompact(v)).toBe(false);
    v = transition(v, { type: "photo_accepted", now: 14, photoId: P2, missing: [] });
    expect(v.state).toBe("done");
    expect(v.doneAt).toBe(14);
    expect(canCompact(v)).toBe(true);
  });

  it("is done at once when the server already holds every photo", () => {
    let v = transition(visit({ state: "queued" }), { type: "start", now: 1 });
    v = transition(v, { type: "visit_accepted", now: 2, receipt: receipt([]) });
    expect(v.state).toBe("done");
    expect(v.photos.every((p) => p.uploaded)).toBe(true);
  });

  it("never counts a photo as held when the server still lists it missing", () => {
    let v = transition(visit({ state: "sending" }), { type: "visit_accepted", now: 2, receipt: receipt([P1, P2]) });
    // the server answers that P1 arrived but (say, after a restart) lists P2 and P1 again
    v = transition(v, { type: "photo_accepted", now: 3, photoId: P2, missing: [P1] });
    expect(v.state).toBe("waiting_photos");
    expect(canCompact(v)).toBe(false);
  });

  it("backs off on transient errors and keeps what the server has", () => {
    let v = transition(visit({ state: "sending" }), {
      type: "transient_error",
      now: 1000,
      message: "http_503",
      random: 0.5,
    });
    expect(v.state).toBe("queued");
    expect(v.attempts).toBe(1);
    expect(v.nextAttemptAt).toBe(1000 + 5000);
    expect(isDue(v, 1000)).toBe(false);
    expect(isDue(v, 1000, true)).toBe(true);
    expect(isDue(v, 6000)).toBe(true);
    v = transition({ ...v, state: "waiting_photos", serverHas: true }, {
      type: "transient_error",
      now: 2000,
      message: "http_503",
      retryAfterS: 120,
      random: 0.5,
    });
    expect(v.state).toBe("waiting_photos");
    expect(v.nextAttemptAt).toBe(2000 + 120_000);
  });

  it("grows the backoff exponentially with jitter, capped", () => {
    expect(backoffMs(1, 0.5)).toBe(5000);
    expect(backoffMs(2, 0.5)).toBe(10_000);
    expect(backoffMs(3, 0)).toBe(15_000);
    expect(backoffMs(3, 1)).toBe(25_000);
    expect(backoffMs(40, 0.5)).toBe(BACKOFF_MAX_MS);
  });

  it("offline and expired sessions cost no attempt", () => {
    const v = transition(visit({ state: "sending", attempts: 2 }), { type: "offline", now: 5 });
    expect(v.state).toBe("queued");
    expect(v.attempts).toBe(2);
    const w = transition(visit({ state: "sending", serverHas: true }), { type: "auth_required", now: 5 });
    expect(w.state).toBe("waiting_photos");
  });

  it("recovers a visit left 'sending' by a killed tab", () => {
    expect(transition(visit({ state: "sending" }), { type: "recover", now: 1 }).state).toBe("queued");
    expect(transition(visit({ state: "sending", serverHas: true }), { type: "recover", now: 1 }).state).toBe("waiting_photos");
    const q = visit({ state: "queued" });
    expect(transition(q, { type: "recover", now: 1 })).toBe(q);
  });

  it("a 409 asks the enumerator; sending as new gets a fresh id and resends everything", () => {
    const v = transition(visit({ state: "sending" }), {
      type: "conflict",
      now: 3,
      problem: { code: "visit_conflict", detail: "different content" },
    });
    expect(v.state).toBe("needs_attention");
    expect(v.attention).toEqual({ kind: "conflict", detail: "different content" });
    const n = transition(v, { type: "resend_as_new", now: 4, newId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb" });
    expect(n.id).toBe("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb");
    expect(n.state).toBe("queued");
    expect(n.photos.every((p) => !p.uploaded)).toBe(true);
  });

  it("a 422 lists the field problems and goes back to the form under the same id", () => {
    const v = transition(visit({ state: "sending" }), {
      type: "invalid",
      now: 3,
      problem: {
        code: "validation_failed",
        errors: [{ path: "answers.floor_area", code: "constraint", message: { id: "Luas", en: "Area" } }],
      },
    });
    expect(v.attention?.kind).toBe("invalid");
    expect(v.attention?.kind === "invalid" && v.attention.errors[0]?.path).toBe("answers.floor_area");
    const d = transition(v, { type: "edit", now: 4 });
    expect(d.state).toBe("draft");
    expect(d.id).toBe(v.id);
  });

  it("a refused photo after the record arrived needs a new visit id to edit", () => {
    const v = transition(visit({ state: "waiting_photos", serverHas: true }), {
      type: "photo_invalid",
      now: 3,
      photoId: P1,
      problem: { code: "sha256_mismatch" },
    });
    expect(() => transition(v, { type: "edit", now: 4 })).toThrow(IllegalTransition);
    const d = transition(v, { type: "edit", now: 4, newId: "cccccccc-cccc-4ccc-8ccc-cccccccccccc" });
    expect(d.id).toBe("cccccccc-cccc-4ccc-8ccc-cccccccccccc");
    expect(d.serverHas).toBe(false);
  });

  it("refuses illegal moves", () => {
    expect(() => transition(visit({ state: "queued" }), { type: "submit", now: 1, endedAt: "x" })).toThrow(IllegalTransition);
    expect(() => transition(visit({ state: "done" }), { type: "start", now: 1 })).toThrow(IllegalTransition);
    expect(() => transition(visit({ state: "draft" }), { type: "visit_accepted", now: 1, receipt: receipt([]) })).toThrow(IllegalTransition);
    expect(() => transition(visit({ state: "queued" }), { type: "photo_accepted", now: 1, photoId: P1, missing: [] })).toThrow(IllegalTransition);
    expect(() => transition(visit({ state: "queued" }), { type: "resend_as_new", now: 1, newId: "x" })).toThrow(IllegalTransition);
  });
});
