// Records kept on the phone (IndexedDB). Plain data: structured-cloneable.
import type {
  DeclaredPhoto,
  Eligibility,
  FieldProblem,
  Outcome,
  VisitGps,
  VisitReceipt,
} from "../api/contract";

export interface Session {
  userId: number;
  username: string;
  displayName: string;
  role: string;
  scopes: string[];
  sessionId: string;
  accessToken: string | null;
  /** epoch ms */
  accessExpiresAt: number;
  refreshToken: string | null;
  signedInAt: number;
  /** The server ended the session: tokens are gone, the data stays. */
  needsSignIn: boolean;
}

export interface Member {
  [key: string]: unknown;
}

export interface Household {
  id: number;
  address: string;
  rt: string;
  rw: string;
  villageCode: string;
  villageName: string;
  headName: string;
  headNik: string;
  kk: string;
  lat: number | null;
  lon: number | null;
  /** The register's decile (desil, 1 = poorest tenth, set by BPS); absent/null: unknown. */
  decile?: number | null;
  /** baseline answers keyed as the form's prefill keys (baseline.<key>) */
  baseline: Record<string, unknown>;
  members: Member[];
}

export type AssignmentState = "open" | "visited" | "returned" | "closed";

/** A civil-registry (Dukcapil) finding the enumerator confirms or contradicts. */
export interface CivilHint {
  findingId: number;
  kind: string;
  /** The register member it is about; null: about the household (a birth). */
  memberId: number | null;
  text: string;
  details: Record<string, unknown>;
}

export interface Assignment {
  /** `${userId}:${id}` */
  key: string;
  userId: number;
  id: string;
  roundId: number;
  roundName: string;
  state: AssignmentState;
  returnComment: string | null;
  returnedVisitId: string | null;
  form: { id: string; version: number } | null;
  household: Household;
  updatedAt: string;
  /** Open civil-registry findings (absent on assignments stored before they existed). */
  hints?: CivilHint[];
}

export type OutboxState =
  | "draft"
  | "queued"
  | "sending"
  | "waiting_photos"
  | "done"
  | "needs_attention";

export interface PhotoMeta extends DeclaredPhoto {
  uploaded: boolean;
}

export type Attention =
  | { kind: "conflict"; detail: string }
  | { kind: "invalid"; detail: string; errors: FieldProblem[] }
  | { kind: "photo"; detail: string; photoId: string }
  | { kind: "refused"; detail: string; code: string };

export interface VisitRecord {
  id: string;
  userId: number;
  assignmentKey: string | null;
  householdId: number | null;
  roundId: number;
  /** What the outbox shows: head's name and address. */
  label: string;
  form: { id: string; version: number };
  answers: Record<string, unknown>;
  outcome: Outcome | null;
  eligibility: Eligibility | null;
  note: string;
  startedAt: string;
  endedAt: string | null;
  /** The fix taken at the door (its poor_fix_reason is set when the visit is finished). */
  gps: VisitGps | null;
  /** Why the fix is missing or worse than the threshold. */
  gpsReason: string;
  photos: PhotoMeta[];
  revisitOf: string | null;
  /** A household proposed from the field (usulan baru): its village; absent on visits. */
  proposal?: { villageCode: string; villageName: string } | null;
  state: OutboxState;
  /** The server confirmed the visit record (its photos may still be missing). */
  serverHas: boolean;
  attempts: number;
  /** epoch ms; 0 = now */
  nextAttemptAt: number;
  lastError: string | null;
  attention: Attention | null;
  receipt: VisitReceipt | null;
  createdAt: number;
  updatedAt: number;
  doneAt: number | null;
  /** Where the form was left (UI). */
  step: number;
}

export interface StoredPhoto {
  id: string;
  visitId: string;
  bytes: ArrayBuffer;
}

export interface StoredForm {
  key: string;
  id: string;
  version: number;
  etag: string | null;
  definition: unknown;
}
