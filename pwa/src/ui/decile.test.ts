import { describe, expect, it } from "vitest";
import { bounds, DECILE_SELECTIONS, decileLabel, decileTitle, isDecileSelection, isPoorest, selectionLabel } from "./decile";

describe("deciles", () => {
  it("marks deciles 1–4 as the poorest 40 %", () => {
    expect([1, 2, 3, 4].every(isPoorest)).toBe(true);
    expect([5, 10, 0, 11, null, undefined].some(isPoorest)).toBe(false);
  });
  it("labels a decile, and nothing without one", () => {
    expect(decileLabel(2)).toBe("Desil 2");
    expect(decileLabel(10)).toBe("Desil 10");
    expect(decileLabel(null)).toBe("");
    expect(decileLabel(0)).toBe("");
  });
  it("knows the selections the API takes", () => {
    expect(DECILE_SELECTIONS).toContain("1-4");
    expect(isDecileSelection("1-4")).toBe(true);
    expect(isDecileSelection("7")).toBe(true);
    expect(isDecileSelection("unknown")).toBe(true);
    expect(isDecileSelection("11")).toBe(false);
    expect(isDecileSelection("1-5")).toBe(false);
    expect(selectionLabel("1-4", false)).toBe("Desil 1–4 (40 % termiskin)");
    expect(selectionLabel("3", true)).toBe("Desil 3");
  });
  it("gives a selection's bounds as the API reads them", () => {
    expect(bounds("1-4")).toEqual([1, 4]);
    expect(bounds("5-10")).toEqual([5, 10]);
    expect(bounds("7")).toEqual([7, 7]);
    expect(bounds("unknown")).toBeNull();
  });
  it("explains the tag", () => {
    expect(decileTitle(3, false)).toBe("Desil 3 dari 10 (BPS) · 40 % termiskin");
    expect(decileTitle(7, true)).toBe("Decile 7 of 10 (BPS)");
    expect(decileTitle(null, true)).toBe("No decile in the register");
  });
});
