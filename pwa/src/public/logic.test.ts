import { describe, expect, it } from "vitest";
import {
  coordinateFields,
  factsFromText,
  maskWord,
  matches,
  needsDownscale,
  parseQuery,
  scaledSize,
} from "./logic";

const entry = (name: string, rt: string, rw: string, words = "tetap terdaftar") =>
  factsFromText(name, `${name}RT ${rt} / RW ${rw} · ${words} Sanggah`);

describe("the list filter", () => {
  it("reads RT and RW in the ways people type them", () => {
    expect(parseQuery("RT 3 RW 02")).toEqual({ rt: "3", rw: "2", words: [] });
    expect(parseQuery("rt3/rw2")).toEqual({ rt: "3", rw: "2", words: [] });
    expect(parseQuery("rt:004 sugiarti")).toEqual({ rt: "4", rw: null, words: ["sugiarti"] });
    expect(parseQuery("  ")).toEqual({ rt: null, rw: null, words: [] });
  });

  it("reads an entry's RT/RW from the page's text", () => {
    expect(entry("S******i W****o", "001", "002")).toMatchObject({ rt: "001", rw: "002" });
    expect(factsFromText("A*i", "A*iRT - / RW - · Masuk")).toMatchObject({ rt: "", rw: "" });
  });

  it("finds by RT/RW ignoring leading zeros", () => {
    const list = [entry("S******i W****o", "001", "002"), entry("B*****g A****h", "003", "002")];
    expect(list.filter((e) => matches(e, parseQuery("rt 1")))).toEqual([list[0]]);
    expect(list.filter((e) => matches(e, parseQuery("rw 2")))).toHaveLength(2);
    expect(list.filter((e) => matches(e, parseQuery("rt 3 rw 1")))).toHaveLength(0);
  });

  it("finds a name the list shows masked, and words of the change", () => {
    const sugiarti = entry("S******i W****o", "001", "002", "Keluar dari daftar: meninggal dunia");
    expect(maskWord("Sugiarti")).toBe("S******i");
    expect(matches(sugiarti, parseQuery("sugiarti"))).toBe(true);
    expect(matches(sugiarti, parseQuery("Sugiarti Wibowo rt 1"))).toBe(true);
    expect(matches(sugiarti, parseQuery("sugiarto"))).toBe(false); // another last letter
    expect(matches(sugiarti, parseQuery("meninggal"))).toBe(true);
    expect(matches(sugiarti, parseQuery(""))).toBe(true);
  });
});

describe("the photo's downscale", () => {
  it("keeps the proportions and the longer side at most 1600", () => {
    expect(scaledSize(4000, 3000)).toEqual({ width: 1600, height: 1200 });
    expect(scaledSize(3000, 4000)).toEqual({ width: 1200, height: 1600 });
    expect(scaledSize(1200, 900)).toEqual({ width: 1200, height: 900 });
  });

  it("touches only big photos", () => {
    expect(needsDownscale(3_000_000, 1600, 1200)).toBe(true);
    expect(needsDownscale(400_000, 4000, 3000)).toBe(true);
    expect(needsDownscale(400_000, 1600, 1200)).toBe(false);
  });
});

describe("the location", () => {
  it("sends six decimals and refuses what is not a place", () => {
    expect(coordinateFields(-2.5612345678, 101.1)).toEqual({ latitude: "-2.561235", longitude: "101.100000" });
    expect(coordinateFields(91, 0)).toBeNull();
    expect(coordinateFields(Number.NaN, 0)).toBeNull();
  });
});
