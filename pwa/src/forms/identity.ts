// NIK and No. KK checks, twin of survey_forms/identity.py (read its docstring); both run
// survey_forms/identity_vectors.json.

export type Sex = "male" | "female";
export type DistrictCheck = (code: string) => boolean;

export interface IdentityIssue {
  code: string;
  messageId: string;
  messageEn: string;
}

export interface IdentityCheck {
  valid: boolean;
  errors: IdentityIssue[];
  warnings: IdentityIssue[];
  /** 'PP.KK.CC' */
  regionCode: string | null;
  sex: Sex | null;
  /** 'YYYY-MM-DD' */
  birthDate: string | null;
  issueDate: string | null;
}

export interface CheckOptions {
  /** 'YYYY-MM-DD'; defaults to today in WIT (UTC+9), where a date begins first. */
  today?: string;
  isKnownDistrict?: DistrictCheck;
}

export const MASK = "\u2022";

export function todayInIndonesia(now: Date = new Date()): string {
  return new Date(now.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

const issue = (code: string, messageId: string, messageEn: string): IdentityIssue => ({
  code,
  messageId,
  messageEn,
});

const is16Digits = (v: unknown): v is string => typeof v === "string" && /^[0-9]{16}$/.test(v);

const pad = (n: number, w: number): string => String(n).padStart(w, "0");

/** A real calendar date as 'YYYY-MM-DD', or null. */
function realDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1) return null;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day > days) return null;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** The latest real DD-MM-(19|20)YY not after today; [date, false], [null, future?]. */
function pickCentury(day: number, month: number, yy: number, today: string): [string | null, boolean] {
  let future = false;
  for (const century of [2000, 1900]) {
    const d = realDate(century + yy, month, day);
    if (d === null) continue;
    if (d <= today) return [d, false];
    future = true;
  }
  return [null, future];
}

function region(value: string): [string, IdentityIssue[]] {
  const pp = value.slice(0, 2);
  const kk = value.slice(2, 4);
  const cc = value.slice(4, 6);
  const errors: IdentityIssue[] = [];
  if (pp === "00" || kk === "00" || cc === "00") {
    errors.push(
      issue(
        "region",
        "Kode wilayah (6 digit pertama) tidak sah",
        "The region code (first 6 digits) is not valid",
      ),
    );
  }
  return [`${pp}.${kk}.${cc}`, errors];
}

function unknownRegion(code: string, isKnown: DistrictCheck | undefined): IdentityIssue[] {
  if (isKnown === undefined || isKnown(code)) return [];
  return [
    issue(
      "region_unknown",
      `Kode kecamatan ${code} tidak dikenal`,
      `District code ${code} is not known`,
    ),
  ];
}

const empty = (errors: IdentityIssue[]): IdentityCheck => ({
  valid: errors.length === 0,
  errors,
  warnings: [],
  regionCode: null,
  sex: null,
  birthDate: null,
  issueDate: null,
});

/** Check a NIK's structure and date; derive sex and birth date. */
export function checkNik(nik: string, options: CheckOptions = {}): IdentityCheck {
  if (!is16Digits(nik)) {
    return empty([issue("format", "NIK harus 16 digit angka", "A NIK must be exactly 16 digits")]);
  }
  const today = options.today ?? todayInIndonesia();
  const [regionCode, errors] = region(nik);
  let dd = Number(nik.slice(6, 8));
  const mm = Number(nik.slice(8, 10));
  const yy = Number(nik.slice(10, 12));
  let sex: Sex | null = null;
  let birth: string | null = null;
  if (dd >= 41 && dd <= 71) {
    sex = "female";
    dd -= 40;
  } else if (dd >= 1 && dd <= 31) {
    sex = "male";
  }
  if (sex === null) {
    errors.push(
      issue("birth_date", "Tanggal lahir pada NIK tidak sah", "The birth date in the NIK is not valid"),
    );
  } else {
    const [d, future] = pickCentury(dd, mm, yy, today);
    birth = d;
    if (d === null) {
      errors.push(
        future
          ? issue(
              "birth_date_future",
              "Tanggal lahir pada NIK di masa depan",
              "The birth date in the NIK is in the future",
            )
          : issue(
              "birth_date",
              "Tanggal lahir pada NIK tidak sah",
              "The birth date in the NIK is not valid",
            ),
      );
    }
  }
  if (nik.slice(12) === "0000") {
    errors.push(
      issue(
        "serial",
        "Nomor urut NIK (4 digit terakhir) tidak boleh 0000",
        "The NIK serial (last 4 digits) cannot be 0000",
      ),
    );
  }
  const ok = errors.length === 0;
  return {
    valid: ok,
    errors,
    warnings: ok ? unknownRegion(regionCode, options.isKnownDistrict) : [],
    regionCode,
    sex: ok ? sex : null,
    birthDate: ok ? birth : null,
    issueDate: null,
  };
}

/** Check a No. KK: 16 digits, region and serial; an unusual issue date only warns. */
export function checkKk(kk: string, options: CheckOptions = {}): IdentityCheck {
  if (!is16Digits(kk)) {
    return empty([
      issue("format", "No. KK harus 16 digit angka", "A No. KK must be exactly 16 digits"),
    ]);
  }
  const today = options.today ?? todayInIndonesia();
  const [regionCode, errors] = region(kk);
  if (kk.slice(12) === "0000") {
    errors.push(
      issue(
        "serial",
        "Nomor urut No. KK (4 digit terakhir) tidak boleh 0000",
        "The No. KK serial (last 4 digits) cannot be 0000",
      ),
    );
  }
  const [issued] = pickCentury(
    Number(kk.slice(6, 8)),
    Number(kk.slice(8, 10)),
    Number(kk.slice(10, 12)),
    today,
  );
  const warnings: IdentityIssue[] = [];
  const ok = errors.length === 0;
  if (ok) {
    if (issued === null) {
      warnings.push(
        issue(
          "issue_date",
          "Tanggal terbit pada No. KK tidak lazim",
          "The issue date in the No. KK is unusual",
        ),
      );
    }
    warnings.push(...unknownRegion(regionCode, options.isKnownDistrict));
  }
  return {
    valid: ok,
    errors,
    warnings,
    regionCode,
    sex: null,
    birthDate: null,
    issueDate: ok ? issued : null,
  };
}

/** '3507010101900003' -> '3507••••••••0003'; at most a quarter of a value shows at each end. */
export function maskNik(value: string): string {
  const chars = Array.from(value);
  const n = chars.length;
  const keep = Math.min(4, Math.floor(n / 4));
  if (keep === 0) return MASK.repeat(n);
  return chars.slice(0, keep).join("") + MASK.repeat(n - 2 * keep) + chars.slice(n - keep).join("");
}

export const maskKk = maskNik;
