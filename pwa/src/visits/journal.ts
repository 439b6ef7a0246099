// A synchronous copy of the draft being edited, written before a tap's handler returns.
// IndexedDB writes are asynchronous: an app killed (or reloaded) a moment after a tap loses a
// write still in flight. localStorage is written synchronously, so the last change is on disk
// the moment the screen shows it; the copy is dropped once IndexedDB holds that draft, and a
// newer copy found on opening the visit is the draft (then saved to IndexedDB). It holds at
// most the drafts being edited, on this device only, like IndexedDB's own copy.
import type { VisitRecord } from "../data/types";

const PREFIX = "verval:draft-journal:";

type Store = Pick<Storage, "getItem" | "setItem" | "removeItem">;

function storage(): Store | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled: IndexedDB alone, as before
  }
}

export function journalDraft(v: VisitRecord, s: Store | null = storage()): void {
  try {
    s?.setItem(PREFIX + v.id, JSON.stringify(v));
  } catch {
    // Quota or private mode: the IndexedDB write still follows.
  }
}

export function forgetJournal(id: string, s: Store | null = storage()): void {
  try {
    s?.removeItem(PREFIX + id);
  } catch {
    // nothing to forget
  }
}

/** The draft to open: the journal's copy when it is newer than IndexedDB's and the same user's. */
export function newestDraft(stored: VisitRecord, s: Store | null = storage()): VisitRecord {
  let raw: string | null = null;
  try {
    raw = s?.getItem(PREFIX + stored.id) ?? null;
  } catch {
    return stored;
  }
  if (raw === null) return stored;
  try {
    const journaled = JSON.parse(raw) as VisitRecord;
    const usable =
      journaled.id === stored.id &&
      journaled.userId === stored.userId &&
      stored.state === "draft" &&
      journaled.state === "draft" &&
      journaled.updatedAt > stored.updatedAt;
    if (usable) return journaled;
  } catch {
    // a torn copy: IndexedDB's is the draft
  }
  forgetJournal(stored.id, s);
  return stored;
}
