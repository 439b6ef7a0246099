import { describe, expect, it } from "vitest";
import {
  additionAnswers, additionProblems, type AgendaItem, amendments, attendeeProblem, canSign, daysLeft,
  decileBadge, type Deliberation, enumeratorsFor, decisionProblem, objectionCounts, publishDaysProblem, removalProblem, type Review,
  reviewOf, reviewStage, sections, tally,
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

const person = {
  head_name: "Rahmat Hidayat", head_nik: "1706010707900001", kk_number: "1706011203150904",
  address: "Jl. Lintas Barat No. 12", rt: "003", rw: "001", reason: "2", reason_other: "", notes: " ",
  members: [{ nik: "1706014506920002", full_name: "Siti Aminah", sex: "2", birth_date: "1992-06-05", relationship: "2" }],
};

describe("deciles on the agenda", () => {
  it("badges deciles 1–10 and marks 1–4 as the poorest 40 %", () => {
    expect(decileBadge(1)).toEqual({ text: "Desil 1", poorest: true });
    expect(decileBadge(4)?.poorest).toBe(true);
    expect(decileBadge(5)).toEqual({ text: "Desil 5", poorest: false });
    expect(decileBadge(null)).toBeNull();
    expect(decileBadge(0)).toBeNull();
    expect(decileBadge(11)).toBeNull();
  });

  it("lists the amended items only", () => {
    const a = { ...item("a", "visit", "001", "agreed"), amended: true };
    expect(amendments([a, item("b", "visit", "001", "agreed")]).map((i) => i.key)).toEqual(["a"]);
  });
});

describe("proposals at the village office", () => {
  it("builds the usulan_baru answers, trimmed, without empty notes", () => {
    const answers = additionAnswers({ ...person, head_name: " Rahmat Hidayat " });
    expect(answers.head_name).toBe("Rahmat Hidayat");
    expect(answers).not.toHaveProperty("notes");
    expect(answers).not.toHaveProperty("reason_other");
    expect(answers.members).toHaveLength(1);
    expect(additionAnswers({ ...person, reason: "5", reason_other: " Rumah roboh " }).reason_other).toBe("Rumah roboh");
  });

  it("names each field that keeps the form from being sent", () => {
    expect(additionProblems(person)).toEqual({});
    const bad = additionProblems({
      ...person, head_nik: "123", kk_number: "17060112031509", rt: "", reason: "5",
      members: [{ nik: person.head_nik, full_name: "A", sex: "", birth_date: "", relationship: "9" }],
    });
    expect(Object.keys(bad).sort()).toEqual([
      "head_nik", "kk_number", "members.0.birth_date", "members.0.full_name", "members.0.relationship",
      "members.0.sex", "reason_other", "rt",
    ]);
    expect(additionProblems({ ...person, members: [{ ...person.members[0]!, nik: person.head_nik }] }))
      .toHaveProperty("members.0.nik");
  });

  it("asks a removal for the household and a known reason", () => {
    expect(removalProblem(null, "died", "")).toMatch(/keluarga/);
    expect(removalProblem(7, "emigrated", "")).toMatch(/alasan/);
    expect(removalProblem(7, "died", "Surat kematian")).toBeNull();
  });
});

describe("the public review panel", () => {
  const review = (over: Partial<Review> = {}): Review => ({
    id: 3, deliberation_id: 1, opens_at: "2026-07-10T00:00:00Z", closes_at: "2026-07-24T00:00:00Z",
    state: "open", public_url: "/publik/17.06.01.2006", ratified_at: null,
    counts: { entries: 5, added: 1, removed: 1, unchanged: 3, objections: 1, objections_open: 0,
      objections_accepted: 1, objections_rejected: 0 },
    ...over,
  });
  const during = new Date("2026-07-12T00:00:00Z");
  const after = new Date("2026-07-25T00:00:00Z");

  it("offers publishing once, then shows where the review stands", () => {
    expect(reviewStage(deliberation([], "draft"), undefined, during)).toBe("awaiting_minutes");
    expect(reviewStage(deliberation([], "final"), undefined, during)).toBe("unpublished");
    expect(reviewStage(deliberation([], "final"), review(), during)).toBe("in_review");
    expect(reviewStage(deliberation([], "final"), review(), after)).toBe("ratifiable");
    const open = review({ counts: { ...review().counts, objections_open: 2 } });
    expect(reviewStage(deliberation([], "final"), open, after)).toBe("objections_open");
    expect(reviewStage(deliberation([], "final"), review({ state: "ratified" }), after)).toBe("ratified");
  });

  it("finds the review of this deliberation, the newest first", () => {
    const d = deliberation([], "final");
    expect(reviewOf([review({ id: 2 }), review({ id: 4 }), review({ id: 9, deliberation_id: 8 })], d)?.id).toBe(4);
    expect(reviewOf([review({ deliberation_id: 8 })], d)).toBeUndefined();
    expect(reviewOf([review()], undefined)).toBeUndefined();
  });

  it("checks the window and counts the days left", () => {
    expect(publishDaysProblem("14")).toBeNull();
    expect(publishDaysProblem("0")).toMatch(/1 sampai 60/);
    expect(publishDaysProblem("61")).toMatch(/1 sampai 60/);
    expect(publishDaysProblem("2.5")).toMatch(/1 sampai 60/);
    expect(daysLeft("2026-07-24T00:00:00Z", during)).toBe(12);
    expect(daysLeft("2026-07-24T00:00:00Z", new Date("2026-07-23T23:00:00Z"))).toBe(1);
    expect(daysLeft("2026-07-24T00:00:00Z", after)).toBe(0);
  });
});

describe("the revisit's enumerator", () => {
  it("offers the active enumerators covering the village, by name", () => {
    const u = (id: number, name: string, scopes: string[], role = "enumerator", active = true) =>
      ({ id, display_name: name, role, active, scopes });
    const users = [
      u(1, "Zainal", ["17.06.01"]), u(2, "Ani", ["17.06.01.2006"]), u(3, "Budi", ["17.06.05"]),
      u(4, "Cici", ["17.06.01"], "supervisor"), u(5, "Dedi", ["17.06.01"], "enumerator", false),
      u(6, "Eka", ["17.06.01.20"]),
    ];
    expect(enumeratorsFor(users, "17.06.01.2006").map((x) => x.id)).toEqual([2, 1]);
  });
});
