import { describe, expect, it } from "vitest";
import { setLang } from "../../i18n";
import { ApiError, NetworkError } from "../../api/http";
import { arrangeTrail, checkedLine, gpsText, mismatchWords, summary, type Trail } from "./trailModel";
import { problemWords, reasonWords } from "./words";

const V = "11111111-1111-4111-8111-111111111111";
const V2 = "22222222-2222-4222-8222-222222222222";
const P = "33333333-3333-4333-8333-333333333333";

const trail = {
  household: { id: 5, region_code: "17.06.01.2001", village_name: "A", address: "", rt: "001", rw: "002", head_name: "X", kk_number: "", latitude: null, longitude: null, status: "active" },
  visits: 2, photos: 1, decisions: 1, audit_events: 4,
  entries: [
    { kind: "audit_event", at: "2026-06-01T08:00:00Z", seq: 3, actor: "user:1", actor_name: null, action: "assignment.assigned", object_type: "household", object_id: "5", region_code: null, details: {}, prev_hash: "a", event_hash: "b" },
    { kind: "visit", at: "2026-06-02T10:00:00Z", visit_id: V, round_id: 1, enumerator_id: 2, enumerator_name: "E", form: { id: "f", version: 1 }, outcome: "found", eligibility: null, state: "approved", started_at: "2026-06-02T09:40:00Z", ended_at: "2026-06-02T09:55:00Z", gps: null, device_id: "d", app_version: "1", content_hash: "c", revisit_of: null, completed_at: null },
    { kind: "flag", at: "2026-06-02T10:00:00Z", visit_id: V, flag: { code: "gps", severity: "warning", message: { id: "GPS", en: "GPS" }, evidence: {} } },
    { kind: "audit_event", at: "2026-06-02T10:00:00Z", seq: 10, actor: "user:2", actor_name: null, action: "visit.received", object_type: "visit", object_id: V, region_code: null, details: {}, prev_hash: "a", event_hash: "b" },
    { kind: "photo", at: "2026-06-02T10:01:00Z", visit_id: V, photo_id: P, photo_kind: "house_front", sha256: "f".repeat(64), size: 1000, captured_at: "2026-06-02T09:45:00Z", gps: null, taken_by_id: 2, taken_by: "E", received_at: "2026-06-02T10:01:00Z", stored: true, width: 10, height: 10 },
    { kind: "audit_event", at: "2026-06-02T10:01:00Z", seq: 11, actor: "user:2", actor_name: null, action: "photo.received", object_type: "photo", object_id: P, region_code: null, details: {}, prev_hash: "a", event_hash: "b" },
    { kind: "decision", at: "2026-06-03T10:00:00Z", visit_id: V, decision: { id: 1, visit_id: V, decision: "approve", comment: null, reviewer_id: 1, reviewer_name: "S", from_state: "complete", to_state: "approved", created_at: "2026-06-03T10:00:00Z" } },
    { kind: "visit", at: "2026-06-01T10:00:00Z", visit_id: V2, round_id: 1, enumerator_id: 2, enumerator_name: "E", form: { id: "f", version: 1 }, outcome: "not_home", eligibility: null, state: "returned", started_at: "2026-06-01T09:00:00Z", ended_at: "2026-06-01T09:05:00Z", gps: null, device_id: "d", app_version: "1", content_hash: "c", revisit_of: null, completed_at: null },
  ],
} as unknown as Trail;

describe("trail arrangement", () => {
  it("groups by visit in start order, events under their visit or photo, household events apart", () => {
    const a = arrangeTrail(trail);
    expect(a.groups.map((g) => g.visitId)).toEqual([V2, V]);
    const g = a.groups[1]!;
    expect(g.visit?.visit_id).toBe(V);
    expect(g.entries.map((e) => (e.kind === "audit_event" ? `event${e.seq}` : e.kind))).toEqual(["event10", "flag", "event11", "photo", "decision"]);
    expect([g.photos, g.flags, g.decisions]).toEqual([1, 1, 1]);
    expect(a.household.map((e) => e.kind)).toEqual(["audit_event"]);
  });
});

describe("integrity words", () => {
  it("says intact, or each mismatch with expected and found", () => {
    setLang("id");
    expect(summary({ ok: true, chain_events_checked: 3, events_in_scope: 2, visits_in_scope: 1, photos_checked: 1, bytes_hashed: 10, mismatches: [] })).toMatch(/^Utuh/);
    const m = mismatchWords({ kind: "photo_hash_mismatch", detail: "d", photo_id: P, expected: "aa", found: "bb" }, new Map([[P, "depan rumah"]]));
    expect(m.title).toBe("Isi foto depan rumah berbeda dari hash yang tercatat");
    expect([m.expected, m.found]).toEqual(["seharusnya: aa", "ditemukan: bb"]);
    setLang("en");
    expect(checkedLine({ ok: true, chain_events_checked: 120, events_in_scope: 14, visits_in_scope: 2, photos_checked: 6, bytes_hashed: 2_000_000, mismatches: [] })).toMatch(
      /^The whole audit chain checked \(120 events\)\. In this scope: 2 visits, 14 events about them, 6 photos re-hashed/,
    );
    expect(mismatchWords({ kind: "hash_mismatch", detail: "", seq: 7 }).title).toBe("Audit event #7 was altered after it was written");
    expect(mismatchWords({ kind: "new_kind", detail: "x" }).title).toBe("new_kind");
    expect(summary({ ok: false, chain_events_checked: 3, events_in_scope: 2, visits_in_scope: 1, photos_checked: 1, bytes_hashed: 10, mismatches: [{ kind: "x", detail: "" }] })).toBe("NOT INTACT: 1 mismatches.");
    setLang("id");
  });

  it("puts errors and skip reasons in words", () => {
    setLang("id");
    expect(problemWords(new NetworkError("x"))).toMatch(/Tidak terhubung/);
    expect(problemWords(new ApiError(404, { code: "household_not_found" }))).toBe("Rumah tangga tidak ditemukan di wilayah Anda.");
    expect(problemWords(new ApiError(404, {}))).toMatch(/Tidak ditemukan/);
    expect(problemWords(new ApiError(503, {}))).toMatch(/503/);
    expect(reasonWords("assigned_to_other")).toBe("sudah ditugaskan ke enumerator lain");
    expect(reasonWords("weird")).toBe("weird");
    expect(gpsText({ lat: -2.5, lon: 101.1, accuracy_m: 7.6 })).toBe("-2.50000, 101.10000 ± 8 m");
  });
});
