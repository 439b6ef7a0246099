// Writes brotli (.br) and gzip (.gz) copies of the built text assets next to them, so the
// server (api/pwa_shell.py) sends the smallest encoding the client accepts without
// compressing on every request. Run after `vite build` (npm run build does).
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const DIST = fileURLToPath(new URL("../dist", import.meta.url));
const TEXT = /\.(js|mjs|css|html|json|webmanifest|svg|txt)$/;
const MIN_BYTES = 512; // smaller files gain nothing once headers are counted

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== ".vite") yield* files(path);
    } else if (TEXT.test(name)) yield path;
  }
}

let count = 0;
for (const path of files(DIST)) {
  const raw = readFileSync(path);
  if (raw.length < MIN_BYTES) continue;
  const br = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });
  const gz = gzipSync(raw, { level: 9 });
  if (br.length < raw.length) writeFileSync(`${path}.br`, br);
  if (gz.length < raw.length) writeFileSync(`${path}.gz`, gz);
  count++;
}
console.log(`precompressed ${count} files in ${relative(process.cwd(), DIST) || "."} (br + gz)`);
