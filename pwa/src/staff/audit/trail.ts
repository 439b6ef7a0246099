// One household's evidence trail as a vertical timeline, grouped by visit: the visit, its
// photos (hash, size, capture time & place, received), flags, decisions with comments and
// the audit events about them, in time order. Verify and bundle download on top.
// Read-only for every role: no decision buttons here (the review page has them).
// #/audit/household/<id>
import "./common.css";
import "./audit.css";
import { h, nodes } from "../../ui/dom";
import { L } from "../../i18n";
import { call, downloadBundle } from "./api";
import { pointsMap, type MapHandle, type MapPoint } from "../map/map";
import { strings } from "../strings";
import { arrangeTrail, type Entry, gpsText, photoNames, type Trail, type VerifyReport } from "./trailModel";
import { evidenceText, type FlagContext } from "./flagWords";
import { verifyView } from "./verifyView";
import { bytes, problemWords, when } from "./words";

const s = strings(
  {
    back: "← Audit",
    trail: "Jejak bukti",
    loading: "Memuat jejak…",
    counts: "{visits} kunjungan · {photos} foto · {decisions} keputusan · {events} peristiwa audit",
    verify: "Verifikasi keutuhan",
    verifying: "Memeriksa rantai audit dan menghitung ulang hash foto…",
    bundle: "Unduh bundel bukti (ZIP)",
    bundle_started: "Unduhan dimulai: lihat unduhan peramban Anda. Periksa dengan: verval audit verify-bundle <berkas>",
    visit: "Kunjungan {date}",
    visit_of: "oleh {who}",
    review: "Buka halaman pemeriksaan",
    household_events: "Peristiwa rumah tangga",
    no_visits: "Belum ada kunjungan untuk rumah tangga ini.",
    outcome: "Hasil",
    state: "Status",
    started: "Mulai – selesai",
    received: "Diterima server",
    location: "Lokasi GPS",
    device: "Perangkat / aplikasi",
    content_hash: "Hash isi",
    revisit: "Kunjungan ulang dari",
    photo: "Foto: {kind}",
    sha256: "SHA-256",
    size: "Ukuran",
    captured: "Diambil",
    place: "Tempat ambil",
    photo_received: "Diterima",
    not_received: "belum diterima",
    taken_by: "Diambil oleh",
    pixels: "Piksel",
    flag: "Tanda: {code}",
    severity: "Tingkat",
    evidence: "Bukti",
    decision: "Keputusan: {what}",
    reviewer: "Pemeriksa",
    comment: "Catatan",
    from_to: "Status",
    event: "Peristiwa audit #{seq}: {action}",
    actor: "Pelaku",
    object: "Objek",
    event_hash: "Hash peristiwa",
    prev_hash: "Hash sebelumnya",
    address: "Alamat",
    kk: "No. KK",
    map: "Peta: lokasi rumah tangga, kunjungan, dan tempat foto diambil",
    household_point: "Lokasi rumah tangga (register)",
    photo_point: "Foto {kind}",
    visit_point: "Kunjungan {date}",
    approve: "disetujui",
    return: "dikembalikan",
    escalate: "dieskalasi",
    found: "ditemukan", not_found: "tidak ditemukan", moved: "pindah", dissolved: "bubar", duplicate: "ganda",
    refused: "menolak", not_home: "tidak di rumah", new_household: "rumah tangga baru",
    submitted: "terkirim (foto belum lengkap)", complete: "lengkap, menunggu periksa", approved: "disetujui",
    returned: "dikembalikan", escalated: "dieskalasi",
    house_front: "depan rumah", house_inside: "dalam rumah", kitchen: "dapur", toilet: "jamban",
    family_card: "kartu keluarga", head_with_id: "kepala keluarga dengan KTP", minutes: "berita acara",
    death_certificate: "akta kematian", "household.proposed": "usulan menjadi rumah tangga usulan",
    "visit.received": "kunjungan diterima", "visit.completed": "semua foto lengkap", "visit.decision": "keputusan pemeriksa",
    "photo.received": "foto diterima", "assignment.assigned": "ditugaskan", "assignment.reassigned": "dipindahtugaskan",
    "assignment.unassigned": "dilepas tugasnya", "household.identity_revealed": "NIK/No. KK dibuka",
    "audit.bundle_exported": "bundel bukti diunduh",
  },
  {
    back: "← Audit",
    trail: "Evidence trail",
    loading: "Loading the trail…",
    counts: "{visits} visits · {photos} photos · {decisions} decisions · {events} audit events",
    verify: "Verify integrity",
    verifying: "Checking the audit chain and re-hashing the photos…",
    bundle: "Download evidence bundle (ZIP)",
    bundle_started: "Download started: see your browser's downloads. Check it with: verval audit verify-bundle <file>",
    visit: "Visit {date}",
    visit_of: "by {who}",
    review: "Open the review page",
    household_events: "Household events",
    no_visits: "No visit of this household yet.",
    outcome: "Outcome",
    state: "State",
    started: "Started – ended",
    received: "Received by the server",
    location: "GPS location",
    device: "Device / app",
    content_hash: "Content hash",
    revisit: "Revisit of",
    photo: "Photo: {kind}",
    sha256: "SHA-256",
    size: "Size",
    captured: "Captured",
    place: "Captured at",
    photo_received: "Received",
    not_received: "not received yet",
    taken_by: "Taken by",
    pixels: "Pixels",
    flag: "Flag: {code}",
    severity: "Severity",
    evidence: "Evidence",
    decision: "Decision: {what}",
    reviewer: "Reviewer",
    comment: "Comment",
    from_to: "State",
    event: "Audit event #{seq}: {action}",
    actor: "Actor",
    object: "Object",
    event_hash: "Event hash",
    prev_hash: "Previous hash",
    address: "Address",
    kk: "No. KK",
    map: "Map: the household's location, the visits and where photos were taken",
    household_point: "Household location (register)",
    photo_point: "Photo {kind}",
    visit_point: "Visit {date}",
    approve: "approved",
    return: "returned",
    escalate: "escalated",
    found: "found", not_found: "not found", moved: "moved", dissolved: "dissolved", duplicate: "duplicate",
    refused: "refused", not_home: "not at home", new_household: "new household",
    submitted: "submitted (photos pending)", complete: "complete, awaiting review", approved: "approved",
    returned: "returned", escalated: "escalated",
    house_front: "house front", house_inside: "house inside", kitchen: "kitchen", toilet: "toilet",
    family_card: "family card", head_with_id: "head with ID card", minutes: "minutes",
    death_certificate: "death certificate", "household.proposed": "proposal became a proposed household",
    "visit.received": "visit received", "visit.completed": "all photos in", "visit.decision": "reviewer's decision",
    "photo.received": "photo received", "assignment.assigned": "assigned", "assignment.reassigned": "reassigned",
    "assignment.unassigned": "unassigned", "household.identity_revealed": "NIK/No. KK revealed",
    "audit.bundle_exported": "evidence bundle downloaded",
  },
);

