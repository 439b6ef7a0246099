import { describe, expect, it } from "vitest";
import type { PhotoMeta } from "../data/types";
import { compileForm, type FormDef, type Instance } from "../forms/engine";
import { visit } from "../test/fixtures";
import { answerAt, applyDraft, baselineAt, droppedPhotos, parsePath, photoKindFor, visitSteps } from "./draft";

const DEF: FormDef = {
  id: "t",
  version: 1,
  title: { id: "T", en: "T" },
  choice_lists: {
    presence: ["1", "2", "5"].map((code) => ({ code, label: { id: code, en: code } })),
  },
  groups: [
    { name: "a", label: { id: "A", en: "A" }, fields: [{ name: "floor_area", type: "integer", label: { id: "L", en: "L" } }] },
    {
      name: "family",
      label: { id: "K", en: "F" },
      fields: [
        {
          name: "members",
          type: "repeat",
          label: { id: "Anggota", en: "Members" },
          fields: [
            { name: "full_name", type: "text", label: { id: "Nama", en: "Name" } },
            { name: "presence", type: "select_one", choices: "presence", label: { id: "K", en: "P" } },
            { name: "death_certificate_photo", type: "photo", label: { id: "Foto", en: "Photo" } },
          ],
        },
      ],
    },
  ],
};
const FORM = compileForm(DEF);
const photo = (id: string, kind: PhotoMeta["kind"] = "minutes"): PhotoMeta => ({
  id, kind, sha256: "a".repeat(64), size: 1, captured_at: "2026-12-01T00:00:00Z", uploaded: false,
});
const members = (answers: Record<string, unknown>) => answers.members as Instance[];

describe("visit draft", () => {
  it("parses answer paths once for every caller", () => {
    expect(parsePath("floor_area")).toEqual({ repeat: null, field: "floor_area" });
    expect(parsePath("members[12].presence")).toEqual({ repeat: "members", index: 12, field: "presence" });
  });

  it("keeps a member's edits when another member is added (the lost 'Meninggal')", () => {
    let v = visit({ answers: { members: [{ full_name: "Edi", presence: "1" }] } });
    v = applyDraft(v, { type: "answer", path: "members[0].presence", value: "2" }, FORM);
    v = applyDraft(v, { type: "add_member", repeat: "members" }, FORM);
    v = applyDraft(v, { type: "answer", path: "members[1].full_name", value: "Bayi 1" }, FORM);
    v = applyDraft(v, { type: "add_member", repeat: "members" }, FORM);
    expect(members(v.answers)).toEqual([
      { full_name: "Edi", presence: "2" },
      { full_name: "Bayi 1", presence: "5", _new: true },
      { presence: "5", _new: true },
    ]);
  });

  it("removes only members added during the visit, with the photos they pointed to", () => {
    let v = visit({ photos: [photo("p1"), photo("p2")], answers: { members: [{ full_name: "Edi" }] } });
    v = applyDraft(v, { type: "add_member", repeat: "members" }, FORM);
    v = applyDraft(v, { type: "answer", path: "members[1].death_certificate_photo", value: "p2" }, FORM);
    expect(applyDraft(v, { type: "remove_member", repeat: "members", index: 0 }, FORM)).toBe(v);
    const after = applyDraft(v, { type: "remove_member", repeat: "members", index: 1 }, FORM);
    expect(members(after.answers)).toEqual([{ full_name: "Edi" }]);
    expect(droppedPhotos(v, after).map((p) => p.id)).toEqual(["p2"]);
  });

  it("clears an answer set to nothing and ignores a path past the list", () => {
    let v = visit({ answers: { floor_area: 30, members: [{ full_name: "Edi" }] } });
    v = applyDraft(v, { type: "answer", path: "floor_area", value: null }, FORM);
    expect("floor_area" in v.answers).toBe(false);
    expect(applyDraft(v, { type: "answer", path: "members[3].full_name", value: "X" }, FORM)).toBe(v);
  });

  it("a retaken photo answer drops the old photo", () => {
    let v = visit({ photos: [photo("p1"), photo("p2")], answers: { members: [{ death_certificate_photo: "p1" }] } });
    v = applyDraft(v, { type: "answer", path: "members[0].death_certificate_photo", value: "p2" }, FORM);
    expect(v.photos.map((p) => p.id)).toEqual(["p2"]);
  });

  it("replaces a photo of the same kind on the photo step", () => {
    const v = visit({ photos: [photo("p1", "house_front"), photo("p2", "kitchen")] });
    const after = applyDraft(v, { type: "photo", photo: photo("p3", "house_front"), replaceKind: true }, FORM);
    expect(after.photos.map((p) => p.id)).toEqual(["p2", "p3"]);
  });

  it("reads the register's value of a moved member by its register position", () => {
    const initial = { members: [{ full_name: "Edi" }, { full_name: "Sari" }] };
    const answers = { members: [{ full_name: "Sari2", _base: 1 }, { full_name: "Baru", _new: true }] };
    expect(baselineAt(answers, initial, "members[0].full_name")).toBe("Sari");
    expect(baselineAt(answers, initial, "members[1].full_name")).toBeUndefined();
    expect(answerAt(answers, "members[1].full_name")).toBe("Baru");
  });

  it("takes a fix rounded to a decimetre", () => {
    const v = applyDraft(visit({ gps: null }), { type: "fix", fix: { lat: -2.5, lon: 101, accuracy: 7.26, altitude: null, at: 0 } }, FORM);
    expect(v.gps).toEqual({ lat: -2.5, lon: 101, accuracy_m: 7.3, altitude_m: null, fixed_at: "1970-01-01T00:00:00.000Z" });
  });

  it("photo kinds of photo fields", () => {
    expect(photoKindFor("house_front")).toBe("house_front");
    expect(photoKindFor("family_card_photo")).toBe("family_card");
    expect(photoKindFor("death_certificate_photo")).toBe("death_certificate");
    expect(photoKindFor("something_else")).toBe("minutes");
  });

  it("counts the form's steps until an outcome without the form is chosen", () => {
    expect(visitSteps(FORM, null)).toHaveLength(5);
    expect(visitSteps(FORM, "found")).toHaveLength(5);
    expect(visitSteps(FORM, "not_home")).toHaveLength(3);
  });
});
