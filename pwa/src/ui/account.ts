// Account: who is signed in, language, storage, version, sign-out.
import { APP_VERSION, app } from "../app/controller";
import { type Lang, t } from "../i18n";
import { formatBytes, requestPersistence, storageInfo } from "../storage";
import { ask, h } from "./dom";

export function accountScreen(root: HTMLElement): Promise<() => void> {
  return drawAccount(root, false);
}

async function drawAccount(root: HTMLElement, denied: boolean): Promise<() => void> {
  const s = app.session!;
  const info = await storageInfo();
  // The button asks; the line above it says the state (never the same words twice).
  const askAgain = async (): Promise<void> => {
    const granted = await requestPersistence();
    void drawAccount(root, granted !== true);
  };
  const storage = h("div", { class: "card" }, h("h3", null, t("storage")),
    info.usage !== null && info.quota !== null ? h("p", null, t("storage_used", { u: formatBytes(info.usage), q: formatBytes(info.quota) })) : null,
    info.low ? h("p", { class: "err big" }, t("storage_low")) : null,
    h("p", { class: info.persisted ? "muted" : "warn", id: "storage-persisted", "data-persisted": String(!!info.persisted) },
      info.persisted ? t("storage_persist_yes") : t("storage_persist_no")),
    info.persisted ? null : h("button", { type: "button", class: "btn secondary", id: "storage-persist", onclick: askAgain }, t("storage_persist_ask")),
    denied ? h("p", { class: "muted", role: "status" }, t("storage_persist_denied")) : null,
  );
  const langBox = h("div", { class: "choices", role: "radiogroup" });
  for (const [code, label] of [["id", "Bahasa Indonesia"], ["en", "English"]] as const) {
    const input = h("input", { type: "radio", name: "lang", value: code, checked: document.documentElement.lang === code });
    input.addEventListener("change", async () => {
      await app.setLanguage(code as Lang);
      location.reload();
    });
    langBox.appendChild(h("label", { class: "choice" }, input, h("span", null, label)));
  }
  const signOut = async () => {
    const n = await app.unsyncedCount();
    const ok = n > 0
      ? await ask(t("sign_out_warn", { n }), t("sign_out"), t("cancel"), true)
      : await ask(t("sign_out_confirm"), t("sign_out"), t("cancel"));
    if (!ok) return;
    await app.signOut();
    location.hash = "#/login";
  };
  root.replaceChildren(
    h("div", { class: "card" }, h("h3", null, t("signed_in_as")), h("p", { class: "big" }, s.displayName), h("p", { class: "muted" }, `${s.username} · ${s.scopes.join(", ")}`)),
    h("div", { class: "card" }, h("h3", null, t("language")), langBox),
    storage,
    h("div", { class: "card" }, h("h3", null, t("app_version")), h("p", null, APP_VERSION)),
    h("button", { type: "button", class: "btn danger-outline wide", id: "sign-out", onclick: signOut }, t("sign_out")),
  );
  return () => undefined;
}
