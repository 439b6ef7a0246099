// The auditor's home: find a household (by id, or by name / NIK / No. KK in a POST body —
// never in the URL), verify a region's chain and evidence, download a region's bundle.
import "./common.css";
import "./audit.css";
import { h } from "../../ui/dom";
import { call, downloadBundle, type S } from "./api";
import { myRegions, regionPicker } from "../assign/regionPicker";
import { strings } from "../strings";
import type { VerifyReport } from "./trailModel";
import { verifyView } from "./verifyView";
import { num, problemWords } from "./words";

const s = strings(
  {
    title: "Audit",
    intro: "Telusuri jejak bukti satu rumah tangga, periksa keutuhan rantai audit dan foto, unduh bundel bukti.",
    find: "Cari rumah tangga",
    by: "Cari menurut",
    by_id: "ID rumah tangga",
    by_name: "Nama kepala keluarga",
    by_nik: "NIK (16 digit)",
    by_kk: "No. KK (16 digit)",
    query: "Kata kunci",
    search: "Cari",
    searching: "Mencari…",
    results: "{n} rumah tangga ditemukan",
    none: "Tidak ada rumah tangga yang cocok di wilayah Anda.",
    head: "Kepala keluarga",
    village: "Desa",
    kk: "No. KK",
    open: "Buka jejak",
    region: "Wilayah",
    region_intro: "Periksa rantai audit dan hitung ulang hash semua foto di satu wilayah, atau unduh bundel buktinya.",
    pick_region: "Pilih wilayah dulu.",
    verify: "Verifikasi wilayah",
    verifying: "Memeriksa… (foto dihitung ulang hash-nya)",
    bundle: "Unduh bundel wilayah (ZIP)",
    bundle_started: "Unduhan dimulai: lihat unduhan peramban Anda.",
    bad_id: "ID rumah tangga berupa angka.",
    bad_number: "NIK / No. KK: 16 digit.",
  },
  {
    title: "Audit",
    intro: "Follow one household's evidence trail, check the integrity of the audit chain and the photos, download evidence bundles.",
    find: "Find a household",
    by: "Search by",
    by_id: "Household id",
    by_name: "Head's name",
    by_nik: "NIK (16 digits)",
    by_kk: "No. KK (16 digits)",
    query: "Search for",
    search: "Search",
    searching: "Searching…",
    results: "{n} households found",
    none: "No matching household in your regions.",
    head: "Head of household",
    village: "Village",
    kk: "No. KK",
    open: "Open trail",
    region: "Region",
    region_intro: "Check the audit chain and re-hash every photo of a region, or download its evidence bundle.",
    pick_region: "Choose a region first.",
    verify: "Verify region",
    verifying: "Checking… (re-hashing photos)",
    bundle: "Download region bundle (ZIP)",
    bundle_started: "Download started: see your browser's downloads.",
    bad_id: "A household id is a number.",
    bad_number: "NIK / No. KK: 16 digits.",
  },
);

