import { describe, expect, it } from "vitest";
import { childrenOf, lineage, type Regions } from "./regions";

const R: Regions = {
  "17": "Bengkulu",
  "17.06": "Kabupaten Mukomuko",
  "17.01": "Kabupaten Bengkulu Selatan",
  "17.06.01": "Lubuk Pinang",
  "11": "Aceh",
};

describe("region tree", () => {
  it("lists provinces, then the regions under a code, by name", () => {
    expect(childrenOf(R, "").map(([c]) => c)).toEqual(["11", "17"]);
    expect(childrenOf(R, "17").map(([c]) => c)).toEqual(["17.01", "17.06"]);
    expect(childrenOf(R, "17.06")).toEqual([["17.06.01", "Lubuk Pinang"]]);
  });
  it("walks a code up to its province", () => {
    expect(lineage("17.06.01")).toEqual(["17", "17.06", "17.06.01"]);
  });
});
