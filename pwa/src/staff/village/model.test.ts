import { describe, expect, it } from "vitest";
import {
  type AgendaItem, attendeeProblem, canPublish, canSign, type Deliberation, decisionProblem,
  objectionCounts, sections, tally,
} from "./model";

const item = (key: string, kind: AgendaItem["kind"], rt: string, decision: AgendaItem["decision"] = null) => ({
  key, kind, household_id: 1, rt, rw: "001", head_name: "X", kk_masked: "1706••••••••0001",
  subject: "", recommendation: null, decision, reason: "", decided_at: null,
});

const deliberation = (agenda: AgendaItem[], state: Deliberation["state"] = "draft"): Deliberation => ({
  id: 1, round_id: 1, region_code: "17.06.01.2005", village_name: "Suka Pindah", held_on: "2026-07-02",
  place: "Balai Desa", attendance: [], state, finalised_at: null, minutes_pages: [], agenda,
  undecided: agenda.filter((i) => i.decision === null).length,
});

describe("village deliberation model", () => {
  it("puts the agenda in sections, in RT order", () => {
    const agenda = [item("c", "removal", "002"), item("b", "visit", "003"), item("a", "visit", "001")];
    expect(sections(agenda).map(([kind, items]) => [kind, items.map((i) => i.key)])).toEqual([
      ["visit", ["a", "b"]],
      ["removal", ["c"]],
    ]);
  });

  it("counts decisions and knows when the minutes can be signed", () => {
    const open = [item("a", "visit", "001", "agreed"), item("b", "visit", "001")];
    expect(tally(open)).toEqual({ agreed: 1, rejected: 0, deferred: 0, undecided: 1 });
    expect(canSign(deliberation(open))).toBe(false);
    expect(canSign(deliberation([item("a", "visit", "001", "rejected")]))).toBe(true);
    expect(canSign(deliberation([]))).toBe(false);
  });

  it("asks for a reason where the server will", () => {
    const d = deliberation([item("a", "visit", "001")]);
    expect(decisionProblem(d, "agreed", "")).toBeNull();
    expect(decisionProblem(d, "rejected", " ")).toMatch(/alasan/);
    expect(decisionProblem(deliberation([], "final"), "agreed", "")).toMatch(/ditandatangani/);
    expect(decisionProblem(deliberation([], "final"), "agreed", "Keberatan warga")).toBeNull();
  });

  it("lets only the office publish, and only a final deliberation", () => {
    expect(canPublish(deliberation([], "final"), "supervisor")).toBe(true);
    expect(canPublish(deliberation([], "final"), "village_operator")).toBe(false);
    expect(canPublish(deliberation([], "draft"), "admin")).toBe(false);
  });

  it("checks an attendee", () => {
    expect(attendeeProblem("Hasan", "kepala_desa")).toBeNull();
    expect(attendeeProblem(" ", "bpd")).toMatch(/nama/);
    expect(attendeeProblem("Hasan", "camat")).toMatch(/jabatan/);
  });

  it("counts objections by state", () => {
    const o = (state: "open" | "accepted" | "rejected") => ({
      id: 1, kind: "objection" as const, category_label: "", text: "", entry_name_masked: null, rt: "",
      rw: "", contact: null, state, resolution_reason: null, revisit_assignment_id: null, created_at: "",
    });
    expect(objectionCounts([o("open"), o("open"), o("rejected")])).toEqual({ open: 2, accepted: 0, rejected: 1 });
  });
});
