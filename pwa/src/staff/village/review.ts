// The public review tab (publish once, then the review's status; ratification after the
// window; the final list) and the objection queue tab (accept: a revisit is assigned;
// reject: with a reason). Publishing, objections and ratification are the office's.
import { h } from "../../ui/dom";
import { ApiError } from "../../api/http";
import { call, downloadSmall } from "../audit/api";
import { strings } from "../strings";
import { isOffice, longDate, type VillageContext } from "./context";
import {
  daysLeft, DEFAULT_REVIEW_DAYS, type Deliberation, type EnumeratorUser, enumeratorsFor, type Objection, objectionCounts, publishDaysProblem,
  type Review, reviewOf, reviewStage,
} from "./model";

const s = strings(
  {
    heading: "Uji publik",
    no_deliberation: "Belum ada musyawarah untuk putaran ini.",
    awaiting_minutes: "Daftar dapat diumumkan setelah foto berita acara bertanda tangan dilampirkan.",
    unpublished: "Hasil musyawarah siap diumumkan untuk uji publik.",
    unpublished_operator: "Hasil musyawarah menunggu diumumkan oleh Dinas Sosial.",
    days: "Masa uji publik (hari)",
    publish: "Umumkan untuk uji publik",
    published_now: "Daftar diumumkan. Uji publik berjalan sampai {date}.",
    in_review: "Uji publik berlangsung sampai {date} ({n} hari lagi).",
    objections_open: "Masa uji publik selesai {date}. Selesaikan {n} sanggahan sebelum pengesahan.",
    ratifiable: "Masa uji publik selesai {date}. Daftar akhir siap disahkan.",
    ratify: "Sahkan daftar akhir",
    ratified: "Daftar akhir disahkan {date}: {added} keluarga masuk, {removed} keluarga keluar dari DTKS.",
    ratified_now: "Daftar akhir disahkan: {added} masuk, {removed} keluar.",
    public_page: "Halaman publik",
    entries: "Keluarga dalam daftar",
    added: "Masuk",
    removed: "Keluar",
    unchanged: "Tetap",
    objections: "Sanggahan",
    open_n: "menunggu",
    signed_minutes: "Foto berita acara bertanda tangan: {n}",
    final_csv: "Unduh daftar akhir (CSV)",
    final_xlsx: "Unduh daftar akhir (XLSX)",
    queue: "Antrean sanggahan",
    queue_counts: "{open} menunggu · {accepted} diterima · {rejected} ditolak",
    queue_empty: "Belum ada sanggahan.",
    reason: "Alasan",
    accept: "Terima (kunjungan ulang)",
    reject: "Tolak",
    reject_reason: "Tuliskan alasan penolakan.",
    missing: "Keluarga belum terdaftar",
    with_photo: "dengan foto",
    accepted: "Diterima: kunjungan ulang #{id}",
    accepted_plain: "Diterima",
    rejected: "Ditolak: {reason}",
    received: "Diterima {date}",
    enumerator: "Enumerator kunjungan ulang",
    enumerator_needed: "Keluarga ini belum punya penugasan di putaran ini: pilih enumerator untuk kunjungan ulang, lalu Terima lagi.",
    no_enumerator: "Tidak ada enumerator aktif untuk desa ini.",
  },
  {
    heading: "Public review",
    no_deliberation: "No deliberation for this round yet.",
    awaiting_minutes: "The list can be published once a photo of the signed minutes is attached.",
    unpublished: "The deliberation's result is ready for public review.",
    unpublished_operator: "The deliberation's result waits to be published by the social affairs office.",
    days: "Review window (days)",
    publish: "Publish for public review",
    published_now: "Published. The public review runs until {date}.",
    in_review: "Public review runs until {date} ({n} days left).",
    objections_open: "The review closed {date}. Resolve {n} objection(s) before ratification.",
    ratifiable: "The review closed {date}. The final list is ready to ratify.",
    ratify: "Ratify the final list",
    ratified: "Final list ratified {date}: {added} households added, {removed} removed from the register.",
    ratified_now: "Final list ratified: {added} added, {removed} removed.",
    public_page: "Public page",
    entries: "Households listed",
    added: "Added",
    removed: "Removed",
    unchanged: "Unchanged",
    objections: "Objections",
    open_n: "waiting",
    signed_minutes: "Photos of the signed minutes: {n}",
    final_csv: "Download the final list (CSV)",
    final_xlsx: "Download the final list (XLSX)",
    queue: "Objection queue",
    queue_counts: "{open} waiting · {accepted} accepted · {rejected} rejected",
    queue_empty: "No objections yet.",
    reason: "Reason",
    accept: "Accept (revisit)",
    reject: "Reject",
    reject_reason: "Write the reason for the rejection.",
    missing: "Household not on the list",
    with_photo: "with photo",
    accepted: "Accepted: revisit #{id}",
    accepted_plain: "Accepted",
    rejected: "Rejected: {reason}",
    received: "Received {date}",
    enumerator: "Enumerator for the revisit",
    enumerator_needed: "This household has no assignment in the round: choose the enumerator for the revisit, then Accept again.",
    no_enumerator: "No active enumerator covers this village.",
  },
);

