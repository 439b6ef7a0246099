// A returned household comes back with the reviewer's comment and the returned visit's id;
// the revisit names that visit (revisit_of) in the record it sends.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Session } from "../data/types";
import { compileForm, type FormDef } from "../forms/engine";
import { normaliseAssignment } from "../sync/assignments";
import { toSubmission } from "../sync/engine";
import { createVisit } from "./visit";

const def = JSON.parse(
  readFileSync(new URL("../../../survey_forms/definitions/dtks_verval.v1.json", import.meta.url), "utf8"),
) as FormDef;
const form = compileForm(def);
const session = { userId: 5, username: "enumerator", displayName: "E", role: "enumerator", scopes: ["17.06.01"] } as Session;
const RETURNED = "0673c4ca-7a64-46de-aa14-eb3ddde0e2c5";

function assignment(state: string, returned: string | null) {
  return normaliseAssignment({
    assignment_id: 7, round_id: 1, state,
    returned_comment: returned ? "Titik GPS 1 km dari rumah" : null,
    returned_visit_id: returned,
    updated_at: "2026-06-10T00:00:00Z",
    household: { id: 42, region_code: "17.06.01.2005", village_name: "Suka Pindah", address: "Dusun I", rt: "008", rw: "004", head_name: "Edi", latitude: -2.38, longitude: 101.0 },
    baseline: { floor_area: 72, members: [{ member_id: 1, nik: "1706012207500001", name: "Edi", sex: "1", relationship: "1" }] },
  }, 5);
}

describe("revisit of a returned household", () => {
  it("keeps the reviewer's comment and the returned visit from the sync", () => {
    const a = assignment("returned", RETURNED);
    expect(a.state).toBe("returned");
    expect(a.returnComment).toBe("Titik GPS 1 km dari rumah");
    expect(a.returnedVisitId).toBe(RETURNED);
  });

  it("sends revisit_of with the returned visit's id", () => {
    const v = createVisit(assignment("returned", RETURNED), form, session, Date.parse("2026-06-12T01:00:00Z"), "11111111-1111-4111-8111-111111111111");
    expect(v.revisitOf).toBe(RETURNED);
    const body = toSubmission({ ...v, outcome: "not_home", endedAt: "2026-06-12T01:10:00Z" }, "dev-1", "test");
    expect(body.revisit_of).toBe(RETURNED);
    expect(body.household_id).toBe(42);
  });

  it("a first visit, or a returned one without a visit id, is not a revisit", () => {
    expect(createVisit(assignment("open", null), form, session).revisitOf).toBeNull();
    expect(createVisit(assignment("returned", null), form, session).revisitOf).toBeNull();
    const open = toSubmission({ ...createVisit(assignment("open", null), form, session), outcome: "not_home", endedAt: "2026-06-12T01:10:00Z" }, "d", "t");
    expect(open.revisit_of).toBeNull();
  });
});
