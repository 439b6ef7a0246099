// Sends the outbox: for each due visit, PUT the record, then PUT every photo the server
// still lacks. Runs in the page (online event, timer, "Sync now") and in the service worker
// (Background Sync); a Web Lock makes sure only one of them sends at a time.
import type { PhotoReceipt, VisitReceipt, VisitSubmission } from "../api/contract";
import { ApiError, AuthRequired, NetworkError } from "../api/http";
import { tryLock } from "../auth/session";
import { compactDoneVisit, getPhoto, getVisit, putVisit, visitsFor } from "../data/db";
import type { VisitRecord } from "../data/types";
import { type OutboxEvent, canCompact, isDue, transition } from "./outbox";

export interface VisitApi {
  putVisit(id: string, body: VisitSubmission): Promise<VisitReceipt>;
  putPhoto(visitId: string, photoId: string, bytes: ArrayBuffer): Promise<PhotoReceipt>;
}

export interface SyncReport {
  ran: boolean;
  sent: number;
  photos: number;
  done: number;
  failed: number;
  attention: number;
  offline: boolean;
  authRequired: boolean;
}

export interface SyncOptions {
  force?: boolean;
  now?: () => number;
  random?: () => number;
  deviceId: string;
  appVersion: string;
  onProgress?: (v: VisitRecord) => void;
}

export const SYNC_LOCK = "verval-sync";

/** The JSON the server gets; built from the frozen record, so a repeat is byte-identical. */
export function toSubmission(v: VisitRecord, deviceId: string, appVersion: string): VisitSubmission {
  if (!v.outcome || !v.endedAt) throw new Error("visit not finished");
  const body: VisitSubmission = {
    household_id: v.householdId,
    round_id: v.roundId,
    form: v.form,
    answers: v.answers,
    outcome: v.outcome,
    eligibility: v.eligibility,
    started_at: v.startedAt,
    ended_at: v.endedAt,
    gps: v.gps,
    device_id: deviceId,
    app_version: appVersion,
    revisit_of: v.revisitOf,
    note: v.note || null,
    photos: v.photos.map(({ uploaded: _u, ...p }) => p),
  };
  // Only proposals carry the key, so a visit queued before this existed re-sends identically.
  if (v.proposal) body.proposal = { village_code: v.proposal.villageCode };
  return body;
}

async function save(v: VisitRecord, e: OutboxEvent, opts: SyncOptions): Promise<VisitRecord> {
  const next = transition(v, e);
  await putVisit(next);
  opts.onProgress?.(next);
  return next;
}

type Outcome = "ok" | "offline" | "auth" | "next";

/**
 * 409s about the visit's own id: the server holds something else under it, so the phone offers
 * "send as new". Other 409s (the round or the assignment is closed) are refusals shown in words.
 */
const ID_CONFLICTS: ReadonlySet<string> = new Set(["visit_conflict", "visit_id_taken", "photo_id_taken"]);
export function isIdConflict(code: string | undefined): boolean {
  return code === undefined || ID_CONFLICTS.has(code);
}

async function classify(
  v: VisitRecord,
  err: unknown,
  opts: SyncOptions,
  photoId: string | null,
): Promise<[VisitRecord, Outcome]> {
  const now = opts.now?.() ?? Date.now();
  if (err instanceof NetworkError) return [await save(v, { type: "offline", now }, opts), "offline"];
  if (err instanceof AuthRequired) return [await save(v, { type: "auth_required", now }, opts), "auth"];
  if (err instanceof ApiError) {
    if (err.transient) {
      const e: OutboxEvent = {
        type: "transient_error",
        now,
        message: err.code,
        retryAfterS: err.retryAfter,
        random: opts.random?.() ?? Math.random(),
      };
      return [await save(v, e, opts), "next"];
    }
    if (err.status === 409 && photoId === null && isIdConflict(err.problem.code)) {
      return [await save(v, { type: "conflict", now, problem: err.problem }, opts), "next"];
    }
    if (photoId !== null && (err.status === 422 || err.status === 400 || err.status === 409 || err.status === 413)) {
      return [await save(v, { type: "photo_invalid", now, photoId, problem: err.problem }, opts), "next"];
    }
    if (err.status === 422 || err.status === 400) {
      return [await save(v, { type: "invalid", now, problem: err.problem }, opts), "next"];
    }
    return [await save(v, { type: "refused", now, problem: err.problem, status: err.status }, opts), "next"];
  }
  // A bug or a storage failure: count it as a transient failure so it is retried later.
  const message = err instanceof Error ? err.message : String(err);
  return [
    await save(v, { type: "transient_error", now, message, random: opts.random?.() ?? Math.random() }, opts),
    "next",
  ];
}

