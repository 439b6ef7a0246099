// The public page's pure logic (no DOM): the list filter, the photo's downscaled size and
// the location's text. Imported only by publik.ts: nothing of the staff or enumerator app.

/** What the filter needs of one entry of the list. */
export interface EntryFacts {
  name: string; // masked, e.g. "S******i W****o"
  rt: string; // "001", or "" when unknown
  rw: string;
  text: string; // the entry's whole text, lower case
}

export interface Filter {
  rt: string | null; // without leading zeros
  rw: string | null;
  words: string[]; // lower case
}

const MASK = "*";

function number(value: string): string {
  const trimmed = value.replace(/^0+(?=\d)/, "");
  return trimmed;
}

/** "rt 3 rw 02 sugiarti" → RT 3, RW 2, the word "sugiarti"; "rt3/rw2" works too. */
export function parseQuery(query: string): Filter {
  const filter: Filter = { rt: null, rw: null, words: [] };
  const rest = query
    .toLowerCase()
    .replace(/\b(rt|rw)\s*[:.]?\s*(\d{1,3})\b/g, (_all, kind: string, digits: string) => {
      filter[kind as "rt" | "rw"] = number(digits);
      return " ";
    });
  filter.words = rest.split(/[\s/,]+/).filter((w) => w.length > 0);
  return filter;
}

/** The facts of an entry from its text as the page writes it ("… RT 001 / RW 002 · …"). */
export function factsFromText(name: string, text: string): EntryFacts {
  const found = /RT\s+(\S+)\s*\/\s*RW\s+(\S+)/.exec(text);
  const clean = (v: string | undefined): string => (v && v !== "-" ? v : "");
  return { name, rt: clean(found?.[1]), rw: clean(found?.[2]), text: text.toLowerCase() };
}

/** The masked form of a word, as the server masks names (api/village/masking.py). */
export function maskWord(word: string): string {
  if (word.length <= 1) return word;
  if (word.length === 2) return word[0] + MASK;
  return word[0] + MASK.repeat(word.length - 2) + word[word.length - 1];
}

/**
 * A typed word finds an entry when it is in the entry's text, or when it is a name that the
 * list shows masked: "sugiarti" finds "S******i" (same first and last letter and length).
 */
function wordMatches(word: string, facts: EntryFacts): boolean {
  if (facts.text.includes(word)) return true;
  const masked = maskWord(word);
  return facts.name
    .toLowerCase()
    .split(/\s+/)
    .some((part) => part === masked);
}

export function matches(facts: EntryFacts, filter: Filter): boolean {
  if (filter.rt !== null && number(facts.rt) !== filter.rt) return false;
  if (filter.rw !== null && number(facts.rw) !== filter.rw) return false;
  return filter.words.every((word) => wordMatches(word, facts));
}

/** Photos larger than this (bytes) or wider than MAX_SIDE are made smaller before upload. */
export const DOWNSCALE_ABOVE_BYTES = 1_000_000;
export const MAX_SIDE = 1600;

/** The size a photo is sent at: its longer side at most ``maxSide``, proportions kept. */
export function scaledSize(width: number, height: number, maxSide = MAX_SIDE): { width: number; height: number } {
  const longer = Math.max(width, height);
  if (longer <= maxSide || longer <= 0) return { width, height };
  const factor = maxSide / longer;
  return { width: Math.max(1, Math.round(width * factor)), height: Math.max(1, Math.round(height * factor)) };
}

export function needsDownscale(bytes: number, width: number, height: number): boolean {
  return bytes > DOWNSCALE_ABOVE_BYTES || Math.max(width, height) > MAX_SIDE;
}

/** Latitude and longitude as the form sends them (6 decimals ≈ 0.1 m); null when invalid. */
export function coordinateFields(latitude: number, longitude: number): { latitude: string; longitude: string } | null {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return { latitude: latitude.toFixed(6), longitude: longitude.toFixed(6) };
}

/** "1.234 KB" style, as the page speaks to people. */
export function kilobytes(bytes: number): string {
  return `${Math.round(bytes / 1024).toLocaleString("id-ID")} KB`;
}
