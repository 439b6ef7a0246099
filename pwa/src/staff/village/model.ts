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

export function canPublish(d: Deliberation, role: string): boolean {
  return d.state === "final" && (role === "supervisor" || role === "admin");
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
