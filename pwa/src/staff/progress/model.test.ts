import { describe, expect, it } from "vitest";
import { bandsOf, childOf, covers, decileArg, defaultRound, depth, percent, type Report, rollUp, segments, startRegion, visitPoints } from "./model";

const village = (code: string, name: string, district: string, n: Partial<Report["totals"]> = {}) => ({
  region_code: code, name, district, households: 10, assigned: 10, visited: 4, not_visited: 6, submitted: 0,
  complete: 1, approved: 2, returned: 1, escalated: 0, flagged: 1, proposed: 0,
  deciles: [
    { band: "1-4" as const, households: 6, assigned: 6, visited: 3, approved: 2 },
    { band: "5-10" as const, households: 3, assigned: 3, visited: 1, approved: 0 },
    { band: "unknown" as const, households: 1, assigned: 1, visited: 0, approved: 0 },
  ],
  ...n,
});

const report: Report = {
  region_code: "17.06", region_name: "Mukomuko", round_id: 1, round: "R", decile: null, generated_at: "2026-06-01T00:00:00Z",
  totals: village("17.06", "Mukomuko", ""),
  villages: [
    village("17.06.01.2001", "A", "Lubuk Pinang"),
    village("17.06.01.2002", "B", "Lubuk Pinang", { assigned: 5, approved: 5, visited: 5, not_visited: 0 }),
    village("17.06.05.2001", "C", "Ipuh"),
  ],
  enumerators: [],
};

describe("progress model", () => {
  it("knows codes", () => {
    expect(depth("17.06.01")).toBe(3);
    expect(covers("17.06", "17.06.01.2001")).toBe(true);
    expect(covers("17.06.0", "17.06.01")).toBe(false);
    expect(childOf("17.06", "17.06.01.2001")).toBe("17.06.01");
  });

  it("rolls villages up to districts, and shows a village as itself", () => {
    const rows = rollUp(report, "17.06");
    expect(rows.map((r) => [r.code, r.name, r.assigned, r.approved])).toEqual([
      ["17.06.01", "Lubuk Pinang", 15, 7],
      ["17.06.05", "Ipuh", 10, 2],
    ]);
    expect(rollUp(report, "17.06.01").map((r) => r.code)).toEqual(["17.06.01.2001", "17.06.01.2002"]);
    expect(rollUp(report, "17.06.05.2001")).toHaveLength(1);
    expect(rollUp(report, "17.06", new Map([["17.06.05", "Kec. Ipuh"]]))[1]!.name).toBe("Kec. Ipuh");
  });

  it("sums the decile bands when rolling up", () => {
    const rows = rollUp(report, "17.06");
    expect(rows[0]!.deciles.map((b) => [b.band, b.assigned, b.visited, b.approved])).toEqual([
      ["1-4", 12, 6, 4], ["5-10", 6, 2, 0], ["unknown", 2, 0, 0],
    ]);
    expect(rollUp(report, "17.06.05.2001")[0]!.deciles[0]!.households).toBe(6);
    expect(bandsOf({}).map((b) => b.band)).toEqual(["1-4", "5-10", "unknown"]);
    expect(bandsOf({ deciles: [{ band: "unknown", households: 2, assigned: 1, visited: 1, approved: 0 }] })[2]!.households).toBe(2);
  });

  it("reads the decile filter of the hash", () => {
    expect(decileArg("1-4")).toBe("1-4");
    expect(decileArg("10")).toBe("10");
    expect(decileArg("11")).toBe("");
    expect(decileArg(undefined)).toBe("");
  });

  it("splits a bar into approved, returned, waiting, not visited", () => {
    const segs = segments({ assigned: 10, visited: 4, not_visited: 6, approved: 2, returned: 1, submitted: 0, complete: 1, escalated: 0 });
    expect(segs.map((x) => [x.key, x.n, x.pct])).toEqual([
      ["approved", 2, 20], ["returned", 1, 10], ["waiting", 1, 10], ["not_visited", 6, 60],
    ]);
    expect(segments({ assigned: 0, visited: 0, not_visited: 0, approved: 0, returned: 0, submitted: 0, complete: 0, escalated: 0 })
      .every((x) => x.pct === 0)).toBe(true);
    expect(percent(1, 3)).toBe(33);
    expect(percent(1, 0)).toBe(0);
  });

  it("turns GeoJSON visits into map points linking to the review", () => {
    const pts = visitPoints([
      { geometry: { type: "Point", coordinates: [101.1, -2.5] }, properties: { visit_id: "v1", village: "A", state_label: "Disetujui", outcome_label: "Ditemukan", flag_count: 2, visited_on: "2026-06-10", gps_accuracy_m: 8 } },
      { geometry: null, properties: { visit_id: "v2", village: "A", state_label: "", outcome_label: "", flag_count: 0, visited_on: null, gps_accuracy_m: null } },
    ], "tanda");
    expect(pts).toEqual([{ lat: -2.5, lon: 101.1, kind: "visit", label: "A · Disetujui · Ditemukan · 2026-06-10 · 2 tanda", accuracy_m: 8, href: "#/review/visit/v1" }]);
  });

  it("starts from the round's region when covered, else the user's own", () => {
    expect(startRegion("17.06", ["17.06"])).toBe("17.06");
    expect(startRegion("17.06", ["17"])).toBe("17.06");
    expect(startRegion("17.06", ["17.06.05"])).toBe("17.06.05");
    expect(defaultRound([{ id: 1, state: "closed" }, { id: 2, state: "open" }])!.id).toBe(2);
    expect(defaultRound([{ id: 1, state: "closed" }, { id: 3, state: "planned" }])!.id).toBe(3);
  });
});
