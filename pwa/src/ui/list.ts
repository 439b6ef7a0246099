// The assignment list (search, filters, counts, distance) and one household's page.
import { app } from "../app/controller";
import { assignmentsFor, getAssignment, kvGet, putVisit, visitsFor } from "../data/db";
import type { Assignment, VisitRecord } from "../data/types";
import { compileForm, type FormDef } from "../forms/engine";
import { maskKk } from "../forms/identity";
import { distanceM, formatDistance, lastFix, watchGps } from "../geo/gps";
import { type Key, lang, relTime, t } from "../i18n";
import { formFor } from "../sync/assignments";
import { createVisit } from "../visits/visit";
import { decileTag } from "./decileTag";
import { clear, h, nodes, throttled, toast } from "./dom";

type Status = "pending" | "draft" | "outbox" | "done" | "returned";

interface Row {
  a: Assignment;
  status: Status;
  visit: VisitRecord | null;
  distance: number | null;
}

function statusOf(a: Assignment, visits: VisitRecord[]): [Status, VisitRecord | null] {
  const mine = visits.filter((v) => v.assignmentKey === a.key).sort((x, y) => y.createdAt - x.createdAt);
  const latest = mine[0] ?? null;
  const returnedAt = Date.parse(a.updatedAt) || 0;
  if (a.state === "returned" && (!latest || latest.createdAt < returnedAt)) return ["returned", null];
  if (latest?.state === "draft") return ["draft", latest];
  if (latest && latest.state !== "done") return ["outbox", latest];
  if (latest || a.state === "visited" || a.state === "closed") return ["done", latest];
  return ["pending", null];
}

const STATUS_KEY: Record<Status, Key> = {
  pending: "state_open",
  draft: "state_draft_here",
  outbox: "state_in_outbox",
  done: "state_visited",
  returned: "state_returned",
};

let filterState = { q: "", status: "all" as "all" | "pending" | "done" | "returned", rtrw: "" };

