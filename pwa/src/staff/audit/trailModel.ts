// The household trail, arranged for reading: one group per visit (the visit, its photos,
// flags, decisions and the audit events about them, in time order), and the household's
// own events. And the integrity report in words. Pure: unit-tested.
import { lang } from "../../i18n";
import type { S } from "./api";
import { bytes, when } from "./words";
import { strings } from "../strings";

export type Trail = S["HouseholdTrail"];
export type Entry = Trail["entries"][number];
export type TrailVisit = S["TrailVisit"];
export type TrailPhoto = S["TrailPhoto"];

export interface VisitGroup {
  visitId: string;
  visit: TrailVisit | null;
  entries: Entry[]; // the visit's own record excluded, time order
  photos: number;
  flags: number;
  decisions: number;
}

export interface Arranged {
  groups: VisitGroup[]; // by the visit's start (or first entry), oldest first
  household: Entry[]; // events about the household itself (assignments, reveals, …)
}

const time = (iso: string) => new Date(iso).getTime();

/** Which visit an entry belongs to, or null for the household's own events. */
export function visitOf(entry: Entry, photoVisit: Map<string, string>): string | null {
  if (entry.kind !== "audit_event") return entry.visit_id;
  if (entry.object_type === "visit") return entry.object_id;
  if (entry.object_type === "photo") return photoVisit.get(entry.object_id) ?? null;
  const v = entry.details?.visit_id;
  return typeof v === "string" ? v : null;
}

export function arrangeTrail(trail: Trail): Arranged {
  const photoVisit = new Map<string, string>();
  for (const e of trail.entries) if (e.kind === "photo") photoVisit.set(e.photo_id, e.visit_id);
  const groups = new Map<string, VisitGroup>();
  const household: Entry[] = [];
  const group = (id: string): VisitGroup => {
    let g = groups.get(id);
    if (!g) {
      g = { visitId: id, visit: null, entries: [], photos: 0, flags: 0, decisions: 0 };
      groups.set(id, g);
    }
    return g;
  };
  for (const e of trail.entries) {
    const id = visitOf(e, photoVisit);
    if (id === null) {
      household.push(e);
      continue;
    }
    const g = group(id);
    if (e.kind === "visit") {
      g.visit = e;
      continue;
    }
    g.entries.push(e);
    if (e.kind === "photo") g.photos++;
    if (e.kind === "flag") g.flags++;
    if (e.kind === "decision") g.decisions++;
  }
  // Same instant: the record's event first, then photos, flags, decisions (by seq among events).
  const RANK: Record<Entry["kind"], number> = { visit: 0, audit_event: 1, photo: 2, flag: 3, decision: 4 };
  const order = (e: Entry) => (e.kind === "audit_event" ? e.seq / 1e9 : 0) + RANK[e.kind];
  const byTime = (a: Entry, b: Entry) => time(a.at) - time(b.at) || order(a) - order(b);
  const start = (g: VisitGroup) =>
    g.visit ? time(g.visit.started_at) : g.entries.length ? time(g.entries[0]!.at) : 0;
  for (const g of groups.values()) g.entries.sort(byTime);
  household.sort(byTime);
  return { groups: [...groups.values()].sort((a, b) => start(a) - start(b)), household };
}

// --- verification ------------------------------------------------------------------------

export interface Mismatch {
  kind: string;
  detail: string;
  seq?: number;
  photo_id?: string;
  expected?: string;
  found?: string;
}

export interface VerifyReport {
  ok: boolean;
  /** The whole chain: one for every region, so the same whatever the scope. */
  chain_events_checked: number;
  /** Events about the scope's visits and photos: those its evidence bundle carries in full. */
  events_in_scope: number;
  visits_in_scope: number;
  photos_checked: number;
  bytes_hashed: number;
  mismatches: Mismatch[];
}