/** A label for a code, or the code itself. */
const word = (code: string | null | undefined): string => {
  if (!code) return "—";
  const t = (s as (k: string) => string)(code);
  return t || code;
};

const dl = (pairs: [string, Node | string | null][]) =>
  h("dl", { class: "tl-grid" }, pairs.filter(([, v]) => v !== null && v !== "").flatMap(([k, v]) => [h("dt", null, k), h("dd", null, v)]));

function entryItem(e: Entry, ctx: FlagContext = {}): HTMLElement {
  const at = h("div", { class: "tl-time" }, when(e.at));
  switch (e.kind) {
    case "photo":
      return h("li", { class: "photo", "data-photo": e.photo_id }, at,
        h("div", { class: "tl-title" }, s("photo", { kind: word(e.photo_kind) })),
        dl([
          [s("sha256"), h("span", { class: "mono" }, e.sha256)],
          [s("size"), `${bytes(e.size)} (${e.size.toLocaleString()} B)`],
          [s("captured"), when(e.captured_at)],
          [s("place"), gpsText(e.gps)],
          [s("photo_received"), e.received_at ? when(e.received_at) : h("b", { class: "err" }, s("not_received"))],
          [s("taken_by"), e.taken_by],
          [s("pixels"), e.width && e.height ? `${e.width} × ${e.height}` : null],
        ]));
    case "flag":
      return h("li", { class: `flag sev-${e.flag.severity}` }, at,
        h("div", { class: "tl-title" }, L(e.flag.message as { id: string; en: string }) || s("flag", { code: e.flag.code })),
        dl([[s("severity"), `${e.flag.severity} (${e.flag.code})`], [s("evidence"), evidenceText(e.flag.evidence, ctx)]]));
    case "decision":
      return h("li", { class: "decision" }, at,
        h("div", { class: "tl-title" }, s("decision", { what: word(e.decision.decision) })),
        dl([
          [s("reviewer"), e.decision.reviewer_name],
          [s("comment"), e.decision.comment ? h("q", null, e.decision.comment) : null],
          [s("from_to"), `${word(e.decision.from_state)} → ${word(e.decision.to_state)}`],
        ]));
    case "audit_event":
      return h("li", { class: "audit_event", "data-seq": e.seq }, at,
        h("div", { class: "tl-title" }, s("event", { seq: e.seq, action: word(e.action) })),
        dl([
          [s("actor"), e.actor_name ? `${e.actor_name} (${e.actor})` : e.actor],
          [s("object"), `${e.object_type} ${e.object_id}`],
          [s("event_hash"), h("span", { class: "mono" }, e.event_hash)],
          [s("prev_hash"), h("span", { class: "mono" }, e.prev_hash)],
        ]));
    case "visit":
      return h("li", null, at, h("div", { class: "tl-title" }, s("visit", { date: when(e.started_at) })));
  }
}

