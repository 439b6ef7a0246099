// Boot: open the database, restore the session, route, register the service worker.
import "./styles.css";
import { app } from "./app/controller";
import { visitsFor } from "./data/db";
import { t } from "./i18n";
import { requestPersistence, storageInfo } from "./storage";
import { isStaff, type Screen, staffMenu, staffScreenFor } from "./staff/routes";
import { h, nodes, throttled } from "./ui/dom";

const header = h("header", { class: "top" });
const banner = h("div", { class: "banners" });
const view = h("main", { id: "view", tabindex: -1 });
const nav = h("nav", { class: "bottom", "aria-label": "menu" });
let cleanup: (() => void) | null = null;
let routing = 0;

async function screenFor(hash: string): Promise<[Screen, string[], string]> {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const [head, ...rest] = parts;
  if (!app.session || app.session.needsSignIn || head === "login") {
    return [(await import("./ui/login")).loginScreen, [], "login"];
  }
  if (isStaff(app.session.role) && head !== "account") {
    const staff = await staffScreenFor(head ?? "", rest, app.session.role);
    if (staff) return staff;
  }
  switch (head) {
    case "h":
      return [(await import("./ui/list")).householdScreen, rest, "list"];
    case "visit":
      return [(await import("./ui/visit")).visitScreen, rest, "visit"];
    case "propose":
      return [(await import("./ui/propose")).proposeScreen, [], "list"];
    case "outbox":
      return [(await import("./ui/outbox")).outboxScreen, [], "outbox"];
    case "account":
      return [(await import("./ui/account")).accountScreen, [], "account"];
    default:
      return [(await import("./ui/list")).listScreen, [], "list"];
  }
}

async function route(): Promise<void> {
  const my = ++routing;
  const [screen, args, name] = await screenFor(location.hash);
  if (my !== routing) return;
  cleanup?.();
  cleanup = null;
  document.body.dataset.screen = name;
  const staff = isStaff(app.session?.role);
  document.body.dataset.side = staff ? "staff" : "field";
  if (staff) header.after(nav);
  else view.after(nav);
  nav.hidden = name === "login" || name === "visit";
  drawNav(name);
  // Every screen, staff's too: after a reload nothing else draws the title and the
  // connection indicator until the first state change.
  void drawHeader();
  const root = h("div", { class: `screen screen-${name}` });
  view.replaceChildren(root);
  cleanup = await screen(root, ...args);
  document.body.dataset.ready = "1";
}

async function drawHeader(): Promise<void> {
  const s = app.session;
  const waiting = s ? (await visitsFor(s.userId)).filter((v) => v.state !== "done" && v.state !== "draft").length : 0;
  header.replaceChildren(...nodes(
    h("a", { class: "brand", href: "#/" }, h("img", { src: "/icons/icon-192.png", alt: "", width: 32, height: 32 }), "Verval"),
    h("span", { class: `net ${app.online ? "on" : "off"}`, id: "net", role: "status" },
      app.online ? "● " + t("online") : "○ " + t("offline").split(" — ")[0]),
    app.syncing ? h("span", { class: "syncing" }, t("syncing")) : null,
  ));
  const badge = nav.querySelector(".badge");
  if (badge) {
    badge.textContent = waiting ? String(waiting) : "";
    (badge as HTMLElement).hidden = waiting === 0;
  }
}

function drawNav(active: string): void {
  const role = app.session?.role;
  if (isStaff(role)) {
    // Staff work on a laptop: the menu is a bar under the header, not thumb tabs.
    nav.className = "staff-menu";
    nav.replaceChildren(...staffMenu(role as string).map(([name, href, label]) =>
      h("a", { href, class: `nav-item${active.split("-")[0] === name ? " on" : ""}`,
        "aria-current": active.split("-")[0] === name ? "page" : null }, label)));
    return;
  }
  nav.className = "bottom";
  const item = (name: string, href: string, icon: string, label: string, badge = false) =>
    h("a", { href, class: `nav-item${active === name ? " on" : ""}`, "aria-current": active === name ? "page" : null },
      h("span", { class: "icon", "aria-hidden": "true" }, icon),
      h("span", null, label),
      badge ? h("span", { class: "badge", hidden: true }) : null,
    );
  nav.replaceChildren(
    item("list", "#/", "☰", t("nav_list")),
    item("outbox", "#/outbox", "⇪", t("nav_outbox"), true),
    item("account", "#/account", "◉", t("nav_settings")),
  );
}

async function checkStorage(): Promise<void> {
  const info = await storageInfo();
  if (info.low) banner.appendChild(h("div", { class: "banner warn" }, t("storage_low")));
}

async function registerServiceWorker(): Promise<void> {
  if (!("serviceWorker" in navigator) || import.meta.env.DEV) return;
  const { Workbox } = await import("workbox-window");
  const wb = new Workbox("/sw.js", { scope: "/" });
  wb.addEventListener("waiting", () => {
    // A new version is ready: ask, never reload under the enumerator's fingers.
    const bar = h("div", { class: "banner update", id: "update-banner" },
      h("span", null, t("update_ready")),
      h("button", { type: "button", class: "btn primary small", onclick: async () => {
        // Whatever is typed reaches IndexedDB before the page goes away.
        const { flushBeforeUpdate } = await import("./app/updates");
        await flushBeforeUpdate();
        wb.addEventListener("controlling", () => location.reload());
        wb.messageSkipWaiting();
      } }, t("update_now")),
      h("button", { type: "button", class: "btn secondary small", onclick: () => bar.remove() }, t("later")),
    );
    if (!document.getElementById("update-banner")) banner.appendChild(bar);
  });
  const registration = await wb.register();
  // A phone left open all day still learns of a new version (every 30 min, on return).
  if (registration) (await import("./app/updates")).watchForUpdates(registration);
}

async function boot(): Promise<void> {
  document.body.replaceChildren(header, banner, view, nav);
  await app.init();
  app.on(throttled(() => void drawHeader(), 300));
  window.addEventListener("hashchange", () => void route());
  await route();
  void registerServiceWorker();
  // Asked at every start until granted (a phone installed after sign-in was never asked).
  void requestPersistence().finally(() => void checkStorage());
}

void boot();
