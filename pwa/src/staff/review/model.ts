// The review queue's state without DOM: filters <-> the hash query, the API query, the
// region cascade's path, and the queue context that n/p walk in the visit view.
// Unit-tested in model.test.ts.
import { isDecileSelection } from "../../ui/decile";

export const STATES = ["submitted", "complete", "approved", "returned", "escalated"] as const;
export type ReviewState = (typeof STATES)[number];

export const OUTCOMES = ["found", "not_home", "refused", "moved", "not_found", "dissolved", "duplicate", "new_household"] as const;

/** api/visits/flags.py: every flag code a visit can carry. */
export const FLAG_CODES = [
  "gps_missing",
  "gps_accuracy_missing",
  "gps_accuracy_zero",
  "gps_poor_accuracy",
  "far_from_household",
  "photo_far_from_visit",
  "photo_outside_visit_window",
  "visit_too_short",
  "impossible_travel",
  "many_households_same_spot",
  "photo_reused",
  "photo_near_duplicate",
  "photo_corrupt",
  "member_died",
  "member_new_nik",
  "member_nik_in_other_household",
] as const;

export interface Filters {
  region: string; // the deepest region picked ("" = all of mine)
  state: string; // "" = every state
  flag: string; // "" | "flagged" | a flag code
  enumerator: string; // user id as text
  outcome: string;
  from: string; // YYYY-MM-DD (received on or after, local day)
  to: string; // YYYY-MM-DD (received on or before, local day)
  order: "newest" | "oldest";
  decile: string; // "" | a selection of ui/decile.ts ("1-4", "3", "unknown", …)
}

export const EMPTY: Filters = { region: "", state: "", flag: "", enumerator: "", outcome: "", from: "", to: "", order: "newest", decile: "" };

const REGION = /^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CODE = /^[a-z][a-z0-9_]{0,39}$/;

/** Filters from a hash such as "#/review/?state=complete&flag=flagged"; junk is dropped. */
export function parseFilters(hash: string): Filters {
  const i = hash.indexOf("?");
  const q = new URLSearchParams(i >= 0 ? hash.slice(i + 1) : "");
  const get = (k: string, ok: (v: string) => boolean) => {
    const v = q.get(k) ?? "";
    return ok(v) ? v : "";
  };
  return {
    region: get("region", (v) => REGION.test(v)),
    state: get("state", (v) => (STATES as readonly string[]).includes(v)),
    flag: get("flag", (v) => CODE.test(v)),
    enumerator: get("enumerator", (v) => /^[1-9]\d{0,9}$/.test(v)),
    outcome: get("outcome", (v) => (OUTCOMES as readonly string[]).includes(v)),
    from: get("from", (v) => DAY.test(v)),
    to: get("to", (v) => DAY.test(v)),
    order: q.get("order") === "oldest" ? "oldest" : "newest",
    decile: get("decile", isDecileSelection),
  };
}

/** The queue's hash for these filters (only what differs from the defaults). */
export function filtersHash(f: Filters): string {
  const q = new URLSearchParams();
  for (const k of ["region", "state", "flag", "enumerator", "outcome", "from", "to", "decile"] as const) {
    if (f[k]) q.set(k, f[k]);
  }
  if (f.order !== "newest") q.set("order", f.order);
  const s = q.toString();
  return s ? `#/review/?${s}` : "#/review";
}

/** Local midnight of a YYYY-MM-DD day as an ISO instant (the API reads offsets). */
export function dayStart(day: string, plusDays = 0): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y!, m! - 1, d! + plusDays).toISOString();
}

/** The API query (GET /api/v1/visits and /counts) for these filters. */
export function apiQuery(f: Filters, opts: { withState?: boolean; cursor?: string | null; limit?: number } = {}): string {
  const q = new URLSearchParams();
  if (f.region) q.set("region", f.region);
  if (f.state && opts.withState !== false) q.set("state", f.state);
  if (f.flag) q.set("flag", f.flag);
  if (f.enumerator) q.set("enumerator_id", f.enumerator);
  if (f.outcome) q.set("outcome", f.outcome);
  if (f.from) q.set("received_from", dayStart(f.from));
  if (f.to) q.set("received_to", dayStart(f.to, 1)); // the API's bound is exclusive
  if (f.decile) q.set("decile", f.decile);
  if (opts.withState !== false) {
    if (f.order !== "newest") q.set("order", f.order);
    if (opts.cursor) q.set("cursor", opts.cursor);
    if (opts.limit) q.set("limit", String(opts.limit));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/**
 * The codes the cascade shows for a picked region, from the caller's root down:
 * regionPath("17.06.01.2005", "17.06") → ["17.06", "17.06.01", "17.06.01.2005"].
 */
export function regionPath(code: string, root: string): string[] {
  if (!code || !(code === root || code.startsWith(root + "."))) return [];
  const parts = code.split(".");
  const depth = root.split(".").length;
  const out: string[] = [];
  for (let n = depth; n <= parts.length; n++) out.push(parts.slice(0, n).join("."));
  return out;
}

// --- the queue context the visit view walks with n / p ---------------------------------

export interface QueueContext {
  hash: string; // the queue's hash (filters), to go back to
  ids: string[]; // visits in the order the queue showed them
  cursor: string | null; // where the queue would continue
  last?: string | null; // the visit opened last (selected again back in the queue)
}

const KEY = "verval-review-queue";

export function saveContext(ctx: QueueContext, store: Pick<Storage, "setItem"> = sessionStorage): void {
  try {
    store.setItem(KEY, JSON.stringify(ctx));
  } catch {
    /* private mode: n/p just won't work */
  }
}

export function loadContext(store: Pick<Storage, "getItem"> = sessionStorage): QueueContext | null {
  try {
    const raw = store.getItem(KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as QueueContext;
    return Array.isArray(v.ids) && typeof v.hash === "string" ? v : null;
  } catch {
    return null;
  }
}

/** The neighbour of `id` in the queue (+1 next, -1 previous); null at either end. */
export function neighbour(ctx: QueueContext | null, id: string, step: 1 | -1): string | null {
  if (!ctx) return null;
  const i = ctx.ids.indexOf(id);
  if (i < 0) return step === 1 ? (ctx.ids[0] ?? null) : null;
  return ctx.ids[i + step] ?? null;
}

/** Keyboard: the row index after a key, or null when the key is not a move. */
export function moveSelection(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  if (key === "j" || key === "ArrowDown") return Math.min(count - 1, index + 1);
  if (key === "k" || key === "ArrowUp") return Math.max(0, index - 1);
  if (key === "Home") return 0;
  if (key === "End") return count - 1;
  return null;
}

/** A key meant for the page, not typed into a field and without a modifier. */
export function isShortcut(ev: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; target: EventTarget | null }): boolean {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return false;
  const t = ev.target as { tagName?: string; isContentEditable?: boolean } | null;
  const tag = t?.tagName?.toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select" || t?.isContentEditable) return false;
  return true;
}

// --- small formatting helpers ------------------------------------------------------------

export function shortHash(sha: string): string {
  return sha.length > 16 ? `${sha.slice(0, 8)}…${sha.slice(-8)}` : sha;
}

export { distanceM } from "../../geo/gps";

export function fmtDistance(m: number): string {
  return m >= 1000 ? `${(m / 1000).toFixed(m >= 10_000 ? 0 : 1)} km` : `${Math.round(m)} m`;
}

/** A value from the answers as text (arrays joined, objects as JSON). */
export function valueText(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (Array.isArray(v)) return v.map(valueText).join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
