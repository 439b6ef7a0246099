// A household found in the field that is not in the register (usulan baru): proposed from the
// phone, offline, in one of the enumerator's villages, and sent through the same outbox as a
// visit with outcome new_household (the server files it with the usulan_baru form).
import type { Assignment, Session, VisitRecord } from "../data/types";
import { type CompiledForm, prefill } from "../forms/engine";
import { newDraft } from "./visit";

export const PROPOSAL_FORM = "usulan_baru";

export interface Village {
  code: string;
  name: string;
  /** the round the enumerator works in there (a proposal is filed in it) */
  roundId: number;
}

/** The villages of the enumerator's assignments, by name, each once. */
export function villagesOf(assignments: Assignment[]): Village[] {
  const out = new Map<string, Village>();
  for (const a of assignments) {
    const hh = a.household;
    if (!/^\d{2}\.\d{2}\.\d{2}\.\d{4}$/.test(hh.villageCode) || out.has(hh.villageCode)) continue;
    out.set(hh.villageCode, { code: hh.villageCode, name: hh.villageName || hh.villageCode, roundId: a.roundId });
  }
  return [...out.values()].sort((x, y) => x.name.localeCompare(y.name, "id"));
}

export function createProposal(
  village: Village,
  form: CompiledForm,
  session: Session,
  now = Date.now(),
  id: string = crypto.randomUUID(),
): VisitRecord {
  return newDraft(
    {
      id,
      userId: session.userId,
      assignmentKey: null,
      householdId: null,
      roundId: village.roundId,
      label: `Usulan baru · ${village.name}`,
      form: { id: form.def.id, version: form.def.version },
      answers: prefill(form, {}),
      outcome: "new_household",
      revisitOf: null,
      proposal: { villageCode: village.code, villageName: village.name },
    },
    now,
  );
}
