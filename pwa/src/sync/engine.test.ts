// The sync engine against an in-memory IndexedDB and a fake server with the real rules:
// idempotent PUTs, 409 on different content, missing-photo lists, injected failures.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { beforeEach, describe, expect, it } from "vitest";
import type { PhotoReceipt, VisitReceipt, VisitSubmission } from "../api/contract";
import { ApiError, AuthRequired, NetworkError } from "../api/http";
import { getPhoto, getVisit, putPhoto, putVisit, resetDbForTests, visitsFor } from "../data/db";
import type { VisitRecord } from "../data/types";
import { type VisitApi, syncOutbox, toSubmission } from "./engine";
import { transition } from "./outbox";
import { visit } from "../test/fixtures";

class FakeServer implements VisitApi {
  visits = new Map<string, { body: string; photos: Map<string, number> }>();
  photoPuts = 0;
  visitPuts = 0;
  failNext: (Error | null)[] = [];

  private fail(): void {
    const e = this.failNext.shift();
    if (e) throw e;
  }
  private missing(id: string, sub: VisitSubmission): string[] {
    const held = this.visits.get(id)!.photos;
    return sub.photos.filter((p) => !held.has(p.id)).map((p) => p.id);
  }
  async putVisit(id: string, body: VisitSubmission): Promise<VisitReceipt> {
    this.visitPuts++;
    this.fail();
    const text = JSON.stringify(body);
    const have = this.visits.get(id);
    if (have && have.body !== text) throw new ApiError(409, { code: "visit_conflict", detail: "different content" });
    if (!have) this.visits.set(id, { body: text, photos: new Map() });
    const missing = this.missing(id, body);
    return { visit_id: id, state: missing.length ? "submitted" : "complete", received_at: "", missing_photos: missing, content_hash: "" };
  }
  async putPhoto(visitId: string, photoId: string, bytes: ArrayBuffer): Promise<PhotoReceipt> {
    this.photoPuts++;
    this.fail();
    const v = this.visits.get(visitId)!;
    v.photos.set(photoId, (v.photos.get(photoId) ?? 0) + 1);
    expect(bytes.byteLength).toBeGreaterThan(0);
    const missing = this.missing(visitId, JSON.parse(v.body) as VisitSubmission);
    return { photo_id: photoId, visit_id: visitId, sha256: "", stored: true, visit_state: missing.length ? "submitted" : "complete", missing_photos: missing };
  }
}

const opts = { deviceId: "dev-1", appVersion: "test", random: () => 0.5 };

async function queue(over: Partial<VisitRecord> = {}): Promise<VisitRecord> {
  const v = visit({ state: "queued", endedAt: "2026-06-12T01:10:00Z", ...over });
  await putVisit(v);
  for (const p of v.photos) await putPhoto({ id: p.id, visitId: v.id, bytes: new Uint8Array([1, 2, 3]).buffer });
  return v;
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
});

