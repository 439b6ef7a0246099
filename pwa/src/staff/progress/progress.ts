// Placeholder: replaced by the screen's implementation.
import { h } from "../../ui/dom";

export async function progressScreen(root: HTMLElement, ..._args: string[]): Promise<() => void> {
  root.replaceChildren(h("h1", null, "progress/progress"));
  return () => undefined;
}
