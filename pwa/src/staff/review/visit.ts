// One visit under review: everything needed to decide without leaving the page — header,
// flags in words, answers beside the baseline, members, photos, the map, decisions — and
// the decision panel. n/p walk the queue the reviewer came from; a/r/e start a decision.
import "./review.css";
import { ApiError, AuthRequired } from "../../api/http";
import { app } from "../../app/controller";
import { h, nodes, toast } from "../../ui/dom";
import { type MapHandle, type MapPoint, pointsMap } from "../map/map";
import { type AnswerChange, type DecisionKind, type MemberChange, type MemberFact, type RelatedPhoto, type ReviewPhoto, reviewApi, type VisitDetail } from "./api";
import { shortcutLegend, severityChip, stateBadge } from "./queue";
import {
  distanceM,
  fmtDistance,
  isShortcut,
  loadContext,
  neighbour,
  parseFilters,
  saveContext,
  shortHash,
  valueText,
} from "./model";
import { errorText, flagName, fmtTime, kindName, label, outcomeText, w } from "./words";
import { lang } from "../../i18n";
import { isPoorest } from "../../ui/decile";
import { decileTag } from "../../ui/decileTag";

type Label = Record<string, string>;
interface FieldInfo {
  name: string;
  code: string | null;
  label: Label | null;
  choices: Map<string, Label>;
  group: string;
}
interface FormIndex {
  groups: { name: string; label: Label | null; fields: FieldInfo[] }[];
  fields: Map<string, FieldInfo>;
  members: Map<string, FieldInfo>;
}

const formCache = new Map<string, Promise<FormIndex | null>>();

/** The published form's labels and choice lists (immutable per version, cached). */
function formIndex(id: string, version: number): Promise<FormIndex | null> {
  const key = `${id}@${version}`;
  let p = formCache.get(key);
  if (!p) {
    p = app.api.formVersion(id, version, null).then((r) => (r ? indexForm(r.definition) : null)).catch(() => null);
    formCache.set(key, p);
  }
  return p;
}

type Raw = Record<string, unknown>;
export function indexForm(def: unknown): FormIndex {
  const d = (def ?? {}) as Raw;
  const lists = (d.choice_lists ?? {}) as Record<string, { code: string; label: Label }[]>;
  const choicesOf = (f: Raw) => {
    const m = new Map<string, Label>();
    const list = typeof f.choices === "string" ? lists[f.choices] : Array.isArray(f.choices) ? (f.choices as { code: string; label: Label }[]) : [];
    for (const c of list ?? []) m.set(String(c.code), c.label);
    return m;
  };
  const info = (f: Raw, group: string): FieldInfo => ({
    name: String(f.name), code: typeof f.code === "string" ? f.code : null,
    label: (f.label as Label) ?? null, choices: choicesOf(f), group,
  });
  const out: FormIndex = { groups: [], fields: new Map(), members: new Map() };
  for (const g of (d.groups ?? []) as Raw[]) {
    const fields: FieldInfo[] = [];
    for (const f of (g.fields ?? []) as Raw[]) {
      if (f.type === "note") continue;
      if (f.type === "repeat") {
        for (const m of (f.fields ?? []) as Raw[]) if (m.type !== "note") out.members.set(String(m.name), info(m, String(g.name)));
        continue;
      }
      const fi = info(f, String(g.name));
      fields.push(fi);
      out.fields.set(fi.name, fi);
    }
    if (fields.length) out.groups.push({ name: String(g.name), label: (g.label as Label) ?? null, fields });
  }
  return out;
}

function choiceText(fi: FieldInfo | undefined, v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (fi && fi.choices.size) {
    const one = (x: unknown) => {
      const l = fi.choices.get(String(x));
      return l ? `${label(l)} (${String(x)})` : String(x);
    };
    return Array.isArray(v) ? v.map(one).join(", ") : one(v);
  }
  return valueText(v);
}

type Part = Node | string | null | false | undefined | Part[];
interface CivilFinding {
  id: number;
  kind: string;
  label: Record<string, string>;
  member_id: number | null;
  member_name: string | null;
  evidence: string;
  hint: string;
  state: string;
  closed_by_visit: string | null;
}

