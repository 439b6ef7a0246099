// @vitest-environment happy-dom
// Property-style test of the visit screen: long random sequences of member edits, additions,
// removals, step changes and reloads are played through the real screen (DOM events on the
// rendered widgets, IndexedDB through fake-indexeddb), and after every step the draft saved in
// IndexedDB must equal what the "user" entered (kept here in a plain model).
import "fake-indexeddb/auto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { app } from "../app/controller";
import { applyAssignmentChanges, getVisit, putForm, putVisit, resetDbForTests } from "../data/db";
import type { Assignment, Session } from "../data/types";
import { compileForm, type FormDef, type Instance } from "../forms/engine";
import { t } from "../i18n";
import { visit as visitFixture } from "../test/fixtures";
import { createVisit } from "../visits/visit";
import { visitScreen } from "./visit";

const FORM = JSON.parse(
  readFileSync(resolve(__dirname, "../../../survey_forms/definitions/dtks_verval.v1.json"), "utf8"),
) as FormDef;

const SESSION = { userId: 5, username: "enum", displayName: "Enum", role: "enumerator", scopes: ["17.06"] } as Session;

function assignment(): Assignment {
  const member = (name: string, nik: string, rel: string) => ({
    nik, name, sex: "1", birth_date: "1980-01-01", marital_status: "2", relationship: rel,
    disability: "2", chronic_illness: "2", working: "1",
  });
  return {
    key: "5:a1", userId: 5, id: "a1", roundId: 1, roundName: "R1", state: "open", returnComment: null,
    returnedVisitId: null, form: { id: FORM.id, version: FORM.version }, updatedAt: "2026-12-01T00:00:00Z",
    household: {
      id: 1, address: "Dusun I", rt: "001", rw: "002", villageCode: "17.06.01.2001", villageName: "Lubuk Pinang",
      headName: "Edi", headNik: "1706010101800001", kk: "1706010101800009", lat: null, lon: null, baseline: {},
      members: [
        member("Edi", "1706010101800001", "1"),
        member("Sari", "1706014101820002", "2"),
        member("Budi", "1706010101100003", "3"),
      ],
    },
  };
}

