// The village's part of a round, for the village operator and the office, in four tabs:
// proposals (usulan), the deliberation (musdes/muskel: attendance, the agenda with a
// decision per item, the minutes PDF, the signed page, later amendments), the public review
// (publish once, status, ratification, the final list) and the objection queue (office only).
// #/village[/<village code>[/<round id>[/<tab>]]]
import "../audit/common.css";
import "./village.css";
import { h } from "../../ui/dom";
import { app } from "../../app/controller";
import { call, downloadSmall } from "../audit/api";
import { problemWords, when } from "../audit/words";
import { strings } from "../strings";
import { isOffice, longDate, type VillageContext } from "./context";
import {
  type AgendaItem, amendments, attendeeProblem, type Attendee, canSign, decileBadge, DECISION_WORDS, type Decision,
  type Deliberation, decisionProblem, KIND_WORDS, POSITIONS, sections, tally,
} from "./model";
import { proposalsTab } from "./proposals";
import { objectionsTab, reviewTab } from "./review";

const s = strings(
  {
    title: "Musyawarah desa dan uji publik",
    village: "Kode desa/kelurahan",
    open: "Buka",
    round: "Putaran",
    no_rounds: "Tidak ada putaran untuk desa ini.",
    tab_usulan: "Usulan",
    tab_musdes: "Musyawarah",
    tab_uji: "Uji publik",
    tab_sanggahan: "Sanggahan",
    new: "Catat musyawarah",
    date: "Tanggal",
    place: "Tempat",
    attendance: "Daftar hadir",
    name: "Nama",
    position: "Jabatan",
    add: "Tambah peserta",
    no_people: "Belum ada peserta.",
    remove: "Hapus",
    save: "Simpan musyawarah",
    need_date: "Isi tanggal dan tempat musyawarah.",
    state_draft: "Draf: keputusan masih dapat diubah",
    state_final: "Final: berita acara bertanda tangan terlampir. Perubahan keputusan dicatat sebagai perubahan (amandemen) dengan alasan.",
    tally: "Disetujui {agreed} · Ditolak {rejected} · Ditunda {deferred} · Belum {undecided}",
    reason: "Alasan",
    minutes: "Unduh berita acara (PDF)",
    sign: "Unggah foto halaman bertanda tangan",
    sign_hint: "Semua butir harus diputuskan dulu.",
    signed: "Halaman bertanda tangan terlampir: {n}",
    signed_now: "Foto berita acara tersimpan. Keputusan musyawarah kini final.",
    amended: "Diubah setelah penandatanganan",
    amendments: "Perubahan setelah berita acara ditandatangani",
    decile_hint: "Desil 1–4 = 40 % termiskin",
    loading: "Memuat…",
    empty: "Belum ada butir. Agenda terisi dari kunjungan yang disetujui dan usulan desa.",
    attendees: "{n} peserta",
  },
  {
    title: "Village deliberation and public review",
    village: "Village code",
    open: "Open",
    round: "Round",
    no_rounds: "No round covers this village.",
    tab_usulan: "Proposals",
    tab_musdes: "Deliberation",
    tab_uji: "Public review",
    tab_sanggahan: "Objections",
    new: "Record the deliberation",
    date: "Date",
    place: "Place",
    attendance: "Attendance",
    name: "Name",
    position: "Position",
    add: "Add attendee",
    no_people: "No attendees yet.",
    remove: "Remove",
    save: "Save the deliberation",
    need_date: "Fill in the date and the place.",
    state_draft: "Draft: decisions can still change",
    state_final: "Final: signed minutes attached. A changed decision is recorded as an amendment with its reason.",
    tally: "Agreed {agreed} · Rejected {rejected} · Deferred {deferred} · Undecided {undecided}",
    reason: "Reason",
    minutes: "Download the minutes (PDF)",
    sign: "Upload a photo of the signed page",
    sign_hint: "Decide every item first.",
    signed: "Signed pages attached: {n}",
    signed_now: "Signed minutes stored. The deliberation's decisions are now final.",
    amended: "Changed after signing",
    amendments: "Changes after the minutes were signed",
    decile_hint: "Decile 1–4 = poorest 40 %",
    loading: "Loading…",
    empty: "No items yet. The agenda fills from approved visits and village proposals.",
    attendees: "{n} attendees",
  },
);

