// Assignment management (supervisors, admins): a village, its households (masked) with
// their assignee in the round and their decile (BPS), filters by RW and RT (shown as RT/RW, as everywhere) and by
// decile, a selection (one click: the poorest 40 % not yet assigned), assign / reassign / unassign.
// #/assign[/<round id>[/<village code>]]
import "../audit/common.css";
import "./assign.css";
import { ask, h } from "../../ui/dom";
import { lang } from "../../i18n";
import { DECILE_SELECTIONS, selectionLabel } from "../../ui/decile";
import { decileTag } from "../../ui/decileTag";
import { app } from "../../app/controller";
import { allPages, call, type S } from "../audit/api";
import { num, problemWords, reasonWords } from "../audit/words";
import { defaultRound } from "../progress/model";
import { strings } from "../strings";
import {
  applyFilter, assignedIn, enumeratorsFor, type Filter, inDecile, join, type Line, NO_FILTER, plan, rtValues,
  rwValues, sortLines,
} from "./model";
import { myRegions, regionPicker } from "./regionPicker";

const s = strings(
  {
    title: "Penugasan",
    round: "Putaran",
    no_rounds: "Belum ada putaran yang terbuka di wilayah Anda.",
    not_allowed: "Hanya supervisor dan admin yang mengatur penugasan.",
    pick_village: "Pilih desa untuk melihat rumah tangganya.",
    rw: "RW",
    rt: "RT",
    all: "semua",
    show: "Tampilkan",
    show_all: "semua",
    show_unassigned: "belum ditugaskan",
    show_assigned: "sudah ditugaskan",
    decile: "Desil",
    decile_any: "semua",
    find: "Cari nama kepala / alamat",
    head: "Kepala keluarga",
    address: "Alamat",
    kk: "No. KK",
    assignee: "Enumerator",
    state: "Status",
    none: "belum",
    households_n: "{shown} dari {total} rumah tangga",
    select_shown: "Pilih semua yang tampil ({n})",
    select_rt: "Pilih RT {rt} / RW {rw} ({n})",
    select_rw: "Pilih RW {rw} ({n})",
    select_village: "Pilih seluruh desa ({n})",
    select_poorest: "Pilih desil 1–4 yang belum ditugaskan ({n})",
    clear: "Kosongkan pilihan",
    selected: "{n} dipilih",
    enumerator: "Tugaskan ke enumerator",
    choose: "— pilih enumerator —",
    no_enumerators: "Tidak ada enumerator dengan wilayah kerja di desa ini.",
    assign: "Tugaskan",
    unassign: "Lepas tugas",
    confirm_move: "{n} rumah tangga sudah ditugaskan ke enumerator lain. Pindahkan ke {name}?",
    confirm_unassign: "Lepas tugas {n} rumah tangga? Mereka hilang dari ponsel enumeratornya pada sinkron berikutnya.",
    yes_move: "Ya, pindahkan",
    yes_unassign: "Ya, lepas tugas",
    only_new: "Tidak, hanya yang belum",
    cancel: "Batal",
    result_assign: "{assigned} ditugaskan, {reassigned} dipindahkan, {unchanged} tidak berubah, {skipped} dilewati.",
    result_unassign: "{unassigned} dilepas, {skipped} dilewati.",
    skipped_line: "Rumah tangga {id}: {reason}",
    need_enumerator: "Pilih enumerator dulu.",
    need_selection: "Pilih rumah tangga dulu.",
    nothing_assigned: "Tidak ada yang sudah ditugaskan di pilihan ini.",
    loading: "Memuat…",
    st_open: "ditugaskan",
    st_visited: "dikunjungi",
    st_returned: "dikembalikan",
    st_closed: "selesai",
  },
  {
    title: "Assignments",
    round: "Round",
    no_rounds: "No open round in your regions.",
    not_allowed: "Only supervisors and admins manage assignments.",
    pick_village: "Choose a village to see its households.",
    rw: "RW",
    rt: "RT",
    all: "all",
    show: "Show",
    show_all: "all",
    show_unassigned: "not assigned",
    show_assigned: "assigned",
    decile: "Decile",
    decile_any: "all",
    find: "Find head's name / address",
    head: "Head of household",
    address: "Address",
    kk: "No. KK",
    assignee: "Enumerator",
    state: "State",
    none: "none",
    households_n: "{shown} of {total} households",
    select_shown: "Select all shown ({n})",
    select_rt: "Select RT {rt} / RW {rw} ({n})",
    select_rw: "Select RW {rw} ({n})",
    select_village: "Select the whole village ({n})",
    select_poorest: "Select deciles 1–4 not yet assigned ({n})",
    clear: "Clear selection",
    selected: "{n} selected",
    enumerator: "Assign to enumerator",
    choose: "— choose an enumerator —",
    no_enumerators: "No enumerator works in this village.",
    assign: "Assign",
    unassign: "Unassign",
    confirm_move: "{n} households are already assigned to another enumerator. Move them to {name}?",
    confirm_unassign: "Unassign {n} households? They leave their enumerator's phone at the next sync.",
    yes_move: "Yes, move them",
    yes_unassign: "Yes, unassign",
    only_new: "No, only the unassigned",
    cancel: "Cancel",
    result_assign: "{assigned} assigned, {reassigned} moved, {unchanged} unchanged, {skipped} skipped.",
    result_unassign: "{unassigned} unassigned, {skipped} skipped.",
    skipped_line: "Household {id}: {reason}",
    need_enumerator: "Choose an enumerator first.",
    need_selection: "Select households first.",
    nothing_assigned: "None of the selection is assigned.",
    loading: "Loading…",
    st_open: "assigned",
    st_visited: "visited",
    st_returned: "returned",
    st_closed: "closed",
  },
);

