// The village deliberation and public review, as the staff screen sees them: pure
// functions over the API's answers (api/village/schemas.py), tested in model.test.ts.

export type Decision = "agreed" | "rejected" | "deferred";

export interface AgendaItem {
  key: string;
  kind: "visit" | "addition" | "removal";
  household_id: number | null;
  rt: string;
  rw: string;
  head_name: string;
  kk_masked: string;
  subject: string;
  recommendation: string | null;
  decision: Decision | null;
  reason: string;
  decided_at: string | null;
  /** the newest decision came after the signed minutes: an audited amendment */
  amended?: boolean;
  /** BPS's welfare decile from the register baseline (1 = poorest), null when unknown */
  decile?: number | null;
}

export interface Attendee {
  name: string;
  position: string;
}

export interface Deliberation {
  id: number;
  round_id: number;
  region_code: string;
  village_name: string;
  held_on: string;
  place: string;
  attendance: Attendee[];
  state: "draft" | "final";
  finalised_at: string | null;
  minutes_pages: { id: string; sha256: string; size: number; stored_at: string }[];
  agenda: AgendaItem[];
  undecided: number;
}

export interface Objection {
  id: number;
  kind: "objection" | "missing_household";
  category_label: string;
  text: string;
  entry_name_masked: string | null;
  rt: string;
  rw: string;
  contact: string | null;
  state: "open" | "accepted" | "rejected";
  resolution_reason: string | null;
  revisit_assignment_id: number | null;
  created_at: string;
  photo?: { id: string } | null;
}

export const POSITIONS: [string, string][] = [
  ["kepala_desa", "Kepala Desa/Lurah"],
  ["bpd", "BPD"],
  ["rt_rw", "Ketua RT/RW"],
  ["tksk", "TKSK"],
  ["pendamping_pkh", "Pendamping PKH"],
  ["babinsa", "Babinsa"],
  ["bhabinkamtibmas", "Bhabinkamtibmas"],
  ["tokoh_masyarakat", "Tokoh masyarakat"],
  ["perangkat_desa", "Perangkat desa/kelurahan"],
  ["dinas_sosial", "Dinas Sosial"],
];

export const DECISION_WORDS: Record<Decision, string> = {
  agreed: "Disetujui",
  rejected: "Ditolak",
  deferred: "Ditunda",
};

const KIND_ORDER: AgendaItem["kind"][] = ["visit", "addition", "removal"];
export const KIND_WORDS: Record<AgendaItem["kind"], string> = {
  visit: "Hasil verifikasi lapangan",
  addition: "Usulan keluarga baru",
  removal: "Usulan dikeluarkan",
};

/** The agenda in sections (field results, new households, removals), RT/RW order inside. */
export function sections(agenda: AgendaItem[]): [AgendaItem["kind"], AgendaItem[]][] {
  return KIND_ORDER.map((kind) => [
    kind,
    agenda
      .filter((item) => item.kind === kind)
      .sort((a, b) => `${a.rt}/${a.rw}/${a.head_name}`.localeCompare(`${b.rt}/${b.rw}/${b.head_name}`)),
  ] as [AgendaItem["kind"], AgendaItem[]]).filter(([, items]) => items.length > 0);
}

export function tally(agenda: AgendaItem[]): Record<Decision | "undecided", number> {
  const counts = { agreed: 0, rejected: 0, deferred: 0, undecided: 0 };
  for (const item of agenda) counts[item.decision ?? "undecided"] += 1;
  return counts;
}

/** Why a decision cannot be sent yet, in words; null when it can. */
export function decisionProblem(d: Deliberation, decision: Decision, reason: string): string | null {
  const text = reason.trim();
  if (decision !== "agreed" && !text) return "Tuliskan alasan untuk keputusan ditolak atau ditunda.";
  if (d.state === "final" && !text) {
    return "Berita acara sudah ditandatangani: perubahan keputusan wajib disertai alasan.";
  }
  return null;
}

/** The signed minutes may be attached once every item is decided. */
export function canSign(d: Deliberation): boolean {
  return d.agenda.length > 0 && d.undecided === 0;
}

export function attendeeProblem(name: string, position: string): string | null {
  if (!name.trim()) return "Isi nama peserta.";
  if (name.trim().length > 200) return "Nama terlalu panjang.";
  if (!POSITIONS.some(([code]) => code === position)) return "Pilih jabatan peserta.";
  return null;
}

