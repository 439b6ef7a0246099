// Deciles (desil): the register's welfare ranking of a household, set by BPS (1 = the
// poorest tenth … 10). Staff lists and the phone show it as a small tag; deciles 1–4 (the
// poorest 40 %) are highlighted. Filters send a selection the API knows
// (api/registry/deciles.py): one decile "1"…"10", a band "1-4" / "5-10", or "unknown".
// Pure words and checks (the tag itself: decileTag.ts); unit-tested in decile.test.ts.
export const DECILE_SELECTIONS = ["1-4", "5-10", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "unknown"] as const;
export type DecileSelection = (typeof DECILE_SELECTIONS)[number];

export function isDecileSelection(v: string): v is DecileSelection {
  return (DECILE_SELECTIONS as readonly string[]).includes(v);
}

/** (lowest, highest) decile of a selection; null for "unknown" (as api/registry/deciles.py). */
export function bounds(sel: DecileSelection): [number, number] | null {
  if (sel === "unknown") return null;
  const [low, high] = sel.split("-").map(Number);
  return [low!, high ?? low!];
}

/** Deciles 1–4: the poorest 40 %, the band most programmes reach first. */
export function isPoorest(decile: number | null | undefined): boolean {
  return typeof decile === "number" && decile >= 1 && decile <= 4;
}

/** "Desil 2" (the same word in both languages); "" when the register has none. */
export function decileLabel(decile: number | null | undefined): string {
  return typeof decile === "number" && decile >= 1 && decile <= 10 ? `Desil ${decile}` : "";
}

/** The words of a filter option. */
export function selectionLabel(sel: DecileSelection, en: boolean): string {
  if (sel === "1-4") return en ? "Desil 1–4 (poorest 40 %)" : "Desil 1–4 (40 % termiskin)";
  if (sel === "5-10") return en ? "Desil 5–10" : "Desil 5–10";
  if (sel === "unknown") return en ? "No decile" : "Tanpa desil";
  return `Desil ${sel}`;
}

/** The tooltip of a tag: what the number means. */
export function decileTitle(decile: number | null | undefined, en: boolean): string {
  if (!decileLabel(decile)) return en ? "No decile in the register" : "Desil tidak ada di data";
  const base = en ? `Decile ${decile} of 10 (BPS)` : `Desil ${decile} dari 10 (BPS)`;
  return isPoorest(decile) ? `${base} · ${en ? "poorest 40 %" : "40 % termiskin"}` : base;
}
