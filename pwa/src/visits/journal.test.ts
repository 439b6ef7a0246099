import { describe, expect, it } from "vitest";
import { visit } from "../test/fixtures";
import { forgetJournal, journalDraft, newestDraft } from "./journal";

function memoryStorage(): Pick<Storage, "getItem" | "setItem" | "removeItem"> & { size: () => number } {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
    size: () => m.size,
  };
}

describe("draft journal", () => {
  it("a change the app died before IndexedDB took is the draft when the visit opens again", () => {
    const s = memoryStorage();
    const inDb = visit({ answers: {}, updatedAt: 1000 });
    const later = { ...inDb, answers: { relationship: "3" }, updatedAt: 1001 };
    journalDraft(later, s);
    expect(newestDraft(inDb, s).answers).toEqual({ relationship: "3" });
  });

  it("an older or foreign copy is dropped and IndexedDB's draft stands", () => {
    const s = memoryStorage();
    const inDb = visit({ answers: { a: 1 }, updatedAt: 2000 });
    journalDraft({ ...inDb, answers: { a: 0 }, updatedAt: 1999 }, s);
    expect(newestDraft(inDb, s)).toBe(inDb);
    expect(s.size()).toBe(0);
    journalDraft({ ...inDb, userId: 99, updatedAt: 3000 }, s);
    expect(newestDraft(inDb, s)).toBe(inDb);
    journalDraft({ ...inDb, updatedAt: 3000 }, s);
    expect(newestDraft({ ...inDb, state: "queued" }, s).state).toBe("queued"); // sent meanwhile
  });

  it("a torn copy is ignored and forgetting leaves nothing", () => {
    const s = memoryStorage();
    const inDb = visit({ updatedAt: 5 });
    s.setItem(`verval:draft-journal:${inDb.id}`, '{"id":');
    expect(newestDraft(inDb, s)).toBe(inDb);
    journalDraft(inDb, s);
    forgetJournal(inDb.id, s);
    expect(s.size()).toBe(0);
  });
});
