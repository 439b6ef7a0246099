import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Session } from "../data/types";
import { compileForm, type FormDef } from "../forms/engine";
import { normaliseAssignment } from "../sync/assignments";
import { toSubmission } from "../sync/engine";
import { transition } from "../sync/outbox";
import { createProposal, villagesOf } from "./proposal";

const form = compileForm(
  JSON.parse(readFileSync(resolve(__dirname, "../../../survey_forms/definitions/usulan_baru.v1.json"), "utf8")) as FormDef,
);
const session = { userId: 5, username: "enumerator" } as Session;
const assignment = (id: number, code: string, name: string) =>
  normaliseAssignment({ assignment_id: id, round_id: 3, state: "open", household: { id, region_code: code, village_name: name } }, 5);

describe("proposing a new household", () => {
  it("offers each village of the enumerator's assignments once, by name", () => {
    const villages = villagesOf([
      assignment(1, "17.06.01.2005", "Suka Pindah"),
      assignment(2, "17.06.01.2001", "Lubuk Pinang"),
      assignment(3, "17.06.01.2005", "Suka Pindah"),
    ]);
    expect(villages).toEqual([
      { code: "17.06.01.2001", name: "Lubuk Pinang", roundId: 3 },
      { code: "17.06.01.2005", name: "Suka Pindah", roundId: 3 },
    ]);
  });

  it("sends a new_household visit with its village and no household", () => {
    const v = createProposal({ code: "17.06.01.2005", name: "Suka Pindah", roundId: 3 }, form, session, 0, "p-1");
    const queued = transition({ ...v, answers: { address: "Dusun II" } }, { type: "submit", now: 1, endedAt: "2026-12-02T01:00:00Z" });
    const body = toSubmission(queued, "dev", "test");
    expect(body).toMatchObject({ household_id: null, outcome: "new_household", proposal: { village_code: "17.06.01.2005" }, form: { id: "usulan_baru", version: 1 } });
    // A visit of a registered household carries no proposal key at all.
    expect("proposal" in toSubmission({ ...queued, proposal: null, householdId: 9 }, "dev", "test")).toBe(false);
  });
});
