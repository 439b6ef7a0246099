// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { PhotoMeta, VisitRecord } from "../data/types";
import { compileForm, type FormDef } from "../forms/engine";
import { visit } from "../test/fixtures";

// IndexedDB stands in as a slow disk here (a loaded phone): the store must not queue one
// write per keystroke, and must delete a dropped photo only after the draft without it is saved.
const disk = vi.hoisted(() => ({ writes: [] as VisitRecord[], deleted: [] as string[], log: [] as string[] }));
vi.mock("../data/db", () => ({
  putVisit: async (v: VisitRecord) => {
    await new Promise((r) => setTimeout(r, 5));
    disk.writes.push(structuredClone(v));
    disk.log.push(`put:${v.photos.map((p) => p.id).join(",")}`);
  },
  deletePhoto: async (id: string) => {
    disk.deleted.push(id);
    disk.log.push(`delete:${id}`);
  },
}));

const { DraftStore } = await import("./store");

const DEF: FormDef = {
  id: "t",
  version: 1,
  title: { id: "T", en: "T" },
  groups: [
    {
      name: "a",
      label: { id: "A", en: "A" },
      fields: [
        { name: "note_text", type: "text", label: { id: "L", en: "L" } },
        { name: "house_photo", type: "photo", label: { id: "F", en: "P" } },
      ],
    },
  ],
};
const FORM = compileForm(DEF);
const photo = (id: string): PhotoMeta => ({
  id, kind: "house_front", sha256: "a".repeat(64), size: 1, captured_at: "2026-12-01T00:00:00Z", uploaded: false,
});

describe("draft store", () => {
  beforeEach(() => {
    disk.writes.length = 0;
    disk.deleted.length = 0;
    disk.log.length = 0;
  });

  it("a burst of typing costs two writes and the last one holds the last letter", async () => {
    const store = new DraftStore(visit({ answers: {} }), FORM);
    const text = "Jl. Lintas Barat, belakang masjid";
    for (let i = 1; i <= text.length; i++) void store.dispatch({ type: "answer", path: "note_text", value: text.slice(0, i) });
    await store.saved();
    expect(disk.writes.length).toBeLessThanOrEqual(2);
    expect(disk.writes.at(-1)?.answers.note_text).toBe(text);
  });

  it("every change resolves only once a write holding it is on disk", async () => {
    const store = new DraftStore(visit({ answers: {} }), FORM);
    await store.dispatch({ type: "answer", path: "note_text", value: "a" });
    const second = store.dispatch({ type: "answer", path: "note_text", value: "ab" });
    const third = store.dispatch({ type: "answer", path: "note_text", value: "abc" });
    await second;
    expect(disk.writes.at(-1)?.answers.note_text).toBe("abc");
    await third;
    expect(disk.writes.map((w) => w.answers.note_text)).toEqual(["a", "abc"]);
  });

  it("a retaken photo's old bytes go only after the draft that no longer names it", async () => {
    const store = new DraftStore(visit({ photos: [photo("p1")], answers: { house_photo: "p1" } }), FORM);
    await store.dispatch({ type: "photo", photo: photo("p2"), replaceKind: true });
    void store.dispatch({ type: "answer", path: "note_text", value: "x" });
    await store.saved();
    expect(disk.deleted).toEqual(["p1"]);
    expect(disk.log.indexOf("delete:p1")).toBeGreaterThan(disk.log.findIndex((l) => l.startsWith("put:") && !l.includes("p1")));
  });

  it("the change is in the synchronous journal before its handler returns, and gone once IndexedDB has it", async () => {
    const store = new DraftStore(visit({ answers: {} }), FORM);
    const key = `verval:draft-journal:${store.current.id}`;
    void store.dispatch({ type: "answer", path: "note_text", value: "before the reload" });
    expect(JSON.parse(localStorage.getItem(key) ?? "{}").answers.note_text).toBe("before the reload");
    await store.saved();
    expect(localStorage.getItem(key)).toBeNull();
  });
});
