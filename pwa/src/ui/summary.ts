// "Selesai & kirim" first shows what the visit changes and what is still missing
// (visits/summary.ts), and sends only after the enumerator confirms.
import type { VisitRecord } from "../data/types";
import { type Key, L, t } from "../i18n";
import type { VisitProblem } from "../visits/visit";
import type { Detail, VisitSummary } from "../visits/summary";
import { h } from "./dom";

export type SummaryChoice = "send" | "back" | { fix: VisitProblem };

const detailItem = (d: Detail): HTMLElement =>
  h("li", null, h("span", { class: "muted" }, L(d.label), ": "), h("strong", null, d.value),
    d.before !== undefined ? h("span", { class: "muted" }, ` (${t("was_value", { v: d.before })})`) : null);

/** What the visit records and changes against the register (shared by the read-only view). */
export function summaryBody(v: VisitRecord, s: VisitSummary): HTMLElement {
  const changes = s.answers.length || s.members.length;
  return h("div", { class: "summary-body" },
      h("p", null, h("span", { class: "muted" }, t("summary_outcome"), ": "),
        h("strong", null, v.outcome ? t(`outcome_${v.outcome}` as Key) : "—"),
        v.eligibility ? [h("br"), h("span", { class: "muted" }, t("summary_recommendation"), ": "), h("strong", null, t(`elig_${v.eligibility}` as Key))] : null),
      s.members.length
        ? h("section", { class: "summary-members" }, h("h3", null, t("summary_members")),
            h("ul", { class: "summary-list" }, ...s.members.map((m) =>
              h("li", { class: `change change-${m.kind}`, "data-member-change": m.kind },
                h("div", null, h("span", { class: `pill change-${m.kind}` }, t(`change_${m.kind}` as Key)), " ", h("strong", null, m.name)),
                m.details.length ? h("ul", { class: "details" }, ...m.details.map(detailItem)) : null,
              ))))
        : null,
      s.answers.length
        ? h("section", null, h("h3", null, t(v.proposal ? "summary_proposal" : "summary_answers")), h("ul", { class: "summary-list details" }, ...s.answers.map(detailItem)))
        : null,
      changes ? null : h("p", null, t("summary_no_changes")),
  );
}

export function askToSend(v: VisitRecord, s: VisitSummary, problemLabel: (p: VisitProblem) => string): Promise<SummaryChoice> {
  return new Promise((resolve) => {
    const close = (choice: SummaryChoice) => {
      dlg.close();
      dlg.remove();
      resolve(choice);
    };
    const body = summaryBody(v, s);
    body.append(
      s.missing.length
        ? h("section", { class: "summary-missing warn" }, h("h3", null, t("summary_missing", { n: s.missing.length })),
            h("ul", { class: "problems" }, ...s.missing.map((p) =>
              h("li", null, h("span", null, problemLabel(p), ": ", L(p.message)),
                h("button", { type: "button", class: "btn small secondary", onclick: () => close({ fix: p }) }, t("go_to_problem"))))))
        : h("p", { class: "ok" }, "✓ " + t("summary_ready")),
    );
    const dlg = h("dialog", { class: "dialog summary", "aria-labelledby": "summary-title" },
      h("h2", { id: "summary-title" }, t("summary_title")),
      body,
      h("div", { class: "dialog-actions" },
        h("button", { class: "btn secondary", type: "button", onclick: () => close("back") }, t("summary_back")),
        s.missing.length
          ? h("button", { class: "btn primary", type: "button", onclick: () => close({ fix: s.missing[0]! }) }, t("summary_fix"))
          : h("button", { class: "btn primary", type: "button", id: "confirm-send", onclick: () => close("send") }, t("summary_send")),
      ),
    );
    dlg.addEventListener("cancel", () => close("back"));
    document.body.appendChild(dlg);
    dlg.showModal();
  });
}
