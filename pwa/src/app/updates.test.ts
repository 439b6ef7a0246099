import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { beforeUpdate, flushBeforeUpdate, MIN_CHECK_GAP_MS, UPDATE_CHECK_MS, type UpdateWatchEnv, watchForUpdates } from "./updates";

class FakeDoc extends EventTarget {
  visibilityState: DocumentVisibilityState = "visible";
}

function setup(): { env: UpdateWatchEnv; doc: FakeDoc; win: EventTarget; checks: () => number; stop: () => void } {
  const doc = new FakeDoc();
  const win = new EventTarget();
  let n = 0;
  const env: UpdateWatchEnv = {
    doc: doc as unknown as UpdateWatchEnv["doc"],
    win: win as unknown as UpdateWatchEnv["win"],
    now: () => Date.now(),
    setInterval: (fn, ms) => setInterval(fn, ms),
    clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
  };
  const stop = watchForUpdates({ update: async () => void n++ }, env);
  return { env, doc, win, checks: () => n, stop };
}

describe("watchForUpdates", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("checks every 30 minutes while the app stays open", () => {
    const { checks, stop } = setup();
    expect(checks()).toBe(0);
    vi.advanceTimersByTime(UPDATE_CHECK_MS - 1);
    expect(checks()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(checks()).toBe(1);
    vi.advanceTimersByTime(3 * UPDATE_CHECK_MS);
    expect(checks()).toBe(4);
    stop();
    vi.advanceTimersByTime(3 * UPDATE_CHECK_MS);
    expect(checks()).toBe(4);
  });

  it("checks when the app returns to the foreground or the network, at most once a minute", () => {
    const { doc, win, checks } = setup();
    vi.advanceTimersByTime(MIN_CHECK_GAP_MS);
    doc.visibilityState = "hidden";
    doc.dispatchEvent(new Event("visibilitychange"));
    expect(checks()).toBe(0); // going to the background is no reason
    doc.visibilityState = "visible";
    doc.dispatchEvent(new Event("visibilitychange"));
    expect(checks()).toBe(1);
    win.dispatchEvent(new Event("online"));
    expect(checks()).toBe(1); // seconds later: already checked
    vi.advanceTimersByTime(MIN_CHECK_GAP_MS);
    win.dispatchEvent(new Event("online"));
    expect(checks()).toBe(2);
  });

  it("survives a failed check (offline) and tries again later", async () => {
    const doc = new FakeDoc();
    let calls = 0;
    watchForUpdates(
      { update: () => (calls++, Promise.reject(new Error("offline"))) },
      {
        doc: doc as unknown as UpdateWatchEnv["doc"],
        win: new EventTarget() as unknown as UpdateWatchEnv["win"],
        now: () => Date.now(),
        setInterval: (fn, ms) => setInterval(fn, ms),
        clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
      },
    );
    vi.advanceTimersByTime(2 * UPDATE_CHECK_MS);
    await Promise.resolve();
    expect(calls).toBe(2);
  });
});

describe("flushBeforeUpdate", () => {
  it("blurs the focused field and waits for every registered save", async () => {
    const order: string[] = [];
    const field = { blur: () => order.push("blur") } as unknown as Element;
    const stop = beforeUpdate(async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push("saved");
    });
    const failing = beforeUpdate(() => Promise.reject(new Error("disk full")));
    await flushBeforeUpdate(field);
    expect(order).toEqual(["blur", "saved"]);
    stop();
    failing();
    await flushBeforeUpdate(null);
    expect(order).toEqual(["blur", "saved"]);
  });
});