/** A seeded PRNG (mulberry32): a failure names its seed and replays exactly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 8; i++) await new Promise((r) => setTimeout(r, 0));
};

interface Expected {
  full_name: string | undefined;
  presence: string | undefined;
  nik: string | undefined;
  isNew: boolean;
}

const memberOf = (root: HTMLElement, i: number): HTMLElement => {
  const el = root.querySelector<HTMLElement>(`[data-member="members:${i}"]`);
  if (!el) throw new Error(`member ${i} is not on the screen`);
  return el;
};

describe("visit screen: member edits survive everything", () => {
  let root: HTMLElement;
  let close: () => void = () => undefined;

  beforeEach(async () => {
    indexedDB = new IDBFactory();
    resetDbForTests();
    app.session = SESSION;
    // happy-dom has no GPS: a receiver that never gets a fix (the GPS panel then waits).
    Object.defineProperty(navigator, "geolocation", {
      configurable: true,
      value: { watchPosition: () => 1, clearWatch: () => undefined },
    });
    root = document.createElement("div");
    document.body.replaceChildren(root);
    await putForm({ key: `${FORM.id}@${FORM.version}`, id: FORM.id, version: FORM.version, etag: null, definition: FORM });
    await applyAssignmentChanges(5, [assignment()], [], null, false);
  });
  afterEach(() => close());

  // Each seed is 40 actions; happy-dom redraws slowly, so a few seeds keep the file under a minute.
  const SEEDS = [1, 2, 3, 4, 5, 6];
  it.each(SEEDS)("random member journey, seed %i", { timeout: 120_000 }, async (seed) => {
    const rand = rng(seed);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const form = compileForm(FORM);
    const v = { ...createVisit(assignment(), form, SESSION, Date.now(), visitFixture().id), outcome: "found" as const };
    const familyStep = 1 + FORM.groups.findIndex((g) => g.name === "family");
    await putVisit({ ...v, step: familyStep });
    const expected: Expected[] = (v.answers.members as Instance[]).map((m) => ({
      full_name: m.full_name as string, presence: m.presence as string | undefined, nik: m.nik as string | undefined, isNew: false,
    }));

    const open = async () => {
      close();
      close = await visitScreen(root, v.id);
      await settle();
    };
    const toFamily = async () => {
      // Walk with the screen's own buttons until the family step shows.
      for (let guard = 0; guard < 12 && !root.querySelector(".add-member"); guard++) {
        const label = root.querySelector(".stepper-label")?.textContent ?? "";
        const at = Number(/^(\d+)\//.exec(label)?.[1] ?? "1") - 1;
        root.querySelector<HTMLButtonElement>(at < familyStep ? "#next" : ".visit-footer .btn.secondary")!.click();
        await settle();
      }
    };
    await open();

    const log: string[] = [];
    for (let step = 0; step < 40; step++) {
      const n = expected.length;
      const roll = rand();
      if (roll < 0.25 && n > 0) {
        const i = Math.floor(rand() * n);
        const code = pick(expected[i]!.isNew ? ["5", "1"] : ["1", "2", "3", "4", "6"]);
        log.push(`presence ${i}=${code}`);
        const input = memberOf(root, i).querySelector<HTMLInputElement>(
          `input[type=radio][name="f-members-${i}--presence"][value="${code}"]`,
        )!;
        input.checked = true;
        input.dispatchEvent(new Event("change", { bubbles: true }));
        expected[i]!.presence = code;
      } else if (roll < 0.45 && n > 0) {
        const i = Math.floor(rand() * n);
        const name = `Nama ${seed}-${step}`;
        log.push(`name ${i}=${name}`);
        const input = memberOf(root, i).querySelector<HTMLInputElement>(`#f-members-${i}--full-name`)!;
        input.value = name;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        expected[i]!.full_name = name;
      } else if (roll < 0.55 && n > 0) {
        const i = Math.floor(rand() * n);
        const nik = `170601${String(10 + Math.floor(rand() * 18)).padStart(2, "0")}0${Math.floor(rand() * 9)}${String(Math.floor(rand() * 90) + 10)}${String(step).padStart(4, "0")}`.slice(0, 16);
        log.push(`nik ${i}`);
        const wrap = memberOf(root, i).querySelector<HTMLElement>('[data-path$=".nik"] .nik-wrap')!;
        wrap.querySelector<HTMLButtonElement>("button")?.click(); // a pre-filled NIK is masked until "edit"
        const input = wrap.querySelector<HTMLInputElement>("input.nik")!;
        input.value = nik;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        expected[i]!.nik = nik;
      } else if (roll < 0.72 && n < 8) {
        log.push("add");
        root.querySelector<HTMLButtonElement>(".add-member")!.click();
        expected.push({ full_name: undefined, presence: "5", nik: undefined, isNew: true });
      } else if (roll < 0.8) {
        const news = expected.flatMap((m, i) => (m.isNew ? [i] : []));
        if (news.length) {
          const i = pick(news);
          log.push(`remove ${i}`);
          [...memberOf(root, i).querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent === t("remove_member"))!.click();
          expected.splice(i, 1);
        }
      } else if (roll < 0.9) {
        log.push("steps");
        root.querySelector<HTMLButtonElement>(pick(["#next", ".visit-footer .btn.secondary"]))!.click();
        await settle();
        await toFamily();
      } else {
        log.push("reload");
        await open();
        await toFamily();
      }
      await settle();
      const saved = await getVisit(v.id);
      const got = ((saved!.answers.members as Instance[]) ?? []).map((m) => ({
        full_name: m.full_name, presence: m.presence, nik: m.nik, isNew: Boolean(m._new),
      }));
      expect(got, `seed ${seed} after: ${log.join("; ")}`).toEqual(expected);
    }
  });
});
