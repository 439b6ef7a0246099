// fetch with problem+json errors. No DOM: used by the page and by the service worker.
import type { Problem } from "./contract";

/** The request never reached the server (offline, DNS, reset). Safe to retry. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NetworkError";
  }
}

/** The server answered with an error (problem+json when it could). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;
  readonly retryAfter: number | null;
  constructor(status: number, problem: Problem, retryAfter: number | null = null) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = problem.code || `http_${status}`;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
  /** Worth trying again later without changing anything. */
  get transient(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** The session is over (refresh refused): the user must sign in again. */
export class AuthRequired extends Error {
  readonly code: string;
  constructor(code = "auth_required") {
    super("sign in again");
    this.name = "AuthRequired";
    this.code = code;
  }
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  token?: string | null;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export type Fetch = typeof fetch;

export async function request<T>(
  fetchImpl: Fetch,
  url: string,
  opts: RequestOptions = {},
): Promise<{ status: number; data: T; headers: Headers }> {
  const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
  let body = opts.body;
  if (opts.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.json);
  }
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 60_000);
  opts.signal?.addEventListener("abort", () => controller.abort());
  let res: Response;
  try {
    const init: RequestInit = { method: opts.method ?? "GET", headers, signal: controller.signal };
    if (body !== undefined) init.body = body;
    res = await fetchImpl(url, init);
  } catch (e) {
    throw new NetworkError(e instanceof Error ? e.message : String(e));
  } finally {
    clearTimeout(timer);
  }
  if (res.status === 304) return { status: 304, data: undefined as T, headers: res.headers };
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new NetworkError(e instanceof Error ? e.message : String(e));
  }
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text.slice(0, 200) };
    }
  }
  if (!res.ok) {
    const problem: Problem =
      typeof data === "object" && data !== null ? (data as Problem) : { status: res.status };
    const ra = res.headers.get("Retry-After");
    throw new ApiError(res.status, problem, ra && /^\d+$/.test(ra) ? Number(ra) : null);
  }
  return { status: res.status, data: data as T, headers: res.headers };
}
