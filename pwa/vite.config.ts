import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { type Area, precacheAreas, precachedOnPhone } from "./build/precache";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

/** A version that changes only when the app's sources do (so an update prompt means a change). */
function sourceHash(): string {
  const h = createHash("sha256");
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!name.endsWith(".test.ts")) h.update(p).update(readFileSync(p));
    }
  };
  walk(new URL("./src", import.meta.url).pathname);
  walk(new URL("./public", import.meta.url).pathname);
  h.update(readFileSync(new URL("./index.html", import.meta.url)));
  h.update(readFileSync(new URL("./package-lock.json", import.meta.url)));
  return h.digest("hex").slice(0, 8);
}

const VERSION = `${pkg.version}+${sourceHash()}`;

/** Filled at build time by precacheAreas(): which chunk serves which area of the app. */
const areas = new Map<string, Area>();

/**
 * The region tree down to districts (code → name) as a static asset for the phone's "moved to"
 * picker, built from the register's own list. Not in the precache (only *.js/css/html/png/…):
 * the phone fetches it the first time it needs it (visits/regions.ts).
 */
function regionTree(): Plugin {
  return {
    name: "verval-region-tree",
    apply: "build",
    generateBundle() {
      const csv = readFileSync(new URL("../api/registry/data/wilayah_kemendagri_2025.csv", import.meta.url), "utf8");
      const tree: Record<string, string> = {};
      for (const line of csv.split(/\r?\n/).slice(1)) {
        const comma = line.indexOf(",");
        const code = line.slice(0, comma);
        if (comma < 0 || code.split(".").length > 3) continue; // villages are not offered
        tree[code] = line.slice(comma + 1).replace(/^"(.*)"$/, "$1");
      }
      this.emitFile({ type: "asset", fileName: "regions/kemendagri-2025.json", source: JSON.stringify(tree) });
    },
  };
}

export default defineConfig({
  define: { __APP_VERSION__: JSON.stringify(VERSION) },
  build: {
    target: ["es2020", "chrome87"],
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rollupOptions: {
      // The public review page's optional script is its own entry, at a fixed name the
      // server points the page at (api/village/public_render.py): phones opening /publik/…
      // download it alone, never the staff or enumerator app (build/precache.ts keeps it
      // out of the service worker's precache).
      input: { main: "index.html", publik: "src/public/publik.ts" },
      output: {
        entryFileNames: (chunk) => (chunk.name === "publik" ? "publik.js" : "assets/[name]-[hash].js"),
      },
    },
  },
  worker: { format: "es" },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
  plugins: [
    regionTree(),
    precacheAreas(areas),
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      registerType: "prompt",
      injectRegister: false,
      manifestFilename: "manifest.webmanifest",
      includeAssets: ["icons/*.png"],
      manifest: {
        id: "/",
        name: "Verval — Verifikasi Lapangan DTKS",
        short_name: "Verval",
        description: "Verifikasi dan validasi DTKS dari rumah ke rumah, juga tanpa sinyal.",
        lang: "id",
        dir: "ltr",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#ffffff",
        theme_color: "#0b3d91",
        categories: ["government", "productivity"],
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,png,webmanifest}"],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
        rollupFormat: "iife",
        // The phone precaches its own app only; staff screens are cached when first opened.
        manifestTransforms: [
          async (entries) => ({ manifest: entries.filter((e) => precachedOnPhone(e.url, areas)), warnings: [] }),
        ],
      },
      devOptions: { enabled: false },
    }),
  ],
});
