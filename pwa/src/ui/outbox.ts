// The outbox: every unsent visit with its state, what is wrong with it, and "Send now".
import { app } from "../app/controller";
import { deleteVisit, putVisit, renameVisit } from "../data/db";
import type { VisitRecord } from "../data/types";
import { type Key, L, lang, relTime, t } from "../i18n";
import { photosSent, transition } from "../sync/outbox";
import { ask, h, nodes, throttled, toast } from "./dom";

const REFUSALS: ReadonlySet<string> = new Set(["refused_round_closed", "refused_round_not_open", "refused_assignment_closed"]);

const ORDER = ["needs_attention", "sending", "queued", "waiting_photos", "draft", "done"];

function attentionBox(v: VisitRecord): HTMLElement | null {
  const a = v.attention;
  if (!a) return null;
  if (a.kind === "conflict") {
    return h("div", { class: "attention" },
      h("strong", null, t("conflict_title")),
      h("p", null, t("conflict_help")),
      h("div", { class: "row" },
        h("button", { type: "button", class: "btn primary", onclick: async () => {
          const next = transition(v, { type: "resend_as_new", now: Date.now(), newId: crypto.randomUUID() });
          await renameVisit(v.id, next);
          void app.sync(true);
          app.emit();
        } }, t("send_as_new")),
        h("button", { type: "button", class: "btn danger-outline", onclick: async () => {
          if (!(await ask(t("delete_local_confirm"), t("delete_local"), t("cancel"), true))) return;
          await deleteVisit(v.id);
          app.emit();
        } }, t("delete_local")),
      ),
    );
  }
  const edit = async () => {
    const newId = v.serverHas ? crypto.randomUUID() : undefined;
    const next = transition(v, newId ? { type: "edit", now: Date.now(), newId } : { type: "edit", now: Date.now() });
    await renameVisit(v.id, next);
    location.hash = `#/visit/${next.id}`;
  };
  if (a.kind === "invalid") {
    return h("div", { class: "attention" },
      h("strong", null, t("invalid_title")),
      a.errors.length
        ? h("ul", null, ...a.errors.map((e) => h("li", null, h("code", null, e.path), " — ", lang() === "en" ? e.message.en : e.message.id)))
        : h("p", null, a.detail),
      h("button", { type: "button", class: "btn primary", onclick: edit }, t("fix")),
    );
  }
  if (a.kind === "photo") {
    const p = v.photos.find((x) => x.id === a.photoId);
    return h("div", { class: "attention" },
      h("p", null, t("photo_rejected", { k: p ? t(`kind_${p.kind}` as Key) : a.photoId }), " ", a.detail),
      h("button", { type: "button", class: "btn primary", onclick: edit }, t("fix")),
    );
  }
  return h("div", { class: "attention" },
    h("strong", null, t("refused_title")),
    h("p", null, refusalWords(a.code, a.detail)),
    h("div", { class: "row" },
      h("button", { type: "button", class: "btn primary", onclick: async () => {
        await putVisit(transition(v, { type: "retry", now: Date.now() }));
        void app.sync(true);
        app.emit();
      } }, t("send_again")),
      h("button", { type: "button", class: "btn secondary", onclick: edit }, t("fix")),
    ),
  );
}

/** A refusal the enumerator can act on, in words; an unknown one shows the server's detail. */
function refusalWords(code: string, detail: string): string {
  // The server words its refusals in Indonesian, with the round's dates: shown as they come.
  const key = `refused_${code}`;
  if (REFUSALS.has(key) && (lang() === "en" || !detail)) return t(key as Key);
  return detail || code;
}

export async function outboxScreen(root: HTMLElement): Promise<() => void> {
  const list = h("ul", { class: "outbox" });
  const status = h("div", { class: "sync-status", "aria-live": "polite" });
  const syncBtn = h("button", { type: "button", class: "btn primary wide", id: "sync-now" }, "⇪ " + t("sync_now"));
  syncBtn.addEventListener("click", async () => {
    const r = await app.sync(true);
    if (r?.authRequired) location.hash = "#/login";
  });

  const draw = async () => {
    const visits = (await app.visits()).sort(
      (a, b) => ORDER.indexOf(a.state) - ORDER.indexOf(b.state) || b.updatedAt - a.updatedAt,
    );
    const waiting = visits.filter((v) => v.state !== "done" && v.state !== "draft").length;
    syncBtn.disabled = app.syncing || waiting === 0;
    syncBtn.textContent = app.syncing ? t("syncing") : "⇪ " + t("sync_now");
    status.replaceChildren(...nodes(
      h("div", { class: "big" }, waiting ? t("n_waiting", { n: waiting }) : "✓ " + t("sent_all")),
      app.online ? null : h("div", { class: "muted" }, t("offline")),
    ));
    list.replaceChildren(
      ...(visits.length === 0 ? [h("li", { class: "empty" }, t("outbox_empty"))] : []),
      ...visits.slice(0, 200).map((v) =>
        h("li", { class: `ob state-${v.state}`, "data-visit": v.id, "data-state": v.state },
          h("div", { class: "ob-label" }, v.label || v.id.slice(0, 8)),
          h("div", null, h("span", { class: `pill ${v.state}` }, t(`st_${v.state}` as Key))),
          h("div", { class: "muted small" },
            v.outcome ? t(`outcome_${v.outcome}` as Key) + " · " : "",
            t("photos_sent", { a: photosSent(v), b: v.photos.length }),
            " · ",
            relTime(v.updatedAt),
            v.attempts && v.state !== "done" ? ` · ${t("attempts", { n: v.attempts })}` : "",
            v.nextAttemptAt > Date.now() && v.state !== "done" ? ` · ${t("next_try", { t: relTime(v.nextAttemptAt) })}` : "",
          ),
          v.state === "draft"
            ? h("a", { class: "btn secondary", href: `#/visit/${v.id}` }, t("continue_visit"))
            : h("a", { class: "btn secondary small open-visit", href: `#/visit/${v.id}` }, t("open_visit")),
          attentionBox(v),
        ),
      ),
    );
  };
  root.replaceChildren(h("div", { class: "outbox-head" }, status, syncBtn), list);
  await draw();
  const off = app.on(throttled(() => void draw(), 400));
  const tick = setInterval(() => void draw(), 15_000);
  if (app.lastReport?.authRequired) toast(t("session_ended"), "warn");
  return () => {
    off();
    clearInterval(tick);
  };
}

export { L };