export function objectionCounts(items: Objection[]): Record<Objection["state"], number> {
  const counts = { open: 0, accepted: 0, rejected: 0 };
  for (const item of items) counts[item.state] += 1;
  return counts;
}

// --- deciles -------------------------------------------------------------------------------

/** BPS's welfare decile as a badge: deciles 1–4 (the poorest 40 %) stand out. */
export function decileBadge(decile: number | null | undefined): { text: string; poorest: boolean } | null {
  if (decile === null || decile === undefined || !Number.isInteger(decile) || decile < 1 || decile > 10) return null;
  return { text: `Desil ${decile}`, poorest: decile <= 4 };
}

/** Items decided after the signed minutes: shown as audited amendments, never as edits. */
export function amendments(agenda: AgendaItem[]): AgendaItem[] {
  return agenda.filter((item) => item.amended === true);
}

// --- proposals -----------------------------------------------------------------------------

export type RemovalReason = "died" | "moved" | "not_found" | "dissolved" | "duplicate" | "not_eligible";

export const REMOVAL_REASONS: [RemovalReason, string][] = [
  ["died", "Meninggal dunia"],
  ["moved", "Pindah domisili"],
  ["not_found", "Tidak ditemukan"],
  ["dissolved", "Keluarga bubar"],
  ["duplicate", "Data ganda"],
  ["not_eligible", "Tidak layak lagi"],
];

// The choice lists of the phone's usulan_baru form (survey_forms/definitions/usulan_baru.v2.json):
// the server checks the answers against that same form.
export const PROPOSAL_FORM_VERSION = 2;
export const ADDITION_REASONS: [string, string][] = [
  ["1", "Keluarga miskin/rentan yang belum terdaftar"],
  ["2", "Pecah KK (keluarga baru)"],
  ["3", "Pindahan dari daerah lain"],
  ["4", "Terdampak bencana atau krisis"],
  ["5", "Lainnya"],
];
export const SEXES: [string, string][] = [["1", "Laki-laki"], ["2", "Perempuan"]];
export const RELATIONSHIPS: [string, string][] = [
  ["2", "Istri/suami"], ["3", "Anak"], ["4", "Menantu"], ["5", "Cucu"],
  ["6", "Orang tua/mertua"], ["7", "Pembantu/sopir"], ["8", "Lainnya"],
];

export interface MemberInput {
  nik: string;
  full_name: string;
  sex: string;
  birth_date: string;
  relationship: string;
}

export interface AdditionInput {
  head_name: string;
  head_nik: string;
  kk_number: string;
  address: string;
  rt: string;
  rw: string;
  reason: string;
  reason_other: string;
  notes: string;
  members: MemberInput[];
}

const SIXTEEN = /^\d{16}$/;
const RT_RW = /^\d{1,3}$/;

/** The usulan_baru answers of a household brought to the village office. */
export function additionAnswers(input: AdditionInput): Record<string, unknown> {
  const answers: Record<string, unknown> = {
    address: input.address.trim(),
    rt: input.rt.trim(),
    rw: input.rw.trim(),
    kk_number: input.kk_number.trim(),
    head_name: input.head_name.trim(),
    head_nik: input.head_nik.trim(),
    reason: input.reason,
    members: input.members.map((m) => ({ ...m, nik: m.nik.trim(), full_name: m.full_name.trim() })),
  };
  if (input.reason === "5") answers.reason_other = input.reason_other.trim();
  if (input.notes.trim()) answers.notes = input.notes.trim();
  return answers;
}

