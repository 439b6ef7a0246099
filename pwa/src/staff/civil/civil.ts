// The civil registry (Dukcapil) for the admin: upload an extract (CSV/XLSX) with upload
// progress, follow its import (rows read, imported, bad rows) until done, read the bad-row
// report (row number and reason, never a NIK), the latest uploads, and the API keys of
// the civil registry's service account (issued once, revoked). Words and rules: model.ts.
// #/civil
import "../audit/common.css";
import "./civil.css";
import { app } from "../../app/controller";
import { ApiError, NetworkError } from "../../api/http";
import type { Problem } from "../../api/contract";
import { ask, h } from "../../ui/dom";
import { call } from "../audit/api";
import { num, problemWords, when } from "../audit/words";
import { strings } from "../strings";
import {
  type Credential, type CredentialIssued, credentialProblem, fileProblem, type ImportJob, isActive, jobView,
  percent, pollDelay, sortedCredentials,
} from "./model";

const s = strings(
  {
    title: "Dukcapil: ekstrak dan kunci API",
    upload: "Unggah ekstrak Dukcapil",
    upload_intro: "Satu baris per penduduk (NIK, No. KK, nama, tanggal lahir, …). Berkas yang sama dua kali tidak mengubah apa pun.",
    file: "Berkas CSV atau XLSX",
    file_col: "Berkas",
    send: "Unggah",
    sending: "Mengunggah {p} % ({done} dari {total} MB)",
    sent: "Terunggah; impor berjalan.",
    job: "Impor #{id}: {name}",
    running: "Mengimpor… {p} %",
    done: "Selesai",
    failed: "Gagal: {error}",
    rows: "Baris dibaca",
    imported: "Diimpor/diperbarui",
    unchanged: "Tidak berubah",
    bad: "Baris bermasalah",
    bad_rows: "Baris bermasalah (nomor baris dan alasan; NIK tidak ditampilkan)",
    bad_more: "Menampilkan {shown} dari {n}; semuanya ada di laporan perintah verval.",
    no_bad: "Tidak ada baris bermasalah.",
    row: "Baris",
    reason: "Alasan",
    latest: "Unggahan terakhir",
    no_imports: "Belum ada unggahan.",
    when: "Waktu",
    state: "Status",
    show: "Lihat",
    keys: "Kunci API Dukcapil",
    keys_intro: "Kunci untuk akun layanan Dukcapil yang mengirim peristiwa (kematian, kelahiran, pindah). Kunci hanya ditampilkan sekali.",
    key_name: "Nama",
    key_region: "Wilayah (kabupaten/provinsi)",
    issue: "Terbitkan kunci",
    once: "Salin sekarang: kunci ini tidak akan ditampilkan lagi.",
    prefix: "Awalan",
    created: "Diterbitkan",
    last_used: "Terakhir dipakai",
    revoke: "Cabut",
    revoked: "Dicabut {t}",
    revoke_ask: "Cabut kunci \"{name}\"? Dukcapil tidak bisa lagi mengirim peristiwa dengan kunci ini.",
    no: "Batal",
    no_keys: "Belum ada kunci.",
    loading: "Memuat…",
  },
  {
    title: "Civil registry: extracts and API keys",
    upload: "Upload a civil-registry extract",
    upload_intro: "One row per person (NIK, No. KK, name, date of birth, …). The same file twice changes nothing.",
    file: "CSV or XLSX file",
    file_col: "File",
    send: "Upload",
    sending: "Uploading {p} % ({done} of {total} MB)",
    sent: "Uploaded; the import is running.",
    job: "Import #{id}: {name}",
    running: "Importing… {p} %",
    done: "Done",
    failed: "Failed: {error}",
    rows: "Rows read",
    imported: "Imported/updated",
    unchanged: "Unchanged",
    bad: "Bad rows",
    bad_rows: "Bad rows (row number and reason; no NIK is shown)",
    bad_more: "Showing {shown} of {n}; the verval command's report has them all.",
    no_bad: "No bad rows.",
    row: "Row",
    reason: "Reason",
    latest: "Latest uploads",
    no_imports: "No uploads yet.",
    when: "When",
    state: "State",
    show: "Show",
    keys: "Civil-registry API keys",
    keys_intro: "Keys of the civil registry's service account, which pushes life events (deaths, births, moves). A key is shown once.",
    key_name: "Name",
    key_region: "Region (regency/province)",
    issue: "Issue a key",
    once: "Copy it now: this key will not be shown again.",
    prefix: "Prefix",
    created: "Issued",
    last_used: "Last used",
    revoke: "Revoke",
    revoked: "Revoked {t}",
    revoke_ask: "Revoke the key \"{name}\"? The civil registry can no longer push events with it.",
    no: "Cancel",
    no_keys: "No keys yet.",
    loading: "Loading…",
  },
);

