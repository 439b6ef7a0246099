import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkKk, checkNik, maskNik, todayInIndonesia } from "./identity";

interface IdCase {
  value: string;
  today: string;
  known_districts?: string[];
  valid: boolean;
  errors: string[];
  warnings: string[];
  sex?: string;
  birth_date?: string;
  issue_date?: string;
  region_code?: string;
}
const data = JSON.parse(
  readFileSync(new URL("../../../survey_forms/identity_vectors.json", import.meta.url), "utf8"),
) as { nik: IdCase[]; kk: IdCase[]; mask: Array<{ value: string; masked: string }> };

function options(c: IdCase) {
  const known = c.known_districts;
  return {
    today: c.today,
    ...(known !== undefined ? { isKnownDistrict: (code: string) => known.includes(code) } : {}),
  };
}

describe("NIK", () => {
  it.each(data.nik.map((c, i) => [i, c] as const))("case %i", (_i, c) => {
    const r = checkNik(c.value, options(c));
    expect(r.valid).toBe(c.valid);
    expect(r.errors.map((e) => e.code)).toEqual(c.errors);
    expect(r.warnings.map((e) => e.code)).toEqual(c.warnings);
    if (c.sex !== undefined) expect(r.sex).toBe(c.sex);
    if (c.birth_date !== undefined) expect(r.birthDate).toBe(c.birth_date);
    if (c.region_code !== undefined) expect(r.regionCode).toBe(c.region_code);
    if (!c.valid) expect(r.birthDate).toBeNull();
  });
});

describe("No. KK", () => {
  it.each(data.kk.map((c, i) => [i, c] as const))("case %i", (_i, c) => {
    const r = checkKk(c.value, options(c));
    expect(r.valid).toBe(c.valid);
    expect(r.errors.map((e) => e.code)).toEqual(c.errors);
    expect(r.warnings.map((e) => e.code)).toEqual(c.warnings);
    if (c.region_code !== undefined) expect(r.regionCode).toBe(c.region_code);
    expect(r.issueDate).toBe(c.issue_date ?? null);
  });
});

describe("masking", () => {
  it.each(data.mask.map((c) => [c.value, c.masked] as const))("%s", (value, masked) => {
    expect(maskNik(value)).toBe(masked);
  });
});

it("uses the WIT calendar date by default", () => {
  expect(todayInIndonesia(new Date("2026-06-14T15:30:00Z"))).toBe("2026-06-15");
  expect(todayInIndonesia(new Date("2026-06-14T14:59:00Z"))).toBe("2026-06-14");
});