/** What keeps the new-household form from being sent, field by field (the server checks again). */
export function additionProblems(input: AdditionInput): Record<string, string> {
  const out: Record<string, string> = {};
  const name = input.head_name.trim();
  if (name.length < 2 || name.length > 100) out.head_name = "Nama kepala keluarga 2 sampai 100 karakter.";
  if (!SIXTEEN.test(input.head_nik.trim())) out.head_nik = "NIK harus 16 digit angka.";
  if (!SIXTEEN.test(input.kk_number.trim())) out.kk_number = "No. KK harus 16 digit angka.";
  const address = input.address.trim();
  if (address.length < 5 || address.length > 200) out.address = "Alamat 5 sampai 200 karakter.";
  if (!RT_RW.test(input.rt.trim())) out.rt = "RT berupa 1 sampai 3 digit.";
  if (!RT_RW.test(input.rw.trim())) out.rw = "RW berupa 1 sampai 3 digit.";
  if (!ADDITION_REASONS.some(([code]) => code === input.reason)) out.reason = "Pilih alasan pengusulan.";
  else if (input.reason === "5" && !input.reason_other.trim()) out.reason_other = "Tuliskan alasan lainnya.";
  const niks = new Set([input.head_nik.trim()]);
  input.members.forEach((m, i) => {
    const at = `members.${i}`;
    if (!SIXTEEN.test(m.nik.trim())) out[`${at}.nik`] = "NIK harus 16 digit angka.";
    else if (niks.has(m.nik.trim())) out[`${at}.nik`] = "NIK ini sudah tercatat pada keluarga ini.";
    niks.add(m.nik.trim());
    const memberName = m.full_name.trim();
    if (memberName.length < 2 || memberName.length > 100) out[`${at}.full_name`] = "Nama 2 sampai 100 karakter.";
    if (!SEXES.some(([c]) => c === m.sex)) out[`${at}.sex`] = "Pilih jenis kelamin.";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(m.birth_date)) out[`${at}.birth_date`] = "Isi tanggal lahir.";
    if (!RELATIONSHIPS.some(([c]) => c === m.relationship)) out[`${at}.relationship`] = "Pilih hubungan keluarga.";
  });
  if (input.members.length > 49) out.members = "Paling banyak 49 anggota selain kepala keluarga.";
  return out;
}

/** Why a removal cannot be sent yet; null when it can. */
export function removalProblem(householdId: number | null, reason: string, evidence: string): string | null {
  if (!householdId) return "Pilih keluarga yang diusulkan dikeluarkan.";
  if (!REMOVAL_REASONS.some(([code]) => code === reason)) return "Pilih alasan dikeluarkan.";
  if (evidence.trim().length > 1000) return "Keterangan paling banyak 1000 karakter.";
  return null;
}

// --- public review -------------------------------------------------------------------------

export interface Review {
  id: number;
  deliberation_id: number;
  opens_at: string;
  closes_at: string;
  state: "open" | "ratified";
  public_url: string;
  ratified_at: string | null;
  counts: {
    entries: number; added: number; removed: number; unchanged: number;
    objections: number; objections_open: number; objections_accepted: number; objections_rejected: number;
  };
}

export const DEFAULT_REVIEW_DAYS = 14;

export type ReviewStage =
  | "awaiting_minutes" // the deliberation has no signed minutes yet
  | "unpublished" // final, not yet published
  | "in_review" // published, window running
  | "ratifiable" // window over, every objection resolved
  | "objections_open" // window over, objections still open
  | "ratified";

/** Where the village's list stands: drives what the review panel offers (never a second publish). */
export function reviewStage(d: Deliberation | undefined, review: Review | undefined, now: Date): ReviewStage {
  if (review) {
    if (review.state === "ratified") return "ratified";
    if (new Date(review.closes_at).getTime() > now.getTime()) return "in_review";
    return review.counts.objections_open > 0 ? "objections_open" : "ratifiable";
  }
  return d?.state === "final" ? "unpublished" : "awaiting_minutes";
}

/** The review of this deliberation, if it was published. */
export function reviewOf(reviews: Review[], d: Deliberation | undefined): Review | undefined {
  if (!d) return undefined;
  return reviews.filter((r) => r.deliberation_id === d.id).sort((a, b) => b.id - a.id)[0];
}

export function publishDaysProblem(days: string): string | null {
  const n = Number(days);
  if (!Number.isInteger(n) || n < 1 || n > 60) return "Masa uji publik 1 sampai 60 hari.";
  return null;
}

/** Whole days left in the window, rounded up (0 once it has closed). */
export function daysLeft(closesAt: string, now: Date): number {
  const ms = new Date(closesAt).getTime() - now.getTime();
  return ms <= 0 ? 0 : Math.ceil(ms / 86_400_000);
}

export interface EnumeratorUser { id: number; display_name: string; role: string; active: boolean; scopes: string[] }

/** The active enumerators whose regions cover the village (for a revisit the round had not assigned). */
export function enumeratorsFor(users: EnumeratorUser[], village: string): EnumeratorUser[] {
  return users
    .filter((u) => u.role === "enumerator" && u.active)
    .filter((u) => u.scopes.some((scope) => village === scope || village.startsWith(`${scope}.`)))
    .sort((a, b) => a.display_name.localeCompare(b.display_name, "id"));
}
