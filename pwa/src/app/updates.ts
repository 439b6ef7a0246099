// Updates reach an open app: a phone is left open all day in the field, so the app asks the
// server for a new service worker every 30 minutes and whenever it comes back to the
// foreground (not only on navigation). A new version is announced, never forced: it is
// applied when the enumerator agrees, after every pending draft save has reached IndexedDB.
// The outbox lives in IndexedDB and is not touched by an update.

export const UPDATE_CHECK_MS = 30 * 60 * 1000;
/** Returning to the foreground twice within this long checks once. */
export const MIN_CHECK_GAP_MS = 60 * 1000;

export interface Updatable {
  update(): Promise<unknown>;
}

export interface UpdateWatchEnv {
  /** The document: its visibilitychange event and visibilityState. */
  doc: Pick<Document, "addEventListener" | "removeEventListener" | "visibilityState">;
  /** The window: the online event (a phone back in signal). */
  win: Pick<Window, "addEventListener" | "removeEventListener">;
  now: () => number;
  setInterval: (fn: () => void, ms: number) => unknown;
  clearInterval: (handle: unknown) => void;
}

const browserEnv = (): UpdateWatchEnv => ({
  doc: document,
  win: window,
  now: () => Date.now(),
  setInterval: (fn, ms) => window.setInterval(fn, ms),
  clearInterval: (h) => window.clearInterval(h as number),
});

/**
 * Checks for a new version every `intervalMs` and on return to the foreground or the network.
 * Returns a function that stops watching. A failed check (offline) is simply tried again later.
 */
export function watchForUpdates(
  registration: Updatable,
  env: UpdateWatchEnv = browserEnv(),
  intervalMs: number = UPDATE_CHECK_MS,
): () => void {
  let last = env.now();
  const check = (force: boolean): void => {
    if (!force && env.now() - last < MIN_CHECK_GAP_MS) return;
    last = env.now();
    registration.update().catch(() => undefined);
  };
  const onVisible = (): void => {
    if (env.doc.visibilityState === "visible") check(false);
  };
  const onOnline = (): void => check(false);
  const timer = env.setInterval(() => check(true), intervalMs);
  env.doc.addEventListener("visibilitychange", onVisible);
  env.win.addEventListener("online", onOnline);
  return () => {
    env.clearInterval(timer);
    env.doc.removeEventListener("visibilitychange", onVisible);
    env.win.removeEventListener("online", onOnline);
  };
}

type Flush = () => Promise<void>;
const flushes = new Set<Flush>();

/** A screen holding unsaved work registers how to save it before the app reloads. */
export function beforeUpdate(flush: Flush): () => void {
  flushes.add(flush);
  return () => flushes.delete(flush);
}

/**
 * Everything typed reaches IndexedDB: the focused field is blurred (its change event
 * dispatches the value) and every registered save is awaited.
 */
export async function flushBeforeUpdate(active: Element | null = globalThis.document?.activeElement ?? null): Promise<void> {
  if (active && "blur" in active && typeof active.blur === "function") (active as HTMLElement).blur();
  await Promise.all([...flushes].map((f) => f().catch(() => undefined)));
}