/** Send one visit as far as it goes. */
export async function syncVisit(api: VisitApi, start: VisitRecord, opts: SyncOptions): Promise<[VisitRecord, Outcome, number]> {
  const now = () => opts.now?.() ?? Date.now();
  let v = start;
  let photos = 0;
  try {
    if (v.state === "queued") v = await save(v, { type: "start", now: now() }, opts);
    // Re-sending the record is idempotent and returns the authoritative list of missing photos.
    const receipt = await api.putVisit(v.id, toSubmission(v, opts.deviceId, opts.appVersion));
    v = await save(v, { type: "visit_accepted", now: now(), receipt }, opts);
  } catch (err) {
    const [nv, outcome] = await classify(v, err, opts, null);
    return [nv, outcome, photos];
  }
  let missing = v.receipt?.missing_photos ?? [];
  for (const photoId of [...missing]) {
    const stored = await getPhoto(photoId);
    if (!stored) {
      const problem = { code: "photo_lost", detail: "photo bytes missing on the phone" };
      v = await save(v, { type: "photo_invalid", now: now(), photoId, problem }, opts);
      return [v, "next", photos];
    }
    try {
      const r = await api.putPhoto(v.id, photoId, stored.bytes);
      missing = r.missing_photos;
      v = await save(v, { type: "photo_accepted", now: now(), photoId, missing }, opts);
      photos++;
    } catch (err) {
      const [nv, outcome] = await classify(v, err, opts, photoId);
      return [nv, outcome, photos];
    }
  }
  if (canCompact(v)) {
    // The server holds the record and every photo: only now are the bytes dropped.
    await compactDoneVisit(v);
  }
  return [v, "ok", photos];
}

/** One pass over the user's outbox. Returns ran=false when another tab/worker is sending. */
export async function syncOutbox(api: VisitApi, userId: number, opts: SyncOptions): Promise<SyncReport> {
  const report: SyncReport = {
    ran: false,
    sent: 0,
    photos: 0,
    done: 0,
    failed: 0,
    attention: 0,
    offline: false,
    authRequired: false,
  };
  const result = await tryLock(SYNC_LOCK, async () => {
    report.ran = true;
    const now = opts.now?.() ?? Date.now();
    const all = await visitsFor(userId);
    // Holding the lock, nobody else is sending: a "sending" visit was interrupted.
    for (const v of all) if (v.state === "sending") await putVisit(transition(v, { type: "recover", now }));
    const due = (await visitsFor(userId))
      .filter((v) => isDue(v, now, opts.force))
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const candidate of due) {
      const fresh = await getVisit(candidate.id); // it may have changed meanwhile
      if (!fresh || !isDue(fresh, now, opts.force)) continue;
      const [v, outcome, photos] = await syncVisit(api, fresh, opts);
      report.photos += photos;
      if (v.serverHas) report.sent++;
      if (v.state === "done") report.done++;
      if (v.state === "needs_attention") report.attention++;
      if (outcome === "next" && v.state !== "needs_attention") report.failed++;
      if (outcome === "offline") {
        report.offline = true;
        break;
      }
      if (outcome === "auth") {
        report.authRequired = true;
        break;
      }
    }
    return report;
  });
  return result ?? report;
}
