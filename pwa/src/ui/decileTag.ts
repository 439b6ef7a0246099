// The decile tag element ("Desil 2"), highlighted for the poorest 40 % (decile.css).
import "./decile.css";
import { decileLabel, decileTitle, isPoorest } from "./decile";
import { h } from "./dom";

/** The tag: "Desil 2", highlighted for deciles 1–4 (with `note`, also saying
 *  "40 % termiskin" in words); null when the register has none. */
export function decileTag(decile: number | null | undefined, en = false, note = false): HTMLElement | null {
  const label = decileLabel(decile);
  if (!label) return null;
  const poorest = isPoorest(decile);
  return h("span", {
    class: poorest ? "decile-tag poorest" : "decile-tag",
    title: decileTitle(decile, en),
    "data-decile": String(decile),
  }, label, poorest && note ? h("span", { class: "decile-note" }, ` · ${en ? "poorest 40 %" : "40 % termiskin"}`) : null);
}