function section(id: string, title: string, ...body: Part[]): HTMLElement {
  return h("section", { class: `rv-card rv-sec-${id}`, id: `rv-${id}`, "aria-labelledby": `rv-${id}-h` },
    h("h2", { id: `rv-${id}-h` }, title), ...body);
}

function kv(pairs: [string, Node | string | null][]): HTMLElement {
  return h("dl", { class: "rv-kv" }, pairs.filter(([, v]) => v !== null).map(([k, v]) => [h("dt", null, k), h("dd", null, v)]));
}

const short = (id: string) => id.slice(0, 8);

/** "Identical to a photo of household Sutrisno (RT 001/RW 002, Suka Pindah)". */
function duplicateText(r: RelatedPhoto): string {
  if (!r.in_scope) return w("dup_outside");
  const where = [r.other_rt ? `RT ${r.other_rt}/RW ${r.other_rw ?? "—"}` : null, r.other_village_name].filter(Boolean).join(", ");
  const name = `${r.other_head_name ?? `#${r.other_household_id ?? "?"}`}${where ? ` (${where})` : ""}`;
  return w(r.flag_code === "photo_reused" ? "dup_same" : "dup_near", { name });
}

/** The two photos of a duplicate-photo flag next to each other (stacked on a phone). */
function sideBySide(r: RelatedPhoto, mine: ReviewPhoto | undefined): HTMLElement {
  const figure = (src: string | null | undefined, caption: string) =>
    h("figure", { class: "rv-dup-side" },
      src ? h("img", { src, alt: caption, loading: "lazy" }) : h("div", { class: "rv-ph-placeholder" }, w("dup_no_link")),
      h("figcaption", { class: "small" }, caption));
  const mineCaption = mine ? `${w("dup_this")} · ${kindName(mine.kind)} · ${fmtTime(mine.captured_at)}` : w("dup_this");
  const otherCaption = w("dup_other", {
    name: r.other_head_name ?? `#${r.other_household_id ?? "?"}`,
    when: r.other_captured_at ? fmtTime(r.other_captured_at) : "—",
    who: r.other_enumerator_name ?? "—",
  });
  return h("details", { class: "rv-dup", open: true },
    h("summary", null, w("dup_compare")),
    h("div", { class: "rv-dup-pair" },
      figure(mine?.links?.display ?? mine?.links?.original, mineCaption),
      figure(r.other_links?.display ?? r.other_links?.original, otherCaption)));
}