function mapPoints(trail: Trail): MapPoint[] {
  const pts: MapPoint[] = [];
  const hh = trail.household;
  if (hh.latitude !== null && hh.longitude !== null) pts.push({ lat: hh.latitude, lon: hh.longitude, kind: "household", label: s("household_point") });
  for (const e of trail.entries) {
    if (e.kind === "visit" && e.gps) pts.push({ lat: e.gps.lat, lon: e.gps.lon, kind: "visit", label: s("visit_point", { date: when(e.started_at) }), accuracy_m: e.gps.accuracy_m ?? null, href: `#/review/visit/${e.visit_id}` });
    if (e.kind === "photo" && e.gps) pts.push({ lat: e.gps.lat, lon: e.gps.lon, kind: "photo", label: s("photo_point", { kind: word(e.photo_kind) }), accuracy_m: e.gps.accuracy_m ?? null });
  }
  return pts;
}

export async function trailScreen(root: HTMLElement, id: string): Promise<() => void> {
  root.classList.add("staff-page");
  let alive = true;
  let map: MapHandle | null = null;
  const err = h("p", { class: "err big", role: "alert", id: "trail-error" });
  root.replaceChildren(h("a", { href: "#/audit" }, s("back")), h("p", { class: "loading" }, s("loading")));
  let trail: Trail;
  try {
    if (!/^\d+$/.test(id)) throw new Error("bad id");
    trail = await call<Trail>(`/api/v1/households/${id}/trail`);
  } catch (e) {
    root.replaceChildren(h("a", { href: "#/audit" }, s("back")), h("h1", null, s("trail")), err);
    err.textContent = problemWords(e);
    return () => undefined;
  }
  if (!alive) return () => undefined;
  const hh = trail.household;
  const arranged = arrangeTrail(trail);
  const names = photoNames(trail, word);
  const flagContext: FlagContext = { photos: names, households: new Map([[hh.id, `${hh.head_name}, RT ${hh.rt}/RW ${hh.rw}`]]) };

  const actionErr = h("p", { class: "err", role: "alert" });
  const verifyBox = h("div", { "aria-live": "polite" });
  const verifyBtn = h("button", { class: "btn primary small", type: "button", id: "verify", onclick: async () => {
    actionErr.textContent = "";
    verifyBtn.disabled = true;
    verifyBox.replaceChildren(h("p", { class: "loading" }, s("verifying")));
    try {
      const r = await call<VerifyReport>(`/api/v1/audit/verify?household=${hh.id}`, { timeoutMs: 600_000 });
      if (alive) verifyBox.replaceChildren(verifyView(r, names));
    } catch (e) {
      verifyBox.replaceChildren();
      actionErr.textContent = problemWords(e);
    } finally {
      verifyBtn.disabled = false;
    }
  } }, s("verify"));
  const bundleBtn = h("button", { class: "btn secondary small", type: "button", id: "bundle", onclick: async () => {
    actionErr.textContent = "";
    try {
      await downloadBundle({ household: hh.id });
      verifyBox.replaceChildren(h("div", { class: "result info" }, s("bundle_started")));
    } catch (e) {
      actionErr.textContent = problemWords(e);
    }
  } }, s("bundle"));

  const groups = arranged.groups.map((g) => {
    const v = g.visit;
    return h("section", { class: "visit-group", "data-visit": g.visitId },
      h("h2", null, v ? s("visit", { date: when(v.started_at) }) : g.visitId, v ? h("span", { class: "small muted" }, " ", s("visit_of", { who: v.enumerator_name })) : null),
      v ? dl([
        [s("outcome"), word(v.outcome)],
        [s("state"), h("span", { class: `st ${v.state}` }, word(v.state))],
        [s("started"), `${when(v.started_at)} – ${when(v.ended_at)}`],
        [s("received"), when(v.at)],
        [s("location"), gpsText(v.gps)],
        [s("device"), `${v.device_id} · ${v.app_version}`],
        [s("content_hash"), h("span", { class: "mono" }, v.content_hash)],
        [s("revisit"), v.revisit_of],
      ]) : null,
      h("p", null, h("a", { href: `#/review/visit/${g.visitId}` }, s("review"))),
      h("ol", { class: "timeline" }, g.entries.map((e) => entryItem(e, flagContext))));
  });

  const mapBox = h("div", { class: "trail-map", id: "trail-map" });
  const points = mapPoints(trail);
  root.replaceChildren(...nodes(
    h("a", { href: "#/audit" }, s("back")),
    h("div", { class: "hh-head" },
      h("h1", null, `${s("trail")}: ${hh.head_name}`),
      h("span", { class: "muted" }, `#${hh.id} · ${hh.village_name} (${hh.region_code}) · RT ${hh.rt}/RW ${hh.rw}`)),
    dl([[s("address"), hh.address], [s("kk"), h("span", { class: "mono" }, hh.kk_number)]]),
    h("p", { class: "small", id: "trail-counts" }, s("counts", { visits: trail.visits, photos: trail.photos, decisions: trail.decisions, events: trail.audit_events })),
    h("div", { class: "trail-actions" }, verifyBtn, bundleBtn), actionErr, verifyBox,
    ...(groups.length ? groups : [h("p", { class: "empty" }, s("no_visits"))]),
    arranged.household.length ? h("section", { class: "visit-group", id: "household-events" }, h("h2", null, s("household_events")),
      h("ol", { class: "timeline" }, arranged.household.map((e) => entryItem(e, flagContext)))) : null,
    points.length ? h("h2", null, s("map")) : null,
    points.length ? mapBox : null,
  ));
  if (points.length) map = await pointsMap(mapBox, points);
  return () => { alive = false; map?.destroy(); };
}
