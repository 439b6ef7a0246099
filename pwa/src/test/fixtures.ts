// Shared test data (imported by tests only).
import type { VisitRecord } from "../data/types";

export const P1 = "11111111-1111-4111-8111-111111111111";
export const P2 = "22222222-2222-4222-8222-222222222222";

export function visit(over: Partial<VisitRecord> = {}): VisitRecord {
  return {
    id: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    userId: 5,
    assignmentKey: "5:1",
    householdId: 1,
    roundId: 1,
    label: "Edi · Dusun I",
    form: { id: "dtks_verval", version: 1 },
    answers: {},
    outcome: "not_home",
    eligibility: null,
    note: "",
    startedAt: "2026-06-12T01:00:00.000Z",
    endedAt: null,
    gps: { lat: -2.38, lon: 101.0, accuracy_m: 8 },
    gpsReason: "",
    photos: [
      { id: P1, kind: "house_front", sha256: "a".repeat(64), size: 100, captured_at: "2026-06-12T01:01:00Z", uploaded: false },
      { id: P2, kind: "kitchen", sha256: "b".repeat(64), size: 100, captured_at: "2026-06-12T01:02:00Z", uploaded: false },
    ],
    revisitOf: null,
    state: "draft",
    serverHas: false,
    attempts: 0,
    nextAttemptAt: 0,
    lastError: null,
    attention: null,
    receipt: null,
    createdAt: 1,
    updatedAt: 1,
    doneAt: null,
    step: 0,
    ...over,
  };
}

