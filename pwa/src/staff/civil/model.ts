// The admin's civil-registry screen, without the DOM: which file may be uploaded, how far
// an upload and its import have come, the bad-row report in words, the API keys' states.
// Pure and unit-tested (model.test.ts); civil.ts draws it.
import type { components } from "../../api/schema";
import { strings } from "../strings";

export type ImportJob = components["schemas"]["ImportJobOut"];
export type Credential = components["schemas"]["CredentialOut"];
export type CredentialIssued = components["schemas"]["CredentialIssued"];

/** The server's limit on an upload (api/civil_registry/controller.py MAX_EXTRACT_BYTES). */
export const MAX_EXTRACT_BYTES = 2 * 1024 ** 3;
export const ACCEPTED = [".csv", ".xlsx"];
const REGION = /^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/;

export const t = strings(
  {
    file_type: "Pilih berkas CSV atau XLSX.",
    file_empty: "Berkas kosong.",
    file_big: "Berkas lebih dari 2 GB.",
    key_name: "Nama kunci minimal 2 huruf.",
    key_region: "Kode wilayah seperti 17.06 (kabupaten) atau 17 (provinsi).",
    invalid_nik: "NIK tidak 16 digit",
    invalid_kk: "No. KK tidak 16 digit",
    name_missing: "Nama kosong",
    birth_date_missing: "Tanggal lahir kosong",
    death_before_birth: "Tanggal meninggal sebelum tanggal lahir",
    sex_invalid: "Jenis kelamin bukan 1/2 atau L/P",
    region_code_invalid: "Kode wilayah bukan kode desa",
    nik_duplicate_in_file: "NIK yang sama dengan baris lain di berkas ini",
    date_invalid: "{field} bukan tanggal (TTTT-BB-HH)",
    date_in_future: "{field} di masa depan",
    birth_date: "Tanggal lahir",
    death_date: "Tanggal meninggal",
    moved_out_on: "Tanggal pindah",
    kk_changed_on: "Tanggal perubahan KK",
  },
  {
    file_type: "Choose a CSV or XLSX file.",
    file_empty: "The file is empty.",
    file_big: "The file is larger than 2 GB.",
    key_name: "A key's name has at least 2 letters.",
    key_region: "A region code such as 17.06 (regency) or 17 (province).",
    invalid_nik: "The NIK is not 16 digits",
    invalid_kk: "The No. KK is not 16 digits",
    name_missing: "The name is missing",
    birth_date_missing: "The date of birth is missing",
    death_before_birth: "The date of death is before the birth",
    sex_invalid: "The sex is not 1/2 or L/P",
    region_code_invalid: "The region code is not a village code",
    nik_duplicate_in_file: "The same NIK as another row of this file",
    date_invalid: "{field} is not a date (YYYY-MM-DD)",
    date_in_future: "{field} is in the future",
    birth_date: "Date of birth",
    death_date: "Date of death",
    moved_out_on: "Date of moving out",
    kk_changed_on: "Date of the KK change",
  },
);

/** Why this file cannot be uploaded, or null. */
export function fileProblem(file: { name: string; size: number }): string | null {
  const name = file.name.toLowerCase();
  if (!ACCEPTED.some((ext) => name.endsWith(ext))) return t("file_type");
  if (file.size === 0) return t("file_empty");
  if (file.size > MAX_EXTRACT_BYTES) return t("file_big");
  return null;
}

/** Whole percent of a part, 0 when the whole is unknown; never above 100. */
export function percent(done: number, total: number | null | undefined): number {
  if (!total || total <= 0) return 0;
  return Math.min(100, Math.floor((done * 100) / total));
}

export interface BadRow { row: number; reason: string }

export interface JobView {
  state: "running" | "done" | "failed";
  percent: number;
  rows: number;
  imported: number;
  unchanged: number;
  bad: number;
  problems: BadRow[];
  error: string;
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** One bad row's reason in the reader's words (the server's English message otherwise). */
export function reason(code: string, message: string): string {
  const dated = /^(birth_date|death_date|moved_out_on|kk_changed_on)_(invalid|in_future)$/.exec(code);
  if (dated) return t(dated[2] === "invalid" ? "date_invalid" : "date_in_future", { field: t(dated[1] as "birth_date") });
  const known = t(code as "invalid_nik");
  return known === code ? message : known;
}

/** What the screen shows of an import job (counts so far while it runs, the summary after). */
export function jobView(job: ImportJob): JobView {
  const s = job.summary ?? {};
  const state = job.state === "done" || job.state === "failed" ? job.state : "running";
  const problems = Array.isArray(s.problems) ? (s.problems as { row?: unknown; code?: unknown; message?: unknown }[]) : [];
  return {
    state,
    percent: state === "done" ? 100 : percent(job.progress, job.total),
    rows: num(s.rows),
    imported: num(s.inserted) + num(s.updated),
    unchanged: num(s.unchanged),
    bad: num(s.bad_rows),
    // Only a row number and a reason: the report never carries the row's NIK or name.
    problems: problems.map((p) => ({ row: num(p.row), reason: reason(String(p.code ?? ""), String(p.message ?? "")) })),
    error: state === "failed" && typeof s.error === "string" ? s.error : "",
  };
}

/** Wait before the next progress poll: quick at first, then every 2 s. */
export function pollDelay(attempt: number): number {
  return Math.min(2000, 250 * 2 ** Math.max(0, attempt));
}

export function credentialProblem(name: string, region: string): string | null {
  if (name.trim().length < 2) return t("key_name");
  if (!REGION.test(region.trim())) return t("key_region");
  return null;
}

export function isActive(c: Credential): boolean {
  return c.revoked_at === null;
}

/** Active keys first (newest first), then the revoked ones. */
export function sortedCredentials(items: Credential[]): Credential[] {
  return [...items].sort((a, b) => Number(isActive(b)) - Number(isActive(a)) || b.id - a.id);
}
