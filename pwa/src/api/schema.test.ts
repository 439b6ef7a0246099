// The committed API types must match the server's OpenAPI schema: regenerate with
// `npm run gen:api` after an API change (the test runs the Python app's schema export).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { OUTPUT, generate } from "../../scripts/gen-api.mjs";

describe("generated API types", () => {
  it("are up to date with the server (run `npm run gen:api` if this fails)", async () => {
    const fresh = (await generate()) as string;
    const committed = readFileSync(OUTPUT as string, "utf8");
    expect(committed === fresh, "pwa/src/api/schema.d.ts is stale: run `cd pwa && npm run gen:api`").toBe(true);
  }, 60_000);
});