export async function auditScreen(root: HTMLElement, ..._args: string[]): Promise<() => void> {
  root.classList.add("staff-page");
  let alive = true;

  // --- household search ----------------------------------------------------------------
  const by = h("select", { id: "search-by" },
    (["id", "name", "nik", "kk"] as const).map((k) => h("option", { value: k }, s(`by_${k}`))));
  const q = h("input", { type: "search", id: "search-q", autocomplete: "off", required: true });
  const searchErr = h("p", { class: "err", role: "alert" });
  const results = h("div", { id: "search-results", "aria-live": "polite" });
  const form = h("form", { class: "search-form", onsubmit: (ev: Event) => { ev.preventDefault(); void search(); } },
    h("label", null, h("span", { class: "small muted" }, s("by")), by),
    h("label", { class: "grow" }, h("span", { class: "small muted" }, s("query")), q),
    h("button", { class: "btn primary small", type: "submit", id: "search-go" }, s("search")));

  async function search(): Promise<void> {
    searchErr.textContent = "";
    const text = q.value.trim();
    if (by.value === "id") {
      if (!/^\d+$/.test(text)) { searchErr.textContent = s("bad_id"); return; }
      location.hash = `#/audit/household/${text}`;
      return;
    }
    if ((by.value === "nik" || by.value === "kk") && !/^\d{16}$/.test(text.replace(/\s/g, ""))) {
      searchErr.textContent = s("bad_number");
      return;
    }
    results.replaceChildren(h("p", { class: "loading" }, s("searching")));
    try {
      const body = { [by.value]: by.value === "name" ? text : text.replace(/\s/g, ""), limit: 100 };
      const page = await call<S["HouseholdPage"]>("/api/v1/households/search", { method: "POST", json: body });
      if (!alive) return;
      results.replaceChildren(page.items.length
        ? h("div", null, h("p", { class: "small muted" }, s("results", { n: num(page.total) })),
          h("div", { class: "table-wrap" }, h("table", { class: "data" },
            h("thead", null, h("tr", null, h("th", null, "ID"), h("th", null, s("head")), h("th", null, s("village")), h("th", null, "RT/RW"), h("th", null, s("kk")))),
            h("tbody", null, page.items.map((x) => h("tr", null,
              h("td", { class: "n" }, String(x.id)),
              h("td", null, h("a", { href: `#/audit/household/${x.id}` }, x.head_name)),
              h("td", null, x.village_name), h("td", null, `${x.rt}/${x.rw}`), h("td", { class: "mono" }, x.kk_masked)))))))
        : h("p", { class: "empty" }, s("none")));
    } catch (e) {
      results.replaceChildren();
      searchErr.textContent = problemWords(e);
    }
  }

  // --- region: verify, bundle -----------------------------------------------------------
  const pickerBox = h("div", { id: "audit-region" });
  const regionErr = h("p", { class: "err", role: "alert" });
  const regionResult = h("div", { "aria-live": "polite" });
  let chosen: () => string | null = () => null;
  const verifyBtn = h("button", { class: "btn primary small", type: "button", id: "verify-region", onclick: () => void verifyRegion() }, s("verify"));
  const bundleBtn = h("button", { class: "btn secondary small", type: "button", id: "bundle-region", onclick: () => void bundleRegion() }, s("bundle"));

  async function verifyRegion(): Promise<void> {
    regionErr.textContent = "";
    const code = chosen();
    if (!code) { regionErr.textContent = s("pick_region"); return; }
    verifyBtn.disabled = true;
    regionResult.replaceChildren(h("p", { class: "loading" }, s("verifying")));
    try {
      const r = await call<VerifyReport>(`/api/v1/audit/verify?region=${encodeURIComponent(code)}`, { timeoutMs: 600_000 });
      if (alive) regionResult.replaceChildren(verifyView(r));
    } catch (e) {
      regionResult.replaceChildren();
      regionErr.textContent = problemWords(e);
    } finally {
      verifyBtn.disabled = false;
    }
  }

  async function bundleRegion(): Promise<void> {
    regionErr.textContent = "";
    const code = chosen();
    if (!code) { regionErr.textContent = s("pick_region"); return; }
    try {
      await downloadBundle({ region: code });
      regionResult.replaceChildren(h("div", { class: "result info" }, s("bundle_started")));
    } catch (e) {
      regionErr.textContent = problemWords(e);
    }
  }

  root.replaceChildren(
    h("h1", null, s("title")),
    h("p", { class: "muted" }, s("intro")),
    h("div", { class: "audit-cols" },
      h("section", { "aria-labelledby": "find-h" }, h("h2", { id: "find-h" }, s("find")), form, searchErr, results),
      h("section", { "aria-labelledby": "region-h" }, h("h2", { id: "region-h" }, s("region")),
        h("p", { class: "small muted" }, s("region_intro")), pickerBox,
        h("div", { class: "trail-actions" }, verifyBtn, bundleBtn), regionErr, regionResult)),
  );
  try {
    const roots = await myRegions();
    if (alive) chosen = regionPicker(pickerBox, { roots, value: roots.length === 1 ? roots[0]!.code : null, until: "any", onChange: () => regionResult.replaceChildren() });
  } catch (e) {
    regionErr.textContent = problemWords(e);
  }
  return () => { alive = false; };
}
