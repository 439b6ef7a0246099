// Copies the API documentation pages' scripts and styles (Scalar for /schema, Swagger UI for
// /schema/swagger) from their npm packages into the build, so the pages work on an office
// network without internet: the server links them from /api-docs/, never from a CDN.
// Usage: node scripts/copy-api-docs.mjs [dist-dir]   (default: dist)
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const modules = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules");
const target = join(resolve(process.argv[2] ?? "dist"), "api-docs");
mkdirSync(target, { recursive: true });

const swagger = join(modules, "swagger-ui-dist");
for (const file of ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"]) {
  copyFileSync(join(swagger, file), join(target, file));
}
const scalar = join(modules, "@scalar", "api-reference");
copyFileSync(join(scalar, "dist", "browser", "standalone.js"), join(target, "scalar.js"));
// Scalar's script carries its own styles; the page still links a stylesheet.
writeFileSync(join(target, "scalar.css"), "/* Scalar's styles are in scalar.js */\n");
console.log(`API documentation assets copied to ${target}`);
