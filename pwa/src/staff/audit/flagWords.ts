// A flag's evidence in words, for the trail and the review page: the numbers behind a flag
// as a reader says them ("anggota ke-2: Budi Santoso", "akurasi GPS 85 m, batas 50 m"),
// never as raw keys ("member_index: 1"). The evidence counts members from 0; people from 1.
import { lang } from "../../i18n";
import { strings } from "../strings";

export interface FlagContext {
  /** Member names of the visit, in the order the form lists them. */
  members?: string[];
  /** What the reader calls a photo of this visit, by id ("depan rumah, 12 Jun 09.41"). */
  photos?: Map<string, string>;
  /** Names of other households, by id ("Sutrisno, RT 001/RW 002"). */
  households?: Map<number, string>;
}

const w = strings(
  {
    member: "anggota ke-{n}",
    member_named: "anggota ke-{n}: {name}",
    other_household: "rumah tangga lain: #{id}",
    other_household_named: "rumah tangga lain: {name} (#{id})",
    other_visit: "kunjungan lain {id}",
    other_photo: "foto lain {id}",
    photo: "foto: {name}",
    sha256: "SHA-256 {hash}",
    hamming_distance: "beda {n} dari 64 bit sidik gambar",
    accuracy_m: "akurasi GPS {n} m",
    distance_m: "jarak {n} m",
    threshold_m: "batas {n} m",
    minutes: "lama {n} menit",
    minimum_min: "minimal {n} menit",
    minutes_outside: "{n} menit di luar waktu kunjungan",
    window_min: "rentang {n} menit",
    speed_kmh: "kecepatan {n} km/jam",
    threshold_kmh: "batas {n} km/jam",
    households: "{n} rumah tangga",
    radius_m: "dalam radius {n} m",
    window_hours: "dalam {n} jam",
    district: "kode kecamatan {n}",
    kind: "jenis foto: {n}",
    head_nik: "NIK kepala keluarga",
    other: "{key}: {value}",
  },
  {
    member: "member #{n}",
    member_named: "member #{n}: {name}",
    other_household: "another household: #{id}",
    other_household_named: "another household: {name} (#{id})",
    other_visit: "another visit {id}",
    other_photo: "another photo {id}",
    photo: "photo: {name}",
    sha256: "SHA-256 {hash}",
    hamming_distance: "{n} of 64 image-fingerprint bits differ",
    accuracy_m: "GPS accuracy {n} m",
    distance_m: "distance {n} m",
    threshold_m: "limit {n} m",
    minutes: "lasted {n} min",
    minimum_min: "minimum {n} min",
    minutes_outside: "{n} min outside the visit",
    window_min: "window {n} min",
    speed_kmh: "speed {n} km/h",
    threshold_kmh: "limit {n} km/h",
    households: "{n} households",
    radius_m: "within {n} m",
    window_hours: "within {n} hours",
    district: "district code {n}",
    kind: "photo kind: {n}",
    head_nik: "the head of the family's NIK",
    other: "{key}: {value}",
  },
);

const NUMBERS = new Set([
  "hamming_distance", "accuracy_m", "distance_m", "threshold_m", "minutes", "minimum_min",
  "minutes_outside", "window_min", "speed_kmh", "threshold_kmh", "households", "radius_m",
  "window_hours", "district", "kind",
]);

const short = (id: string): string => id.slice(0, 8);

function round(value: unknown): string {
  if (typeof value !== "number") return String(value);
  return value.toLocaleString(lang() === "en" ? "en-GB" : "id-ID", { maximumFractionDigits: 1 });
}

/** Each piece of evidence as words, in a stable order; unknown keys keep their name. */
export function evidenceWords(evidence: Record<string, unknown>, ctx: FlagContext = {}): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    if (value === null || value === undefined || value === "") continue;
    if (key === "member_index" && typeof value === "number") {
      const name = ctx.members?.[value];
      out.push(name ? w("member_named", { n: value + 1, name }) : w("member", { n: value + 1 }));
    } else if (key === "other_household_id") {
      const name = ctx.households?.get(Number(value));
      out.push(name ? w("other_household_named", { id: String(value), name }) : w("other_household", { id: String(value) }));
    } else if (key === "other_visit") {
      out.push(w("other_visit", { id: short(String(value)) }));
    } else if (key === "other_photo") {
      out.push(w("other_photo", { id: short(String(value)) }));
    } else if (key === "photo_id") {
      out.push(w("photo", { name: ctx.photos?.get(String(value)) ?? short(String(value)) }));
    } else if (key === "sha256") {
      const hash = String(value);
      out.push(w("sha256", { hash: `${hash.slice(0, 12)}…` }));
    } else if (key === "field" && value === "head_nik") {
      out.push(w("head_nik"));
    } else if (NUMBERS.has(key)) {
      out.push(w(key as "minutes", { n: round(value) }));
    } else {
      out.push(w("other", { key: key.replaceAll("_", " "), value: typeof value === "object" ? JSON.stringify(value) : String(value) }));
    }
  }
  return out;
}

export function evidenceText(evidence: Record<string, unknown>, ctx: FlagContext = {}): string {
  return evidenceWords(evidence, ctx).join(" · ");
}
