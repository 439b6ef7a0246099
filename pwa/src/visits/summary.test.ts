import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compileForm, type FormDef, type Instance, prefill } from "../forms/engine";
import { visit } from "../test/fixtures";
import { applyDraft } from "./draft";
import { summarise } from "./summary";

const def = JSON.parse(
  readFileSync(resolve(__dirname, "../../../survey_forms/definitions/dtks_verval.v2.json"), "utf8"),
) as FormDef;
const form = compileForm(def);
const member = (name: string, nik: string) => ({
  nik, name, sex: "1", birth_date: "1980-01-01", marital_status: "2", relationship: "1", disability: "2", chronic_illness: "2", working: "1",
});
const initial = prefill(form, { floor_area: 36, members: [member("Edi", "1706010101800001"), member("Sari", "1706014101820002"), member("Budi", "1706010101100003")] });
const TODAY = "2026-12-02";

function draft() {
  let v = visit({ outcome: "found", answers: structuredClone(initial), photos: [], eligibility: null });
  const set = (path: string, value: unknown) => (v = applyDraft(v, { type: "answer", path, value }, form));
  set("floor_area", 42);
  set("members[0].presence", "2");
  set("members[0].death_date", "2026-10-01");
  set("members[1].presence", "3");
  set("members[1].move_date", "2026-09-01");
  set("members[1].move_destination", "2");
  set("members[1].move_destination_region", "35.07");
  v = applyDraft(v, { type: "add_member", repeat: "members" }, form);
  set("members[3].full_name", "Bayi");
  set("members[3].new_member_kind", "1");
  set("members[3].birth_date", "2026-11-01");
  return v;
}

describe("the check before sending", () => {
  it("lists answers changed against the register and every member change with its details", () => {
    const s = summarise(draft(), form, initial, { today: TODAY, regions: { "35.07": "Kabupaten Malang" } });
    expect(s.answers).toEqual([{ field: "floor_area", label: expect.anything(), value: "42", before: "36" }]);
    expect(s.members.map((m) => [m.name, m.kind])).toEqual([["Edi", "died"], ["Sari", "moved"], ["Bayi", "new"]]);
    const [died, moved, born] = s.members;
    expect(died!.details.map((d) => [d.field, d.value])).toEqual([["death_date", "2026-10-01"]]);
    expect(moved!.details.map((d) => [d.field, d.value])).toEqual([
      ["move_date", "2026-09-01"],
      ["move_destination", "Wilayah lain di Indonesia"],
      ["move_destination_region", "Kabupaten Malang (35.07)"],
    ]);
    expect(born!.details.map((d) => d.field)).toEqual(["new_member_kind", "birth_date"]);
  });

  it("names what is missing: the newborn's answers, the photos and the recommendation", () => {
    const s = summarise(draft(), form, initial, { today: TODAY });
    const keys = s.missing.map((p) => p.key);
    expect(keys).toContain("members[3].sex");
    expect(keys).toContain("house_front");
    expect(keys[keys.length - 1]).toBe("eligibility");
    const done = summarise({ ...draft(), eligibility: "layak" }, form, initial, { today: TODAY });
    expect(done.missing.map((p) => p.key)).not.toContain("eligibility");
  });

  it("asks no recommendation and lists no form changes when the household was not home", () => {
    const s = summarise({ ...draft(), outcome: "not_home" }, form, initial, { today: TODAY });
    expect(s.members).toEqual([]);
    expect(s.missing.map((p) => p.key)).not.toContain("eligibility");
  });

  it("leaves out register members whose answers did not change", () => {
    const v = visit({ outcome: "found", answers: structuredClone(initial) });
    expect(summarise(v, form, initial, { today: TODAY }).members).toEqual([]);
    expect((v.answers.members as Instance[]).length).toBe(3);
  });
});