describe("sync engine", () => {
  it("sends the record then every photo, and drops the bytes only when all are held", async () => {
    const server = new FakeServer();
    const v = await queue();
    const r = await syncOutbox(server, 5, opts);
    expect(r).toMatchObject({ ran: true, done: 1, photos: 2, offline: false });
    const after = (await getVisit(v.id))!;
    expect(after.state).toBe("done");
    expect(after.answers).toEqual({});
    expect(await getPhoto(v.photos[0]!.id)).toBeUndefined();
    expect(server.visits.get(v.id)!.photos.size).toBe(2);
  });

  it("resumes after a dropped connection mid-photo without duplicating anything", async () => {
    const server = new FakeServer();
    const v = await queue();
    server.failNext = [null, null, new NetworkError("connection reset")];
    let r = await syncOutbox(server, 5, opts);
    expect(r.offline).toBe(true);
    let mid = (await getVisit(v.id))!;
    expect(mid.state).toBe("waiting_photos");
    expect(mid.photos.map((p) => p.uploaded)).toEqual([true, false]);
    expect(await getPhoto(v.photos[1]!.id)).toBeDefined(); // nothing deleted yet
    r = await syncOutbox(server, 5, { ...opts, force: true });
    mid = (await getVisit(v.id))!;
    expect(mid.state).toBe("done");
    expect(server.visits.size).toBe(1);
    expect([...server.visits.get(v.id)!.photos.values()]).toEqual([1, 1]);
  });

  it("re-sends a record whose answer was lost: same content, same answer", async () => {
    const server = new FakeServer();
    const v = await queue();
    const body = toSubmission((await getVisit(v.id))!, opts.deviceId, opts.appVersion);
    await server.putVisit(v.id, body); // the server got it, the phone never heard back
    await syncOutbox(server, 5, opts);
    expect((await getVisit(v.id))!.state).toBe("done");
    expect(server.visits.size).toBe(1);
  });

  it("backs off on 5xx, keeps going with the next visit, and retries when due", async () => {
    const server = new FakeServer();
    const a = await queue({ id: "aaaaaaaa-0000-4000-8000-000000000001", createdAt: 1, photos: [] , outcome: "refused"});
    const b = await queue({ id: "aaaaaaaa-0000-4000-8000-000000000002", createdAt: 2, photos: [], outcome: "refused" });
    server.failNext = [new ApiError(503, { code: "database_unavailable" })];
    let now = 1_000_000;
    const r = await syncOutbox(server, 5, { ...opts, now: () => now });
    expect(r.failed).toBe(1);
    expect((await getVisit(a.id))!.state).toBe("queued");
    expect((await getVisit(a.id))!.nextAttemptAt).toBe(now + 5000);
    expect((await getVisit(b.id))!.state).toBe("done");
    await syncOutbox(server, 5, { ...opts, now: () => now + 1000 });
    expect((await getVisit(a.id))!.state).toBe("queued"); // not due yet
    now += 6000;
    await syncOutbox(server, 5, { ...opts, now: () => now });
    expect((await getVisit(a.id))!.state).toBe("done");
  });

  it("shows a 409 as needing attention and never overwrites the server's copy", async () => {
    const server = new FakeServer();
    const v = await queue();
    await server.putVisit(v.id, { ...toSubmission(v, opts.deviceId, opts.appVersion), outcome: "refused" });
    const r = await syncOutbox(server, 5, opts);
    expect(r.attention).toBe(1);
    const after = (await getVisit(v.id))!;
    expect(after.state).toBe("needs_attention");
    expect(after.attention?.kind).toBe("conflict");
    expect(await getPhoto(v.photos[0]!.id)).toBeDefined();
  });

  it("keeps a visit the server refuses because the round is closed, marked, until it is sent again", async () => {
    const server = new FakeServer();
    const v = await queue();
    server.failNext = [new ApiError(409, { code: "round_closed", detail: "The round is closed." })];
    const r = await syncOutbox(server, 5, opts);
    expect(r.attention).toBe(1);
    const after = (await getVisit(v.id))!;
    expect(after.state).toBe("needs_attention");
    expect(after.attention).toEqual({ kind: "refused", code: "round_closed", detail: "The round is closed." });
    expect(await getPhoto(v.photos[0]!.id)).toBeDefined();
    await putVisit(transition(after, { type: "retry", now: 2 }));
    await syncOutbox(server, 5, opts);
    expect((await getVisit(v.id))!.state).toBe("done");
  });

  it("stops on an ended session and keeps the visit queued", async () => {
    const server = new FakeServer();
    const v = await queue();
    server.failNext = [new AuthRequired("session_ended")];
    const r = await syncOutbox(server, 5, opts);
    expect(r.authRequired).toBe(true);
    expect((await getVisit(v.id))!.state).toBe("queued");
    expect((await getVisit(v.id))!.attempts).toBe(0);
  });

  it("sends only the signed-in user's visits", async () => {
    const server = new FakeServer();
    await queue({ userId: 7 });
    const r = await syncOutbox(server, 5, opts);
    expect(r.sent).toBe(0);
    expect(server.visitPuts).toBe(0);
    expect((await visitsFor(7))[0]!.state).toBe("queued");
  });

  it("recovers a visit left 'sending' by a killed tab", async () => {
    const server = new FakeServer();
    const v = await queue({ state: "sending" });
    await syncOutbox(server, 5, opts);
    expect((await getVisit(v.id))!.state).toBe("done");
  });

  it("syncs 200 visits with 600 photos completely", async () => {
    const server = new FakeServer();
    for (let i = 0; i < 200; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
      await queue({
        id,
        createdAt: i,
        photos: [0, 1, 2].map((j) => ({
          id: `11111111-0000-4000-8000-${String(i * 3 + j).padStart(12, "0")}`,
          kind: "house_front" as const,
          sha256: "c".repeat(64),
          size: 3,
          captured_at: "2026-06-12T01:01:00Z",
          uploaded: false,
        })),
      });
    }
    // a flaky network: every 7th request fails once
    let n = 0;
    const flaky: VisitApi = {
      putVisit: (id, b) => (++n % 7 === 0 ? Promise.reject(new ApiError(502, {})) : server.putVisit(id, b)),
      putPhoto: (v, p, b) => (++n % 7 === 0 ? Promise.reject(new ApiError(502, {})) : server.putPhoto(v, p, b)),
    };
    for (let round = 0; round < 10; round++) await syncOutbox(flaky, 5, { ...opts, force: true });
    const all = await visitsFor(5);
    expect(all.filter((v) => v.state === "done")).toHaveLength(200);
    expect(server.visits.size).toBe(200);
    let photos = 0;
    for (const v of server.visits.values()) for (const c of v.photos.values()) photos += c;
    expect(photos).toBe(600);
  });
});
