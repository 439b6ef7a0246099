// The review endpoints, typed from the generated schema, through the one authenticated
// client (src/api/client.ts: a fresh token, one refresh and retry after a 401).
import { app } from "../../app/controller";
import type { RequestOptions } from "../../api/http";
import type { components } from "../../api/schema";
import { apiQuery, type Filters } from "./model";

type S = components["schemas"];
export type QueueItem = S["QueueItem"];
export type QueuePage = S["QueuePage"];
export type StateCounts = S["review_schemas_StateCounts"];
/** The other side of a duplicate-photo flag (api/review/related.py); other_* are null
 *  when the other household lies outside the reader's regions. */
export type RelatedPhoto = S["RelatedPhoto"];
export type VisitDetail = S["ReviewVisitDetail"];
export type ReviewPhoto = S["ReviewPhoto"];
export type FlagOut = S["FlagOut"];
export type AnswerChange = S["AnswerChange"];
export type MemberChange = S["MemberChange"];
export type MemberFact = S["MemberFact"];
export type DecisionOut = S["DecisionOut"];
export type DecisionResult = S["DecisionResult"];
export type DecisionKind = S["DecisionKind"];
export type RegionOut = S["RegionOut"];
export type RegionChild = S["RegionChild"];
export type UserOut = S["UserOut"];
export type MapConfig = S["MapConfig"];

export function authed<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  return app.api.call<T>(path, opts);
}

export const reviewApi = {
  queue: (f: Filters, cursor: string | null, limit = 50) =>
    authed<QueuePage>(`/api/v1/visits${apiQuery(f, { cursor, limit })}`),
  counts: (f: Filters) => authed<StateCounts>(`/api/v1/visits/counts${apiQuery(f, { withState: false })}`),
  visit: (id: string) => authed<VisitDetail>(`/api/v1/visits/${encodeURIComponent(id)}`),
  decide: (id: string, decision: DecisionKind, comment: string | null) =>
    authed<DecisionResult>(`/api/v1/visits/${encodeURIComponent(id)}/decisions`, {
      method: "POST",
      json: { decision, comment },
    }),
  regions: () => authed<RegionOut[]>("/api/v1/regions"),
  children: (code: string) => authed<RegionChild[]>(`/api/v1/regions/${encodeURIComponent(code)}/children`),
  enumerators: () => authed<UserOut[]>("/api/v1/users?role=enumerator&active=true"),
};

let config: Promise<MapConfig> | null = null;
/** GET /api/v1/config's map part, once per page load (a failure is retried next time). */
export function mapConfig(): Promise<MapConfig> {
  if (!config) {
    config = authed<{ map: MapConfig }>("/api/v1/config").then((c) => c.map);
    config.catch(() => (config = null));
  }
  return config;
}
