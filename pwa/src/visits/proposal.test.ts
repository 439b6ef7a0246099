import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Session } from "../data/types";
import { cleanAnswers, compileForm, evaluateForm, type FormDef } from "../forms/engine";
import { normaliseAssignment } from "../sync/assignments";
import { toSubmission } from "../sync/engine";
import { transition } from "../sync/outbox";
import { applyDraft } from "./draft";
import { createProposal, villagesOf } from "./proposal";
import { summarise } from "./summary";
import { visitProblems } from "./visit";

const formVersion = (version: number) =>
  compileForm(
    JSON.parse(readFileSync(resolve(__dirname, `../../../survey_forms/definitions/usulan_baru.v${version}.json`), "utf8")) as FormDef,
  );
const form = formVersion(1);
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

  it("names the family's members with their NIKs (v2), shows them before sending and sends them", () => {
    const v2 = formVersion(2);
    let v = createProposal({ code: "17.06.01.2005", name: "Suka Pindah", roundId: 3 }, v2, session, 0, "p-2");
    const answers: [string, unknown][] = [
      ["address", "Jl. Lintas Barat, belakang masjid"], ["rt", "007"], ["rw", "003"],
      ["kk_number", "1706010101269999"], ["head_name", "Rahmat Hidayat"], ["head_nik", "1706011505850007"], ["reason", "2"],
    ];
    for (const [path, value] of answers) v = applyDraft(v, { type: "answer", path, value }, v2);
    const members: Record<string, string>[] = [
      { nik: "1706015203920002", full_name: "Siti Aminah", sex: "2", birth_date: "1992-03-12", relationship: "2" },
      { nik: "1706016101240001", full_name: "Nur Aisyah", sex: "2", birth_date: "2024-01-21", relationship: "3" },
    ];
    members.forEach((m, i) => {
      v = applyDraft(v, { type: "add_member", repeat: "members" }, v2);
      for (const [k, value] of Object.entries(m)) v = applyDraft(v, { type: "answer", path: `members[${i}].${k}`, value }, v2);
    });
    expect(visitProblems(v, v2, "2026-12-07").filter((p) => p.step === "form")).toEqual([]);
    const summary = summarise(v, v2, {}, { today: "2026-12-07" });
    expect(summary.members.map((m) => [m.name, m.kind])).toEqual([["Siti Aminah", "new"], ["Nur Aisyah", "new"]]);

    // What goes into the outbox (finishVisit cleans the answers this way): the members as entered.
    const sent = cleanAnswers(v2, v.answers, evaluateForm(v2, v.answers, "2026-12-07"));
    expect(sent.members).toEqual(members);
    const body = toSubmission(transition({ ...v, answers: sent }, { type: "submit", now: 1, endedAt: "2026-12-02T01:00:00Z" }), "dev", "test");
    expect(body.form).toEqual({ id: "usulan_baru", version: 2 });
  });
});
