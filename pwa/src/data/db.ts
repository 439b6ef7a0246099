// The phone's database (IndexedDB through idb). Business modules use these functions only.
import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import type { Assignment, Session, StoredForm, StoredPhoto, VisitRecord } from "./types";

interface VervalDB extends DBSchema {
  kv: { key: string; value: unknown };
  assignments: { key: string; value: Assignment; indexes: { user: number } };
  forms: { key: string; value: StoredForm };
  visits: { key: string; value: VisitRecord; indexes: { user: number } };
  photos: { key: string; value: StoredPhoto; indexes: { visit: string } };
}

export type DB = IDBPDatabase<VervalDB>;
const NAME = "verval";
let opening: Promise<DB> | null = null;

export function db(): Promise<DB> {
  opening ??= openDB<VervalDB>(NAME, 1, {
    upgrade(d) {
      d.createObjectStore("kv");
      d.createObjectStore("assignments", { keyPath: "key" }).createIndex("user", "userId");
      d.createObjectStore("forms", { keyPath: "key" });
      d.createObjectStore("visits", { keyPath: "id" }).createIndex("user", "userId");
      d.createObjectStore("photos", { keyPath: "id" }).createIndex("visit", "visitId");
    },
    blocking() {
      // A newer version of the app wants to upgrade: let it.
      void opening?.then((x) => x.close());
      opening = null;
    },
  });
  return opening;
}

/** Tests: forget the connection (fake-indexeddb is reset between files). */
export function resetDbForTests(): void {
  opening = null;
}

export async function kvGet<T>(key: string): Promise<T | undefined> {
  return (await (await db()).get("kv", key)) as T | undefined;
}
export async function kvSet(key: string, value: unknown): Promise<void> {
  await (await db()).put("kv", value, key);
}
export async function kvDel(key: string): Promise<void> {
  await (await db()).delete("kv", key);
}

export const getSession = (): Promise<Session | undefined> => kvGet<Session>("session");
export const setSession = (s: Session): Promise<void> => kvSet("session", s);
export const clearSession = (): Promise<void> => kvDel("session");

export async function deviceId(): Promise<string> {
  let id = await kvGet<string>("device_id");
  if (!id) {
    id = crypto.randomUUID();
    await kvSet("device_id", id);
  }
  return id;
}

// assignments
export async function assignmentsFor(userId: number): Promise<Assignment[]> {
  return (await db()).getAllFromIndex("assignments", "user", userId);
}
export async function getAssignment(key: string): Promise<Assignment | undefined> {
  return (await db()).get("assignments", key);
}
export async function applyAssignmentChanges(
  userId: number,
  upserts: Assignment[],
  removedIds: string[],
  cursor: string | null,
  full: boolean,
): Promise<void> {
  const tx = (await db()).transaction(["assignments", "kv"], "readwrite");
  const store = tx.objectStore("assignments");
  if (full) {
    for (const key of await store.index("user").getAllKeys(userId)) await store.delete(key);
  }
  for (const a of upserts) await store.put(a);
  for (const id of removedIds) await store.delete(`${userId}:${id}`);
  await tx.objectStore("kv").put(cursor, `cursor:${userId}`);
  await tx.objectStore("kv").put(Date.now(), `pulled:${userId}`);
  await tx.done;
}
export async function clearAssignments(userId: number): Promise<void> {
  const tx = (await db()).transaction(["assignments", "kv"], "readwrite");
  const store = tx.objectStore("assignments");
  for (const key of await store.index("user").getAllKeys(userId)) await store.delete(key);
  await tx.objectStore("kv").delete(`cursor:${userId}`);
  await tx.objectStore("kv").delete(`pulled:${userId}`);
  await tx.done;
}

// forms
export async function getForm(id: string, version: number): Promise<StoredForm | undefined> {
  return (await db()).get("forms", `${id}@${version}`);
}
export async function putForm(f: StoredForm): Promise<void> {
  await (await db()).put("forms", f);
}
export async function allForms(): Promise<StoredForm[]> {
  return (await db()).getAll("forms");
}

// visits (the outbox) and their photos
export async function visitsFor(userId: number): Promise<VisitRecord[]> {
  return (await db()).getAllFromIndex("visits", "user", userId);
}
export async function allVisits(): Promise<VisitRecord[]> {
  return (await db()).getAll("visits");
}
export async function getVisit(id: string): Promise<VisitRecord | undefined> {
  return (await db()).get("visits", id);
}
export async function putVisit(v: VisitRecord): Promise<void> {
  await (await db()).put("visits", v);
}
export async function putPhoto(p: StoredPhoto): Promise<void> {
  await (await db()).put("photos", p);
}
export async function getPhoto(id: string): Promise<StoredPhoto | undefined> {
  return (await db()).get("photos", id);
}
export async function deletePhoto(id: string): Promise<void> {
  await (await db()).delete("photos", id);
}
export async function photoIdsOf(visitId: string): Promise<string[]> {
  return (await db()).getAllKeysFromIndex("photos", "visit", visitId);
}

/** Replace a visit, moving its photos to a new visit id in the same transaction. */
export async function renameVisit(oldId: string, v: VisitRecord): Promise<void> {
  const tx = (await db()).transaction(["visits", "photos"], "readwrite");
  const photos = tx.objectStore("photos");
  for (const p of await photos.index("visit").getAll(oldId)) await photos.put({ ...p, visitId: v.id });
  await tx.objectStore("visits").delete(oldId);
  await tx.objectStore("visits").put(v);
  await tx.done;
}

/** Delete a visit and its photo bytes in one transaction. */
export async function deleteVisit(id: string): Promise<void> {
  const tx = (await db()).transaction(["visits", "photos"], "readwrite");
  const photos = tx.objectStore("photos");
  for (const key of await photos.index("visit").getAllKeys(id)) await photos.delete(key);
  await tx.objectStore("visits").delete(id);
  await tx.done;
}

/**
 * A visit the server holds completely: keep a receipt (for the counts and the history),
 * drop the answers (personal data) and the photo bytes. Only called in state "done".
 */
export async function compactDoneVisit(v: VisitRecord): Promise<void> {
  const tx = (await db()).transaction(["visits", "photos"], "readwrite");
  const photos = tx.objectStore("photos");
  for (const key of await photos.index("visit").getAllKeys(v.id)) await photos.delete(key);
  await tx.objectStore("visits").put({ ...v, answers: {}, note: "" });
  await tx.done;
}
