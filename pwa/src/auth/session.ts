// Tokens on the phone. The access token lives 15 min; the refresh token rotates on every use
// and reusing an old one ends the session, so refreshes are serialised across tabs and the
// service worker with a Web Lock, and the token is re-read inside the lock.
import type { Principal, TokenPair } from "../api/contract";
import { ApiError, AuthRequired, type Fetch, request } from "../api/http";
import { getSession, setSession } from "../data/db";
import type { Session } from "../data/types";

const SKEW_MS = 60_000;

export async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks?.request) return locks.request(name, { mode: "exclusive" }, fn) as Promise<T>;
  return fn();
}

/** Run fn only if no other tab/worker holds the lock; null when it was busy. */
export async function tryLock<T>(name: string, fn: () => Promise<T>): Promise<T | null> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks?.request) return fn();
  return locks.request(name, { ifAvailable: true }, async (lock) =>
    lock ? fn() : null,
  ) as Promise<T | null>;
}

export function sessionFrom(pair: TokenPair, me: Principal, now = Date.now()): Session {
  return {
    userId: me.id,
    username: me.username,
    displayName: me.display_name,
    role: me.role,
    scopes: me.scopes,
    sessionId: pair.session_id,
    accessToken: pair.access_token,
    accessExpiresAt: Date.parse(pair.expires_at),
    refreshToken: pair.refresh_token,
    signedInAt: now,
    needsSignIn: false,
  };
}

export class Auth {
  constructor(
    private readonly fetchImpl: Fetch,
    private readonly base = "",
  ) {}

  /** A valid access token, refreshed when it is (nearly) expired. */
  async accessToken(): Promise<string> {
    const s = await getSession();
    if (!s || s.needsSignIn || !s.refreshToken) throw new AuthRequired();
    if (s.accessToken && s.accessExpiresAt - SKEW_MS > Date.now()) return s.accessToken;
    return this.refresh(s.accessToken);
  }

  /**
   * Rotate the refresh token. `stale` is the access token the caller found wanting: if
   * another tab already replaced it, its fresh token is used and nothing is sent.
   */
  async refresh(stale: string | null): Promise<string> {
    return withLock("verval-auth", async () => {
      const s = await getSession();
      if (!s || s.needsSignIn || !s.refreshToken) throw new AuthRequired();
      if (s.accessToken && s.accessToken !== stale && s.accessExpiresAt - SKEW_MS > Date.now()) {
        return s.accessToken;
      }
      let pair: TokenPair;
      try {
        ({ data: pair } = await request<TokenPair>(this.fetchImpl, `${this.base}/api/v1/auth/refresh`, {
          method: "POST",
          json: { refresh_token: s.refreshToken },
          timeoutMs: 30_000,
        }));
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          // The session is over on the server. Keep who it was (the outbox belongs to them).
          await setSession({ ...s, accessToken: null, refreshToken: null, needsSignIn: true });
          throw new AuthRequired(e.code);
        }
        throw e;
      }
      await setSession({
        ...s,
        accessToken: pair.access_token,
        accessExpiresAt: Date.parse(pair.expires_at),
        refreshToken: pair.refresh_token,
        sessionId: pair.session_id,
      });
      return pair.access_token;
    });
  }
}
