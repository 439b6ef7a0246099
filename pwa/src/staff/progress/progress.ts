// Progress of a round: per region below the one on screen (drill down regency → district →
// village), per enumerator, the visits on a map, and the village minutes (PDF).
// #/progress[/<round id>[/<region code>]]
import "../audit/common.css";
import "./progress.css";
import { h } from "../../ui/dom";
import { call, downloadExport, downloadSmall, type ExportRequest, type S } from "../audit/api";
import { myRegions } from "../assign/regionPicker";
import { num, problemWords, when } from "../audit/words";
import { pointsMap, type MapHandle } from "../map/map";
import { strings } from "../strings";
import {
  bandsOf, covers, decileArg, type DecileBand, defaultRound, depth, type GeoFeature, percent, type Report, rollUp,
  type Row, segments, startRegion, visitPoints,
} from "./model";
import { lang } from "../../i18n";
import { DECILE_SELECTIONS, selectionLabel } from "../../ui/decile";


const s = strings(
  {
    title: "Kemajuan verifikasi",
    round: "Putaran",
    no_rounds: "Belum ada putaran verifikasi di wilayah Anda.",
    assigned: "Ditugaskan",
    visited: "Dikunjungi",
    approved: "Disetujui",
    returned: "Dikembalikan",
    waiting: "Menunggu periksa",
    flagged: "Ditandai",
    not_visited: "Belum dikunjungi",
    households: "Rumah tangga",
    proposed: "Usulan baru",
    total: "Jumlah",
    region: "Wilayah",
    district: "Kecamatan",
    village: "Desa/Kelurahan",
    regency: "Kabupaten/Kota",
    per_region: "Per {level}",
    per_enumerator: "Per enumerator",
    enumerator: "Enumerator",
    bar: "Kemajuan",
    minutes: "Berita acara (PDF)",
    minutes_short: "BA (PDF)",
    minutes_wait: "Menyiapkan PDF…",
    map: "Kunjungan di peta",
    map_note: "{n} kunjungan dengan lokasi GPS; klik titik untuk membuka pemeriksaan.",
    map_too_many: "{n} kunjungan: pilih kecamatan atau desa untuk melihat peta.",
    map_none: "Belum ada kunjungan dengan lokasi GPS.",
    updated: "Diperbarui {t}",
    no_villages: "Tidak ada rumah tangga di wilayah ini.",
    no_enumerators: "Belum ada penugasan di wilayah ini.",
    loading: "Memuat…",
    legend: "Batang: dari yang ditugaskan",
    export: "Ekspor SIKS-NG",
    export_intro: "Hasil verval wilayah ini untuk dimasukkan ke SIKS-NG. Berkas langsung tersimpan di unduhan peramban (NIK dan No. KK tersamar).",
    dataset: "Data",
    ds_households: "Rumah tangga",
    ds_members: "Anggota keluarga",
    format: "Format",
    only: "Rumah tangga",
    only_all: "Semua",
    only_visited: "Yang dikunjungi",
    only_approved: "Yang disetujui",
    download: "Unduh",
    export_started: "Unduhan dimulai: lihat unduhan peramban Anda.",
    decile: "Desil",
    decile_all: "Semua desil",
    per_decile: "Per desil (data BPS)",
    per_decile_note: "Rumah tangga ditugaskan, dikunjungi dan disetujui menurut desil: 1–4 adalah 40 % termiskin.",
    band_poorest: "Desil 1–4 (40 % termiskin)",
    band_upper: "Desil 5–10",
    band_unknown: "Tanpa desil",
    band_cell: "{v} dari {a} dikunjungi · {ok} disetujui",
    poorest_tile: "dikunjungi dari yang ditugaskan · {ok} disetujui",
    filtered: "Hanya {d}: semua angka di halaman ini dihitung untuk rumah tangga itu saja.",
  },
  {
    title: "Verification progress",
    round: "Round",
    no_rounds: "No verification round in your regions yet.",
    assigned: "Assigned",
    visited: "Visited",
    approved: "Approved",
    returned: "Returned",
    waiting: "Awaiting review",
    flagged: "Flagged",
    not_visited: "Not visited",
    households: "Households",
    proposed: "Proposed",
    total: "Total",
    region: "Region",
    district: "District",
    village: "Village",
    regency: "Regency/City",
    per_region: "Per {level}",
    per_enumerator: "Per enumerator",
    enumerator: "Enumerator",
    bar: "Progress",
    minutes: "Village minutes (PDF)",
    minutes_short: "Minutes (PDF)",
    minutes_wait: "Preparing the PDF…",
    map: "Visits on the map",
    map_note: "{n} visits with a GPS fix; click a point to open its review.",
    map_too_many: "{n} visits: choose a district or village to see the map.",
    map_none: "No visit with a GPS fix yet.",
    updated: "Updated {t}",
    no_villages: "No households in this region.",
    no_enumerators: "No assignments in this region yet.",
    loading: "Loading…",
    export: "SIKS-NG export",
    export_intro: "This area's verification results for entry into SIKS-NG. The file goes straight to the browser's downloads (NIK and No. KK masked).",
    dataset: "Data",
    ds_households: "Households",
    ds_members: "Family members",
    format: "Format",
    only: "Households",
    only_all: "All",
    only_visited: "Visited",
    only_approved: "Approved",
    download: "Download",
    export_started: "Download started: see your browser's downloads.",
    legend: "Bars: of the assigned",
    decile: "Decile",
    decile_all: "All deciles",
    per_decile: "By decile (BPS)",
    per_decile_note: "Households assigned, visited and approved by decile: 1–4 are the poorest 40 %.",
    band_poorest: "Decile 1–4 (poorest 40 %)",
    band_upper: "Decile 5–10",
    band_unknown: "No decile",
    band_cell: "{v} of {a} visited · {ok} approved",
    poorest_tile: "visited of assigned · {ok} approved",
    filtered: "Only {d}: every figure on this page counts those households alone.",
  },
);

