// Progress arithmetic: roll the per-village report up to the level below the region on
// screen, the bar segments, the visits as map points, the region to start from.
// Pure: unit-tested.
import type { components } from "../../api/schema";

type S = components["schemas"];
export type Report = S["ProgressReport"];
export type Village = S["VillageProgress"];
export type Counts = Pick<Village, "assigned" | "visited" | "not_visited" | "submitted" | "complete" | "approved" | "returned" | "escalated" | "flagged" | "proposed" | "households">;
export type DecileBand = S["DecileProgress"];
export const BANDS = ["1-4", "5-10", "unknown"] as const;

export const LEVELS = ["province", "regency", "district", "village"] as const;

/** 17 → 1, 17.06 → 2, 17.06.01 → 3, 17.06.01.2001 → 4. */
export function depth(code: string): number {
  return code.split(".").length;
}

export function covers(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(outer + ".");
}

export function childOf(region: string, code: string): string {
  return code.split(".").slice(0, depth(region) + 1).join(".");
}

const ZERO = (): Counts => ({
  assigned: 0, visited: 0, not_visited: 0, submitted: 0, complete: 0, approved: 0,
  returned: 0, escalated: 0, flagged: 0, proposed: 0, households: 0,
});

export interface Row extends Counts {
  code: string;
  name: string;
  deciles: DecileBand[]; // always the three BANDS, in order
}

const ZERO_BANDS = (): DecileBand[] => BANDS.map((band) => ({ band, households: 0, assigned: 0, visited: 0, approved: 0 }));

/** The bands of a report row (an older server sends none: all zero). */
export function bandsOf(row: { deciles?: DecileBand[] }): DecileBand[] {
  const out = ZERO_BANDS();
  for (const b of row.deciles ?? []) {
    const i = BANDS.indexOf(b.band);
    if (i >= 0) out[i] = { ...b };
  }
  return out;
}

function addBands(into: DecileBand[], from: DecileBand[]): void {
  from.forEach((b, i) => {
    const t = into[i]!;
    t.households += b.households;
    t.assigned += b.assigned;
    t.visited += b.visited;
    t.approved += b.approved;
  });
}

/** The villages of a report summed per child region of `region` (a village: itself). */
export function rollUp(report: Report, region: string, names: Map<string, string> = new Map()): Row[] {
  if (depth(region) >= 4) {
    return report.villages.filter((v) => v.region_code === region).map((v) => ({ ...v, code: v.region_code, name: v.name, deciles: bandsOf(v) }));
  }
  const rows = new Map<string, Row>();
  for (const v of report.villages) {
    if (!covers(region, v.region_code)) continue;
    const code = childOf(region, v.region_code);
    let row = rows.get(code);
    if (!row) {
      const name = depth(code) === 4 ? v.name : depth(code) === 3 ? v.district || names.get(code) || code : names.get(code) || code;
      row = { ...ZERO(), code, name: names.get(code) || name, deciles: ZERO_BANDS() };
      rows.set(code, row);
    }
    for (const k of Object.keys(ZERO()) as (keyof Counts)[]) row[k] += v[k];
    addBands(row.deciles, bandsOf(v));
  }
  return [...rows.values()].sort((a, b) => a.code.localeCompare(b.code));
}

export interface Segment {
  key: "approved" | "returned" | "waiting" | "not_visited";
  n: number;
  pct: number;
}

/** The bar of one row: approved, returned, waiting for review, not visited — of the assigned. */
export function segments(c: Pick<Counts, "assigned" | "approved" | "returned" | "submitted" | "complete" | "escalated" | "not_visited" | "visited">): Segment[] {
  const waiting = c.submitted + c.complete + c.escalated;
  const total = Math.max(c.assigned, c.visited, 1);
  const seg = (key: Segment["key"], n: number): Segment => ({ key, n, pct: Math.round((n / total) * 1000) / 10 });
  return [seg("approved", c.approved), seg("returned", c.returned), seg("waiting", waiting), seg("not_visited", c.not_visited)];
}

/** The decile filter of the progress hash (#/progress/<round>/<region>/<decile>). */
export function decileArg(arg: string | undefined): string {
  return arg && /^(10|[1-9]|1-4|5-10|unknown)$/.test(arg) ? arg : "";
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 100) : 0;
}

export interface GeoFeature {
  id?: string;
  geometry: { type: string; coordinates: [number, number] } | null;
  properties: {
    visit_id: string;
    village: string;
    state_label: string;
    outcome_label: string;
    flag_count: number;
    visited_on: string | null;
    gps_accuracy_m: number | null;
    flags?: unknown[];
  };
}

export interface MapPointLike {
  lat: number;
  lon: number;
  kind: "visit";
  label: string;
  accuracy_m?: number | null;
  href?: string;
}

/** GeoJSON visits → map points, each linking to its review page. */
export function visitPoints(features: GeoFeature[], flaggedWord: string): MapPointLike[] {
  const out: MapPointLike[] = [];
  for (const f of features) {
    if (!f.geometry || f.geometry.type !== "Point") continue;
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    const parts = [p.village, p.state_label, p.outcome_label, p.visited_on ?? ""].filter(Boolean);
    if (p.flag_count) parts.push(`${p.flag_count} ${flaggedWord}`);
    out.push({ lat, lon, kind: "visit", label: parts.join(" · "), accuracy_m: p.gps_accuracy_m, href: `#/review/visit/${p.visit_id}` });
  }
  return out;
}

/** Where progress starts: the round's region when the user covers it, else the user's
 *  own region inside the round. */
export function startRegion(roundRegion: string, mine: string[]): string {
  if (mine.some((m) => covers(m, roundRegion))) return roundRegion;
  return mine.find((m) => covers(roundRegion, m)) ?? mine[0] ?? roundRegion;
}

/** The round shown first: an open one, else the newest. */
export function defaultRound<T extends { id: number; state: string }>(rounds: T[]): T | undefined {
  return rounds.find((r) => r.state === "open") ?? [...rounds].sort((a, b) => b.id - a.id)[0];
}
