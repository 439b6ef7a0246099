import { describe, expect, it } from "vitest";
import {
  type Credential, credentialProblem, fileProblem, type ImportJob, jobView, MAX_EXTRACT_BYTES, percent,
  pollDelay, reason, sortedCredentials,
} from "./model";

const job = (over: Partial<ImportJob> = {}): ImportJob => ({
  id: 1, file_name: "dukcapil.csv", state: "running", progress: 0, total: 1000, unit: "bytes",
  summary: {}, created_at: "2026-12-07T05:00:00Z", finished_at: null, ...over,
});

const key = (id: number, revoked: string | null): Credential => ({
  id, name: `k${id}`, region_code: "17.06", key_prefix: `vcr_${id}`, created_by: "user:1",
  created_at: "2026-12-07T05:00:00Z", revoked_at: revoked, last_used_at: null,
});

describe("civil registry upload model", () => {
  it("accepts CSV and XLSX files within the server's limit", () => {
    expect(fileProblem({ name: "Ekstrak.CSV", size: 10 })).toBeNull();
    expect(fileProblem({ name: "e.xlsx", size: MAX_EXTRACT_BYTES })).toBeNull();
    expect(fileProblem({ name: "e.xls", size: 10 })).toMatch(/CSV atau XLSX/);
    expect(fileProblem({ name: "e.csv", size: 0 })).toMatch(/kosong/);
    expect(fileProblem({ name: "e.csv", size: MAX_EXTRACT_BYTES + 1 })).toMatch(/2 GB/);
  });

  it("counts percent without passing 100 or dividing by an unknown total", () => {
    expect(percent(50, 200)).toBe(25);
    expect(percent(250, 200)).toBe(100);
    expect(percent(5, null)).toBe(0);
    expect(percent(5, 0)).toBe(0);
  });

  it("shows the counts so far while the import runs", () => {
    const v = jobView(job({ progress: 400, summary: { rows: 30, inserted: 20, updated: 5, unchanged: 3, bad_rows: 2 } }));
    expect(v).toMatchObject({ state: "running", percent: 40, rows: 30, imported: 25, unchanged: 3, bad: 2, problems: [] });
  });

  it("shows a finished import's bad rows by number and reason only", () => {
    const v = jobView(job({
      state: "done", progress: 900, total: 1000,
      summary: {
        rows: 4, inserted: 2, updated: 0, unchanged: 0, bad_rows: 2,
        problems: [
          { row: 3, code: "invalid_nik", message: "The NIK is not 16 digits." },
          { row: 5, code: "death_date_in_future", message: "death_date is in the future." },
        ],
      },
    }));
    expect(v.percent).toBe(100);
    expect(v.problems).toEqual([
      { row: 3, reason: "NIK tidak 16 digit" },
      { row: 5, reason: "Tanggal meninggal di masa depan" },
    ]);
    expect(Object.keys(v.problems[0]!)).toEqual(["row", "reason"]);
  });

  it("keeps the server's words for a reason it does not know, and a failure's error", () => {
    expect(reason("something_new", "Something new.")).toBe("Something new.");
    expect(reason("birth_date_invalid", "x")).toBe("Tanggal lahir bukan tanggal (TTTT-BB-HH)");
    const failed = jobView(job({ state: "failed", summary: { error: "The file is empty." } }));
    expect(failed).toMatchObject({ state: "failed", error: "The file is empty.", rows: 0 });
  });

  it("polls quickly at first, then every two seconds", () => {
    expect([0, 1, 2, 3, 10].map(pollDelay)).toEqual([250, 500, 1000, 2000, 2000]);
  });

  it("checks a new key's name and region, and lists active keys first", () => {
    expect(credentialProblem("Disdukcapil", "17.06")).toBeNull();
    expect(credentialProblem(" D ", "17.06")).toMatch(/2 huruf/);
    expect(credentialProblem("Disdukcapil", "17-06")).toMatch(/17.06/);
    const sorted = sortedCredentials([key(1, null), key(2, "2026-12-07T05:10:00Z"), key(3, null)]);
    expect(sorted.map((c) => c.id)).toEqual([3, 1, 2]);
  });
});
