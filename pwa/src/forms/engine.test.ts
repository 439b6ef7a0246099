// The form engine on the shipped DTKS form: pre-fill, skip logic, constraints and messages.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type FormDef, cleanAnswers, compileForm, evaluateForm, newInstance, prefill } from "./engine";

const def = JSON.parse(
  readFileSync(new URL("../../../survey_forms/definitions/dtks_verval.v1.json", import.meta.url), "utf8"),
) as FormDef;
const form = compileForm(def);
const TODAY = "2026-06-12";

const baseline = {
  house_ownership: "1", land_proof: "4", floor_area: 72, floor_material: "6", wall_material: "6",
  roof_material: "3", drinking_water: "2", sewage_distance: "2", lighting: "1", electricity_power: "2",
  cooking_fuel: "4", toilet_facility: "2", toilet_type: "1", sewage_disposal: "5",
  asset_gas_cylinder: "2", asset_refrigerator: "1", asset_air_conditioner: "2", asset_water_heater: "2",
  asset_television: "2", asset_gold: "2", asset_computer: "2", asset_motorcycle: "1", asset_car: "2",
  asset_boat: "2", asset_smartphone: "2", asset_land_elsewhere: "2", asset_house_elsewhere: "2",
  livestock_cattle: 0, livestock_buffalo: 0, livestock_horse: 0, livestock_pig: 0, livestock_goat: "2",
  program_pkh: "2", program_bpnt: "2", program_pbi_jk: "1", program_pip: "2", program_blt_dd: "2",
  program_electricity_subsidy: "2", program_regional_aid: 2,
  members: [
    { nik: "1706012207500001", name: "Edi Hasibuan", sex: "1", relationship: "1", marital_status: "2", birth_date: "1950-07-22", chronic_illness: "2", disability: "2", working: "2" },
    { nik: "1706015206520001", name: "Maya", sex: 2, relationship: "2", marital_status: "2", birth_date: "1952-06-12", chronic_illness: "2", disability: "2", working: "2" },
  ],
};

describe("form engine (dtks_verval)", () => {
  it("pre-fills every answer from the baseline, typed as the server expects", () => {
    const a = prefill(form, baseline);
    expect(a.floor_area).toBe(72);
    expect(a.livestock_goat).toBe(2);
    expect(a.program_regional_aid).toBe("2");
    const members = a.members as Record<string, unknown>[];
    expect(members).toHaveLength(2);
    expect(members[0]).toMatchObject({ nik: "1706012207500001", full_name: "Edi Hasibuan", presence: "1", sex: "1" });
    expect(members[1]!.sex).toBe("2");
    const ev = evaluateForm(form, a, TODAY);
    expect(ev.problems).toEqual([]);
  });

  it("drives skip logic from the answers", () => {
    const a = prefill(form, baseline);
    a.house_ownership = "2";
    const ev = evaluateForm(form, a, TODAY);
    expect(ev.top.get("land_proof")!.relevant).toBe(false);
    const clean = cleanAnswers(form, a, ev);
    expect(clean).not.toHaveProperty("land_proof");
    // A member who died is asked nothing more.
    (a.members as Record<string, unknown>[])[1]!.presence = "2";
    const ev2 = evaluateForm(form, a, TODAY);
    expect(ev2.instances.get("members")![1]!.get("sex")!.relevant).toBe(false);
    const m = (cleanAnswers(form, a, ev2).members as Record<string, unknown>[])[1]!;
    expect(Object.keys(m).sort()).toEqual(["full_name", "nik", "presence"]);
  });

  it("gives the form's Indonesian messages for broken constraints and required answers", () => {
    const a = prefill(form, baseline);
    a.floor_area = 5000;
    delete a.roof_material;
    const ev = evaluateForm(form, a, TODAY);
    const byPath = Object.fromEntries(ev.problems.map((p) => [p.path, p.message.id]));
    expect(byPath.floor_area).toBe("Luas lantai harus 1 sampai 2000 m²");
    expect(byPath.roof_material).toBe("Wajib diisi");
  });

  it("checks types: a half-typed number, a bad NIK, an unknown code", () => {
    const a = prefill(form, baseline);
    a.floor_area = "7a";
    a.cooking_fuel = "99";
    (a.members as Record<string, unknown>[])[0]!.nik = "1706013207500001"; // day 32
    const ev = evaluateForm(form, a, TODAY);
    const byPath = Object.fromEntries(ev.problems.map((p) => [p.path, p.message.id]));
    expect(byPath.floor_area).toBe("Harus bilangan bulat");
    expect(byPath.cooking_fuel).toMatch(/Pilihan/);
    expect(byPath["members[0].nik"]).toMatch(/Tanggal lahir pada NIK/);
  });

  it("checks the repeat: exactly one head living with the family; a new member needs no NIK", () => {
    const a = prefill(form, baseline);
    const members = a.members as Record<string, unknown>[];
    members[0]!.presence = "2"; // the head died
    let ev = evaluateForm(form, a, TODAY);
    expect(ev.problems.map((p) => p.path)).toContain("members");
    members[0]!.presence = "1";
    const added = { ...newInstance(form, "members", null), presence: "5", full_name: "Bayi", sex: "2", birth_date: "2026-01-02", marital_status: "1", relationship: "3", disability: "2", chronic_illness: "2", working: "2" };
    members.push(added);
    ev = evaluateForm(form, a, TODAY);
    expect(ev.problems).toEqual([]);
    expect(ev.instances.get("members")![2]!.get("nik")!.required).toBe(false);
    added.birth_date = "2027-01-01";
    ev = evaluateForm(form, a, TODAY);
    expect(ev.problems.map((p) => p.path)).toEqual(["members[2].birth_date"]);
  });

  it("orders relevance so a field sees the relevance of what it reads", () => {
    const order = form.relevanceOrder;
    expect(order.indexOf("lighting")).toBeLessThan(order.indexOf("electricity_power"));
    expect(order.indexOf("members")).toBeLessThan(order.indexOf("sex"));
  });
});
