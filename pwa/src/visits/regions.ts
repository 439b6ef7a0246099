// The Kemendagri region tree down to districts, for "moved to another region": a static asset
// built from api/registry/data/wilayah_kemendagri_2025.csv (vite.config.ts), fetched the first
// time it is needed (never in the first load) and kept in IndexedDB so it works offline after.
import { kvGet, kvSet } from "../data/db";

/** code → name, e.g. "17" → "Bengkulu", "17.06" → "Kabupaten Mukomuko". */
export type Regions = Record<string, string>;

export const REGIONS_URL = "/regions/kemendagri-2025.json";
const KV_KEY = "regions:kemendagri-2025";

/** Provinces (parent ""), or the regions directly under a code, sorted by name. */
export function childrenOf(regions: Regions, parent: string): [string, string][] {
  const depth = parent === "" ? 0 : parent.split(".").length;
  const prefix = parent === "" ? "" : parent + ".";
  return Object.entries(regions)
    .filter(([code]) => code.startsWith(prefix) && code.split(".").length === depth + 1)
    .sort((a, b) => a[1].localeCompare(b[1], "id"));
}

/** The codes from the province down to `code`: "17.06.01" → ["17", "17.06", "17.06.01"]. */
export function lineage(code: string): string[] {
  const parts = code.split(".");
  return parts.map((_, i) => parts.slice(0, i + 1).join("."));
}

let loading: Promise<Regions | null> | null = null;

/** The tree from IndexedDB, else from the server (then kept); null when neither has it. */
export function loadRegions(): Promise<Regions | null> {
  loading ??= (async () => {
    const kept = await kvGet<Regions>(KV_KEY);
    if (kept) return kept;
    try {
      const res = await fetch(REGIONS_URL);
      if (!res.ok) return null;
      const regions = (await res.json()) as Regions;
      await kvSet(KV_KEY, regions);
      return regions;
    } catch {
      return null; // offline: the field still takes a typed code
    } finally {
      loading = null;
    }
  })();
  return loading;
}
