// The review queue: per-state tabs with counts, filters kept in the hash query
// (#/review/?state=complete&flag=flagged…), the list with cursor paging, j/k/Enter.
import "./review.css";
import { AuthRequired } from "../../api/http";
import { h } from "../../ui/dom";
import { type QueueItem, type RegionChild, type RegionOut, reviewApi, type StateCounts, type UserOut } from "./api";
import {
  EMPTY,
  FLAG_CODES,
  type Filters,
  filtersHash,
  isShortcut,
  loadContext,
  moveSelection,
  OUTCOMES,
  parseFilters,
  regionPath,
  STATES,
  saveContext,
} from "./model";
import { errorText, flagName, fmtTime, outcomeText, stateName, w } from "./words";
import { lang } from "../../i18n";
import { DECILE_SELECTIONS, selectionLabel } from "../../ui/decile";
import { decileTag } from "../../ui/decileTag";

const PAGE = 50;

export function shortcutLegend(items: [string[], string][]): HTMLElement {
  return h("details", { class: "rv-keys" },
    h("summary", null, "⌨ " + w("shortcuts")),
    h("dl", null, items.map(([keys, what]) => [
      h("dt", null, keys.map((k, i) => [i ? " " : null, h("kbd", null, k)])),
      h("dd", null, what),
    ])));
}

export function severityChip(code: string, severity: string): HTMLElement {
  return h("span", { class: `rv-flag sev-${severity}`, title: `${w(`sev_${severity}` as "sev_info")}: ${flagName(code)}` },
    h("span", { class: "rv-sev", "aria-hidden": "true" }, severity === "critical" ? "!!" : severity === "warning" ? "!" : "i"),
    flagName(code));
}

/** A visit whose photos are all stored but not all analysed yet is still "submitted":
 *  it is shown as being analysed (it cannot be approved until it is). */
export function stateBadge(state: string, analysing = false): HTMLElement {
  const shown = state === "submitted" && analysing ? "analysing" : state;
  return h("span", { class: `rv-state st-${shown}` }, stateName(shown));
}

