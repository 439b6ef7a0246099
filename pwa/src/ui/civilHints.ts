// Dukcapil (civil registry) hints on the visit's members: what the register office found,
// for the enumerator to confirm or contradict. Confirming fills the member's answers the
// way the finding says (a death: presence "meninggal" with its date); contradicting keeps
// the member living with the family. The server settles the finding from those answers.
import type { Assignment, CivilHint } from "../data/types";
import { h } from "./dom";

type Item = Record<string, unknown>;
export type Answer = [field: string, value: unknown];

/** The hints about the member shown as `item` (matched by the register's member NIK). */
export function hintsForMember(assignment: Assignment | null, item: Item): CivilHint[] {
  const hints = assignment?.hints ?? [];
  if (!hints.length || typeof item.nik !== "string" || !item.nik) return [];
  const byId = new Map<number, string>();
  for (const m of assignment?.household.members ?? []) {
    const id = Number(m.member_id);
    if (Number.isFinite(id) && typeof m.nik === "string") byId.set(id, m.nik);
  }
  return hints.filter((x) => x.memberId !== null && byId.get(x.memberId) === item.nik);
}

/** Hints about the household itself (a birth to add as a new member). */
export function householdHints(assignment: Assignment | null): CivilHint[] {
  return (assignment?.hints ?? []).filter((x) => x.memberId === null);
}

const DATE_FIELDS: Record<string, [presence: string, dateField: string, detail: string]> = {
  died: ["2", "death_date", "death_date"],
  moved_out: ["3", "move_date", "moved_out_on"],
  kk_changed: ["3", "move_date", "kk_changed_on"],
};

/** The member answers that agree with the civil registry. */
export function confirmAnswers(hint: CivilHint): Answer[] {
  const rule = DATE_FIELDS[hint.kind];
  if (!rule) return [];
  const [presence, dateField, detail] = rule;
  const answers: Answer[] = [["presence", presence]];
  const when = hint.details[detail];
  if (typeof when === "string" && when) answers.push([dateField, when.slice(0, 10)]);
  return answers;
}

/** The member answers that contradict it: the member still lives with the family. */
export function contradictAnswers(hint: CivilHint): Answer[] {
  return DATE_FIELDS[hint.kind] ? [["presence", "1"]] : [];
}

/** The verdict the member's answers give now, for the card's state. */
export function verdictOf(hint: CivilHint, item: Item): "confirmed" | "contradicted" | null {
  const rule = DATE_FIELDS[hint.kind];
  if (!rule) return null;
  const presence = String(item.presence ?? "");
  if (presence === rule[0] || (rule[0] === "3" && presence === "4")) return "confirmed";
  if (presence === "1") return "contradicted";
  return null;
}

export function renderHint(
  hint: CivilHint,
  item: Item | null,
  apply: (answers: Answer[]) => void,
): HTMLElement {
  const verdict = item ? verdictOf(hint, item) : null;
  const card = h(
    "div",
    { class: `civil-hint${verdict ? " " + verdict : ""}`, role: "note", "data-kind": hint.kind },
    h("div", { class: "civil-hint-text" }, hint.text),
  );
  const confirm = confirmAnswers(hint);
  if (confirm.length && item) {
    card.appendChild(
      h(
        "div",
        { class: "civil-hint-actions" },
        h("button", { type: "button", class: "btn secondary", "data-action": "confirm",
          "aria-pressed": String(verdict === "confirmed"), onclick: () => apply(confirm) },
          "Benar (sesuai Dukcapil)"),  // prettier-ignore
        h("button", { type: "button", class: "btn secondary", "data-action": "contradict",
          "aria-pressed": String(verdict === "contradicted"),
          onclick: () => apply(contradictAnswers(hint)) },
          "Tidak, masih tinggal"),  // prettier-ignore
      ),
    );
    if (verdict) {
      card.appendChild(
        h("div", { class: "civil-hint-verdict" },
          verdict === "confirmed" ? "Dikonfirmasi — lengkapi buktinya di bawah" : "Dibantah: anggota masih tinggal"),
      );  // prettier-ignore
    }
  }
  return card;
}