const MAP_LIMIT = 3000;
const LEVEL_OF_DEPTH: Record<number, "regency" | "district" | "village"> = { 2: "regency", 3: "district", 4: "village" };

function href(round: number, region: string, decile = ""): string {
  return `#/progress/${round}/${region}${decile ? `/${decile}` : ""}`;
}

const BAND_WORDS = { "1-4": "band_poorest", "5-10": "band_upper", unknown: "band_unknown" } as const;

/** One band's cell: visited of assigned, approved, and a bar of the visited share. */
function bandCell(b: DecileBand) {
  if (!b.assigned && !b.visited) return h("td", { class: `band band-${b.band} none`, "data-band": b.band }, h("span", { class: "muted" }, "—"));
  return h("td", { class: `band band-${b.band}`, "data-band": b.band },
    h("div", null, s("band_cell", { v: num(b.visited), a: num(b.assigned), ok: num(b.approved) })),
    h("div", { class: "bar thin", role: "img", "aria-label": `${percent(b.visited, b.assigned)}%` },
      h("i", { class: "approved", style: { width: `${percent(b.approved, Math.max(b.assigned, b.visited))}%` } }),
      h("i", { class: "waiting", style: { width: `${percent(b.visited - b.approved, Math.max(b.assigned, b.visited))}%` } })));
}

/** Households, assigned, visited and approved per decile band, per region row. */
function decileTable(rows: Row[], totals: DecileBand[], levelWord: string, round: number, region: string, decile: string) {
  return h("div", { class: "table-wrap" }, h("table", { class: "data", id: "progress-deciles" },
    h("thead", null, h("tr", null, h("th", { scope: "col" }, levelWord),
      ...(["1-4", "5-10", "unknown"] as const).map((b) => h("th", { scope: "col", class: `band band-${b}` }, s(BAND_WORDS[b]))))),
    h("tbody", null, rows.map((r) => h("tr", { "data-code": r.code },
      h("td", { class: "name" }, r.code === region ? r.name : h("a", { href: href(round, r.code, decile) }, r.name || r.code)),
      ...r.deciles.map(bandCell)))),
    rows.length > 1 ? h("tfoot", null, h("tr", null, h("td", null, s("total")), ...totals.map(bandCell))) : null));
}

function bar(c: Parameters<typeof segments>[0]) {
  const segs = segments(c);
  const title = segs.map((x) => `${s(x.key)}: ${x.n}`).join(" · ");
  return h("div", { class: "bar", title, role: "img", "aria-label": title },
    segs.filter((x) => x.pct > 0).map((x) => h("i", { class: x.key, style: { width: `${x.pct}%` } })));
}

