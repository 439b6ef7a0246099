// The review queue's state without DOM: the hash query, the API query, the region path,
// the n/p context and the keyboard.
import { describe, expect, it } from "vitest";
import {
  apiQuery,
  dayStart,
  distanceM,
  EMPTY,
  filtersHash,
  isShortcut,
  moveSelection,
  neighbour,
  parseFilters,
  regionPath,
  saveContext,
  loadContext,
  shortHash,
} from "./model";

describe("review queue filters", () => {
  it("round-trips through the hash query and drops junk", () => {
    const f = { ...EMPTY, region: "17.06.01.2005", state: "complete", flag: "flagged", enumerator: "5", outcome: "found", from: "2026-06-01", to: "2026-06-30", order: "oldest" as const };
    const hash = filtersHash(f);
    expect(hash.startsWith("#/review/?")).toBe(true);
    expect(parseFilters(hash)).toEqual(f);
    expect(filtersHash(EMPTY)).toBe("#/review");
    expect(parseFilters("#/review/?decile=1-4").decile).toBe("1-4");
    expect(parseFilters("#/review/?decile=7").decile).toBe("7");
    expect(parseFilters("#/review/?decile=11").decile).toBe("");
    expect(filtersHash({ ...EMPTY, decile: "1-4" })).toBe("#/review/?decile=1-4");
    expect(apiQuery({ ...EMPTY, decile: "unknown" })).toBe("?decile=unknown");
    expect(parseFilters("#/review")).toEqual(EMPTY);
    expect(parseFilters("#/review/?state=bogus&region=17.6&flag=DROP TABLE&enumerator=-1&from=yesterday&order=x")).toEqual(EMPTY);
  });

  it("asks the API with its parameter names; counts ignore the state", () => {
    const f = { ...EMPTY, region: "17.06.01", state: "returned", flag: "far_from_household", enumerator: "5", from: "2026-06-01", to: "2026-06-01" };
    const q = new URLSearchParams(apiQuery(f, { cursor: "abc", limit: 50 }).slice(1));
    expect(q.get("region")).toBe("17.06.01");
    expect(q.get("state")).toBe("returned");
    expect(q.get("flag")).toBe("far_from_household");
    expect(q.get("enumerator_id")).toBe("5");
    expect(q.get("cursor")).toBe("abc");
    expect(q.get("limit")).toBe("50");
    // The "to" day is inclusive on screen, exclusive in the API: the next local midnight.
    expect(q.get("received_from")).toBe(dayStart("2026-06-01"));
    expect(q.get("received_to")).toBe(dayStart("2026-06-02"));
    expect(Date.parse(q.get("received_to")!) - Date.parse(q.get("received_from")!)).toBe(86_400_000);
    const counts = new URLSearchParams(apiQuery(f, { withState: false }).slice(1));
    expect(counts.has("state")).toBe(false);
    expect(counts.has("cursor")).toBe(false);
    expect(apiQuery(EMPTY)).toBe("");
  });

  it("walks the region cascade from the caller's root", () => {
    expect(regionPath("17.06.01.2005", "17.06")).toEqual(["17.06", "17.06.01", "17.06.01.2005"]);
    expect(regionPath("17.06", "17.06")).toEqual(["17.06"]);
    expect(regionPath("17.05.01", "17.06")).toEqual([]);
    expect(regionPath("17.06.01", "17")).toEqual(["17", "17.06", "17.06.01"]);
  });
});

describe("queue context and keys", () => {
  it("n/p follow the queue's order", () => {
    const store = new Map<string, string>();
    const s = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveContext({ hash: "#/review/?flag=flagged", ids: ["a", "b", "c"], cursor: null }, s);
    const ctx = loadContext(s);
    expect(neighbour(ctx, "b", 1)).toBe("c");
    expect(neighbour(ctx, "b", -1)).toBe("a");
    expect(neighbour(ctx, "c", 1)).toBeNull();
    expect(neighbour(ctx, "a", -1)).toBeNull();
    expect(neighbour(null, "a", 1)).toBeNull();
    expect(loadContext({ getItem: () => "{not json" })).toBeNull();
  });

  it("j/k and arrows move within the list", () => {
    expect(moveSelection("j", 0, 3)).toBe(1);
    expect(moveSelection("ArrowDown", 2, 3)).toBe(2);
    expect(moveSelection("k", 0, 3)).toBe(0);
    expect(moveSelection("End", 0, 3)).toBe(2);
    expect(moveSelection("x", 0, 3)).toBeNull();
    expect(moveSelection("j", 0, 0)).toBeNull();
  });

  it("never steals keys typed into a field or with a modifier", () => {
    const ev = (tagName: string, over = {}) => ({ key: "a", ctrlKey: false, metaKey: false, altKey: false, target: { tagName } as unknown as EventTarget, ...over });
    expect(isShortcut(ev("BODY"))).toBe(true);
    expect(isShortcut(ev("TEXTAREA"))).toBe(false);
    expect(isShortcut(ev("INPUT"))).toBe(false);
    expect(isShortcut(ev("SELECT"))).toBe(false);
    expect(isShortcut(ev("BODY", { ctrlKey: true }))).toBe(false);
  });

  it("formats hashes and distances", () => {
    expect(shortHash("a".repeat(64))).toBe("aaaaaaaa…aaaaaaaa");
    const d = distanceM({ lat: -2.3854, lon: 101.0098 }, { lat: -2.3774, lon: 101.0168 });
    expect(d).toBeGreaterThan(1150);
    expect(d).toBeLessThan(1200);
  });
});
