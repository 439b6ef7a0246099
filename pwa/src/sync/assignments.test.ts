import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { normalisePage } from "../api/client";
import { putForm, resetDbForTests } from "../data/db";
import { formFor, normaliseAssignment } from "./assignments";

// The shape of GET /api/v1/assignments (api/registry/schemas.py SyncResponse).
const page = {
  cursor: "u5.s120",
  has_more: false,
  full: true,
  server_time: "2026-11-23T02:13:20Z",
  rounds: [{ id: 1, name: "Verval Juni 2026" }],
  assignments: [
    {
      assignment_id: 7,
      round_id: 1,
      state: "returned",
      returned_comment: "Foto KK buram",
      assigned_at: "2026-06-01T00:00:00Z",
      updated_at: "2026-06-10T00:00:00Z",
      household: {
        id: 42, region_code: "17.06.01.2005", village_name: "Suka Pindah", address: "Dusun I No. 95",
        rt: "008", rw: "004", kk_number: "1706010703190001", head_name: "Edi Hasibuan",
        head_nik: "1706012207500001", latitude: -2.385447, longitude: 101.009766, decile: 4, status: "active",
      },
      baseline: { floor_area: 72, members: [{ member_id: 1, nik: "1706012207500001", name: "Edi Hasibuan", sex: "1" }] },
    },
  ],
  removed: [3, 4],
};

describe("assignment download", () => {
  it("reads the registry's page: items, removals, cursor", () => {
    const p = normalisePage(page, null);
    expect(p.items).toHaveLength(1);
    expect(p.removed).toEqual(["3", "4"]);
    expect(p.cursor).toBe("u5.s120");
    expect(p.full).toBe(true);
    expect(normalisePage({ ...page, full: false }, "u5.s100").full).toBe(false);
  });

  it("turns an assignment into the phone's record", () => {
    const a = normaliseAssignment(page.assignments[0], 5);
    expect(a.key).toBe("5:7");
    expect(a.state).toBe("returned");
    expect(a.returnComment).toBe("Foto KK buram");
    expect(a.household).toMatchObject({ id: 42, rt: "008", rw: "004", lat: -2.385447, lon: 101.009766, headName: "Edi Hasibuan", villageName: "Suka Pindah", decile: 4 });
    expect(a.household.baseline.floor_area).toBe(72);
    expect(a.household.members[0]).toMatchObject({ name: "Edi Hasibuan", nik: "1706012207500001" });
  });

  it("fills the form version the assignment names, the newest only when it names none", async () => {
    globalThis.indexedDB = new IDBFactory();
    resetDbForTests();
    for (const version of [1, 2]) await putForm({ key: `dtks_verval@${version}`, id: "dtks_verval", version, etag: null, definition: {} });
    const named = normaliseAssignment({ ...page.assignments[0], form_id: "dtks_verval", form_version: 1 }, 5);
    expect(named.form).toEqual({ id: "dtks_verval", version: 1 });
    expect((await formFor(named))?.version).toBe(1);
    expect((await formFor({ ...named, form: null }))?.version).toBe(2);
    // A named version not yet on the phone: no visit with another form.
    expect(await formFor({ ...named, form: { id: "dtks_verval", version: 3 } })).toBeNull();
  });
});