const IMPORTS = "/api/v1/civil-registry/imports";
const KEYS = "/api/v1/civil-registry/credentials";
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** PUT-less streamed upload: the browser sends the File from disk; XHR reports progress. */
function sendOnce(file: File, token: string, onProgress: (loaded: number, total: number) => void): Promise<XMLHttpRequest> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${IMPORTS}?file_name=${encodeURIComponent(file.name.slice(0, 200))}`);
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => resolve(xhr);
    xhr.onerror = () => reject(new NetworkError("upload failed"));
    xhr.send(file);
  });
}

async function upload(file: File, onProgress: (loaded: number, total: number) => void): Promise<ImportJob> {
  let token = await app.api.auth.accessToken();
  let xhr = await sendOnce(file, token, onProgress);
  if (xhr.status === 401) {
    token = await app.api.auth.refresh(token);
    xhr = await sendOnce(file, token, onProgress);
  }
  if (xhr.status !== 202) {
    let problem: Problem = { status: xhr.status };
    try { problem = JSON.parse(xhr.responseText) as Problem; } catch { /* not problem+json */ }
    throw new ApiError(xhr.status, problem);
  }
  return JSON.parse(xhr.responseText) as ImportJob;
}

export async function civilScreen(root: HTMLElement): Promise<() => void> {
  root.classList.add("staff-page");
  let stopped = false;
  const err = h("p", { class: "err big", role: "alert", id: "civil-error" });
  const show = (e: unknown) => { err.textContent = problemWords(e); };

  // Upload.
  const fileInput = h("input", { type: "file", id: "civil-file", accept: ".csv,.xlsx,text/csv" });
  const sendBar = h("progress", { id: "civil-upload-progress", max: 100, value: 0 });
  const sendText = h("span", { id: "civil-upload-text" });
  const jobBox = h("div", { id: "civil-job" });
  const sendButton = h("button", { type: "submit", id: "civil-upload" }, s("send"));
  const form = h("form", {
    class: "civil-upload",
    onsubmit: async (e: Event) => {
      e.preventDefault();
      err.textContent = "";
      const file = fileInput.files?.[0];
      if (!file) { err.textContent = fileProblem({ name: "", size: 0 }); return; }
      const problem = fileProblem(file);
      if (problem) { err.textContent = problem; return; }
      sendButton.disabled = true;
      try {
        const job = await upload(file, (loaded, total) => {
          sendBar.value = percent(loaded, total);
          sendText.textContent = s("sending", { p: percent(loaded, total), done: mb(loaded), total: mb(total) });
        });
        sendBar.value = 100;
        sendText.textContent = s("sent");
        await follow(job);
      } catch (x) { show(x); } finally { sendButton.disabled = false; }
    },
  }, h("label", { for: "civil-file" }, s("file")), fileInput, sendButton);

  const latestBox = h("div", { id: "civil-imports" }, h("p", { class: "loading" }, s("loading")));
  const keysBox = h("div", { id: "civil-keys-list" }, h("p", { class: "loading" }, s("loading")));
  const keyOnce = h("div", { id: "civil-key-once" });

  function drawJob(job: ImportJob): void {
    const v = jobView(job);
    const stateText = v.state === "done" ? s("done") : v.state === "failed" ? s("failed", { error: v.error })
      : s("running", { p: v.percent });
    const tile = (label: string, value: number, cls = "") =>
      h("div", { class: `tile ${cls}` }, h("b", null, num(value)), h("span", null, label));
    const parts: Node[] = [
      h("h3", null, s("job", { id: job.id, name: job.file_name })),
      h("div", { class: "civil-bar" }, h("progress", { id: "civil-import-progress", max: 100, value: v.percent }),
        h("span", { id: "civil-job-state", "data-state": v.state }, stateText)),
      h("div", { class: "tiles" }, tile(s("rows"), v.rows), tile(s("imported"), v.imported, "approved"),
        tile(s("unchanged"), v.unchanged), tile(s("bad"), v.bad, v.bad ? "flagged" : "")),
    ];
    if (v.state === "done") {
      if (v.problems.length === 0) parts.push(h("p", { class: "ok" }, s("no_bad")));
      else {
        parts.push(h("h3", null, s("bad_rows")), h("div", { class: "table-wrap" }, h("table", { class: "data", id: "civil-bad-rows" },
          h("thead", null, h("tr", null, h("th", { class: "n" }, s("row")), h("th", null, s("reason")))),
          h("tbody", null, ...v.problems.map((p) => h("tr", null, h("td", { class: "n" }, p.row), h("td", null, p.reason)))))));
        if (v.bad > v.problems.length) parts.push(h("p", { class: "muted" }, s("bad_more", { shown: v.problems.length, n: v.bad })));
      }
    }
    jobBox.replaceChildren(h("section", { class: `result ${v.state === "failed" ? "bad" : v.state === "done" ? "ok" : "info"}` }, ...parts));
  }

  async function follow(job: ImportJob): Promise<void> {
    drawJob(job);
    for (let attempt = 0; !stopped && jobView(job).state === "running"; attempt++) {
      await new Promise((r) => setTimeout(r, pollDelay(attempt)));
      if (stopped) return;
      job = await call<ImportJob>(`${IMPORTS}/${job.id}`);
      drawJob(job);
    }
    await drawLatest();
  }

  async function drawLatest(): Promise<void> {
    const jobs = await call<ImportJob[]>(IMPORTS);
    if (jobs.length === 0) { latestBox.replaceChildren(h("p", { class: "empty" }, s("no_imports"))); return; }
    latestBox.replaceChildren(h("div", { class: "table-wrap" }, h("table", { class: "data" },
      h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, s("file_col")), h("th", null, s("when")),
        h("th", null, s("state")), h("th", { class: "n" }, s("rows")), h("th", { class: "n" }, s("bad")), h("th", null, ""))),
      h("tbody", null, ...jobs.map((j) => {
        const v = jobView(j);
        return h("tr", { "data-job": j.id }, h("td", { class: "n" }, j.id), h("td", null, j.file_name), h("td", null, when(j.created_at)),
          h("td", null, h("span", { class: `st ${v.state === "done" ? "complete" : v.state === "failed" ? "returned" : "open"}` },
            v.state === "done" ? s("done") : v.state === "failed" ? s("failed", { error: v.error }) : s("running", { p: v.percent }))),
          h("td", { class: "n" }, num(v.rows)), h("td", { class: "n" }, num(v.bad)),
          h("td", null, h("button", { type: "button", onclick: () => follow(j).catch(show) }, s("show"))));
      })))));
  }

  // API keys.
  const keyName = h("input", { id: "civil-key-name", maxlength: "120", placeholder: "Disdukcapil Mukomuko" });
  const keyRegion = h("input", { id: "civil-key-region", maxlength: "20", placeholder: "17.06" });
  const keyForm = h("form", {
    onsubmit: async (e: Event) => {
      e.preventDefault();
      err.textContent = "";
      const problem = credentialProblem(keyName.value, keyRegion.value);
      if (problem) { err.textContent = problem; return; }
      try {
        const issued = await call<CredentialIssued>(KEYS, {
          method: "POST", json: { name: keyName.value.trim(), region_code: keyRegion.value.trim() },
        });
        keyName.value = "";
        keyOnce.replaceChildren(h("div", { class: "result info" },
          h("h3", null, issued.credential.name), h("p", null, h("code", null, issued.api_key)), h("p", null, s("once"))));
        await drawKeys();
      } catch (x) { show(x); }
    },
  }, h("label", null, s("key_name"), keyName), h("label", null, s("key_region"), keyRegion),
  h("button", { type: "submit", id: "civil-key-issue" }, s("issue")));

  async function drawKeys(): Promise<void> {
    const keys = sortedCredentials(await call<Credential[]>(KEYS));
    if (keys.length === 0) { keysBox.replaceChildren(h("p", { class: "empty" }, s("no_keys"))); return; }
    const revoke = async (c: Credential) => {
      if (!(await ask(s("revoke_ask", { name: c.name }), s("revoke"), s("no"), true))) return;
      try {
        await call(`${KEYS}/${c.id}`, { method: "DELETE" });
        keyOnce.replaceChildren();
        await drawKeys();
      } catch (x) { show(x); }
    };
    keysBox.replaceChildren(h("div", { class: "table-wrap" }, h("table", { class: "data" },
      h("thead", null, h("tr", null, h("th", null, s("key_name")), h("th", null, s("key_region")), h("th", null, s("prefix")),
        h("th", null, s("created")), h("th", null, s("last_used")), h("th", null, ""))),
      h("tbody", null, ...keys.map((c) => h("tr", { class: isActive(c) ? "" : "revoked" },
        h("td", null, c.name), h("td", null, c.region_code), h("td", { class: "mono" }, `${c.key_prefix}…`),
        h("td", null, when(c.created_at)), h("td", null, when(c.last_used_at)),
        h("td", null, isActive(c) ? h("button", { type: "button", onclick: () => revoke(c) }, s("revoke"))
          : s("revoked", { t: when(c.revoked_at) }))))))));
  }

  root.replaceChildren(
    h("h1", null, s("title")), err,
    h("section", { class: "card" }, h("h2", null, s("upload")), h("p", { class: "muted" }, s("upload_intro")), form,
      h("div", { class: "civil-bar" }, sendBar, sendText), jobBox),
    h("section", { class: "card" }, h("h2", null, s("latest")), latestBox),
    h("section", { class: "card civil-keys" }, h("h2", null, s("keys")), h("p", { class: "muted" }, s("keys_intro")),
      keyForm, keyOnce, keysBox),
  );
  await Promise.all([drawLatest().catch(show), drawKeys().catch(show)]);
  return () => { stopped = true; };
}
