// Placeholder: replaced by the screen's implementation.
import { h } from "../../ui/dom";

export async function assignScreen(root: HTMLElement, ..._args: string[]): Promise<() => void> {
  root.replaceChildren(h("h1", null, "assign/assign"));
  return () => undefined;
}
