// The village deliberation (musdes/muskel) and its public review, for the village operator
// and the office: attendance, the agenda with a decision per item, the minutes PDF, the
// signed page, publishing, the objection queue.
// #/village[/<village code>[/<round id>]]
import "../audit/common.css";
import "./village.css";
import { h } from "../../ui/dom";
import { app } from "../../app/controller";
import { call, downloadSmall } from "../audit/api";
import { problemWords } from "../audit/words";
import { strings } from "../strings";
import {
  type AgendaItem, attendeeProblem, type Attendee, canPublish, canSign, DECISION_WORDS, type Decision,
  type Deliberation, decisionProblem, KIND_WORDS, type Objection, objectionCounts, POSITIONS, sections,
  tally,
} from "./model";

const s = strings(
  {
    title: "Musyawarah desa",
    village: "Kode desa/kelurahan",
    open: "Buka",
    round: "Putaran",
    no_rounds: "Tidak ada putaran untuk desa ini.",
    new: "Catat musyawarah",
    date: "Tanggal",
    place: "Tempat",
    attendance: "Daftar hadir",
    name: "Nama",
    position: "Jabatan",
    add: "Tambah peserta",
    save: "Simpan",
    state_draft: "Draf: keputusan masih dapat diubah",
    state_final: "Final: berita acara bertanda tangan terlampir",
    tally: "Disetujui {agreed} · Ditolak {rejected} · Ditunda {deferred} · Belum {undecided}",
    reason: "Alasan",
    minutes: "Unduh berita acara (PDF)",
    sign: "Foto halaman bertanda tangan",
    sign_hint: "Semua butir harus diputuskan dulu.",
    signed: "Halaman bertanda tangan terlampir: {n}",
    publish: "Umumkan untuk uji publik (14 hari)",
    published: "Diumumkan: {url}",
    objections: "Sanggahan",
    objection_counts: "{open} menunggu · {accepted} diterima · {rejected} ditolak",
    accept: "Terima (kunjungan ulang)",
    reject: "Tolak",
    missing: "Keluarga belum terdaftar",
    loading: "Memuat…",
    empty: "Belum ada butir.",
  },
  {
    title: "Village deliberation",
    village: "Village code",
    open: "Open",
    round: "Round",
    no_rounds: "No round covers this village.",
    new: "Record the deliberation",
    date: "Date",
    place: "Place",
    attendance: "Attendance",
    name: "Name",
    position: "Position",
    add: "Add attendee",
    save: "Save",
    state_draft: "Draft: decisions can still change",
    state_final: "Final: signed minutes attached",
    tally: "Agreed {agreed} · Rejected {rejected} · Deferred {deferred} · Undecided {undecided}",
    reason: "Reason",
    minutes: "Download the minutes (PDF)",
    sign: "Photo of the signed page",
    sign_hint: "Decide every item first.",
    signed: "Signed pages attached: {n}",
    publish: "Publish for public review (14 days)",
    published: "Published: {url}",
    objections: "Objections",
    objection_counts: "{open} waiting · {accepted} accepted · {rejected} rejected",
    accept: "Accept (revisit)",
    reject: "Reject",
    missing: "Household not on the list",
    loading: "Loading…",
    empty: "No items yet.",
  },
);

interface RoundOut { id: number; name: string; state: string }

