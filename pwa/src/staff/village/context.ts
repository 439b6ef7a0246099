// What every tab of the village screen shares: the village, the round, the caller's role,
// the one alert line, and a way to draw the tab again after a change.
export interface VillageContext {
  village: string;
  roundId: number;
  role: string;
  /** shows a problem (an ApiError or words) in the screen's alert line */
  show: (problem: unknown) => void;
  /** shows a success line (role=status) */
  done: (words: string) => void;
  /** draws the current tab again from the server's state */
  refresh: () => Promise<void>;
}

/** The office (Dinas Sosial): publishes, resolves objections, ratifies. */
export function isOffice(role: string): boolean {
  return role === "supervisor" || role === "admin";
}

/** A date in Indonesian words ("2 Juli 2026"). */
export function longDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString("id-ID", { day: "numeric", month: "long", year: "numeric" });
}
