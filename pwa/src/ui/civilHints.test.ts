import { describe, expect, it } from "vitest";
import type { Assignment, CivilHint } from "../data/types";
import { confirmAnswers, contradictAnswers, hintsForMember, householdHints, verdictOf } from "./civilHints";
import { normaliseAssignment } from "../sync/assignments";

const death: CivilHint = {
  findingId: 7,
  kind: "died",
  memberId: 11,
  text: "Dukcapil: meninggal 4 Maret 2026 — konfirmasi",
  details: { death_date: "2026-03-04" },
};

function assignment(hints: CivilHint[]): Assignment {
  return normaliseAssignment(
    {
      assignment_id: 1,
      state: "open",
      household: { id: 5, head_name: "Sutrisno" },
      baseline: {
        members: [
          { member_id: 10, nik: "1706031505780001", name: "Sutrisno" },
          { member_id: 11, nik: "1706036208820002", name: "Siti Aminah" },
        ],
      },
      civil_registry_hints: hints.map((x) => ({
        finding_id: x.findingId,
        kind: x.kind,
        member_id: x.memberId,
        text: x.text,
        details: x.details,
      })),
    },
    1,
  );
}

describe("Dukcapil hints", () => {
  it("arrive with the assignment and land on the member they are about", () => {
    const a = assignment([death, { ...death, findingId: 8, kind: "birth", memberId: null, text: "lahir" }]);
    expect(a.hints).toHaveLength(2);
    expect(hintsForMember(a, { nik: "1706036208820002" }).map((x) => x.findingId)).toEqual([7]);
    expect(hintsForMember(a, { nik: "1706031505780001" })).toEqual([]);
    expect(householdHints(a).map((x) => x.kind)).toEqual(["birth"]);
  });

  it("confirming a death answers meninggal with its date; contradicting keeps the member", () => {
    expect(confirmAnswers(death)).toEqual([
      ["presence", "2"],
      ["death_date", "2026-03-04"],
    ]);
    expect(contradictAnswers(death)).toEqual([["presence", "1"]]);
    expect(verdictOf(death, { presence: "2" })).toBe("confirmed");
    expect(verdictOf(death, { presence: "1" })).toBe("contradicted");
    expect(verdictOf(death, {})).toBeNull();
  });

  it("an assignment stored before hints existed has none", () => {
    expect(hintsForMember({ ...assignment([]), hints: undefined }, { nik: "1706036208820002" })).toEqual([]);
  });
});