function countCells(c: Row | S["EnumeratorProgress"]) {
  const waiting = c.submitted + c.complete + c.escalated;
  return [
    h("td", { class: "n" }, num(c.assigned)),
    h("td", { class: "n" }, num(c.visited), h("span", { class: "small muted" }, ` (${percent(c.visited, c.assigned)}%)`)),
    h("td", { class: "n" }, num(c.approved)),
    h("td", { class: "n" }, num(c.returned)),
    h("td", { class: "n" }, num(waiting)),
    h("td", { class: "n" }, c.flagged ? h("span", { class: "flag-n" }, num(c.flagged)) : "0"),
  ];
}

const countHeads = () => [s("assigned"), s("visited"), s("approved"), s("returned"), s("waiting"), s("flagged")]
  .map((t) => h("th", { class: "n", scope: "col" }, t));

async function minutes(code: string, round: number, btn: HTMLButtonElement, err: HTMLElement) {
  const label = btn.textContent;
  btn.disabled = true;
  btn.textContent = s("minutes_wait");
  err.textContent = "";
  try {
    await downloadSmall(`/api/v1/reports/minutes/${code}.pdf?round=${round}`, `berita-acara-${code}.pdf`);
  } catch (e) {
    err.textContent = problemWords(e);
  } finally {
    btn.disabled = false;
    btn.textContent = label;
  }
}

/** The SIKS-NG exports of the region on screen, saved to disk through a signed link. */
function exportBox(region: string, round: number): HTMLElement {
  const pick = (id: string, options: [string, string][]) =>
    h("select", { id }, options.map(([value, label]) => h("option", { value }, label)));
  const dataset = pick("export-dataset", [["households", s("ds_households")], ["members", s("ds_members")]]);
  const format = pick("export-format", [["xlsx", "XLSX (Excel)"], ["csv", "CSV"]]);
  const only = pick("export-only", [["all", s("only_all")], ["visited", s("only_visited")], ["approved", s("only_approved")]]);
  const note = h("p", { class: "small", role: "status", "aria-live": "polite" });
  const btn: HTMLButtonElement = h("button", { class: "btn small primary", type: "button", id: "export-download", onclick: async () => {
    note.className = "small";
    note.textContent = "";
    btn.disabled = true;
    try {
      await downloadExport({ dataset: dataset.value, format: format.value, only: only.value, region, round } as ExportRequest);
      note.textContent = s("export_started");
    } catch (e) {
      note.className = "small err";
      note.textContent = problemWords(e);
    } finally {
      btn.disabled = false;
    }
  } }, s("download"));
  const field = (label: string, control: HTMLElement) =>
    h("label", null, h("span", { class: "small muted" }, label), control);
  return h("section", { class: "export-box", id: "progress-export", "aria-labelledby": "export-h" },
    h("h2", { id: "export-h" }, s("export")),
    h("p", { class: "small muted" }, s("export_intro")),
    h("div", { class: "toolbar" }, field(s("dataset"), dataset), field(s("format"), format), field(s("only"), only), btn),
    note);
}

