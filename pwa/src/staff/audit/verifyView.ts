// The integrity result in words (DOM), shared by the trail and the auditor's home.
import { h } from "../../ui/dom";
import { checkedLine, mismatchWords, summary, type VerifyReport } from "./trailModel";

export function verifyView(r: VerifyReport, photoNames?: Map<string, string>): HTMLElement {
  const ok = r.ok && r.mismatches.length === 0;
  return h("div", { class: `result ${ok ? "ok" : "bad"}`, id: "verify-result", role: "status" },
    h("h3", null, ok ? "✓ " : "✗ ", summary(r)),
    h("p", { class: "small" }, checkedLine(r)),
    ok ? null : h("ol", { class: "mismatches" }, r.mismatches.map((m) => {
      const x = mismatchWords(m, photoNames);
      return h("li", null, h("b", null, x.title), h("div", { class: "small" }, x.detail),
        x.expected ? h("div", { class: "mono" }, x.expected) : null,
        x.found ? h("div", { class: "mono" }, x.found) : null);
    })));
}
