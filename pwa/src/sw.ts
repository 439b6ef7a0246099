/// <reference lib="webworker" />
// The service worker: precaches the app shell (versioned cache), serves the shell for
// navigations while offline, and sends the outbox on Background Sync. It handles GET
// requests for the shell only: API calls and every non-GET request go to the network
// untouched.
import { clientsClaim, setCacheNameDetails } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { ExpirationPlugin } from "workbox-expiration";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { CacheFirst } from "workbox-strategies";
import { ApiClient } from "./api/client";
import { deviceId, getSession } from "./data/db";
import { syncOutbox } from "./sync/engine";

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };
declare const __APP_VERSION__: string;

const VERSION = __APP_VERSION__;
const SYNC_TAG = "verval-outbox";

setCacheNameDetails({ prefix: "verval", suffix: VERSION.replace(/[^A-Za-z0-9.]/g, "-"), precache: "shell" });
cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);

// Navigations (any path but the server's own) get the cached shell.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL("/index.html"), {
    denylist: [/^\/api\//, /^\/schema/, /^\/healthz/, /^\/readyz/, /^\/media\//],
  }),
);

// Hashed assets outside the phone's precache (the staff screens, the map): fetched when
// first used, then served from this cache (a hashed name never changes content).
const ON_USE_CACHE = "verval-assets-on-use";
registerRoute(
  ({ url, request }) => url.origin === self.location.origin && url.pathname.startsWith("/assets/") && request.method === "GET",
  new CacheFirst({ cacheName: ON_USE_CACHE, plugins: [new ExpirationPlugin({ maxEntries: 80, purgeOnQuotaError: true })] }),
);

self.addEventListener("message", (event: ExtendableMessageEvent) => {
  if (event.data?.type === "SKIP_WAITING") void self.skipWaiting();
});

self.addEventListener("activate", (event: ExtendableEvent) => {
  // Drop the shell caches of earlier versions (each version has its own cache).
  event.waitUntil(
    (async () => {
      const keep = `verval-shell-${VERSION.replace(/[^A-Za-z0-9.]/g, "-")}`;
      for (const name of await caches.keys()) {
        if (name.startsWith("verval-shell-") && name !== keep) await caches.delete(name);
      }
    })(),
  );
});
clientsClaim();

async function notify(): Promise<void> {
  for (const c of await self.clients.matchAll({ type: "window" })) c.postMessage({ type: "outbox-changed" });
}

async function backgroundSync(): Promise<void> {
  const session = await getSession();
  if (!session || session.needsSignIn) return;
  const report = await syncOutbox(new ApiClient((...a) => fetch(...a)), session.userId, {
    force: true,
    deviceId: await deviceId(),
    appVersion: VERSION,
    onProgress: () => void notify(),
  });
  await notify();
  // Still offline or failing: reject so the browser schedules another attempt.
  if (report.offline || report.failed > 0) throw new Error("outbox not finished");
}

self.addEventListener("sync", (event: Event) => {
  const e = event as ExtendableEvent & { tag: string };
  if (e.tag === SYNC_TAG) e.waitUntil(backgroundSync());
});