function tiles(review: Review): HTMLElement {
  const c = review.counts;
  const tile = (cls: string, n: number, label: string) => h("div", { class: `tile ${cls}` }, h("b", null, String(n)), h("span", null, label));
  return h("div", { class: "tiles", id: "review-counts" },
    tile("", c.entries, s("entries")), tile("approved", c.added, s("added")), tile("flagged", c.removed, s("removed")),
    tile("", c.unchanged, s("unchanged")),
    tile(c.objections_open ? "returned" : "", c.objections, `${s("objections")} (${c.objections_open} ${s("open_n")})`));
}

export async function reviewTab(ctx: VillageContext, d: Deliberation | undefined): Promise<HTMLElement> {
  const out = h("section", { class: "card", id: "review" }, h("h2", null, s("heading")));
  if (!d) {
    out.append(h("p", { class: "empty" }, s("no_deliberation")));
    return out;
  }
  const reviews = await call<Review[]>(`/api/v1/public-reviews?village=${encodeURIComponent(ctx.village)}`);
  const review = reviewOf(reviews, d);
  const stage = reviewStage(d, review, new Date());
  const office = isOffice(ctx.role);
  const status = (cls: string, words: string) => h("div", { class: `result ${cls}`, id: "review-status", "data-stage": stage }, words);

  if (stage === "awaiting_minutes") out.append(status("info", s("awaiting_minutes")));
  if (stage === "unpublished" && !office) out.append(status("info", s("unpublished_operator")));
  if (stage === "unpublished" && office) {
    const days = h("input", { id: "review-days", type: "number", min: "1", max: "60", value: String(DEFAULT_REVIEW_DAYS) });
    const button = h("button", { type: "submit", class: "btn primary small", id: "publish" }, s("publish"));
    out.append(status("info", s("unpublished")), h("form", {
      class: "toolbar",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const problem = publishDaysProblem(days.value);
        if (problem) { ctx.show(problem); return; }
        button.disabled = true; // one click publishes once: the panel turns into the review's status
        try {
          const r = await call<Review>("/api/v1/public-reviews", {
            method: "POST", json: { deliberation_id: d.id, days: Number(days.value) },
          });
          await ctx.refresh();
          ctx.done(s("published_now", { date: longDate(r.closes_at) }));
        } catch (x) { button.disabled = false; ctx.show(x); }
      },
    }, h("label", null, s("days"), days), button));
  }
  if (review) {
    const closes = longDate(review.closes_at);
    if (stage === "in_review") out.append(status("info", s("in_review", { date: closes, n: daysLeft(review.closes_at, new Date()) })));
    if (stage === "objections_open") out.append(status("bad", s("objections_open", { date: closes, n: review.counts.objections_open })));
    if (stage === "ratifiable") out.append(status("info", s("ratifiable", { date: closes })));
    if (stage === "ratified") {
      out.append(status("ok", s("ratified", { date: longDate(review.ratified_at), added: review.counts.added, removed: review.counts.removed })));
    }
    out.append(tiles(review), h("p", null, `${s("public_page")}: `,
      h("a", { href: review.public_url, target: "_blank", rel: "noopener", id: "public-link" }, `${location.origin}${review.public_url}`)),
    h("p", null, s("signed_minutes", { n: d.minutes_pages.length })));
    if (stage === "ratifiable" && office) {
      const button = h("button", { type: "button", class: "btn primary small", id: "ratify" }, s("ratify"));
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          const r = await call<{ added: number; removed: number }>(`/api/v1/public-reviews/${review.id}/ratification`, { method: "POST" });
          await ctx.refresh();
          ctx.done(s("ratified_now", r));
        } catch (x) { button.disabled = false; ctx.show(x); }
      });
      out.append(h("p", null, button));
    }
    if (stage === "ratified" && office) {
      out.append(h("p", { class: "row" },
        h("button", {
          type: "button", class: "btn small", id: "final-csv",
          onclick: () => downloadSmall(`/api/v1/public-reviews/${review.id}/final.csv`, `daftar-akhir-${ctx.village}.csv`).catch(ctx.show),
        }, s("final_csv")),
        h("button", {
          type: "button", class: "btn small", id: "final-xlsx",
          onclick: () => downloadSmall(`/api/v1/public-reviews/${review.id}/final.xlsx`, `daftar-akhir-${ctx.village}.xlsx`).catch(ctx.show),
        }, s("final_xlsx"))));
    }
  }
  return out;
}

