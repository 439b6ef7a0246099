// Application state and actions, shared by the screens. No rendering here.
import { ApiClient } from "../api/client";
import { ApiError, AuthRequired, NetworkError } from "../api/http";
import { sessionFrom } from "../auth/session";
import {
  clearAssignments,
  clearSession,
  deviceId,
  getSession,
  kvGet,
  kvSet,
  setSession,
  visitsFor,
} from "../data/db";
import type { Session, VisitRecord } from "../data/types";
import { type Lang, setLang } from "../i18n";
import { requestPersistence } from "../storage";
import { pullAssignments } from "../sync/assignments";
import { type SyncReport, syncOutbox } from "../sync/engine";
import { isUnsynced, PENDING } from "../sync/outbox";

declare const __APP_VERSION__: string;
export const APP_VERSION: string = typeof __APP_VERSION__ === "string" ? __APP_VERSION__ : "dev";
export const SYNC_TAG = "verval-outbox";

type Listener = () => void;

class Controller {
  readonly api = new ApiClient();
  session: Session | null = null;
  online = typeof navigator === "undefined" ? true : navigator.onLine;
  syncing = false;
  pulling = false;
  lastReport: SyncReport | null = null;
  private listeners = new Set<Listener>();
  private timer: ReturnType<typeof setInterval> | null = null;

  on(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(): void {
    for (const l of this.listeners) l();
  }

  async init(): Promise<void> {
    setLang(((await kvGet<Lang>("lang")) ?? "id") as Lang);
    this.session = (await getSession()) ?? null;
    window.addEventListener("online", () => {
      this.online = true;
      this.emit();
      void this.afterReconnect();
    });
    window.addEventListener("offline", () => {
      this.online = false;
      this.emit();
    });
    navigator.serviceWorker?.addEventListener("message", (ev: MessageEvent) => {
      if (ev.data?.type === "outbox-changed") this.emit();
    });
    // While the app is open: retry due visits every 20 s (the backoff decides what is due).
    this.timer = setInterval(() => void this.sync(false), 20_000);
    if (this.session && !this.session.needsSignIn) void this.afterReconnect();
  }

  async setLanguage(lang: Lang): Promise<void> {
    setLang(lang);
    await kvSet("lang", lang);
    this.emit();
  }

  get userId(): number | null {
    return this.session?.userId ?? null;
  }

  private async finishSignIn(pair: import("../api/contract").TokenPair): Promise<void> {
    const me = await this.api.meWith(pair.access_token);
    const previous = await getSession();
    if (previous && previous.userId !== me.id) {
      // Another person signs in on this phone: the previous user's assignments go (their
      // unsent visits stay, tied to their user id, and are sent when they sign in again).
      await clearAssignments(previous.userId);
    }
    this.session = sessionFrom(pair, me);
    await setSession(this.session);
    void requestPersistence();
    this.emit();
  }

  async signInPassword(username: string, password: string): Promise<void> {
    const pair = await this.api.login(username.trim(), password, await this.deviceLabel());
    await this.finishSignIn(pair);
  }

  async signInCode(code: string): Promise<void> {
    const clean = code.trim().replace(/^VERVAL-ENROL:/i, "");
    const pair = await this.api.enrol(clean, await this.deviceLabel());
    await this.finishSignIn(pair);
  }

  private async deviceLabel(): Promise<string> {
    const id = (await deviceId()).slice(0, 8);
    const ua = navigator.userAgent;
    const model = /Android [^;]+;\s*([^;)]+)/.exec(ua)?.[1]?.trim() ?? (/Android/.test(ua) ? "Android" : "Browser");
    return `Verval PWA · ${model} · ${id}`.slice(0, 120);
  }

  async unsyncedCount(): Promise<number> {
    if (!this.session) return 0;
    return (await visitsFor(this.session.userId)).filter(isUnsynced).length;
  }

  /** Sign out. Unsent visits stay on the phone for this user (the caller warned first). */
  async signOut(): Promise<void> {
    const s = this.session;
    if (!s) return;
    try {
      if (this.online && !s.needsSignIn) await this.api.logout();
    } catch {
      /* the server forgets the session when it expires anyway */
    }
    await clearAssignments(s.userId);
    await clearSession();
    this.session = null;
    this.emit();
  }

  async pull(): Promise<{ changed: number; removed: number }> {
    if (!this.session) throw new AuthRequired();
    this.pulling = true;
    this.emit();
    try {
      return await pullAssignments(this.api, this.session.userId);
    } finally {
      this.pulling = false;
      await this.reloadSession();
      this.emit();
    }
  }

  async reloadSession(): Promise<void> {
    this.session = (await getSession()) ?? null;
  }

  async sync(force: boolean): Promise<SyncReport | null> {
    const s = this.session;
    if (!s || s.needsSignIn || this.syncing) return null;
    // No network at all: wait for the "online" event (or Background Sync) instead.
    if (typeof navigator !== "undefined" && navigator.onLine === false) return null;
    const pending = (await visitsFor(s.userId)).some((v) => PENDING.has(v.state));
    if (!pending) return null;
    this.syncing = true;
    this.emit();
    try {
      const report = await syncOutbox(this.api, s.userId, {
        force,
        deviceId: await deviceId(),
        appVersion: APP_VERSION,
        onProgress: () => this.emit(),
      });
      this.lastReport = report;
      if (report.authRequired) await this.reloadSession();
      if (report.offline) this.online = navigator.onLine;
      return report;
    } finally {
      this.syncing = false;
      this.emit();
    }
  }

  /** Queue work for Background Sync (Chrome/Android): it runs even if the app is closed. */
  async requestBackgroundSync(): Promise<void> {
    try {
      const reg = await navigator.serviceWorker?.ready;
      const sync = (reg as ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } })?.sync;
      await sync?.register(SYNC_TAG);
    } catch {
      /* not supported: the timer and the online event cover it while the app is open */
    }
  }

  async afterReconnect(): Promise<void> {
    if (!this.session || this.session.needsSignIn) return;
    // Only enumerators have assignments and an outbox; staff screens fetch what they show.
    if (this.session.role !== "enumerator") return;
    await this.sync(true);
    try {
      await this.pull();
    } catch (e) {
      if (!(e instanceof NetworkError || e instanceof AuthRequired || e instanceof ApiError)) throw e;
      await this.reloadSession();
      this.emit();
    }
  }

  async visits(): Promise<VisitRecord[]> {
    if (!this.session) return [];
    return visitsFor(this.session.userId);
  }
}

export const app = new Controller();
