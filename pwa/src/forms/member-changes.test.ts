// dtks_verval v2 in the phone's engine: the member-change details the server checks with the
// same definition (tests/forms/test_member_changes.py holds the same cases in Python).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Answers, type FormDef, compileForm, evaluateForm, prefill } from "./engine";

const def = JSON.parse(
  readFileSync(new URL("../../../survey_forms/definitions/dtks_verval.v2.json", import.meta.url), "utf8"),
) as FormDef;
const form = compileForm(def);
const TODAY = "2026-12-02";

function household(): Answers {
  const a = prefill(form, {
    members: [
      { nik: "1706012207500001", name: "Edi Hasibuan", sex: "1", relationship: "1", marital_status: "2", birth_date: "1950-07-22", chronic_illness: "2", disability: "2", working: "2" },
      { nik: "1706015206520001", name: "Maya", sex: "2", relationship: "2", marital_status: "2", birth_date: "1952-06-12", chronic_illness: "2", disability: "2", working: "2" },
    ],
  });
  return a;
}

const memberProblems = (a: Answers): string[] =>
  evaluateForm(form, a, TODAY).problems.filter((p) => p.path.startsWith("members[")).map((p) => p.path);

describe("dtks_verval v2 member changes", () => {
  it("a death needs its date, not before the birth date nor in the future", () => {
    const a = household();
    const maya = (a.members as Answers[])[1]!;
    maya.presence = "2";
    expect(memberProblems(a)).toEqual(["members[1].death_date"]);
    maya.death_date = "1952-06-11";
    expect(memberProblems(a)).toEqual(["members[1].death_date"]);
    maya.death_date = "2026-12-03";
    expect(memberProblems(a)).toEqual(["members[1].death_date"]);
    maya.death_date = "2026-11-30";
    expect(memberProblems(a)).toEqual([]);
  });

  it("a move within Indonesia needs a region code when it leaves the village", () => {
    const a = household();
    const maya = (a.members as Answers[])[1]!;
    Object.assign(maya, { presence: "3", move_date: "2026-10-01", move_destination: "2" });
    expect(memberProblems(a)).toEqual(["members[1].move_destination_region"]);
    maya.move_destination_region = "Malang";
    expect(memberProblems(a)).toEqual(["members[1].move_destination_region"]);
    maya.move_destination_region = "35.07";
    expect(memberProblems(a)).toEqual([]);
  });

  it("a newborn is born within the last 12 months", () => {
    const a = household();
    const baby: Answers = {
      nik: "", full_name: "Bayi", presence: "5", new_member_kind: "1", sex: "1", birth_date: "2025-12-01",
      marital_status: "1", relationship: "3", disability: "2", chronic_illness: "2", working: "2",
    };
    (a.members as Answers[]).push(baby);
    expect(memberProblems(a)).toEqual(["members[2].new_member_kind"]);
    baby.birth_date = "2025-12-02";
    expect(memberProblems(a)).toEqual([]);
  });
});
