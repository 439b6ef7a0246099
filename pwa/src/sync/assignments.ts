// Delta download of the caller's assignments (GET /api/v1/assignments?since=CURSOR) and of
// the published forms they need. Tolerant of field names: it reads the registry's answer
// into the phone's own Assignment record.
import type { ApiClient } from "../api/client";
import {
  applyAssignmentChanges,
  assignmentsFor,
  getForm,
  kvGet,
  putForm,
} from "../data/db";
import type { Assignment, AssignmentState, CivilHint, Household, Member } from "../data/types";

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj => (typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Obj) : {});
const str = (...xs: unknown[]): string => {
  for (const x of xs) {
    if (typeof x === "string") return x;
    if (typeof x === "number") return String(x);
  }
  return "";
};
const num = (...xs: unknown[]): number | null => {
  for (const x of xs) {
    if (typeof x === "number" && Number.isFinite(x)) return x;
    if (typeof x === "string" && x !== "" && Number.isFinite(Number(x))) return Number(x);
  }
  return null;
};
const STATES: AssignmentState[] = ["open", "visited", "returned", "closed"];

/** A decile 1–10, or null (anything else from the server is not a decile). */
function decileOf(n: number | null): number | null {
  return n !== null && Number.isInteger(n) && n >= 1 && n <= 10 ? n : null;
}

export function normaliseMember(raw: unknown): Member {
  const m = obj(raw);
  const out: Member = { ...m };
  out.nik = str(m.nik);
  out.name = str(m.name, m.full_name, m.nama);
  if (m.sex !== undefined) out.sex = str(m.sex);
  if (m.relationship !== undefined) out.relationship = str(m.relationship);
  return out;
}

export function normaliseAssignment(raw: unknown, userId: number): Assignment {
  const a = obj(raw);
  const h = obj(a.household ?? a);
  const loc = obj(h.location ?? h.reference_location ?? {});
  const baseline = obj(h.baseline ?? h.baseline_answers ?? a.baseline ?? {});
  const members = (h.members ?? a.members ?? baseline.members ?? []) as unknown[];
  const round = obj(a.round);
  const village = obj(h.village ?? h.region);
  const id = str(a.assignment_id, a.id, h.id);
  const stateRaw = str(a.state, a.status) as AssignmentState;
  const form = obj(a.form);
  const ret = obj(a.return ?? a.review ?? {});
  const household: Household = {
    id: num(h.household_id, h.id, a.household_id) ?? 0,
    address: str(h.address, h.alamat),
    rt: str(h.rt),
    rw: str(h.rw),
    villageCode: str(h.village_code, h.region_code, village.code),
    villageName: str(h.village_name, h.region_name, village.name),
    headName: str(h.head_name, h.head_of_household, h.nama_kepala),
    headNik: str(h.head_nik),
    kk: str(h.kk_number, h.kk, h.family_card_number, h.nokk),
    lat: num(h.lat, h.latitude, loc.lat, h.ref_lat),
    lon: num(h.lon, h.longitude, loc.lon, h.ref_lon),
    decile: decileOf(num(h.decile, h.desil)),
    baseline: { ...baseline },
    members: Array.isArray(members) ? members.map(normaliseMember) : [],
  };
  return {
    key: `${userId}:${id}`,
    userId,
    id,
    roundId: num(a.round_id, round.id) ?? 1,
    roundName: str(a.round_name, round.name),
    state: STATES.includes(stateRaw) ? stateRaw : "open",
    returnComment: str(a.returned_comment, a.return_comment, a.comment, ret.comment) || null,
    returnedVisitId: str(a.returned_visit_id, a.last_visit_id, ret.visit_id) || null,
    form:
      typeof form.id === "string" && num(form.version) !== null
        ? { id: form.id, version: num(form.version)! }
        : typeof a.form_id === "string" && num(a.form_version) !== null
          ? { id: a.form_id, version: num(a.form_version)! }
          : null,
    household,
    updatedAt: str(a.updated_at, a.changed_at) || new Date().toISOString(),
    hints: Array.isArray(a.civil_registry_hints) ? a.civil_registry_hints.map(normaliseHint) : [],
  };
}

function normaliseHint(raw: unknown): CivilHint {
  const x = obj(raw);
  return {
    findingId: num(x.finding_id) ?? 0,
    kind: str(x.kind),
    memberId: num(x.member_id),
    text: str(x.text),
    details: obj(x.details),
  };
}

export const DEFAULT_FORM = "dtks_verval";

export interface PullResult {
  changed: number;
  removed: number;
}

/** Download what changed since the stored cursor (everything the first time). */
export async function pullAssignments(api: ApiClient, userId: number): Promise<PullResult> {
  let cursor = (await kvGet<string | null>(`cursor:${userId}`)) ?? null;
  let changed = 0;
  let removed = 0;
  for (let page = 0; page < 100; page++) {
    const res = await api.assignments(cursor);
    const items = res.items.map((x) => normaliseAssignment(x, userId));
    await applyAssignmentChanges(userId, items, res.removed, res.cursor, res.full && page === 0);
    changed += items.length;
    removed += res.removed.length;
    cursor = res.cursor;
    if (!res.hasMore || cursor === null) break;
  }
  await ensureForms(api, userId);
  return { changed, removed };
}

/** Every form version the assignments name, and the newest of the default form. */
export async function ensureForms(api: ApiClient, userId: number): Promise<void> {
  const wanted = new Map<string, { id: string; version: number }>();
  for (const a of await assignmentsFor(userId)) {
    if (a.form) wanted.set(`${a.form.id}@${a.form.version}`, a.form);
  }
  const latest = await api.forms();
  for (const f of latest) wanted.set(`${f.form_id}@${f.version}`, { id: f.form_id, version: f.version });
  for (const { id, version } of wanted.values()) {
    const have = await getForm(id, version);
    if (have) continue; // published versions never change
    const got = await api.formVersion(id, version, null);
    if (got) await putForm({ key: `${id}@${version}`, id, version, etag: got.etag, definition: got.definition });
  }
}

/**
 * The form a visit of this assignment uses: the one the assignment names (null while that
 * version is not on the phone: never silently another one), else the newest of `formId`.
 */
export async function formFor(a: Assignment | null, formId = DEFAULT_FORM) {
  const { allForms } = await import("../data/db");
  if (a?.form) return (await getForm(a.form.id, a.form.version)) ?? null;
  const all = (await allForms()).filter((f) => f.id === formId);
  all.sort((x, y) => y.version - x.version);
  return all[0] ?? null;
}