export async function listScreen(root: HTMLElement): Promise<() => void> {
  const uid = app.userId!;
  let rows: Row[] = [];
  const counts = h("div", { class: "counts" });
  const search = h("input", { type: "search", placeholder: t("search"), value: filterState.q, "aria-label": t("search"), class: "search" });
  const chips = h("div", { class: "chips", role: "tablist" });
  const rtSel = h("select", { "aria-label": t("all_rt_rw"), class: "rtrw" });
  const listEl = h("ul", { class: "hh-list" });
  const updated = h("div", { class: "muted small" });
  const pullBtn = h("button", { type: "button", class: "btn secondary", id: "pull" }, "⟳ " + t("refresh_list"));
  let limit = 60;

  pullBtn.addEventListener("click", async () => {
    pullBtn.disabled = true;
    pullBtn.textContent = t("refreshing");
    try {
      const r = await app.pull();
      toast(t("list_updated", { n: r.changed + r.removed }));
      await load();
    } catch (e) {
      toast(app.online ? t("error_generic", { m: e instanceof Error ? e.message : String(e) }) : t("offline"), "warn");
    } finally {
      pullBtn.disabled = false;
      pullBtn.textContent = "⟳ " + t("refresh_list");
    }
  });

  const load = async () => {
    const [assignments, visits] = await Promise.all([assignmentsFor(uid), visitsFor(uid)]);
    const fix = lastFix(300_000);
    rows = assignments.map((a) => {
      const [status, visit] = statusOf(a, visits);
      const hh = a.household;
      const distance = fix && hh.lat !== null && hh.lon !== null ? distanceM(fix, { lat: hh.lat, lon: hh.lon }) : null;
      return { a, status, visit, distance };
    });
    const rtrws = [...new Set(assignments.map((a) => `${a.household.rt}/${a.household.rw}`))].sort();
    rtSel.replaceChildren(
      h("option", { value: "" }, t("all_rt_rw")),
      ...rtrws.map((x) => h("option", { value: x, selected: filterState.rtrw === x }, `RT ${x.replace("/", " / RW ")}`)),
    );
    const pulled = await kvGet<number>(`pulled:${uid}`);
    updated.textContent = pulled ? t("last_update", { t: relTime(pulled) }) : t("never_updated");
    draw();
  };

  const draw = () => {
    const n = { pending: 0, done: 0, returned: 0 };
    for (const r of rows) {
      if (r.status === "returned") n.returned++;
      else if (r.status === "done" || r.status === "outbox") n.done++;
      else n.pending++;
    }
    counts.replaceChildren(
      h("div", { class: "count pending" }, h("b", null, String(n.pending)), t("count_pending")),
      h("div", { class: "count done" }, h("b", null, String(n.done)), t("count_done")),
      h("div", { class: "count returned" }, h("b", null, String(n.returned)), t("count_returned")),
    );
    chips.replaceChildren(
      ...(["all", "pending", "done", "returned"] as const).map((s) =>
        h("button", {
          type: "button",
          role: "tab",
          class: `chip${filterState.status === s ? " on" : ""}`,
          "aria-selected": String(filterState.status === s),
          onclick: () => {
            filterState = { ...filterState, status: s };
            draw();
          },
        }, t(`filter_${s}` as Key)),
      ),
    );
    const q = filterState.q.trim().toLowerCase();
    const shown = rows
      .filter((r) => {
        const hh = r.a.household;
        if (filterState.rtrw && `${hh.rt}/${hh.rw}` !== filterState.rtrw) return false;
        if (filterState.status === "pending" && !(r.status === "pending" || r.status === "draft")) return false;
        if (filterState.status === "done" && !(r.status === "done" || r.status === "outbox")) return false;
        if (filterState.status === "returned" && r.status !== "returned") return false;
        if (!q) return true;
        return (
          hh.headName.toLowerCase().includes(q) ||
          hh.address.toLowerCase().includes(q) ||
          (q.length >= 4 && /^\d+$/.test(q) && (hh.kk.endsWith(q) || String(hh.id) === q)) ||
          hh.members.some((m) => String(m.name ?? "").toLowerCase().includes(q))
        );
      })
      .sort((x, y) => {
        const rank = (r: Row) => (r.status === "returned" ? 0 : r.status === "draft" ? 1 : r.status === "pending" ? 2 : 3);
        return rank(x) - rank(y) || (x.distance ?? 1e12) - (y.distance ?? 1e12) || x.a.household.address.localeCompare(y.a.household.address);
      });
    clear(listEl);
    if (rows.length === 0) listEl.appendChild(h("li", { class: "empty" }, t("no_assignments")));
    else if (shown.length === 0) listEl.appendChild(h("li", { class: "empty" }, t("no_match")));
    for (const r of shown.slice(0, limit)) {
      const hh = r.a.household;
      listEl.appendChild(
        h("li", null,
          h("a", { class: `hh status-${r.status}`, href: `#/h/${encodeURIComponent(r.a.key)}` },
            h("div", { class: "hh-name" }, hh.headName || `#${hh.id}`, hh.decile ? [" ", decileTag(hh.decile, lang() === "en")] : null),
            h("div", { class: "hh-addr" }, `${hh.address}${hh.rt ? ` · RT ${hh.rt}/RW ${hh.rw}` : ""}`),
            hh.villageName ? h("div", { class: "hh-village" }, hh.villageName) : null,
            r.status === "returned" && r.a.returnComment ? h("div", { class: "hh-comment" }, r.a.returnComment) : null,
            h("div", { class: "hh-meta" },
              h("span", { class: `pill ${r.status}` }, t(STATUS_KEY[r.status])),
              r.distance !== null ? h("span", { class: "dist" }, formatDistance(r.distance)) : null,
            ),
          ),
        ),
      );
    }
    if (shown.length > limit) {
      listEl.appendChild(
        h("li", null, h("button", { type: "button", class: "btn secondary wide", onclick: () => { limit += 100; draw(); } }, `+ ${shown.length - limit}`)),
      );
    }
  };

  search.addEventListener("input", () => {
    filterState = { ...filterState, q: search.value };
    draw();
  });
  rtSel.addEventListener("change", () => {
    filterState = { ...filterState, rtrw: rtSel.value };
    draw();
  });

  root.replaceChildren(
    h("div", { class: "list-head" }, counts, h("div", { class: "row" }, pullBtn, updated)),
    h("div", { class: "filters" }, search, h("div", { class: "row" }, chips, rtSel)),
    listEl,
    h("a", { class: "btn secondary wide propose", href: "#/propose", id: "propose" }, "+ " + t("propose_household")),
  );
  await load();
  // Distances follow the enumerator while the list is open.
  let lastDraw = 0;
  const stopGps = watchGps((fix) => {
    if (!fix || Date.now() - lastDraw < 10_000) return;
    lastDraw = Date.now();
    void load();
  });
  const off = app.on(throttled(() => void load(), 1000));
  return () => {
    stopGps();
    off();
  };
}