export async function objectionsTab(ctx: VillageContext): Promise<HTMLElement> {
  const items = await call<Objection[]>(`/api/v1/objections?region=${encodeURIComponent(ctx.village)}`);
  let enumerators: EnumeratorUser[] | null = null;
  const resolve = async (o: Objection, decision: "accept" | "reject", reason: string, picker: HTMLSelectElement) => {
    if (decision === "reject" && !reason.trim()) { ctx.show(s("reject_reason")); return; }
    const enumeratorId = Number(picker.value) || undefined;
    try {
      await call(`/api/v1/objections/${o.id}/resolution`, {
        method: "POST", json: { decision, reason: reason.trim(), enumerator_id: enumeratorId },
      });
      await ctx.refresh();
    } catch (x) {
      if (x instanceof ApiError && x.code === "enumerator_required" && picker.hidden) {
        // The household was not assigned in the round: the supervisor names who revisits.
        try {
          enumerators ??= enumeratorsFor(await call<EnumeratorUser[]>("/api/v1/users?role=enumerator&active=true"), ctx.village);
        } catch (y) { ctx.show(y); return; }
        picker.append(...enumerators.map((u) => h("option", { value: String(u.id) }, u.display_name)));
        picker.hidden = false;
        ctx.show(enumerators.length ? s("enumerator_needed") : s("no_enumerator"));
        return;
      }
      ctx.show(x);
    }
  };
  const outcome = (o: Objection) => o.state === "accepted"
    ? (o.revisit_assignment_id ? s("accepted", { id: o.revisit_assignment_id }) : s("accepted_plain"))
    : s("rejected", { reason: o.resolution_reason ?? "" });
  return h("section", { class: "card", id: "objections" },
    h("h2", null, s("queue")), h("p", null, s("queue_counts", objectionCounts(items))),
    items.length === 0 ? h("p", { class: "empty" }, s("queue_empty")) : "",
    h("ol", null, ...items.map((o) => {
      const reason = h("input", { placeholder: s("reason"), "aria-label": s("reason"), maxlength: "1000" });
      const picker = h("select", { "aria-label": s("enumerator"), class: "enumerator", hidden: true });
      return h("li", { class: `objection ${o.state}`, "data-id": String(o.id) },
        h("div", { class: "objection-head" }, h("b", null, o.entry_name_masked ?? s("missing")),
          h("span", null, `RT ${o.rt}/RW ${o.rw} · ${o.category_label}`),
          o.photo ? h("span", { class: "st none" }, s("with_photo")) : ""),
        h("div", null, o.text), h("small", { class: "muted" }, s("received", { date: longDate(o.created_at) })),
        o.contact ? h("small", null, ` · ${o.contact}`) : "",
        o.state === "open"
          ? h("div", { class: "decide" }, reason, picker,
            h("button", { type: "button", class: "btn small primary", onclick: () => resolve(o, "accept", reason.value, picker) }, s("accept")),
            h("button", { type: "button", class: "btn small danger-outline", onclick: () => resolve(o, "reject", reason.value, picker) }, s("reject")))
          : h("div", { class: `st ${o.state === "accepted" ? "approved" : "closed"}` }, outcome(o)));
    })));
}
