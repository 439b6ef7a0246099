// Authenticated calls for the progress, assignment and audit screens: the phone's client
// (src/api/client.ts) keeps its endpoints private, so these screens share this small one.
// Same rules: a fresh access token per call, one refresh and retry after a 401.
import { app } from "../../app/controller";
import { ApiError, type RequestOptions, request } from "../../api/http";
import type { Problem } from "../../api/contract";
import type { components } from "../../api/schema";

export type S = components["schemas"];

const doFetch = (...a: Parameters<typeof fetch>) => fetch(...a);

export async function call<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  let token = await app.api.auth.accessToken();
  try {
    return (await request<T>(doFetch, path, { ...opts, token })).data;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    token = await app.api.auth.refresh(token);
    return (await request<T>(doFetch, path, { ...opts, token })).data;
  }
}

/** Every page of a list that answers {items, next_after}. */
export async function allPages<T>(path: string, max = 20): Promise<T[]> {
  const out: T[] = [];
  let after: number | null = null;
  for (let i = 0; i < max; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const page: { items: T[]; next_after: number | null } = await call(
      after === null ? path : `${path}${sep}after=${after}`,
    );
    out.push(...page.items);
    if (page.next_after === null || page.next_after === undefined) break;
    after = page.next_after;
  }
  return out;
}

/** Let the browser save a URL it can fetch without a token (a signed link). */
export function saveUrl(url: string, filename = ""): void {
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/**
 * A small authenticated file (a village's minutes PDF): fetched with the token, then
 * saved from a Blob. Large files (bundles) go through a signed link instead.
 */
export async function downloadSmall(path: string, fallbackName: string): Promise<void> {
  const go = async (token: string) =>
    fetch(path, { headers: { Authorization: `Bearer ${token}`, Accept: "*/*" } });
  let token = await app.api.auth.accessToken();
  let res = await go(token);
  if (res.status === 401) {
    token = await app.api.auth.refresh(token);
    res = await go(token);
  }
  if (!res.ok) {
    let problem: Problem = { status: res.status };
    try {
      problem = (await res.json()) as Problem;
    } catch {
      /* not problem+json */
    }
    throw new ApiError(res.status, problem);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  saveUrl(url, name);
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A bundle (household or region) through a short-lived signed link: the browser's own
 *  download manager writes it to disk, so a region's bundle never sits in page memory. */
export async function downloadBundle(scope: { household?: number | string; region?: string }): Promise<void> {
  const q = scope.household !== undefined ? `household=${encodeURIComponent(String(scope.household))}`
    : `region=${encodeURIComponent(scope.region ?? "")}`;
  const link = await call<S["BundleLink"]>(`/api/v1/audit/bundles/link?${q}`, { method: "POST" });
  saveUrl(link.url);
}
