// Which built file belongs to which area of the app, so that the service worker precaches
// only what an enumerator's phone uses. The staff screens (and Leaflet, which only they
// import) are fetched when first opened and cached on use (sw.ts). Files not reached from
// any entry (icons, the image worker, index.html) stay in the phone's precache: when in
// doubt a file is precached, never missing offline.
import type { Plugin } from "vite";

export type Area = "enumerator" | "staff" | "public";

/** A built chunk as far as the split needs it (from Rollup's bundle). */
export interface ChunkNode {
  file: string;
  /** The module an entry or a dynamic import names (src/staff/review/queue.ts), null for shared chunks. */
  facade: string | null;
  imports: string[];
  dynamicImports: string[];
  css: string[];
}

/** The area a lazily loaded screen starts, from its source path; null = the enumerator's app. */
export function areaOfEntry(facade: string | null): Area | null {
  if (!facade) return null;
  const path = facade.replace(/\\/g, "/");
  if (/\/src\/staff\//.test(path) || path.startsWith("src/staff/")) return "staff";
  if (/\/src\/public\//.test(path) || path.startsWith("src/public/")) return "public";
  return null;
}

/**
 * Every chunk (and its CSS) reachable from the entry without crossing into another area's
 * lazily loaded screen is the enumerator's; what only another area's screens reach is that
 * area's. A chunk both reach is the enumerator's (the phone needs it offline).
 */
export function splitAreas(chunks: ChunkNode[], entries: string[]): Map<string, Area> {
  const byFile = new Map(chunks.map((c) => [c.file, c]));
  const areas = new Map<string, Area>();
  const walk = (start: string[], area: Area, crossInto: boolean): void => {
    const stack = [...start];
    while (stack.length) {
      const file = stack.pop()!;
      if (areas.has(file)) continue;
      areas.set(file, area);
      const chunk = byFile.get(file);
      if (!chunk) continue;
      stack.push(...chunk.css, ...chunk.imports);
      for (const d of chunk.dynamicImports) {
        const target = byFile.get(d);
        const other = areaOfEntry(target?.facade ?? null);
        if (other === null || other === area || crossInto) stack.push(d);
      }
    }
  };
  // An entry of its own area (the public page's script) is not the enumerator's app.
  walk(
    entries.filter((e) => areaOfEntry(byFile.get(e)?.facade ?? null) === null),
    "enumerator",
    false,
  );
  for (const area of ["staff", "public"] as const) {
    const starts = chunks.filter((c) => areaOfEntry(c.facade) === area).map((c) => c.file);
    walk(starts, area, true);
  }
  return areas;
}

/** True when the phone's service worker precaches this URL (relative to the site root). */
export function precachedOnPhone(url: string, areas: ReadonlyMap<string, Area>): boolean {
  return (areas.get(url.replace(/^\//, "")) ?? "enumerator") === "enumerator";
}

/**
 * Records each chunk's area at build time (read by the Workbox manifest transform) and
 * writes it to .vite/precache-areas.json for bench/pwa_bundle.py.
 */
export function precacheAreas(areas: Map<string, Area>): Plugin {
  return {
    name: "verval-precache-areas",
    apply: "build",
    generateBundle(_options, bundle) {
      const chunks: ChunkNode[] = [];
      const entries: string[] = [];
      for (const item of Object.values(bundle)) {
        if (item.type !== "chunk") continue;
        if (item.isEntry) entries.push(item.fileName);
        chunks.push({
          file: item.fileName,
          // A lazily loaded module merged into a shared chunk leaves facadeModuleId empty.
          // An entry keeps its module too: src/public/publik.ts is the public area's.
          facade: item.isEntry
            ? item.facadeModuleId
            : item.isDynamicEntry
            ? (item.facadeModuleId ??
              item.moduleIds.find((id) => (this.getModuleInfo(id)?.dynamicImporters.length ?? 0) > 0) ??
              null)
            : null,
          imports: item.imports,
          dynamicImports: item.dynamicImports,
          css: [...(item.viteMetadata?.importedCss ?? [])],
        });
      }
      areas.clear();
      for (const [file, area] of splitAreas(chunks, entries)) areas.set(file, area);
      this.emitFile({
        type: "asset",
        fileName: ".vite/precache-areas.json",
        source: JSON.stringify(Object.fromEntries([...areas].sort()), null, 1),
      });
    },
  };
}
