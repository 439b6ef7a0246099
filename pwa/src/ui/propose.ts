// Propose a household that is not in the register (usulan baru): pick one of the enumerator's
// villages, then the ordinary visit screen fills the proposal form, GPS and photos, offline.
import { app } from "../app/controller";
import { assignmentsFor, putVisit } from "../data/db";
import { compileForm, type FormDef } from "../forms/engine";
import { t } from "../i18n";
import { formFor } from "../sync/assignments";
import { createProposal, PROPOSAL_FORM, villagesOf } from "../visits/proposal";
import { h, toast } from "./dom";

export async function proposeScreen(root: HTMLElement): Promise<() => void> {
  const villages = villagesOf(await assignmentsFor(app.userId!));
  const box = h("div", { class: "choices", role: "radiogroup", "aria-label": t("propose_village") });
  villages.forEach((v, i) => {
    box.appendChild(
      h("label", { class: "choice" },
        h("input", { type: "radio", name: "village", value: v.code, checked: i === 0 && villages.length === 1 }),
        h("span", null, v.name)),
    );
  });
  const start = async () => {
    const picked = box.querySelector<HTMLInputElement>("input:checked")?.value;
    const village = villages.find((v) => v.code === picked);
    if (!village) {
      toast(t("propose_village"), "warn");
      return;
    }
    const stored = await formFor(null, PROPOSAL_FORM);
    if (!stored) {
      toast(t("form_unavailable"), "warn");
      return;
    }
    const v = createProposal(village, compileForm(stored.definition as FormDef), app.session!);
    await putVisit(v);
    location.hash = `#/visit/${v.id}`;
  };
  root.replaceChildren(
    h("div", { class: "card" },
      h("h2", null, t("propose_title")),
      h("p", { class: "muted" }, t("propose_help")),
      villages.length ? h("h3", null, t("propose_village")) : h("p", { class: "warn" }, t("propose_no_village")),
      box,
    ),
    h("div", { class: "sticky-actions" },
      h("button", { type: "button", class: "btn primary wide", id: "propose-start", disabled: villages.length === 0, onclick: start }, t("propose_start")),
    ),
  );
  return () => undefined;
}
