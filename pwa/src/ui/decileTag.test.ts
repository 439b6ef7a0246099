// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { decileTag } from "./decileTag";

describe("decile tag", () => {
  it("is highlighted for the poorest 40 %, with the words when asked", () => {
    const tag = decileTag(2, false, true)!;
    expect(tag.className).toBe("decile-tag poorest");
    expect(tag.textContent).toBe("Desil 2 · 40 % termiskin");
    expect(tag.dataset.decile).toBe("2");
    expect(decileTag(2)!.textContent).toBe("Desil 2"); // the phone: short
  });
  it("is plain above decile 4 and absent without a decile", () => {
    const tag = decileTag(7, true, true)!;
    expect(tag.className).toBe("decile-tag");
    expect(tag.textContent).toBe("Desil 7");
    expect(tag.title).toBe("Decile 7 of 10 (BPS)");
    expect(decileTag(null)).toBeNull();
  });
});