export async function visitReviewScreen(root: HTMLElement, ...args: string[]): Promise<() => void> {
  const id = args[0] ?? "";
  let alive = true;
  let mapHandle: MapHandle | null = null;
  let onKey: ((ev: KeyboardEvent) => void) | null = null;
  const cleanup = () => {
    alive = false;
    mapHandle?.destroy();
    if (onKey) document.removeEventListener("keydown", onKey);
  };
  root.replaceChildren(h("p", { class: "rv-loading" }, w("loading")));

  let v: VisitDetail;
  try {
    v = await reviewApi.visit(id);
  } catch (e) {
    const ctx = loadContext();
    const back = h("a", { class: "btn secondary", href: ctx?.hash ?? "#/review" }, w("back"));
    if (e instanceof ApiError && (e.status === 404 || e.status === 400)) {
      root.replaceChildren(h("div", { class: "rv-notfound" }, h("h1", null, w("not_found")), h("p", null, w("not_found_text")), back));
    } else {
      root.replaceChildren(h("div", { class: "rv-error", role: "alert" }, h("h1", null, w("error")), h("p", null, errorText(e)),
        e instanceof AuthRequired ? h("a", { class: "btn primary", href: "#/login" }, w("sign_in_again"))
          : h("button", { class: "btn secondary", type: "button", onclick: () => window.dispatchEvent(new HashChangeEvent("hashchange")) }, w("retry")),
        back));
    }
    return cleanup;
  }
  if (!alive) return cleanup;
  const form = await formIndex(v.form.id, v.form.version);

  const ctx = loadContext();
  const queueHash = ctx?.hash ?? "#/review";
  if (ctx) saveContext({ ...ctx, last: v.id });

  async function go(step: 1 | -1): Promise<boolean> {
    let c = loadContext();
    let target = neighbour(c, v.id, step);
    if (!target && step === 1 && c?.cursor) {
      try {
        const page = await reviewApi.queue(parseFilters(c.hash), c.cursor);
        c = { ...c, ids: [...c.ids, ...page.items.map((i) => i.visit_id)], cursor: page.next_cursor };
        saveContext(c);
        target = neighbour(c, v.id, step);
      } catch {
        /* fall through */
      }
    }
    if (target) {
      location.hash = `#/review/visit/${target}`;
      return true;
    }
    return false;
  }

  // --- header ----------------------------------------------------------------------------
  const hh = v.household;
  const minutes = Math.round((Date.parse(v.ended_at) - Date.parse(v.started_at)) / 60_000);
  const masked = !v.identity_numbers_visible;
  const maskNote = masked ? h("span", { class: "rv-masked" }, ` (${w("masked")})`) : null;
  const prevBtn = h("button", { type: "button", class: "btn secondary small", id: "prev-visit", disabled: !neighbour(ctx, v.id, -1), onclick: () => void go(-1) }, w("prev"));
  const nextBtn = h("button", { type: "button", class: "btn secondary small", id: "next-visit", disabled: !neighbour(ctx, v.id, 1) && !ctx?.cursor, onclick: () => void go(1) }, w("next"));
  const revisitBox = h("div", { class: "rv-revisits" });
  if (v.revisit_of) {
    revisitBox.append(h("p", { class: "rv-revisit-of" }, "↻ " + w("revisit_of") + " ",
      h("a", { href: `#/review/visit/${v.revisit_of}`, id: "revisit-of" }, w("open_visit", { id: short(v.revisit_of) }))));
    // The comment it was returned with, so the reviewer can check the revisit answers it.
    reviewApi.visit(v.revisit_of).then((prev) => {
      const ret = [...prev.decisions].reverse().find((d) => d.decision === "return");
      if (ret?.comment && alive) {
        revisitBox.querySelector(".rv-revisit-of")?.append(h("span", { class: "rv-return-comment" },
          ` — ${w("st_returned")}: “${ret.comment}” ${w("by", { who: ret.reviewer_name })}`));
      }
    }).catch(() => undefined);
  }
  if (v.revisits.length) {
    revisitBox.append(h("p", { class: "rv-revisited" }, "↻ " + w("revisited_by") + " ",
      v.revisits.map((r, i) => [i ? ", " : null, h("a", { href: `#/review/visit/${r}`, class: "revisit-link" }, w("open_visit", { id: short(r) }))])));
  }
  const header = h("section", { class: "rv-card rv-sec-header", id: "rv-header" },
    h("div", { class: "rv-nav" },
      h("a", { href: queueHash, class: "btn secondary small", id: "back-to-queue" }, w("back")),
      prevBtn, nextBtn,
      shortcutLegend([[["n"], w("k_next").split(" / ")[0]!], [["p"], w("k_next").split(" / ")[1] ?? ""],
        [["a", "r", "e"], w("k_decide")], [["u"], w("k_back")]]),
    ),
    h("div", { class: "rv-title" },
      h("h1", null, v.proposed_household ? w("proposal") : hh?.head_name ?? `#${v.household_id}`),
      hh ? decileTag(hh.decile, lang() === "en", true) : null,
      stateBadge(v.state, v.missing_photos.length === 0)),
    h("p", { class: "rv-place" },
      [hh?.address, hh ? `RT ${hh.rt}/RW ${hh.rw}` : null, v.village_name, v.region_code].filter(Boolean).join(" · ")),
    revisitBox,
    kv([
      [w("kk"), hh ? h("span", { class: "rv-mono" }, hh.kk_number, maskNote) : null],
      [w("decile"), hh ? h("span", { id: "rv-decile" }, hh.decile
        ? `${hh.decile} / 10${isPoorest(hh.decile) ? ` · ${w("poorest_note")}` : ""}`
        : w("decile_none")) : null],
      [w("enumerator"), v.enumerator_name],
      [w("started"), `${fmtTime(v.started_at)} – ${fmtTime(v.ended_at, false)} (${w("duration", { n: minutes })})`],
      [w("received"), fmtTime(v.received_at)],
      [w("outcome"), outcomeText(v.outcome) + (v.eligibility ? ` · ${w("eligibility")}: ${v.eligibility}` : "")],
      [w("gps"), v.gps
        ? `${v.gps.lat.toFixed(6)}, ${v.gps.lon.toFixed(6)} · ${v.gps.accuracy_m == null ? "?" : w("accuracy", { n: Math.round(v.gps.accuracy_m) })}${v.gps.poor_fix_reason ? ` · “${v.gps.poor_fix_reason}”` : ""}`
        : w("no_gps")],
      [w("device"), `${v.device_id} · ${v.app_version}`],
      [w("content_hash"), h("span", { class: "rv-mono", title: v.content_hash }, shortHash(v.content_hash))],
      [w("note"), v.note ? h("q", null, v.note) : null],
    ]),
  );

  // --- flags -----------------------------------------------------------------------------
  const sevRank: Record<string, number> = { critical: 0, warning: 1, info: 2 };
  const flags = [...v.flags].sort((a, b) => (sevRank[a.severity] ?? 3) - (sevRank[b.severity] ?? 3));
  const flagsCard = section("flags", `${w("flags")} (${flags.length})`,
    flags.length === 0 ? h("p", { class: "rv-none" }, w("no_flags")) :
      h("ul", { class: "rv-flaglist" }, flags.map((f) => {
        const ev = f.evidence as Record<string, unknown>;
        const other = typeof ev.other_visit === "string" ? ev.other_visit : null;
        const photo = typeof ev.photo_id === "string" ? ev.photo_id : null;
        // member_index counts from 0 in the evidence: name the member, so nobody has to count.
        const mi = typeof ev.member_index === "number" ? ev.member_index : null;
        const member = mi !== null && Array.isArray(v.answers.members) ? (v.answers.members[mi] as Raw | undefined) : undefined;
        const memberName = member ? String(member.full_name ?? member.name ?? "") : "";
        const related = (v.related_photos ?? []).find((r) => r.flag_code === f.code && r.photo_id === photo && r.other_visit_id === other);
        const text = related ? duplicateText(related) : label(f.message, flagName(f.code));
        return h("li", { class: `sev-${f.severity}`, "data-flag": f.code },
          severityChip(f.code, f.severity),
          h("span", { class: "rv-flag-text" }, text),
          memberName ? h("a", { href: "#rv-members", class: "rv-flag-member", onclick: (e: Event) => { e.preventDefault(); document.getElementById("rv-members")?.scrollIntoView({ block: "start" }); } }, `→ ${memberName}`) : null,
          other && (!related || related.in_scope) ? h("a", { href: `#/review/visit/${other}` }, " → " + w("open_visit", { id: related?.other_head_name ?? short(other) })) : null,
          photo ? h("a", { href: `#photo-${photo}`, onclick: (e: Event) => { e.preventDefault(); document.getElementById(`photo-${photo}`)?.scrollIntoView({ block: "center" }); } }, " → 📷") : null,
          related?.in_scope ? sideBySide(related, v.photos.find((p) => p.id === photo)) : null);
      })));

  // --- civil registry (Dukcapil) findings, beside the answers -------------------------------
  // Not yet in the generated schema types: read defensively.
  const civil = ((v as unknown as { civil_registry_findings?: CivilFinding[] }).civil_registry_findings ?? []);
  const civilState: Record<string, string> = {
    open: "terbuka", confirmed: "dikonfirmasi kunjungan", contradicted: "dibantah kunjungan", gone: "tidak berlaku lagi",
  };
  const civilCard = civil.length === 0 ? null : section("civil", `Dukcapil (${civil.length})`,
    h("ul", { class: "rv-flaglist rv-civil" }, civil.map((f) =>
      h("li", { class: f.state === "open" ? "sev-warning" : "sev-info", "data-civil": f.kind, "data-state": f.state },
        h("span", { class: "rv-flag-text" }, `${label(f.label, f.kind)}${f.member_name ? ` — ${f.member_name}` : ""}`),
        h("div", { class: "rv-civil-hint" }, f.hint),
        h("div", { class: "rv-civil-meta" }, `${civilState[f.state] ?? f.state} · bukti: ${f.evidence}`)))));

  // --- photos ----------------------------------------------------------------------------
  const enlarge = (p: ReviewPhoto) => {
    if (!p.links) return;
    const dlg = h("dialog", { class: "rv-lightbox", "aria-label": kindName(p.kind) },
      h("img", { src: p.links.display ?? p.links.original, alt: kindName(p.kind) }),
      h("div", { class: "rv-lightbox-bar" }, h("span", null, `${kindName(p.kind)} · ${fmtTime(p.captured_at)}`),
        h("a", { href: p.links.original, target: "_blank", rel: "noopener" }, w("original")),
        h("button", { type: "button", class: "btn small secondary", onclick: () => dlg.close() }, w("close"))));
    dlg.addEventListener("close", () => dlg.remove());
    dlg.addEventListener("click", (e) => { if (e.target === dlg) dlg.close(); });
    document.body.appendChild(dlg);
    dlg.showModal();
  };
  const copy = async (sha: string) => {
    try {
      await navigator.clipboard.writeText(sha);
      toast(w("copied"));
    } catch {
      window.prompt("SHA-256", sha);
    }
  };
  const photoCard = (p: ReviewPhoto, n: number) => {
    const dist = p.gps && v.gps ? distanceM(p.gps, v.gps) : null;
    const img = !p.stored
      ? h("div", { class: "rv-ph-placeholder missing" }, w("ph_missing"))
      : !p.links
        ? h("div", { class: "rv-ph-placeholder hidden-role" }, "🔒 " + w("ph_hidden"))
        : h("button", { type: "button", class: "rv-ph-open", title: w("enlarge"), onclick: () => enlarge(p) },
          h("img", { src: p.links.display ?? p.links.thumbnail ?? p.links.original, alt: kindName(p.kind), loading: "lazy" }));
    return h("figure", { class: `rv-photo${p.sensitive ? " sensitive" : ""}`, id: `photo-${p.id}`, "data-kind": p.kind },
      img,
      h("figcaption", null,
        h("div", { class: "rv-ph-title" }, h("span", { class: "rv-ph-no" }, String(n)), kindName(p.kind),
          p.sensitive ? h("span", { class: "rv-tag" }, "🔒") : null),
        kv([
          [w("ph_captured"), fmtTime(p.captured_at)],
          [w("ph_place"), p.gps ? `${p.gps.lat.toFixed(5)}, ${p.gps.lon.toFixed(5)}${p.gps.accuracy_m != null ? ` ±${Math.round(p.gps.accuracy_m)} m` : ""}` : w("no_gps")],
          ["↔", dist !== null ? h("span", { class: dist > 100 ? "rv-far" : "" }, w("ph_distance", { d: fmtDistance(dist) })) : null],
          [w("ph_hash"), h("span", { class: "rv-hash" },
            h("code", { title: p.sha256 }, shortHash(p.sha256)),
            h("button", { type: "button", class: "btn small secondary rv-copy", "aria-label": `${w("copy")} SHA-256`, onclick: () => void copy(p.sha256) }, w("copy")))],
          ["", p.width && p.height ? w("ph_size", { w: p.width, h: p.height, kb: Math.round(p.size / 1024) }) : `${Math.round(p.size / 1024)} KB`],
        ])));
  };
  const photosCard = section("photos", `${w("photos_h")} (${v.photos.length})`,
    h("div", { class: "rv-photos" }, v.photos.map((p, i) => photoCard(p, i + 1))));

  // --- answers beside the baseline -----------------------------------------------------------
  const b = v.baseline;
  const changes = new Map<string, AnswerChange>((b?.changes ?? []).map((c) => [c.field, c]));
  let onlyChanges = false;
  const answersBody = h("div", { class: "rv-answers-body" });
  const drawAnswers = () => {
    if (!b) {
      answersBody.replaceChildren(h("p", { class: "rv-none" }, w("no_baseline")));
      return;
    }
    const rowFor = (name: string, fi: FieldInfo | undefined) => {
      const ch = changes.get(name);
      if (onlyChanges && !ch) return null;
      const base = ch ? ch.baseline : b.answers[name];
      const now = ch ? ch.visited : v.answers[name];
      const q = fi?.label ? label(fi.label) : ch?.label ? label(ch.label) : name;
      return h("tr", { class: ch ? `changed ch-${ch.kind}` : "", "data-field": name },
        h("th", { scope: "row" }, q),
        h("td", { class: "rv-base" }, ch?.baseline_label ? label(ch.baseline_label) : choiceText(fi, base)),
        h("td", { class: "rv-now" }, ch?.visited_label ? label(ch.visited_label) : choiceText(fi, now),
          ch ? h("span", { class: "rv-ch" }, w(`ch_${ch.kind}` as "ch_changed")) : null));
    };
    const head = () => h("thead", null, h("tr", null, h("th", { scope: "col" }, w("question")), h("th", { scope: "col" }, w("baseline")), h("th", { scope: "col" }, w("visited"))));
    const seen = new Set<string>();
    const blocks: HTMLElement[] = [];
    for (const g of form?.groups ?? []) {
      const rows = g.fields.map((fi) => {
        seen.add(fi.name);
        if (!(fi.name in b.answers) && !(fi.name in v.answers) && !changes.has(fi.name)) return null;
        return rowFor(fi.name, fi);
      }).filter((r): r is HTMLTableRowElement => r !== null);
      if (rows.length) blocks.push(h("table", { class: "rv-cmp" }, h("caption", null, label(g.label, g.name)), head(), h("tbody", null, rows)));
    }
    // Anything the form index did not cover (no form, or fields outside its groups).
    const rest = [...new Set([...Object.keys(b.answers), ...Object.keys(v.answers), ...changes.keys()])]
      .filter((k) => k !== "members" && !k.startsWith("members[") && !seen.has(k))
      .map((k) => rowFor(k, undefined)).filter((r): r is HTMLTableRowElement => r !== null);
    if (rest.length) blocks.push(h("table", { class: "rv-cmp" }, head(), h("tbody", null, rest)));
    answersBody.replaceChildren(...(blocks.length ? blocks : [h("p", { class: "rv-none" }, "—")]));
  };
  drawAnswers();
  const answerChanges = (b?.changes ?? []).filter((c) => !c.field.startsWith("members"));
  const answersCard = section("answers", w("answers"),
    b ? h("div", { class: "rv-answers-tools" },
      h("span", { class: answerChanges.length ? "rv-changed-n" : "rv-none" }, w("changed_n", { n: answerChanges.length })),
      h("label", { class: "rv-check" }, h("input", { type: "checkbox", onchange: (e: Event) => { onlyChanges = (e.target as HTMLInputElement).checked; drawAnswers(); } }), w("only_changes"))) : null,
    answersBody);

  // --- members ---------------------------------------------------------------------------
  const presenceLabel = (code: unknown) => {
    const l = form?.members.get("presence")?.choices.get(String(code));
    return l ? label(l) : code == null ? "—" : String(code);
  };
  const visitedMembers = (Array.isArray(v.answers.members) ? v.answers.members : []) as Raw[];
  const byIndex = new Map<number, MemberChange>();
  for (const mc of b?.member_changes ?? []) if (mc.index !== null && mc.index !== undefined) byIndex.set(mc.index, mc);
  const memberRow = (m: Raw | null, mc: MemberChange | undefined, i: number | null) => {
    const presence = mc?.presence ?? (m ? m.presence : null);
    const cls = mc?.status === "new" ? "m-new" : mc?.status === "missing" ? "m-missing"
      : presence === "2" ? "m-died" : presence === "3" || presence === "4" ? "m-moved" : presence === "6" ? "m-missing" : mc ? "m-changed" : "";
    const presText = mc?.presence_label ? label(mc.presence_label) : presence ? presenceLabel(presence) : mc?.status === "missing" ? w("m_missing") : "—";
    const beforePresence = mc?.baseline_presence_label ? label(mc.baseline_presence_label)
      : mc?.baseline_presence ? presenceLabel(mc.baseline_presence) : mc?.status === "new" ? w("m_new") : "";
    // A member who died or moved is no longer asked the rest: those "removals" are noise.
    const living = presence === "1" || presence === "5" || presence == null;
    // Before: the register's record of a member who left (died, moved, not found, missing),
    // so the reviewer sees who the change is about; a living member's differences are below.
    const factText = (f: MemberFact): string => f.value_label ? label(f.value_label) : valueText(f.value);
    const factList = (facts: MemberFact[], cls: string) => facts.length
      ? h("ul", { class: cls }, facts.map((f) => h("li", null, `${label(f.label)}: `, h("b", null, factText(f)))))
      : null;
    const beforeFacts = !living || mc?.status === "missing" ? factList(mc?.before ?? [], "rv-mbefore") : null;
    const shownChanges = (mc?.changes ?? []).filter((c) => living || c.kind !== "removed");
    const notAsked = (mc?.changes.length ?? 0) - shownChanges.length;
    const details = shownChanges.map((c) => {
      const fi = form?.members.get(c.field.replace(/^members\[\d+\]\./, ""));
      const q = fi?.label ? label(fi.label) : c.label ? label(c.label) : c.field;
      return h("li", null, `${q}: `, h("s", null, c.baseline_label ? label(c.baseline_label) : choiceText(fi, c.baseline)), " → ",
        h("b", null, c.visited_label ? label(c.visited_label) : choiceText(fi, c.visited)));
    });
    // After: the details of the change (a death's date and certificate, a move's date and
    // destination, a new member's birth date, relationship and kind).
    const afterFacts = factList(mc?.details ?? [], "rv-mdetails");
    return h("tr", { class: cls },
      h("td", null, i === null ? "—" : String(i + 1)),
      h("td", null, mc?.name || String(m?.full_name ?? m?.name ?? "—")),
      h("td", { class: "rv-mono" }, (mc?.nik ?? (m?.nik as string | undefined)) || "—"),
      h("td", { class: "rv-presence" }, presText),
      h("td", null, beforePresence, beforeFacts),
      h("td", null, afterFacts, details.length ? h("ul", { class: "rv-mchanges" }, details) : "",
        notAsked > 0 ? h("div", { class: "rv-sub" }, w("m_not_asked", { n: notAsked })) : null));
  };
  const memberRows = [
    ...visitedMembers.map((m, i) => memberRow(m, byIndex.get(i), i)),
    ...(b?.member_changes ?? []).filter((mc) => mc.status === "missing").map((mc) => memberRow(null, mc, null)),
  ];
  const membersCard = section("members", `${w("members")} (${visitedMembers.length})`,
    memberRows.length === 0 ? h("p", { class: "rv-none" }, "—") :
      h("div", { class: "rv-scroll" }, h("table", { class: "rv-members" },
        h("thead", null, h("tr", null, ["#", w("m_name"), w("m_nik") + (masked ? ` (${w("masked")})` : ""), w("m_presence"), w("m_before"), w("m_changes")].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", null, memberRows))));

  // --- map -------------------------------------------------------------------------------
  const points: MapPoint[] = [];
  if (hh?.latitude != null && hh.longitude != null) points.push({ lat: hh.latitude, lon: hh.longitude, kind: "household", label: w("m_household") });
  if (v.gps) points.push({ lat: v.gps.lat, lon: v.gps.lon, kind: "visit", accuracy_m: v.gps.accuracy_m ?? null,
    label: w("m_visit", { acc: v.gps.accuracy_m == null ? "?" : `±${Math.round(v.gps.accuracy_m)} m` }) });
  v.photos.forEach((p, i) => {
    if (p.gps) points.push({ lat: p.gps.lat, lon: p.gps.lon, kind: "photo", accuracy_m: null, label: w("m_photo", { n: i + 1, kind: kindName(p.kind) }) });
  });
  const mapBox = h("div", { class: "rv-map", id: "visit-map" });
  const mapCard = section("map", w("map"), mapBox);

  // --- decisions -------------------------------------------------------------------------
  const historyCard = section("history", w("decisions"),
    v.decisions.length === 0 ? h("p", { class: "rv-none" }, w("no_decisions")) :
      h("ol", { class: "rv-history" }, v.decisions.map((d) => h("li", { class: `d-${d.decision}` },
        h("div", null, h("b", null, w(d.decision)), " · ", d.reviewer_name, " · ", fmtTime(d.created_at)),
        h("div", { class: "rv-sub" }, `${stateNameSafe(d.from_state)} → ${stateNameSafe(d.to_state)}`),
        d.comment ? h("blockquote", null, d.comment) : null))));

  const allowed = new Set<DecisionKind>(v.allowed_decisions);
  let choice: DecisionKind | null = null;
  const comment = h("textarea", { id: "decision-comment", rows: 3, maxLength: 2000, placeholder: "" });
  const commentLabel = h("label", { for: "decision-comment", class: "rv-comment-label" }, w("comment"));
  const commentBox = h("div", { class: "rv-comment", hidden: true }, commentLabel, comment);
  const problem = h("div", { class: "rv-problem", role: "alert", hidden: true });
  const confirm = h("button", { type: "button", class: "btn primary", id: "decision-confirm", hidden: true, onclick: () => void submit() });
  const cancel = h("button", { type: "button", class: "btn secondary", hidden: true, onclick: () => pick(null) }, w("cancel"));
  const buttons = (["approve", "return", "escalate"] as DecisionKind[]).map((k) =>
    h("button", {
      type: "button", class: `btn rv-decide d-${k}`, id: `decide-${k}`, "data-decision": k,
      disabled: !allowed.has(k), title: allowed.has(k) ? undefined : w("not_allowed"), "aria-pressed": "false",
      onclick: () => pick(k),
    }, h("kbd", null, k[0]!), " ", w(k)));
  function pick(k: DecisionKind | null): void {
    if (k && !allowed.has(k)) return;
    choice = k;
    problem.hidden = true;
    for (const btn of buttons) btn.setAttribute("aria-pressed", btn.dataset.decision === k ? "true" : "false");
    commentBox.hidden = !(k === "return" || k === "escalate");
    commentLabel.textContent = k === "escalate" ? w("comment_escalate") : w("comment");
    confirm.hidden = k === null;
    cancel.hidden = k === null;
    if (k) confirm.textContent = w(`confirm_${k}` as "confirm_approve");
    confirm.className = `btn ${k === "approve" ? "primary" : k === "return" ? "warn" : "danger"}`;
    decisionCard.scrollIntoView({ block: "nearest" });
    if (k === "return" || k === "escalate") comment.focus();
    else if (k) confirm.focus();
  }
  async function submit(): Promise<void> {
    if (!choice) return;
    const text = comment.value.trim();
    if ((choice === "return" || choice === "escalate") && !text) {
      problem.textContent = w("comment_needed");
      problem.hidden = false;
      comment.focus();
      return;
    }
    confirm.disabled = true;
    try {
      const res = await reviewApi.decide(v.id, choice, text || null);
      toast(w("decided", { d: w(res.decision.decision) }));
      if (!(await go(1))) {
        toast(w("end_of_queue"));
        location.hash = queueHash;
      }
    } catch (e) {
      problem.replaceChildren(...nodes(errorText(e), " ",
        e instanceof ApiError && (e.code === "state_changed" || e.code === "invalid_transition")
          ? h("button", { type: "button", class: "btn small secondary", onclick: () => window.dispatchEvent(new HashChangeEvent("hashchange")) }, w("reload"))
          : null));
      problem.hidden = false;
    } finally {
      confirm.disabled = false;
    }
  }
  const readOnly = v.allowed_decisions.length === 0 && app.session?.role === "auditor";
  const decisionCard = section("decision", w("decide"),
    readOnly ? h("p", { class: "rv-none" }, w("read_only")) : [
      h("div", { class: "rv-decide-buttons" }, buttons),
      commentBox, problem,
      h("div", { class: "rv-decide-actions" }, cancel, confirm),
    ]);

  // --- layout ----------------------------------------------------------------------------
  root.replaceChildren(h("div", { class: "rv-visit", "data-visit": v.id, "data-state": v.state },
    h("div", { class: "rv-main" }, header, flagsCard, civilCard, photosCard, answersCard, membersCard),
    h("aside", { class: "rv-aside" }, mapCard, decisionCard, historyCard)));

  onKey = (ev: KeyboardEvent) => {
    if (!isShortcut(ev) || document.querySelector("dialog[open]")) return;
    const k = ev.key;
    if (k === "n") void go(1);
    else if (k === "p") void go(-1);
    else if (k === "u") location.hash = queueHash;
    else if ((k === "a" || k === "r" || k === "e") && !readOnly) {
      ev.preventDefault(); // the key must not land in the comment box
      pick(k === "a" ? "approve" : k === "r" ? "return" : "escalate");
    } else return;
  };
  document.addEventListener("keydown", onKey);
  comment.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) void submit();
    if (ev.key === "Escape") pick(null);
  });

  mapHandle = await pointsMap(mapBox, points, { connect: true, height: "340px" });
  if (!alive) mapHandle.destroy();
  return cleanup;
}

function stateNameSafe(s: string): string {
  return w(`st_${s}` as "st_complete");
}