export async function progressScreen(root: HTMLElement, ...args: string[]): Promise<() => void> {
  let map: MapHandle | null = null;
  let alive = true;
  root.classList.add("staff-page");
  root.replaceChildren(h("h1", null, s("title")), h("p", { class: "loading" }, s("loading")));
  const err = h("p", { class: "err big", role: "alert" });
  try {
    const [rounds, mine] = await Promise.all([call<S["RoundOut"][]>("/api/v1/rounds"), myRegions()]);
    if (!rounds.length) {
      root.replaceChildren(h("h1", null, s("title")), h("p", { class: "empty" }, s("no_rounds")));
      return () => undefined;
    }
    const round = rounds.find((r) => String(r.id) === args[0]) ?? defaultRound(rounds)!;
    const myCodes = mine.map((r) => r.code);
    const region = args[1] && /^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/.test(args[1]) ? args[1] : startRegion(round.region_code, myCodes);
    const decile = decileArg(args[2]);

    const roundSel = h("select", { id: "progress-round", onchange: () => { location.hash = href(Number(roundSel.value), region, decile); } },
      rounds.map((r) => h("option", { value: r.id, selected: r.id === round.id }, `${r.name} (${r.region_name})`)));
    const decileSel = h("select", { id: "progress-decile", onchange: () => { location.hash = href(round.id, region, decileSel.value); } },
      h("option", { value: "" }, s("decile_all")),
      DECILE_SELECTIONS.map((d) => h("option", { value: d, selected: d === decile }, selectionLabel(d, lang() === "en"))));
    const crumbs = h("nav", { class: "crumbs", "aria-label": s("region") });
    const minutesErr = h("p", { class: "err", role: "alert" });
    const toolbar = h("div", { class: "toolbar" }, h("label", null, h("span", { class: "small muted" }, s("round")), roundSel),
      h("label", null, h("span", { class: "small muted" }, s("decile")), decileSel), crumbs);
    const body = h("div", null, h("p", { class: "loading" }, s("loading")));
    root.replaceChildren(h("h1", null, s("title")), toolbar, minutesErr, err, body);

    const [report, detail, kids] = await Promise.all([
      call<Report>(`/api/v1/reports/progress?round=${round.id}&region=${region}${decile ? `&decile=${decile}` : ""}`),
      call<S["RegionDetail"]>(`/api/v1/regions/${region}`),
      depth(region) < 4 ? call<S["RegionChild"][]>(`/api/v1/regions/${region}/children`) : Promise.resolve([]),
    ]);
    if (!alive) return () => undefined;

    // Breadcrumbs: the way down from the user's own region(s).
    const way = [...detail.ancestors, { code: detail.code, name: detail.name, level: detail.level }];
    const parts: (HTMLElement | string)[] = [];
    for (const r of way) {
      if (!myCodes.some((m) => covers(m, r.code))) continue;
      if (parts.length) parts.push(h("span", { class: "sep", "aria-hidden": "true" }, "›"));
      parts.push(r.code === region ? h("span", { "aria-current": "page" }, r.name) : h("a", { href: href(round.id, r.code, decile) }, r.name));
    }
    crumbs.replaceChildren(...parts);
    if (depth(region) === 4) {
      const btn: HTMLButtonElement = h("button", { class: "btn small primary", type: "button", id: "minutes-pdf", onclick: () => void minutes(region, round.id, btn, minutesErr) }, s("minutes"));
      toolbar.appendChild(btn);
    }

    const t = report.totals;
    const waiting = t.submitted + t.complete + t.escalated;
    const tiles = h("div", { class: "tiles", id: "progress-totals" },
      [["households", t.households, ""], ["assigned", t.assigned, ""], ["visited", t.visited, `${percent(t.visited, t.assigned)}%`],
        ["approved", t.approved, ""], ["returned", t.returned, ""], ["waiting", waiting, ""], ["flagged", t.flagged, ""],
        ["not_visited", t.not_visited, ""]].map(([k, n, extra]) =>
        h("div", { class: `tile ${k}`, "data-count": k }, h("b", null, num(n as number), extra ? h("span", { class: "small" }, ` ${extra}`) : null), h("span", null, s(k as "assigned")))));

    const legend = h("div", { class: "legend", "aria-hidden": "true" }, h("span", { class: "muted" }, s("legend")),
      (["approved", "returned", "waiting", "not_visited"] as const).map((k) => h("span", null, h("i", { class: k }), s(k))));

    // Per region one level down (a village shows itself).
    const names = new Map(kids.map((k) => [k.code, k.name] as [string, string]));
    const rows = rollUp(report, region, names);
    const childLevel = LEVEL_OF_DEPTH[Math.min(depth(region) + 1, 4)] ?? "village";
    const villageLevel = childLevel === "village";
    const regionTable = rows.length
      ? h("div", { class: "table-wrap" }, h("table", { class: "data", id: "progress-regions" },
        h("thead", null, h("tr", null, h("th", { scope: "col" }, s(childLevel)), h("th", { scope: "col" }, s("bar")), ...countHeads(), villageLevel ? h("th", null, "") : null)),
        h("tbody", null, rows.map((r) => h("tr", { "data-code": r.code },
          h("td", { class: "name" }, r.code === region ? r.name : h("a", { href: href(round.id, r.code, decile) }, r.name || r.code),
            h("div", { class: "small muted" }, `${r.code} · ${num(r.households)} ${s("households").toLowerCase()}`)),
          h("td", null, bar(r)),
          ...countCells(r),
          villageLevel ? h("td", null, (() => {
            const b: HTMLButtonElement = h("button", { class: "btn small secondary", type: "button", onclick: () => void minutes(r.code, round.id, b, minutesErr) }, s("minutes_short"));
            return b;
          })()) : null,
        ))),
        rows.length > 1 ? h("tfoot", null, h("tr", null, h("td", null, s("total")), h("td", null, bar(t)), ...countCells({ ...t, code: region, name: "", deciles: bandsOf(t) }), villageLevel ? h("td", null) : null)) : null))
      : h("p", { class: "empty" }, s("no_villages"));

    const people = report.enumerators;
    const peopleTable = people.length
      ? h("div", { class: "table-wrap" }, h("table", { class: "data", id: "progress-enumerators" },
        h("thead", null, h("tr", null, h("th", { scope: "col" }, s("enumerator")), h("th", { scope: "col" }, s("bar")), ...countHeads())),
        h("tbody", null, people.map((p) => h("tr", { "data-username": p.username },
          h("td", { class: "name" }, h("b", null, p.display_name || p.username), h("div", { class: "small muted" }, p.username)),
          h("td", null, bar(p)), ...countCells(p))))))
      : h("p", { class: "empty" }, s("no_enumerators"));

    // The poorest 40 % at a glance: its tile first, then every region by decile band.
    const bands = bandsOf(t);
    const poorest = bands[0]!;
    const poorTile = h("div", { class: "tile poorest", id: "progress-poorest", "data-count": "poorest" },
      h("b", null, `${num(poorest.visited)} / ${num(poorest.assigned)}`, h("span", { class: "small" }, ` ${percent(poorest.visited, poorest.assigned)}%`)),
      h("span", null, s("band_poorest")), h("div", { class: "small" }, s("poorest_tile", { ok: num(poorest.approved) })));
    tiles.prepend(poorTile);
    const filteredNote = decile
      ? h("p", { class: "decile-filtered", id: "progress-decile-note" }, s("filtered", { d: selectionLabel(decile as (typeof DECILE_SELECTIONS)[number], lang() === "en") }))
      : null;
    const decileSection = rows.length
      ? [h("h2", null, s("per_decile")), h("p", { class: "small muted" }, s("per_decile_note")),
        decileTable(rows, bands, s(childLevel), round.id, region, decile)]
      : [];

    const mapBox = h("div", { class: "map-box", id: "progress-map" });
    const mapNote = h("p", { class: "small muted" }, s("loading"));
    body.replaceChildren(
      filteredNote ?? "", tiles, legend,
      h("h2", null, s("per_region", { level: s(childLevel).toLowerCase() })), regionTable,
      ...decileSection,
      h("h2", null, s("per_enumerator")), peopleTable,
      exportBox(region, round.id),
      h("h2", null, s("map")), mapNote, mapBox,
      h("p", { class: "small muted" }, s("updated", { t: when(report.generated_at) })),
    );

    // The visits on the map (the GeoJSON export carries no personal data).
    if (t.visited + t.proposed > MAP_LIMIT) {
      mapNote.textContent = s("map_too_many", { n: num(t.visited + t.proposed) });
      mapBox.hidden = true;
    } else {
      void (async () => {
        try {
          const geo = await call<{ features: GeoFeature[] }>(`/api/v1/reports/visits.geojson?round=${round.id}&region=${region}`);
          if (!alive) return;
          const points = visitPoints(geo.features, s("flagged").toLowerCase());
          mapNote.textContent = points.length ? s("map_note", { n: num(points.length) }) : s("map_none");
          if (points.length) map = await pointsMap(mapBox, points);
          else mapBox.hidden = true;
          if (!alive) map?.destroy();
        } catch (e) {
          mapNote.textContent = problemWords(e);
        }
      })();
    }
  } catch (e) {
    err.textContent = problemWords(e);
    if (!err.isConnected) root.append(err);
    root.querySelector(".loading")?.remove();
  }
  return () => {
    alive = false;
    map?.destroy();
  };
}