export async function householdScreen(root: HTMLElement, key: string): Promise<() => void> {
  const a = await getAssignment(key);
  if (!a || a.userId !== app.userId) {
    root.replaceChildren(h("p", { class: "empty" }, t("not_found_page")));
    return () => undefined;
  }
  const visits = await visitsFor(a.userId);
  const [status, visit] = statusOf(a, visits);
  const hh = a.household;
  const start = async () => {
    if (visit && visit.state === "draft") {
      location.hash = `#/visit/${visit.id}`;
      return;
    }
    const stored = await formFor(a);
    if (!stored) {
      toast(t("form_unavailable"), "warn");
      return;
    }
    const form = compileForm(stored.definition as FormDef);
    const v = createVisit(a, form, app.session!);
    await putVisit(v);
    location.hash = `#/visit/${v.id}`;
  };
  const canStart = status === "pending" || status === "draft" || status === "returned";
  const fix = lastFix(300_000);
  const dist = fix && hh.lat !== null && hh.lon !== null ? formatDistance(distanceM(fix, { lat: hh.lat, lon: hh.lon })) : null;
  root.replaceChildren(...nodes(
    h("div", { class: "card household" },
      h("h2", null, hh.headName || `#${hh.id}`, hh.decile ? [" ", decileTag(hh.decile, lang() === "en")] : null),
      h("p", null, hh.address),
      h("p", null, `RT ${hh.rt} / RW ${hh.rw}${hh.villageName ? ` · ${hh.villageName}` : ""}`),
      hh.kk ? h("p", { class: "muted" }, `${t("kk")} ${maskKk(hh.kk)}`) : null,
      h("p", { class: "muted" }, t("members_n", { n: hh.members.length }), dist ? ` · ${t("distance", { d: dist })}` : ""),
      h("span", { class: `pill ${status}` }, t(STATUS_KEY[status])),
    ),
    a.state === "returned" && a.returnComment
      ? h("div", { class: "card returned-note" }, h("h3", null, t("returned_comment")), h("p", null, a.returnComment))
      : null,
    hh.members.length
      ? h("div", { class: "card" }, h("h3", null, t("members")),
          h("ol", { class: "members-list" }, ...hh.members.map((m) => h("li", null, String(m.name ?? ""))))) 
      : null,
    h("div", { class: "sticky-actions" },
      canStart
        ? h("button", { type: "button", class: "btn primary wide", id: "start-visit", onclick: start },
            status === "draft" ? t("continue_visit") : status === "returned" ? t("revisit") : t("start_visit"))
        : h("a", { class: "btn secondary wide", href: "#/outbox" }, t("outbox")),
    ),
  ));
  // The form must be on the phone before the door: warn early.
  if (!(await formFor(a))) {
    root.prepend(h("div", { class: "card warn" }, t("form_unavailable")));
  }
  return () => undefined;
}