const v = strings(
  {
    intact: "Utuh: rantai audit dan semua bukti cocok.",
    checked:
      "Seluruh rantai audit diperiksa ({chain} peristiwa). Dalam cakupan ini: {visits} kunjungan, " +
      "{events} peristiwa tentangnya, {photos} foto dihitung ulang hash-nya ({bytes}).",
    broken: "TIDAK UTUH: {n} ketidakcocokan.",
    hash_mismatch: "Peristiwa audit #{seq} diubah setelah ditulis",
    broken_link: "Peristiwa audit #{seq} tidak menunjuk ke peristiwa sebelumnya",
    missing_events: "Peristiwa audit hilang sebelum #{seq}",
    photo_hash_mismatch: "Isi foto {photo} berbeda dari hash yang tercatat",
    photo_missing: "Berkas foto {photo} hilang dari penyimpanan",
    photo_row_altered: "Hash tercatat foto {photo} berbeda dari rantai audit",
    photo_without_event: "Foto {photo} tidak punya peristiwa penerimaan di rantai audit",
    photo_size_mismatch: "Ukuran foto {photo} berbeda dari yang tercatat",
    generic: "{kind}",
    expected: "seharusnya",
    found: "ditemukan",
    event: "peristiwa #{seq}",
  },
  {
    intact: "Intact: the audit chain and all evidence match.",
    checked:
      "The whole audit chain checked ({chain} events). In this scope: {visits} visits, " +
      "{events} events about them, {photos} photos re-hashed ({bytes}).",
    broken: "NOT INTACT: {n} mismatches.",
    hash_mismatch: "Audit event #{seq} was altered after it was written",
    broken_link: "Audit event #{seq} does not point at the event before it",
    missing_events: "Audit events are missing before #{seq}",
    photo_hash_mismatch: "The bytes of photo {photo} differ from its recorded hash",
    photo_missing: "The file of photo {photo} is missing from storage",
    photo_row_altered: "The recorded hash of photo {photo} differs from the audit chain",
    photo_without_event: "Photo {photo} has no receipt event in the audit chain",
    photo_size_mismatch: "The size of photo {photo} differs from the recorded size",
    generic: "{kind}",
    expected: "expected",
    found: "found",
    event: "event #{seq}",
  },
);

const KINDS = new Set([
  "hash_mismatch", "broken_link", "missing_events", "photo_hash_mismatch", "photo_missing",
  "photo_row_altered", "photo_without_event", "photo_size_mismatch",
]);

export function summary(r: VerifyReport): string {
  return r.ok && r.mismatches.length === 0 ? v("intact") : v("broken", { n: r.mismatches.length });
}

export function checkedLine(r: VerifyReport): string {
  return v("checked", {
    chain: r.chain_events_checked,
    visits: r.visits_in_scope,
    events: r.events_in_scope,
    photos: r.photos_checked,
    bytes: bytes(r.bytes_hashed),
  });
}

/**
 * One mismatch in words: which event or photo, and expected vs found. `photoNames` turns
 * a photo id into what the reader sees on the trail ("Depan rumah, 12 Jun 09.41").
 */
export function mismatchWords(
  m: Mismatch,
  photoNames: Map<string, string> = new Map(),
): { title: string; expected: string | null; found: string | null; detail: string } {
  const photo = m.photo_id ? (photoNames.get(m.photo_id) ?? m.photo_id) : "";
  const vars = { seq: m.seq ?? "?", photo, kind: m.kind };
  const title = KINDS.has(m.kind) ? v(m.kind as "hash_mismatch", vars) : v("generic", vars);
  return {
    title,
    expected: m.expected ? `${v("expected")}: ${m.expected}` : null,
    found: m.found ? `${v("found")}: ${m.found}` : null,
    detail: m.detail,
  };
}

export function photoNames(trail: Trail, kindLabel: (k: string) => string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of trail.entries) {
    if (e.kind === "photo") out.set(e.photo_id, `${kindLabel(e.photo_kind)} (${when(e.captured_at)}, ${e.photo_id.slice(0, 8)})`);
  }
  return out;
}

export function gpsText(g: { lat: number; lon: number; accuracy_m?: number | null } | null | undefined): string {
  if (!g) return lang() === "en" ? "no location" : "tanpa lokasi";
  const acc = g.accuracy_m !== null && g.accuracy_m !== undefined ? ` ± ${Math.round(g.accuracy_m)} m` : "";
  return `${g.lat.toFixed(5)}, ${g.lon.toFixed(5)}${acc}`;
}
