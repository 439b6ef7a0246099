import { describe, expect, it } from "vitest";
import { setLang } from "../../i18n";
import { evidenceText, evidenceWords } from "./flagWords";

describe("flag evidence in words", () => {
  it("names members from one, with their name when known", () => {
    setLang("id");
    expect(evidenceText({ member_index: 1 })).toBe("anggota ke-2");
    expect(evidenceText({ member_index: 1 }, { members: ["Sutrisno", "Budi Santoso"] })).toBe("anggota ke-2: Budi Santoso");
    expect(evidenceText({ member_index: 1 })).not.toContain("member_index");
    setLang("en");
    expect(evidenceText({ member_index: 0 })).toBe("member #1");
    setLang("id");
  });

  it("says numbers with their units and households by name", () => {
    setLang("id");
    expect(evidenceWords({ accuracy_m: 85.25, threshold_m: 50 })).toEqual(["akurasi GPS 85,3 m", "batas 50 m"]);
    const text = evidenceText(
      { sha256: "ab".repeat(32), other_visit: "11111111-2222-4333-8444-555555555555", other_household_id: 155 },
      { households: new Map([[155, "Sutrisno, RT 001/RW 002"]]) },
    );
    expect(text).toBe("SHA-256 abababababab… · kunjungan lain 11111111 · rumah tangga lain: Sutrisno, RT 001/RW 002 (#155)");
    expect(evidenceText({ field: "head_nik", other_household_id: 7 })).toBe("NIK kepala keluarga · rumah tangga lain: #7");
    expect(evidenceText({ some_new_key: 3 })).toBe("some new key: 3");
  });
});
