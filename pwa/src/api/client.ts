// The API as the phone uses it. Authenticated calls get a fresh token and retry once
// after a 401 (the token may have expired in flight).
import { Auth } from "../auth/session";
import type {
  FormSummary,
  PhotoReceipt,
  Principal,
  TokenPair,
  VisitReceipt,
  VisitSubmission,
} from "./contract";
import { ApiError, type Fetch, type RequestOptions, request } from "./http";

export interface AssignmentPage {
  items: unknown[];
  removed: string[];
  cursor: string | null;
  hasMore: boolean;
  full: boolean;
}

export class ApiClient {
  readonly auth: Auth;
  constructor(
    private readonly fetchImpl: Fetch = (...a) => fetch(...a),
    private readonly base = "",
  ) {
    this.auth = new Auth(fetchImpl, base);
  }

  /** Any authenticated call: a fresh access token, one refresh and retry after a 401. */
  async call<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return (await this.authed<T>(path, opts)).data;
  }

  private async authed<T>(path: string, opts: RequestOptions = {}) {
    let token = await this.auth.accessToken();
    try {
      return await request<T>(this.fetchImpl, this.base + path, { ...opts, token });
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e;
      token = await this.auth.refresh(token);
      return request<T>(this.fetchImpl, this.base + path, { ...opts, token });
    }
  }

  async login(username: string, password: string, deviceLabel: string): Promise<TokenPair> {
    const { data } = await request<TokenPair>(this.fetchImpl, `${this.base}/api/v1/auth/login`, {
      method: "POST",
      json: { username, password, device_label: deviceLabel },
    });
    return data;
  }

  async enrol(code: string, deviceLabel: string): Promise<TokenPair> {
    const { data } = await request<TokenPair>(this.fetchImpl, `${this.base}/api/v1/auth/enrol`, {
      method: "POST",
      json: { code, device_label: deviceLabel },
    });
    return data;
  }

  /** /me with an explicit token (right after sign-in, before the session is stored). */
  async meWith(token: string): Promise<Principal> {
    const { data } = await request<Principal>(this.fetchImpl, `${this.base}/api/v1/me`, { token });
    return data;
  }

  async logout(): Promise<void> {
    await this.authed<void>("/api/v1/auth/logout", { method: "POST", timeoutMs: 10_000 });
  }

  async forms(): Promise<FormSummary[]> {
    return (await this.authed<FormSummary[]>("/api/v1/forms")).data;
  }

  /** A published definition; null when the cached ETag still matches (304). */
  async formVersion(
    id: string,
    version: number,
    etag: string | null,
  ): Promise<{ definition: unknown; etag: string | null } | null> {
    const headers: Record<string, string> = {};
    if (etag) headers["If-None-Match"] = etag;
    const res = await this.authed<unknown>(
      `/api/v1/forms/${encodeURIComponent(id)}/versions/${version}`,
      { headers },
    );
    if (res.status === 304) return null;
    return { definition: res.data, etag: res.headers.get("ETag") };
  }

  async assignments(since: string | null): Promise<AssignmentPage> {
    const q = since ? `?since=${encodeURIComponent(since)}` : "";
    const { data } = await this.authed<Record<string, unknown> | unknown[]>(
      `/api/v1/assignments${q}`,
      { timeoutMs: 120_000 },
    );
    return normalisePage(data, since);
  }

  async putVisit(id: string, body: VisitSubmission): Promise<VisitReceipt> {
    const { data } = await this.authed<VisitReceipt>(`/api/v1/visits/${id}`, {
      method: "PUT",
      json: body,
    });
    return data;
  }

  async putPhoto(visitId: string, photoId: string, bytes: ArrayBuffer): Promise<PhotoReceipt> {
    const { data } = await this.authed<PhotoReceipt>(`/api/v1/visits/${visitId}/photos/${photoId}`, {
      method: "PUT",
      body: bytes,
      headers: { "Content-Type": "image/jpeg" },
      timeoutMs: 180_000,
    });
    return data;
  }
}

const asString = (x: unknown): string | null =>
  typeof x === "string" ? x : typeof x === "number" ? String(x) : null;

/** Accepts the delta-sync answer in the shapes issue 5 may settle on. */
export function normalisePage(data: unknown, since: string | null): AssignmentPage {
  if (Array.isArray(data)) return { items: data, removed: [], cursor: null, hasMore: false, full: true };
  const d = (data ?? {}) as Record<string, unknown>;
  const items = (d.items ?? d.assignments ?? d.upserts ?? d.changed ?? []) as unknown[];
  const rawRemoved = (d.removed ?? d.removals ?? d.deleted ?? []) as unknown[];
  const removed = rawRemoved
    .map((r) =>
      typeof r === "object" && r !== null
        ? asString((r as Record<string, unknown>).id ?? (r as Record<string, unknown>).assignment_id)
        : asString(r),
    )
    .filter((x): x is string => x !== null);
  const cursor = asString(d.cursor ?? d.next_cursor ?? d.since ?? null);
  const hasMore = Boolean(d.has_more ?? d.more ?? false);
  const full = typeof d.full === "boolean" ? d.full : since === null || Boolean(d.reset);
  return { items, removed, cursor, hasMore, full };
}
