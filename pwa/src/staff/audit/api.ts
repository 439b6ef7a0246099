// Calls and downloads for the progress, assignment and audit screens, through the one
// authenticated client (src/api/client.ts: fresh token, one refresh and retry after a 401).
import { app } from "../../app/controller";
import { ApiError, type RequestOptions } from "../../api/http";
import type { Problem } from "../../api/contract";
import type { components } from "../../api/schema";

export type S = components["schemas"];

export function call<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  return app.api.call<T>(path, opts);
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

/** A short-lived signed URL (api/signed_links.py): fetched without a token. */
export type SignedLink = S["SignedLink"];

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
  const link = await call<SignedLink>(`/api/v1/audit/bundles/link?${q}`, { method: "POST" });
  saveUrl(link.url);
}

/** A SIKS-NG export (CSV or XLSX) of a region and round, streamed to disk through a
 *  signed link: a regency's file never sits in page memory. */
export interface ExportRequest {
  dataset: "households" | "members";
  format: "csv" | "xlsx";
  region: string;
  round: number;
  only?: "all" | "visited" | "approved";
}

export function exportLinkPath(r: ExportRequest): string {
  // The file as its bearer route names it: households.xlsx, members.csv, …
  const q = new URLSearchParams({ file: `${r.dataset}.${r.format}`, region: r.region, round: String(r.round), only: r.only ?? "all" });
  return `/api/v1/reports/exports/link?${q.toString()}`;
}

export async function downloadExport(r: ExportRequest): Promise<SignedLink> {
  const link = await call<SignedLink>(exportLinkPath(r), { method: "POST" });
  saveUrl(link.url);
  return link;
}
