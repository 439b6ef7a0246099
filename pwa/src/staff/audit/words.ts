// Errors and shared words of the progress, assignment and audit screens, in the user's
// language. Pure: no DOM, unit-tested.
import { ApiError, AuthRequired, NetworkError } from "../../api/http";
import { lang } from "../../i18n";
import { strings } from "../strings";

export const w = strings(
  {
    offline: "Tidak terhubung ke server. Periksa jaringan lalu coba lagi.",
    signin: "Sesi Anda berakhir. Masuk lagi.",
    not_found: "Tidak ditemukan (atau di luar wilayah Anda).",
    household_not_found: "Rumah tangga tidak ditemukan di wilayah Anda.",
    region_not_found: "Wilayah tidak ditemukan di wilayah kerja Anda.",
    round_not_found: "Putaran verifikasi tidak ditemukan.",
    role_forbidden: "Peran Anda tidak boleh melakukan ini.",
    round_outside_region: "Putaran ini tidak mencakup wilayah tersebut.",
    round_closed: "Putaran ini sudah ditutup: penugasan tidak bisa diubah.",
    outside_round: "di luar wilayah putaran",
    outside_enumerator_scope: "di luar wilayah kerja enumerator",
    assigned_to_other: "sudah ditugaskan ke enumerator lain",
    assignment_locked: "sudah dikunjungi atau ditutup: tidak bisa dipindah",
    not_assigned: "belum ditugaskan",
    enumerator_not_found: "Enumerator tidak ditemukan di wilayah Anda.",
    bad_signature: "Tautan unduhan kedaluwarsa. Coba lagi.",
    validation: "Isian tidak valid: {detail}",
    server: "Server sedang bermasalah ({status}). Coba lagi sebentar lagi.",
    other: "Gagal: {detail}",
  },
  {
    offline: "Cannot reach the server. Check the network and try again.",
    signin: "Your session ended. Sign in again.",
    not_found: "Not found (or outside your regions).",
    household_not_found: "No such household in your regions.",
    region_not_found: "No such region in your regions.",
    round_not_found: "No such verification round.",
    role_forbidden: "Your role may not do this.",
    round_outside_region: "This round does not cover that region.",
    round_closed: "This round is closed: assignments cannot change.",
    outside_round: "outside the round's region",
    outside_enumerator_scope: "outside the enumerator's regions",
    assigned_to_other: "already assigned to another enumerator",
    assignment_locked: "already visited or closed: cannot move",
    not_assigned: "not assigned",
    enumerator_not_found: "No such enumerator in your regions.",
    bad_signature: "The download link expired. Try again.",
    validation: "Invalid input: {detail}",
    server: "The server has a problem ({status}). Try again shortly.",
    other: "Failed: {detail}",
  },
);

type Key = Parameters<typeof w>[0];
const KNOWN = new Set<string>([
  "household_not_found", "region_not_found", "round_not_found", "role_forbidden",
  "round_outside_region", "round_closed", "outside_round", "outside_enumerator_scope",
  "assigned_to_other", "assignment_locked", "not_assigned", "enumerator_not_found", "bad_signature",
]);

/** A skipped household's reason (AssignResult.skipped[].reason) in words. */
export function reasonWords(reason: string): string {
  return KNOWN.has(reason) ? w(reason as Key) : reason;
}

/** Any failure of a call, in words a supervisor or auditor can act on. */
export function problemWords(e: unknown): string {
  if (e instanceof NetworkError) return w("offline");
  if (e instanceof AuthRequired) return w("signin");
  if (e instanceof ApiError) {
    if (KNOWN.has(e.code)) {
      return w(e.code as Key);
    }
    if (e.status === 404) return w("not_found");
    if (e.status === 403) return w("role_forbidden");
    if (e.status === 400 || e.status === 422) return w("validation", { detail: e.message });
    if (e.status >= 500) return w("server", { status: e.status });
    return w("other", { detail: e.message });
  }
  return w("other", { detail: e instanceof Error ? e.message : String(e) });
}

/** Date-time in the user's language, Indonesian style by default ("12 Jun 2026 09.41"). */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang() === "en" ? "en-GB" : "id-ID", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

export function num(n: number): string {
  return n.toLocaleString(lang() === "en" ? "en-GB" : "id-ID");
}
