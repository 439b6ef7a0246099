import { describe, expect, it } from "vitest";
import { areaOfEntry, type ChunkNode, precachedOnPhone, splitAreas } from "./precache";

const chunk = (file: string, over: Partial<ChunkNode> = {}): ChunkNode => ({
  file,
  facade: null,
  imports: [],
  dynamicImports: [],
  css: [],
  ...over,
});

// The shape of the real build: the entry lazily loads the enumerator's screens and the staff
// screens; a shared chunk (api) is used by staff only; engine by both sides.
const bundle: ChunkNode[] = [
  chunk("assets/index.js", { imports: [], dynamicImports: ["assets/visit.js", "assets/queue.js", "assets/progress.js"], css: ["assets/index.css"] }),
  chunk("assets/visit.js", { facade: "/repo/pwa/src/ui/visit.ts", imports: ["assets/index.js", "assets/engine.js"] }),
  chunk("assets/queue.js", { facade: "/repo/pwa/src/staff/review/queue.ts", imports: ["assets/index.js", "assets/api.js", "assets/engine.js"], css: ["assets/queue.css"] }),
  chunk("assets/progress.js", { facade: "/repo/pwa/src/staff/progress/progress.ts", imports: ["assets/map.js", "assets/api.js"] }),
  chunk("assets/map.js", { css: ["assets/map.css"] }),
  chunk("assets/api.js"),
  chunk("assets/engine.js"),
];

describe("precache split", () => {
  it("gives the phone its own screens and what they import, and leaves staff screens out", () => {
    const areas = splitAreas(bundle, ["assets/index.js"]);
    const of = (area: string) => [...areas].filter(([, a]) => a === area).map(([f]) => f).sort();
    expect(of("enumerator")).toEqual(["assets/engine.js", "assets/index.css", "assets/index.js", "assets/visit.js"]);
    expect(of("staff")).toEqual(["assets/api.js", "assets/map.css", "assets/map.js", "assets/progress.js", "assets/queue.css", "assets/queue.js"]);
  });

  it("precaches a file it knows nothing about (icons, the image worker) rather than miss it offline", () => {
    const areas = splitAreas(bundle, ["assets/index.js"]);
    expect(precachedOnPhone("assets/image.worker-abc.js", areas)).toBe(true);
    expect(precachedOnPhone("index.html", areas)).toBe(true);
    expect(precachedOnPhone("/assets/map.js", areas)).toBe(false);
    expect(precachedOnPhone("assets/visit.js", areas)).toBe(true);
  });

  it("is ready for a third area (public pages)", () => {
    expect(areaOfEntry("/repo/pwa/src/public/review.ts")).toBe("public");
    expect(areaOfEntry("src/staff/audit/audit.ts")).toBe("staff");
    expect(areaOfEntry("/repo/pwa/src/ui/list.ts")).toBeNull();
    const areas = splitAreas(
      [...bundle, chunk("assets/pub.js", { facade: "/repo/pwa/src/public/review.ts", imports: ["assets/api.js"] })],
      ["assets/index.js"],
    );
    expect(areas.get("assets/pub.js")).toBe("public");
  });

  it("keeps the public page's own entry (publik.js) out of the phone's precache", () => {
    const withPublic = [
      ...bundle.map((c) => (c.file === "assets/index.js" ? { ...c, facade: "/repo/pwa/index.html" } : c)),
      chunk("publik.js", { facade: "/repo/pwa/src/public/publik.ts" }),
    ];
    const areas = splitAreas(withPublic, ["assets/index.js", "publik.js"]);
    expect(areas.get("publik.js")).toBe("public");
    expect(precachedOnPhone("publik.js", areas)).toBe(false);
    expect(areas.get("assets/index.js")).toBe("enumerator");
    expect(areas.get("assets/visit.js")).toBe("enumerator");
  });
});
