// Assignment management without the DOM: households joined with their assignment in the
// round, filters by RT/RW, the selection, what an "assign" would move, the result in words.
// Pure: unit-tested.
import type { components } from "../../api/schema";
import { bounds, isDecileSelection } from "../../ui/decile";
import { covers } from "../progress/model";

type S = components["schemas"];
export type Household = S["HouseholdItem"];
export type Assignment = S["AssignmentOut"];
export type User = S["UserOut"];

export interface Line {
  household: Household;
  assignment: Assignment | null;
}

export function join(households: Household[], assignments: Assignment[]): Line[] {
  const by = new Map<number, Assignment>();
  for (const a of assignments) by.set(a.household_id, a);
  return households.map((h) => ({ household: h, assignment: by.get(h.id) ?? null }));
}

export interface Filter {
  rw: string; // "" = every RW
  rt: string; // "" = every RT
  show: "all" | "unassigned" | "assigned";
  text: string; // head's name or address, case-insensitive
  decile: string; // "" = every decile; else a selection of ui/decile.ts ("1-4", "3", "unknown")
}

export const NO_FILTER: Filter = { rw: "", rt: "", show: "all", text: "", decile: "" };

/** The household's decile is inside a selection ("" takes every household). */
export function inDecile(decile: number | null, selection: string): boolean {
  if (!selection || !isDecileSelection(selection)) return true;
  const range = bounds(selection);
  if (range === null) return decile === null;
  return decile !== null && decile >= range[0] && decile <= range[1];
}

export function applyFilter(lines: Line[], f: Filter): Line[] {
  const text = f.text.trim().toLowerCase();
  return lines.filter((l) => {
    const h = l.household;
    if (f.rw && h.rw !== f.rw) return false;
    if (f.rt && h.rt !== f.rt) return false;
    if (!inDecile(h.decile, f.decile)) return false;
    if (f.show === "unassigned" && l.assignment) return false;
    if (f.show === "assigned" && !l.assignment) return false;
    if (text && !`${h.head_name} ${h.address}`.toLowerCase().includes(text)) return false;
    return true;
  });
}

const numeric = (a: string, b: string) => Number(a) - Number(b) || a.localeCompare(b);

export function rwValues(lines: Line[]): string[] {
  return [...new Set(lines.map((l) => l.household.rw))].sort(numeric);
}

/** RTs, within an RW when one is chosen. */
export function rtValues(lines: Line[], rw: string): string[] {
  return [...new Set(lines.filter((l) => !rw || l.household.rw === rw).map((l) => l.household.rt))].sort(numeric);
}

export function sortLines(lines: Line[]): Line[] {
  return [...lines].sort(
    (a, b) => numeric(a.household.rw, b.household.rw) || numeric(a.household.rt, b.household.rt)
      || a.household.head_name.localeCompare(b.household.head_name) || a.household.id - b.household.id,
  );
}

/** Enumerators who may work in the village (a scope covering it), active first by name. */
export function enumeratorsFor(users: User[], village: string): User[] {
  return users
    .filter((u) => u.role === "enumerator" && u.active && u.scopes.some((s) => covers(s, village)))
    .sort((a, b) => a.display_name.localeCompare(b.display_name));
}

export interface Plan {
  fresh: number[]; // not assigned yet
  same: number[]; // already with this enumerator
  moved: number[]; // with someone else: a reassignment
}

export function plan(lines: Line[], selected: Set<number>, enumeratorId: number): Plan {
  const out: Plan = { fresh: [], same: [], moved: [] };
  for (const l of lines) {
    if (!selected.has(l.household.id)) continue;
    if (!l.assignment) out.fresh.push(l.household.id);
    else if (l.assignment.enumerator_id === enumeratorId) out.same.push(l.household.id);
    else out.moved.push(l.household.id);
  }
  return out;
}

/** The assigned households of a selection (what "unassign" would touch). */
export function assignedIn(lines: Line[], selected: Set<number>): number[] {
  return lines.filter((l) => selected.has(l.household.id) && l.assignment).map((l) => l.household.id);
}