interface RoundOut { id: number; name: string; state: string }

const TABS = ["usulan", "musdes", "uji-publik", "sanggahan"] as const;
type Tab = (typeof TABS)[number];
const TAB_WORDS: Record<Tab, "tab_usulan" | "tab_musdes" | "tab_uji" | "tab_sanggahan"> = {
  usulan: "tab_usulan", musdes: "tab_musdes", "uji-publik": "tab_uji", sanggahan: "tab_sanggahan",
};

export async function villageScreen(root: HTMLElement, ...args: string[]): Promise<() => void> {
  root.classList.add("staff-page");
  const role = app.session?.role ?? "";
  const [village, roundArg, tabArg] = args;
  const err = h("p", { class: "err big", role: "alert", id: "village-error" });
  const note = h("p", { class: "ok", role: "status", id: "village-note" });
  const code = h("input", { id: "village-code", value: village ?? "", placeholder: "17.06.01.2005" });
  const scopes = (app.session?.scopes ?? []).filter((c) => c.split(".").length === 4);
  const picker = h("form", {
    class: "village-picker",
    onsubmit: (e: Event) => { e.preventDefault(); location.hash = `#/village/${code.value.trim()}`; },
  }, h("label", { for: "village-code" }, s("village")), code, h("button", { type: "submit", class: "btn small" }, s("open")),
  ...scopes.map((c) => h("a", { href: `#/village/${c}`, class: "chip" }, c)));
  root.replaceChildren(h("h1", null, s("title")), picker, err, note);
  if (!village) return () => undefined;
  const body = h("div", { id: "village-body" }, h("p", { class: "loading" }, s("loading")));
  root.append(body);

  const show = (e: unknown) => { note.textContent = ""; err.textContent = typeof e === "string" ? e : problemWords(e); };
  let rounds: RoundOut[] = [];
  try {
    rounds = await call<RoundOut[]>(`/api/v1/deliberations/rounds?village=${encodeURIComponent(village)}`);
  } catch (e) {
    body.replaceChildren();
    show(e);
    return () => undefined;
  }
  if (rounds.length === 0) {
    body.replaceChildren(h("p", { class: "empty" }, s("no_rounds")));
    return () => undefined;
  }
  const roundId = Number(roundArg) || rounds[0]!.id;
  const tabs = TABS.filter((t) => t !== "sanggahan" || isOffice(role));
  const tab: Tab = tabs.includes(tabArg as Tab) ? (tabArg as Tab) : "musdes";
  const roundSelect = h("select", {
    id: "village-round",
    onchange: () => { location.hash = `#/village/${village}/${roundSelect.value}/${tab}`; },
  }, ...rounds.map((r) => h("option", { value: String(r.id), selected: r.id === roundId }, r.name)));
  const tabBar = h("nav", { class: "village-tabs", role: "tablist", "aria-label": s("title") },
    ...tabs.map((t) => h("a", {
      href: `#/village/${village}/${roundId}/${t}`, role: "tab", id: `tab-${t}`,
      class: `village-tab${t === tab ? " on" : ""}`, "aria-selected": t === tab ? "true" : "false",
    }, s(TAB_WORDS[t]))));
  const panel = h("div", { id: "village-panel", role: "tabpanel", "aria-labelledby": `tab-${tab}` });
  body.replaceChildren(h("div", { class: "toolbar" }, h("label", { for: "village-round" }, s("round"), roundSelect)), tabBar, panel);

  const ctx: VillageContext = {
    village, roundId, role, show,
    done: (words) => { err.textContent = ""; note.textContent = words; },
    refresh: render,
  };

  async function deliberationOfRound(): Promise<Deliberation | undefined> {
    const found = await call<Deliberation[]>(
      `/api/v1/deliberations?village=${encodeURIComponent(village!)}&round_id=${roundId}`,
    );
    return found[0];
  }

  async function render(): Promise<void> {
    err.textContent = "";
    note.textContent = "";
    let content: HTMLElement;
    if (tab === "usulan") content = await proposalsTab(ctx);
    else if (tab === "uji-publik") content = await reviewTab(ctx, await deliberationOfRound());
    else if (tab === "sanggahan") content = await objectionsTab(ctx);
    else {
      const d = await deliberationOfRound();
      content = d ? deliberationView(d) : createForm();
    }
    panel.replaceChildren(content);
  }

  function createForm(): HTMLElement {
    const date = h("input", { type: "date", id: "d-date", required: true });
    const place = h("input", { id: "d-place", required: true, maxlength: "200", placeholder: "Balai Desa" });
    const people: Attendee[] = [];
    const list = h("tbody", { id: "d-people" });
    const drawPeople = () => {
      list.replaceChildren(...people.map((p, i) => h("tr", null,
        h("td", { class: "n" }, String(i + 1)), h("td", null, p.name),
        h("td", null, POSITIONS.find(([c]) => c === p.position)?.[1] ?? p.position),
        h("td", null, h("button", {
          type: "button", class: "btn small danger-outline", "aria-label": `${s("remove")} ${p.name}`,
          onclick: () => { people.splice(i, 1); drawPeople(); },
        }, s("remove"))))));
      if (people.length === 0) list.append(h("tr", { class: "empty-row" }, h("td", { colspan: "4", class: "muted" }, s("no_people"))));
    };
    drawPeople();
    const name = h("input", { id: "d-name", placeholder: s("name"), "aria-label": s("name"), maxlength: "200" });
    const position = h("select", { id: "d-position", "aria-label": s("position") },
      ...POSITIONS.map(([v, l]) => h("option", { value: v }, l)));
    const add = h("button", {
      type: "button", class: "btn small", id: "d-add",
      onclick: () => {
        const problem = attendeeProblem(name.value, position.value);
        if (problem) { show(problem); return; }
        err.textContent = "";
        people.push({ name: name.value.trim(), position: position.value });
        drawPeople();
        name.value = "";
        name.focus();
      },
    }, s("add"));
    return h("form", {
      class: "card", id: "deliberation-form", novalidate: true,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        if (!date.value || !place.value.trim()) { show(s("need_date")); return; }
        try {
          await call("/api/v1/deliberations", {
            method: "POST",
            json: { round_id: roundId, region_code: village, held_on: date.value, place: place.value.trim(), attendance: people },
          });
          await render();
        } catch (x) { show(x); }
      },
    }, h("h2", null, s("new")),
    h("div", { class: "vf-grid" },
      h("div", { class: "vf-field" }, h("label", { for: "d-date" }, s("date")), date),
      h("div", { class: "vf-field" }, h("label", { for: "d-place" }, s("place")), place)),
    h("h3", null, s("attendance")),
    h("div", { class: "table-wrap people" }, h("table", { class: "data" },
      h("thead", null, h("tr", null, h("th", { class: "n" }, "No"), h("th", null, s("name")), h("th", null, s("position")), h("th", null, ""))),
      list)),
    h("div", { class: "vf-inline attendee" }, name, position, add),
    h("p", { class: "vf-actions" }, h("button", { type: "submit", class: "btn primary small" }, s("save"))));
  }

  function itemRow(d: Deliberation, item: AgendaItem): HTMLElement {
    const reason = h("input", { placeholder: s("reason"), value: item.reason, "aria-label": s("reason"), maxlength: "1000" });
    const decide = async (decision: Decision) => {
      const problem = decisionProblem(d, decision, reason.value);
      if (problem) { show(problem); return; }
      try {
        await call(`/api/v1/deliberations/${d.id}/decisions`, {
          method: "POST", json: { item_key: item.key, decision, reason: reason.value.trim() },
        });
        await render();
      } catch (x) { show(x); }
    };
    const badge = decileBadge(item.decile);
    return h("li", { class: `agenda-item ${item.decision ?? "undecided"}`, "data-key": item.key },
      h("div", { class: "agenda-head" },
        h("b", null, `${item.head_name} `), h("span", { class: "muted" }, `${item.kk_masked} · RT ${item.rt}/RW ${item.rw}`),
        badge ? h("span", { class: `decile${badge.poorest ? " poorest" : ""}`, title: s("decile_hint") }, badge.text) : "",
        item.amended ? h("span", { class: "st returned" }, s("amended")) : ""),
      h("div", null, item.subject, item.recommendation ? ` · ${item.recommendation}` : ""),
      h("div", { class: "decide" },
        item.decision ? h("strong", { class: "decision" }, DECISION_WORDS[item.decision]) : "", reason,
        ...(["agreed", "rejected", "deferred"] as Decision[]).map((k) =>
          h("button", { type: "button", class: `btn small${item.decision === k ? " primary" : ""}`, onclick: () => decide(k) }, DECISION_WORDS[k]))));
  }

  function deliberationView(d: Deliberation): HTMLElement {
    const counts = tally(d.agenda);
    const file = h("input", { type: "file", accept: "image/jpeg", id: "d-signed", disabled: !canSign(d) });
    file.addEventListener("change", async () => {
      const photo = file.files?.[0];
      if (!photo) return;
      try {
        await call(`/api/v1/deliberations/${d.id}/minutes/${crypto.randomUUID()}`, {
          method: "PUT", body: photo, headers: { "Content-Type": "image/jpeg" },
        });
        await render();
        ctx.done(s("signed_now"));
      } catch (x) { show(x); }
    });
    const out = h("section", { class: "card", id: "deliberation", "data-state": d.state },
      h("h2", null, `${d.village_name} · ${longDate(d.held_on)} · ${d.place}`),
      h("p", { class: `result ${d.state === "final" ? "ok" : "info"}`, id: "d-state" }, s(d.state === "final" ? "state_final" : "state_draft")),
      h("details", { class: "attendance" },
        h("summary", null, `${s("attendance")}: ${s("attendees", { n: d.attendance.length })}`),
        h("ul", null, ...d.attendance.map((a) => h("li", null, `${a.name} — ${POSITIONS.find(([c]) => c === a.position)?.[1] ?? a.position}`)))),
      h("p", { id: "d-tally" }, s("tally", counts)),
    );
    const agenda = sections(d.agenda);
    if (agenda.length === 0) out.append(h("p", { class: "empty" }, s("empty")));
    for (const [kind, items] of agenda) {
      out.append(h("h3", null, `${KIND_WORDS[kind]} (${items.length})`), h("ol", { class: "agenda" }, ...items.map((i) => itemRow(d, i))));
    }
    const changed = amendments(d.agenda);
    if (changed.length) {
      out.append(h("h3", null, s("amendments")), h("ul", { id: "amendments" }, ...changed.map((i) => h("li", null,
        `${i.head_name} (RT ${i.rt}/RW ${i.rw}): ${i.decision ? DECISION_WORDS[i.decision] : "—"} — ${i.reason} · ${when(i.decided_at)}`))));
    }
    out.append(h("div", { class: "minutes-bar" },
      h("button", {
        type: "button", class: "btn small", id: "d-minutes",
        onclick: () => downloadSmall(`/api/v1/deliberations/${d.id}/minutes.pdf`, `berita-acara-${d.id}.pdf`).catch(show),
      }, s("minutes")),
      h("label", { for: "d-signed", class: `btn small${canSign(d) ? " primary" : ""}` }, s("sign")), file,
      canSign(d) ? "" : h("small", null, s("sign_hint")),
      h("span", { id: "d-signed-count" }, s("signed", { n: d.minutes_pages.length }))));
    return out;
  }

  try {
    await render();
  } catch (e) {
    panel.replaceChildren();
    show(e);
  }
  return () => undefined;
}
