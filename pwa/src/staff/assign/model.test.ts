import { describe, expect, it } from "vitest";
import { applyFilter, assignedIn, enumeratorsFor, inDecile, join, NO_FILTER, plan, rtValues, rwValues, sortLines, type Assignment, type Household, type User } from "./model";

const hh = (id: number, rw: string, rt: string, head = `Kepala ${id}`): Household => ({
  id, region_code: "17.06.01.2001", village_name: "A", address: `Jl. ${id}`, rt, rw, kk_masked: "1706••••••••0001",
  head_name: head, head_nik_masked: "", member_count: 1, status: "active", decile: null, has_location: false,
});
const asg = (household_id: number, enumerator_id: number, state = "open"): Assignment => ({
  id: household_id * 10, round_id: 1, household_id, region_code: "17.06.01.2001", rt: "", rw: "", head_name: "",
  kk_masked: "", enumerator_id, enumerator_name: `E${enumerator_id}`, state, returned_comment: null, assigned_by: "x",
  assigned_at: "", updated_at: "",
});
const user = (id: number, scopes: string[], role = "enumerator", active = true): User => ({
  id, username: `u${id}`, display_name: `User ${id}`, role: role as User["role"], scopes, active, created_at: "",
});

const lines = sortLines(join([hh(1, "002", "003"), hh(2, "002", "001", "Budi"), hh(3, "010", "001"), hh(4, "002", "003", "Ani")], [asg(1, 7), asg(3, 8)]));

describe("assignment model", () => {
  it("filters by decile: one, the poorest 40 %, the rest, unknown", () => {
    const withDeciles = join([{ ...hh(1, "001", "001"), decile: 2 }, { ...hh(2, "001", "001"), decile: 7 }, hh(3, "001", "001")], []);
    const ids = (decile: string) => applyFilter(withDeciles, { ...NO_FILTER, decile }).map((l) => l.household.id);
    expect(ids("")).toEqual([1, 2, 3]);
    expect(ids("1-4")).toEqual([1]);
    expect(ids("5-10")).toEqual([2]);
    expect(ids("7")).toEqual([2]);
    expect(ids("unknown")).toEqual([3]);
    expect(inDecile(4, "1-4") && !inDecile(5, "1-4") && !inDecile(null, "1-4")).toBe(true);
  });

  it("joins and sorts by RW, RT, name", () => {
    expect(lines.map((l) => l.household.id)).toEqual([2, 4, 1, 3]);
    expect(lines.find((l) => l.household.id === 1)!.assignment!.enumerator_id).toBe(7);
  });

  it("filters by RW, RT, assignment and text", () => {
    expect(rwValues(lines)).toEqual(["002", "010"]);
    expect(rtValues(lines, "002")).toEqual(["001", "003"]);
    expect(applyFilter(lines, { ...NO_FILTER, rw: "002", rt: "003" }).map((l) => l.household.id)).toEqual([4, 1]);
    expect(applyFilter(lines, { ...NO_FILTER, show: "unassigned" }).map((l) => l.household.id)).toEqual([2, 4]);
    expect(applyFilter(lines, { ...NO_FILTER, show: "assigned" }).map((l) => l.household.id)).toEqual([1, 3]);
    expect(applyFilter(lines, { ...NO_FILTER, text: "budi" }).map((l) => l.household.id)).toEqual([2]);
  });

  it("plans an assignment: new, unchanged, moved", () => {
    expect(plan(lines, new Set([1, 2, 3]), 7)).toEqual({ fresh: [2], same: [1], moved: [3] });
    expect(assignedIn(lines, new Set([1, 2, 3]))).toEqual([1, 3]);
  });

  it("offers the enumerators working in the village", () => {
    const users = [user(1, ["17.06.01"]), user(2, ["17.06.05"]), user(3, ["17.06.01.2001"], "enumerator", false), user(4, ["17.06"], "supervisor")];
    expect(enumeratorsFor(users, "17.06.01.2001").map((u) => u.id)).toEqual([1]);
  });
});