export async function reviewQueueScreen(root: HTMLElement, ..._args: string[]): Promise<() => void> {
  const filters: Filters = parseFilters(location.hash);
  let items: QueueItem[] = [];
  let cursor: string | null = null;
  let selected = 0;
  let generation = 0;
  let alive = true;

  const tabs = h("div", { class: "rv-tabs", role: "tablist", "aria-label": w("col_state") });
  const regionBox = h("div", { class: "rv-region" });
  const status = h("div", { class: "rv-status", role: "status", "aria-live": "polite" });
  const tbody = h("tbody");
  const table = h("table", { class: "rv-table", id: "queue" },
    h("thead", null, h("tr", null,
      h("th", { scope: "col" }, w("col_household")),
      h("th", { scope: "col" }, w("col_village")),
      h("th", { scope: "col" }, w("col_enumerator")),
      h("th", { scope: "col" }, w("col_received")),
      h("th", { scope: "col" }, w("col_outcome")),
      h("th", { scope: "col" }, w("col_flags")),
      h("th", { scope: "col" }, w("col_state")),
    )),
    tbody);
  const more = h("button", { type: "button", class: "btn secondary", id: "load-more", hidden: true, onclick: () => void loadPage(false) }, w("load_more"));
  const shown = h("span", { class: "rv-shown" });

  // --- filters -------------------------------------------------------------------------
  const select = (name: string, labelText: string, options: [string, string][], value: string, onchange: (v: string) => void) =>
    h("label", { class: "rv-field" }, h("span", null, labelText),
      h("select", { name, onchange: (ev: Event) => onchange((ev.target as HTMLSelectElement).value) },
        options.map(([v, t]) => h("option", { value: v, selected: v === value }, t))));

  const flagSelect = select("flag", w("f_flag"),
    [["", w("f_any")], ["flagged", w("f_flagged")], ...FLAG_CODES.map((c): [string, string] => [c, flagName(c)])],
    filters.flag, (v) => change({ flag: v }));
  const outcomeSelect = select("outcome", w("f_outcome"),
    [["", w("f_any")], ...OUTCOMES.map((o): [string, string] => [o, outcomeText(o)])],
    filters.outcome, (v) => change({ outcome: v }));
  // The decile of the register (BPS): "1-4" first, the poorest 40 % most offices start with.
  const decileSelect = select("decile", w("f_decile"),
    [["", w("f_any")], ...DECILE_SELECTIONS.map((d): [string, string] => [d, selectionLabel(d, lang() === "en")])],
    filters.decile, (v) => change({ decile: v }));
  const enumBox = h("div", { class: "rv-enum" });
  const date = (name: "from" | "to", labelText: string) =>
    h("label", { class: "rv-field rv-date" }, h("span", null, labelText),
      h("input", { type: "date", name, value: filters[name], onchange: (ev: Event) => change({ [name]: (ev.target as HTMLInputElement).value }) }));
  const orderSelect = select("order", w("f_order"), [["newest", w("newest")], ["oldest", w("oldest")]], filters.order,
    (v) => change({ order: v === "oldest" ? "oldest" : "newest" }));
  const reset = h("button", { type: "button", class: "btn secondary small rv-reset", onclick: () => {
    history.replaceState(null, "", filtersHash(EMPTY));
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } }, w("reset"));

  root.replaceChildren(
    h("div", { class: "rv-queue" },
      h("div", { class: "rv-head" },
        h("h1", null, w("title")),
        shortcutLegend([[["j", "↓"], w("k_move")], [["k", "↑"], w("k_move")], [["Enter"], w("k_open")]]),
      ),
      tabs,
      h("form", { class: "rv-filters", onsubmit: (ev: Event) => ev.preventDefault() },
        regionBox, flagSelect, decileSelect, enumBox, outcomeSelect, date("from", w("f_from")), date("to", w("f_to")), orderSelect, reset),
      status,
      h("div", { class: "rv-table-wrap" }, table),
      h("div", { class: "rv-more" }, shown, more),
    ),
  );

  function change(patch: Partial<Filters>): void {
    Object.assign(filters, patch);
    history.replaceState(null, "", filtersHash(filters));
    void reload();
  }

  // --- region cascade ------------------------------------------------------------------
  async function buildRegions(): Promise<void> {
    let roots: RegionOut[];
    try {
      roots = await reviewApi.regions();
    } catch {
      return; // the filter is optional; the queue still works
    }
    if (!alive) return;
    const base = roots.length === 1 ? roots[0]! : null;
    const selects: HTMLSelectElement[] = [];
    const allLabel = (level: string | undefined) =>
      level === "village" ? w("f_all_villages") : level === "district" ? w("f_all_districts") : w("f_all_regions");

    const addLevel = async (parent: string | null, value: string): Promise<void> => {
      const options: (RegionOut | RegionChild)[] = parent === null ? roots : await reviewApi.children(parent);
      if (!alive || options.length === 0) return;
      const level = selects.length;
      const el = h("select", { name: `region-${level}`, "aria-label": w("f_region"), onchange: () => {
        for (const later of selects.splice(level + 1)) later.remove();
        const v = el.value;
        const parentCode = level > 0 ? selects[level - 1]!.value : "";
        change({ region: v || parentCode });
        const picked = options.find((o) => o.code === v);
        if (v && picked && picked.level !== "village") void addLevel(v, "");
      } },
        h("option", { value: "" }, allLabel(options[0]?.level)),
        options.map((o) => h("option", { value: o.code, selected: o.code === value }, o.name)));
      selects.push(el);
      cascade.appendChild(el);
    };

    const cascade = h("div", { class: "rv-cascade" });
    regionBox.replaceChildren(h("span", { class: "rv-label" }, w("f_region") + (base ? ` · ${base.name}` : "")), cascade);
    const top = base ? base.code : roots.find((r) => filters.region.startsWith(r.code))?.code ?? "";
    const path = filters.region && top ? regionPath(filters.region, top) : [];
    if (base) {
      // The one root is implicit: the cascade starts one level below it.
      await addLevel(base.code, path[1] ?? "");
      for (let i = 1; i < path.length - 1 && alive; i++) await addLevel(path[i]!, path[i + 1] ?? "");
    } else {
      await addLevel(null, path[0] ?? "");
      for (let i = 0; i < path.length - 1 && alive; i++) await addLevel(path[i]!, path[i + 1] ?? "");
    }
  }

  async function buildEnumerators(): Promise<void> {
    let users: UserOut[];
    try {
      users = await reviewApi.enumerators();
    } catch {
      return; // auditors may not list users: the filter stays away
    }
    if (!alive) return;
    users.sort((a, b) => a.display_name.localeCompare(b.display_name));
    enumBox.replaceChildren(select("enumerator", w("f_enumerator"),
      [["", w("f_any")], ...users.map((u): [string, string] => [String(u.id), `${u.display_name} (${u.username})`])],
      filters.enumerator, (v) => change({ enumerator: v })));
  }

  // --- counts and list -----------------------------------------------------------------
  function drawTabs(c: StateCounts | null): void {
    const tab = (state: string, text: string, n: number | undefined) =>
      h("button", {
        type: "button", role: "tab", class: `rv-tab${filters.state === state ? " on" : ""}${state ? ` st-${state}` : ""}`,
        "aria-selected": filters.state === state ? "true" : "false", "data-state": state || "all",
        onclick: () => change({ state }),
      }, text, h("b", { class: "rv-count" }, n === undefined ? "…" : String(n)));
    tabs.replaceChildren(
      tab("", w("all_states"), c?.total),
      ...STATES.map((st) => tab(st, stateName(st), c?.[st])),
    );
  }

  function row(it: QueueItem, index: number): HTMLElement {
    const href = `#/review/visit/${it.visit_id}`;
    const who = it.proposed_household ? w("proposal") : it.head_name ?? `#${it.household_id}`;
    const tr = h("tr", {
      class: `rv-row${index === selected ? " selected" : ""}`, "data-visit": it.visit_id, "aria-selected": index === selected ? "true" : "false",
      onclick: (ev: MouseEvent) => {
        if ((ev.target as HTMLElement).closest("a")) return;
        open(index);
      },
    },
      h("td", { class: "rv-hh" },
        h("a", { href, onclick: () => remember(index) }, who),
        it.decile ? [" ", decileTag(it.decile, lang() === "en", true)] : null,
        h("div", { class: "rv-sub" },
          it.household_id ? `#${it.household_id}` : null,
          it.rt ? ` · RT ${it.rt}/RW ${it.rw ?? "—"}` : null,
          it.revisit_of ? h("span", { class: "rv-tag" }, "↻ " + w("revisit")) : null)),
      h("td", null, it.village_name || it.region_code, h("div", { class: "rv-sub" }, it.region_code)),
      h("td", null, it.enumerator_name),
      h("td", { class: "rv-time" }, fmtTime(it.received_at)),
      h("td", null, outcomeText(it.outcome)),
      h("td", { class: "rv-flags" }, it.flags.length ? it.flags.map((f) => severityChip(f.code, f.severity)) : h("span", { class: "rv-none" }, "—")),
      h("td", null, stateBadge(it.state, it.photos_stored >= it.photos_declared),
        h("div", { class: "rv-sub" }, w("photos", { n: it.photos_stored, m: it.photos_declared }))),
    );
    return tr;
  }

  function drawRows(): void {
    tbody.replaceChildren(...items.map(row));
    shown.textContent = items.length ? w("shown", { n: items.length }) : "";
    more.hidden = cursor === null;
  }

  function select_(index: number): void {
    selected = index;
    tbody.querySelectorAll("tr.rv-row").forEach((tr, i) => {
      tr.classList.toggle("selected", i === index);
      tr.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    (tbody.children[index] as HTMLElement | undefined)?.scrollIntoView({ block: "nearest" });
  }

  function remember(index: number): void {
    saveContext({ hash: filtersHash(filters), ids: items.map((i) => i.visit_id), cursor, last: items[index]?.visit_id ?? null });
  }

  function open(index: number): void {
    const it = items[index];
    if (!it) return;
    remember(index);
    location.hash = `#/review/visit/${it.visit_id}`;
  }

  function showError(e: unknown, retry: () => void): void {
    status.replaceChildren(h("div", { class: "rv-error", role: "alert" },
      h("strong", null, w("error") + ": "), errorText(e), " ",
      e instanceof AuthRequired
        ? h("a", { href: "#/login", class: "btn small primary" }, w("sign_in_again"))
        : h("button", { type: "button", class: "btn small secondary", onclick: retry }, w("retry"))));
  }

  async function loadPage(first: boolean): Promise<void> {
    const my = generation;
    more.disabled = true;
    if (first) status.replaceChildren(h("p", { class: "rv-loading" }, w("loading")));
    try {
      const page = await reviewApi.queue(filters, first ? null : cursor, PAGE);
      if (my !== generation || !alive) return;
      items = first ? page.items : [...items, ...page.items];
      cursor = page.next_cursor;
      status.replaceChildren();
      if (items.length === 0) {
        const anyFilter = filtersHash(filters) !== "#/review";
        status.replaceChildren(h("p", { class: "rv-empty" }, anyFilter ? w("empty") : w("empty_all")));
      }
      if (first) {
        const last = loadContext()?.last;
        const at = last ? items.findIndex((i) => i.visit_id === last) : -1;
        selected = at >= 0 ? at : 0;
      }
      drawRows();
      if (first) select_(selected);
      table.dataset.loaded = filtersHash(filters); // what the rows answer (tests wait on it)
      table.hidden = items.length === 0;
      saveContext({ hash: filtersHash(filters), ids: items.map((i) => i.visit_id), cursor, last: items[selected]?.visit_id ?? null });
    } catch (e) {
      if (my !== generation || !alive) return;
      showError(e, () => void loadPage(first));
    } finally {
      more.disabled = false;
    }
  }

  async function loadCounts(): Promise<void> {
    const my = generation;
    drawTabs(null);
    try {
      const c = await reviewApi.counts(filters);
      if (my === generation && alive) drawTabs(c);
    } catch {
      /* the list shows the error */
    }
  }

  async function reload(): Promise<void> {
    generation++;
    delete table.dataset.loaded;
    drawTabs(null);
    await Promise.all([loadCounts(), loadPage(true)]);
  }

  const onKey = (ev: KeyboardEvent) => {
    if (!isShortcut(ev)) return;
    const next = moveSelection(ev.key, selected, items.length);
    if (next !== null) {
      ev.preventDefault();
      select_(next);
      if (next === items.length - 1 && cursor && ev.key !== "End") void loadPage(false);
      return;
    }
    if (ev.key === "Enter" || ev.key === "o") {
      if ((ev.target as HTMLElement | null)?.closest?.("a, button")) return;
      ev.preventDefault();
      open(selected);
    }
  };
  document.addEventListener("keydown", onKey);

  drawTabs(null);
  void buildRegions();
  void buildEnumerators();
  await reload();
  return () => {
    alive = false;
    document.removeEventListener("keydown", onKey);
  };
}
