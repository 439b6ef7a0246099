// Types of the API the PWA uses, from the generated schema.d.ts (npm run gen:api): a server
// change that breaks the app breaks `npm run typecheck`, and src/api/schema.test.ts fails
// while the committed types are stale.
import type { components } from "./schema";

type S = components["schemas"];
export type TokenPair = S["TokenPair"];
export type Principal = S["PrincipalOut"];
export type FormSummary = S["FormSummary"];
export type LoginRequest = S["LoginRequest"];
export type EnrolRequest = S["EnrolRequest"];
export type RefreshRequest = S["RefreshRequest"];

export type Outcome = S["Outcome"];
export const OUTCOMES: Outcome[] = [
  "found",
  "not_home",
  "refused",
  "moved",
  "not_found",
  "dissolved",
  "duplicate",
];
export type Eligibility = S["Eligibility"];
export type PhotoKind = S["PhotoKind"];
export const PHOTO_KINDS: PhotoKind[] = [
  "house_front",
  "house_inside",
  "family_card",
  "head_with_id",
  "kitchen",
  "toilet",
  "minutes",
];
/** Kinds of photos taken inside the form (a member's death certificate), not on the photo step. */
export const FIELD_PHOTO_KINDS: PhotoKind[] = ["death_certificate"];

/** api/visits/schemas.py required_photo_kinds (SPEC §5). */
export function requiredPhotoKinds(outcome: Outcome | null): Set<PhotoKind> {
  const kinds = new Set<PhotoKind>();
  if (outcome === null) return kinds;
  if (outcome !== "refused") kinds.add("house_front");
  if (outcome === "found") {
    kinds.add("house_inside");
    kinds.add("family_card");
  }
  return kinds;
}

export type GpsFix = S["GpsFix"];
export type VisitGps = S["VisitGps"];
export type DeclaredPhoto = S["DeclaredPhoto"];
export type VisitSubmission = S["VisitSubmission"] & { photos: DeclaredPhoto[] };
export type VisitState = S["VisitState"];
export type VisitReceipt = S["VisitReceipt"];
export type PhotoReceipt = S["PhotoReceipt"];
export type SyncResponse = S["SyncResponse"];
export type SyncAssignment = S["SyncAssignment"];

/** A field problem in a 422 answer. */
export interface FieldProblem {
  path: string;
  code: string;
  message: { id: string; en: string };
}
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: FieldProblem[];
  [key: string]: unknown;
}