export async function villageScreen(root: HTMLElement, ...args: string[]): Promise<() => void> {
  root.classList.add("staff-page");
  const role = app.session?.role ?? "";
  const [village, roundArg] = args;
  const err = h("p", { class: "err big", role: "alert", id: "village-error" });
  const code = h("input", { id: "village-code", value: village ?? "", placeholder: "17.06.01.2005" });
  const scopes = (app.session?.scopes ?? []).filter((c) => c.split(".").length === 4);
  const picker = h("form", {
    class: "village-picker",
    onsubmit: (e: Event) => { e.preventDefault(); location.hash = `#/village/${code.value.trim()}`; },
  }, h("label", { for: "village-code" }, s("village")), code, h("button", { type: "submit" }, s("open")),
  ...scopes.map((c) => h("a", { href: `#/village/${c}`, class: "chip" }, c)));
  root.replaceChildren(h("h1", null, s("title")), picker, err);
  if (!village) return () => undefined;
  const body = h("div", { id: "village-body" }, h("p", { class: "loading" }, s("loading")));
  root.append(body);

  const show = (e: unknown) => { err.textContent = problemWords(e); };
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
  const roundSelect = h("select", {
    id: "village-round",
    onchange: () => { location.hash = `#/village/${village}/${roundSelect.value}`; },
  }, ...rounds.map((r) => h("option", { value: String(r.id), selected: r.id === roundId }, r.name)));

  async function render(): Promise<void> {
    err.textContent = "";
    const found = await call<Deliberation[]>(
      `/api/v1/deliberations?village=${encodeURIComponent(village!)}&round_id=${roundId}`,
    );
    const parts: Node[] = [h("p", null, h("label", { for: "village-round" }, s("round")), " ", roundSelect)];
    parts.push(found[0] ? deliberationView(found[0]) : createForm());
    if (role === "supervisor" || role === "admin") parts.push(await objectionsView());
    body.replaceChildren(...parts);
  }

  function createForm(): HTMLElement {
    const date = h("input", { type: "date", id: "d-date", required: true });
    const place = h("input", { id: "d-place", required: true, maxlength: "200" });
    const people: Attendee[] = [];
    const list = h("ol", { id: "d-people" });
    const name = h("input", { id: "d-name", placeholder: s("name") });
    const position = h("select", { id: "d-position" }, ...POSITIONS.map(([v, l]) => h("option", { value: v }, l)));
    const add = h("button", {
      type: "button",
      onclick: () => {
        const problem = attendeeProblem(name.value, position.value);
        if (problem) { err.textContent = problem; return; }
        people.push({ name: name.value.trim(), position: position.value });
        list.append(h("li", null, `${name.value.trim()} — ${position.selectedOptions[0]?.textContent ?? ""}`));
        name.value = "";
      },
    }, s("add"));
    return h("form", {
      class: "card",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          await call("/api/v1/deliberations", {
            method: "POST",
            json: { round_id: roundId, region_code: village, held_on: date.value, place: place.value, attendance: people },
          });
          await render();
        } catch (x) { show(x); }
      },
    }, h("h2", null, s("new")), h("label", { for: "d-date" }, s("date")), date,
    h("label", { for: "d-place" }, s("place")), place, h("h3", null, s("attendance")), list,
    name, position, add, h("p", null, h("button", { type: "submit" }, s("save"))));
  }

  function itemRow(d: Deliberation, item: AgendaItem): HTMLElement {
    const reason = h("input", { placeholder: s("reason"), value: item.reason, "aria-label": s("reason") });
    const decide = async (decision: Decision) => {
      const problem = decisionProblem(d, decision, reason.value);
      if (problem) { err.textContent = problem; return; }
      try {
        await call(`/api/v1/deliberations/${d.id}/decisions`, {
          method: "POST", json: { item_key: item.key, decision, reason: reason.value.trim() },
        });
        await render();
      } catch (x) { show(x); }
    };
    return h("li", { class: `agenda-item ${item.decision ?? "undecided"}`, "data-key": item.key },
      h("b", null, `${item.head_name} `), h("span", { class: "muted" }, `${item.kk_masked} · RT ${item.rt}/RW ${item.rw}`),
      h("div", null, item.subject, item.recommendation ? ` · ${item.recommendation}` : ""),
      h("div", { class: "decide" }, item.decision ? h("strong", null, DECISION_WORDS[item.decision]) : "", reason,
        ...(["agreed", "rejected", "deferred"] as Decision[]).map((k) =>
          h("button", { type: "button", onclick: () => decide(k) }, DECISION_WORDS[k]))));
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
      } catch (x) { show(x); }
    });
    const out = h("section", { class: "card", id: "deliberation" },
      h("h2", null, `${d.village_name} · ${d.held_on} · ${d.place}`),
      h("p", { class: d.state === "final" ? "ok" : "muted" }, s(d.state === "final" ? "state_final" : "state_draft")),
      h("p", null, d.attendance.map((a) => `${a.name} (${POSITIONS.find(([c]) => c === a.position)?.[1] ?? a.position})`).join(", ")),
      h("p", { id: "d-tally" }, s("tally", counts)),
    );
    const agenda = sections(d.agenda);
    if (agenda.length === 0) out.append(h("p", { class: "empty" }, s("empty")));
    for (const [kind, items] of agenda) {
      out.append(h("h3", null, KIND_WORDS[kind]), h("ol", { class: "agenda" }, ...items.map((i) => itemRow(d, i))));
    }
    out.append(
      h("p", null, h("button", {
        type: "button",
        onclick: () => downloadSmall(`/api/v1/deliberations/${d.id}/minutes.pdf`, `berita-acara-${d.id}.pdf`).catch(show),
      }, s("minutes"))),
      h("p", null, h("label", { for: "d-signed" }, s("sign")), " ", file,
        canSign(d) ? "" : h("small", null, ` ${s("sign_hint")}`)),
      h("p", null, s("signed", { n: d.minutes_pages.length })),
    );
    if (canPublish(d, role)) {
      out.append(h("p", null, h("button", {
        type: "button",
        onclick: async () => {
          try {
            const r = await call<{ public_url: string }>("/api/v1/public-reviews", {
              method: "POST", json: { deliberation_id: d.id },
            });
            err.textContent = s("published", { url: r.public_url });
          } catch (x) { show(x); }
        },
      }, s("publish"))));
    }
    return out;
  }

  async function objectionsView(): Promise<HTMLElement> {
    const items = await call<Objection[]>(`/api/v1/objections?region=${encodeURIComponent(village!)}`);
    const resolve = async (o: Objection, decision: "accept" | "reject", reason: string) => {
      try {
        await call(`/api/v1/objections/${o.id}/resolution`, { method: "POST", json: { decision, reason } });
        await render();
      } catch (x) { show(x); }
    };
    return h("section", { class: "card", id: "objections" },
      h("h2", null, s("objections")), h("p", null, s("objection_counts", objectionCounts(items))),
      h("ol", null, ...items.map((o) => {
        const reason = h("input", { placeholder: s("reason"), "aria-label": s("reason") });
        return h("li", { class: `objection ${o.state}` },
          h("b", null, o.entry_name_masked ?? s("missing")), ` · RT ${o.rt}/RW ${o.rw} · ${o.category_label}`,
          h("div", null, o.text), o.contact ? h("small", null, o.contact) : "",
          o.state === "open"
            ? h("div", { class: "decide" }, reason,
              h("button", { type: "button", onclick: () => resolve(o, "accept", reason.value) }, s("accept")),
              h("button", { type: "button", onclick: () => resolve(o, "reject", reason.value) }, s("reject")))
            : h("div", { class: "muted" }, `${o.state}${o.resolution_reason ? `: ${o.resolution_reason}` : ""}`));
      })));
  }

  try {
    await render();
  } catch (e) {
    body.replaceChildren();
    show(e);
  }
  return () => undefined;
}