function stateWord(state: string): string {
  const k = `st_${state}` as "st_open";
  const t = s(k);
  return t === k ? state : t;
}

export async function assignScreen(root: HTMLElement, ...args: string[]): Promise<() => void> {
  root.classList.add("staff-page");
  const role = app.session?.role;
  if (role !== "supervisor" && role !== "admin") {
    root.replaceChildren(h("h1", null, s("title")), h("p", { class: "empty" }, s("not_allowed")));
    return () => undefined;
  }
  root.replaceChildren(h("h1", null, s("title")), h("p", { class: "loading" }, s("loading")));
  const err = h("p", { class: "err big", role: "alert", id: "assign-error" });
  let rounds: S["RoundOut"][];
  let roots: S["RegionOut"][];
  let users: S["UserOut"][];
  try {
    [rounds, roots, users] = await Promise.all([
      call<S["RoundOut"][]>("/api/v1/rounds"),
      myRegions(),
      call<S["UserOut"][]>("/api/v1/users?role=enumerator&active=true"),
    ]);
  } catch (e) {
    root.replaceChildren(h("h1", null, s("title")), err);
    err.textContent = problemWords(e);
    return () => undefined;
  }
  const usable = rounds.filter((r) => r.state !== "closed");
  if (!usable.length) {
    root.replaceChildren(h("h1", null, s("title")), h("p", { class: "empty" }, s("no_rounds")));
    return () => undefined;
  }
  let round = usable.find((r) => String(r.id) === args[0]) ?? defaultRound(usable)!;
  let village: string | null = args[1] && /^\d{2}\.\d{2}\.\d{2}\.\d{4}$/.test(args[1]) ? args[1] : null;
  let lines: Line[] = [];
  let filter: Filter = { ...NO_FILTER };
  const selected = new Set<number>();
  let alive = true;

  const roundSel = h("select", { id: "assign-round", onchange: () => {
    round = usable.find((r) => String(r.id) === roundSel.value) ?? round;
    history.replaceState(null, "", `#/assign/${round.id}${village ? "/" + village : ""}`);
    void load();
  } }, usable.map((r) => h("option", { value: r.id, selected: r.id === round.id }, `${r.name} (${r.region_name})`)));
  const pickerBox = h("div", { id: "assign-village" });
  const content = h("div", { id: "assign-content" }, h("p", { class: "muted" }, s("pick_village")));
  const result = h("div", { id: "assign-result", "aria-live": "polite" });
  root.replaceChildren(
    h("h1", null, s("title")),
    h("div", { class: "toolbar" }, h("label", null, h("span", { class: "small muted" }, s("round")), roundSel), pickerBox),
    err, result, content,
  );
  regionPicker(pickerBox, {
    roots, value: village, until: "village",
    onChange: (code) => {
      village = code;
      history.replaceState(null, "", `#/assign/${round.id}${village ? "/" + village : ""}`);
      filter = { ...NO_FILTER };
      selected.clear();
      result.replaceChildren();
      void load();
    },
  });

  async function load(): Promise<void> {
    err.textContent = "";
    if (!village) {
      content.replaceChildren(h("p", { class: "muted" }, s("pick_village")));
      return;
    }
    content.replaceChildren(h("p", { class: "loading" }, s("loading")));
    try {
      const v = village;
      const [households, assignments] = await Promise.all([
        allPages<S["HouseholdItem"]>(`/api/v1/households?region=${v}&status=active&limit=500`),
        allPages<S["AssignmentOut"]>(`/api/v1/rounds/${round.id}/assignments?region=${v}&limit=500`),
      ]);
      if (!alive || v !== village) return;
      lines = sortLines(join(households, assignments));
      for (const id of [...selected]) if (!lines.some((l) => l.household.id === id)) selected.delete(id);
      draw();
    } catch (e) {
      content.replaceChildren();
      err.textContent = problemWords(e);
    }
  }

  function draw(): void {
    if (!village) return;
    const enumerators = enumeratorsFor(users, village);
    const shown = applyFilter(lines, filter);
    const rws = rwValues(lines);
    const rts = rtValues(lines, filter.rw);

    const rwSel = h("select", { id: "filter-rw", "aria-label": s("rw"), onchange: () => { filter = { ...filter, rw: rwSel.value, rt: "" }; draw(); } },
      h("option", { value: "" }, s("all")), rws.map((x) => h("option", { value: x, selected: x === filter.rw }, x)));
    const rtSel = h("select", { id: "filter-rt", "aria-label": s("rt"), onchange: () => { filter = { ...filter, rt: rtSel.value }; draw(); } },
      h("option", { value: "" }, s("all")), rts.map((x) => h("option", { value: x, selected: x === filter.rt }, x)));
    const showSel = h("select", { id: "filter-show", onchange: () => { filter = { ...filter, show: showSel.value as Filter["show"] }; draw(); } },
      (["all", "unassigned", "assigned"] as const).map((k) => h("option", { value: k, selected: filter.show === k }, s(`show_${k}`))));
    // The register's decile (BPS): "1-4" picks the poorest 40 % to assign first.
    const decileSel = h("select", { id: "filter-decile", "aria-label": s("decile"), onchange: () => { filter = { ...filter, decile: decileSel.value }; draw(); } },
      h("option", { value: "" }, s("decile_any")),
      DECILE_SELECTIONS.map((d) => h("option", { value: d, selected: d === filter.decile }, selectionLabel(d, lang() === "en"))));
    const text = h("input", { type: "search", id: "filter-text", value: filter.text, placeholder: s("find"), autocomplete: "off",
      oninput: () => { filter = { ...filter, text: text.value }; drawTable(); } });

    const selectIds = (ids: number[]) => { for (const id of ids) selected.add(id); drawTable(); };
    const quick = h("div", { class: "quick" });
    const drawQuick = () => {
      const cur = applyFilter(lines, filter);
      const btns: HTMLElement[] = [];
      if (filter.rt && filter.rw) {
        const n = lines.filter((l) => l.household.rt === filter.rt && l.household.rw === filter.rw).length;
        btns.push(h("button", { type: "button", class: "btn small secondary", id: "select-rt", onclick: () => selectIds(lines.filter((l) => l.household.rt === filter.rt && l.household.rw === filter.rw).map((l) => l.household.id)) }, s("select_rt", { rt: filter.rt, rw: filter.rw, n })));
      } else if (filter.rw) {
        const ids = lines.filter((l) => l.household.rw === filter.rw).map((l) => l.household.id);
        btns.push(h("button", { type: "button", class: "btn small secondary", id: "select-rw", onclick: () => selectIds(ids) }, s("select_rw", { rw: filter.rw, n: ids.length })));
      }
      btns.push(h("button", { type: "button", class: "btn small secondary", id: "select-shown", onclick: () => selectIds(cur.map((l) => l.household.id)) }, s("select_shown", { n: cur.length })));
      const poorest = lines.filter((l) => !l.assignment && inDecile(l.household.decile, "1-4")).map((l) => l.household.id);
      if (poorest.length) btns.push(h("button", { type: "button", class: "btn small secondary", id: "select-poorest", onclick: () => selectIds(poorest) }, s("select_poorest", { n: poorest.length })));
      btns.push(h("button", { type: "button", class: "btn small secondary", id: "select-village", onclick: () => selectIds(lines.map((l) => l.household.id)) }, s("select_village", { n: lines.length })));
      btns.push(h("button", { type: "button", class: "btn small secondary", id: "select-clear", onclick: () => { selected.clear(); drawTable(); } }, s("clear")));
      quick.replaceChildren(...btns);
    };

    const tableBox = h("div", { class: "table-wrap households-table" });
    const countLine = h("p", { class: "small muted", id: "assign-count" });
    const selCount = h("span", { class: "sel-count", id: "selected-count" });
    const enumSel = h("select", { id: "assign-enumerator" },
      h("option", { value: "" }, s("choose")),
      enumerators.map((u) => h("option", { value: u.id }, `${u.display_name} (${u.username})`)));
    const assignBtn = h("button", { type: "button", class: "btn primary small", id: "do-assign", onclick: () => void doAssign() }, s("assign"));
    const unassignBtn = h("button", { type: "button", class: "btn danger-outline small", id: "do-unassign", onclick: () => void doUnassign() }, s("unassign"));

    function drawTable(): void {
      const cur = applyFilter(lines, filter);
      countLine.textContent = s("households_n", { shown: num(cur.length), total: num(lines.length) });
      selCount.textContent = s("selected", { n: num(selected.size) });
      assignBtn.disabled = selected.size === 0;
      unassignBtn.disabled = selected.size === 0;
      drawQuick();
      const all = h("input", { type: "checkbox", "aria-label": s("select_shown", { n: cur.length }), id: "check-all",
        checked: cur.length > 0 && cur.every((l) => selected.has(l.household.id)),
        onchange: () => { for (const l of cur) (all.checked ? selected.add(l.household.id) : selected.delete(l.household.id)); drawTable(); } });
      tableBox.replaceChildren(h("table", { class: "data", id: "households" },
        h("thead", null, h("tr", null, h("th", { class: "cb" }, all), h("th", null, `${s("rt")}/${s("rw")}`), h("th", null, s("head")),
          h("th", null, s("address")), h("th", null, s("kk")), h("th", null, s("assignee")), h("th", null, s("state")))),
        h("tbody", null, cur.map((l) => {
          const hh = l.household;
          const a = l.assignment;
          const cb = h("input", { type: "checkbox", "aria-label": hh.head_name, checked: selected.has(hh.id),
            onchange: () => { if (cb.checked) selected.add(hh.id); else selected.delete(hh.id); tr.classList.toggle("sel", cb.checked); selCount.textContent = s("selected", { n: num(selected.size) }); assignBtn.disabled = unassignBtn.disabled = selected.size === 0; } });
          const tr = h("tr", { class: selected.has(hh.id) ? "sel" : "", "data-household": hh.id },
            h("td", { class: "cb" }, cb),
            h("td", { class: "n" }, `${hh.rt}/${hh.rw}`),
            h("td", null, h("b", null, hh.head_name), hh.decile ? [" ", decileTag(hh.decile, lang() === "en")] : null),
            h("td", null, hh.address),
            h("td", { class: "mono" }, hh.kk_masked),
            h("td", { class: "assignee" }, a ? a.enumerator_name : h("span", { class: "muted" }, s("none"))),
            h("td", null, a ? h("span", { class: `st ${a.state}` }, stateWord(a.state)) : h("span", { class: "st none" }, s("none"))),
          );
          return tr;
        }))));
    }

    async function doAssign(): Promise<void> {
      err.textContent = "";
      const enumeratorId = Number(enumSel.value);
      if (!enumeratorId) { err.textContent = s("need_enumerator"); enumSel.focus(); return; }
      if (!selected.size) { err.textContent = s("need_selection"); return; }
      const p = plan(lines, selected, enumeratorId);
      const name = enumSel.selectedOptions[0]?.textContent ?? "";
      let ids = [...p.fresh, ...p.same, ...p.moved];
      let reassign = false;
      if (p.moved.length) {
        reassign = await ask(s("confirm_move", { n: p.moved.length, name }), s("yes_move"), s("only_new"));
        if (!reassign) ids = [...p.fresh, ...p.same];
      }
      if (!ids.length) return;
      assignBtn.disabled = true;
      try {
        const r = await call<S["AssignResult"]>(`/api/v1/rounds/${round.id}/assignments`, {
          method: "POST", json: { household_ids: ids, enumerator_id: enumeratorId, reassign },
        });
        showResult(s("result_assign", { assigned: r.assigned, reassigned: r.reassigned, unchanged: r.unchanged, skipped: r.skipped_count }), r.skipped, r.skipped_count ? "info" : "ok");
        selected.clear();
        await load();
      } catch (e) {
        err.textContent = problemWords(e);
        assignBtn.disabled = false;
      }
    }

    async function doUnassign(): Promise<void> {
      err.textContent = "";
      const ids = assignedIn(lines, selected);
      if (!ids.length) { err.textContent = s("nothing_assigned"); return; }
      if (!(await ask(s("confirm_unassign", { n: ids.length }), s("yes_unassign"), s("cancel"), true))) return;
      unassignBtn.disabled = true;
      try {
        const r = await call<S["UnassignResult"]>(`/api/v1/rounds/${round.id}/assignments/unassign`, {
          method: "POST", json: { household_ids: ids },
        });
        showResult(s("result_unassign", { unassigned: r.unassigned, skipped: r.skipped_count }), r.skipped, r.skipped_count ? "info" : "ok");
        selected.clear();
        await load();
      } catch (e) {
        err.textContent = problemWords(e);
        unassignBtn.disabled = false;
      }
    }

    content.replaceChildren(
      h("div", { class: "toolbar" },
        h("label", null, h("span", { class: "small muted" }, s("rw")), rwSel),
        h("label", null, h("span", { class: "small muted" }, s("rt")), rtSel),
        h("label", null, h("span", { class: "small muted" }, s("show")), showSel),
        h("label", null, h("span", { class: "small muted" }, s("decile")), decileSel),
        h("label", { style: { flex: "1" } }, h("span", { class: "small muted" }, s("find")), text)),
      quick, countLine, tableBox,
      h("div", { class: "assign-bar" }, selCount,
        enumerators.length ? h("label", null, h("span", { class: "small muted" }, s("enumerator")), enumSel) : h("p", { class: "err" }, s("no_enumerators")),
        assignBtn, unassignBtn),
    );
    drawTable();
  }

  function showResult(line: string, skipped: S["Skipped"][], kind: "ok" | "info"): void {
    const names = new Map(lines.map((l) => [l.household.id, l.household.head_name] as [number, string]));
    result.replaceChildren(h("div", { class: `result ${kind}`, role: "status" },
      h("b", null, line),
      skipped.length ? h("ul", null, skipped.slice(0, 50).map((x) => h("li", null,
        s("skipped_line", { id: names.get(x.household_id) ? `${names.get(x.household_id)} (#${x.household_id})` : `#${x.household_id}`, reason: reasonWords(x.reason) })))) : null));
  }

  void load();
  return () => { alive = false; };
}
