// The visit: start (outcome + GPS) → the form's groups → photos → finish. The draft lives in
// one DraftStore: every handler dispatches an action to it (visits/draft.ts), the store saves
// to IndexedDB at once (a killed app reopens where it was) and the screen draws from it.
import { type Outcome, OUTCOMES, PHOTO_KINDS, type PhotoKind, requiredPhotoKinds } from "../api/contract";
import { app } from "../app/controller";
import { beforeUpdate } from "../app/updates";
import { getAssignment, getForm, getPhoto, getVisit, putPhoto, putVisit } from "../data/db";
import type { Assignment, PhotoMeta } from "../data/types";
import {
  type CompiledForm,
  type Evaluation,
  compileForm,
  evaluateForm,
  type FormDef,
  groupFields,
  prefill,
} from "../forms/engine";
import { maskKk } from "../forms/identity";
import { GOOD_ACCURACY_M, type Fix, lastFix, watchGps } from "../geo/gps";
import { type Key, L, lang, t } from "../i18n";
import { processPhoto } from "../media/photos";
import { answerAt, baselineAt, type DraftAction, itemsOf, parsePath, photoKindFor, type Step, visitSteps } from "../visits/draft";
import { loadRegions } from "../visits/regions";
import { forgetJournal, newestDraft } from "../visits/journal";
import { DraftStore } from "../visits/store";
import { summarise } from "../visits/summary";
import { baselineOf, finishVisit, gpsIsPoor, needsForm, type VisitProblem, visitProblems } from "../visits/visit";
import { ask, clear, h, toast } from "./dom";
import { type Answer, hintsForMember, householdHints, renderHint } from "./civilHints";
import { memberTitle, renderField } from "./fields";
import { askToSend, summaryBody } from "./summary";

const GPS_REASONS: Key[] = ["gps_reason_indoor", "gps_reason_weak", "gps_reason_device", "gps_reason_other"];

export async function visitScreen(root: HTMLElement, visitId: string): Promise<() => void> {
  const inDb = await getVisit(visitId);
  if (!inDb || inDb.userId !== app.userId) {
    root.replaceChildren(h("p", { class: "empty" }, t("not_found_page")));
    return () => undefined;
  }
  // A change the app was killed before IndexedDB took is in the journal: it is the draft.
  const loaded = newestDraft(inDb);
  if (loaded !== inDb) {
    await putVisit(loaded);
    forgetJournal(loaded.id);
  }
  const assignment: Assignment | null = loaded.assignmentKey ? ((await getAssignment(loaded.assignmentKey)) ?? null) : null;
  const stored = await getForm(loaded.form.id, loaded.form.version);
  const form: CompiledForm | null = stored ? compileForm(stored.definition as FormDef) : null;
  const initial = form ? prefill(form, baselineOf(assignment)) : {};
  const urls = new Map<string, string>();
  const cleanups: (() => void)[] = [];
  const touched = new Set<string>();
  let showAll = false;

  if (loaded.state !== "draft") {
    // Sent or queued: read-only. A visit the server holds completely keeps only its receipt.
    const kept = Object.keys(loaded.answers).length > 0 || !needsForm(loaded.outcome);
    root.replaceChildren(
      h("div", { class: "card readonly", "data-readonly": loaded.id },
        h("h2", null, loaded.label),
        h("p", { class: "muted" }, t("sent_visit_readonly")),
        h("p", null, h("span", { class: `pill ${loaded.state}` }, t(`st_${loaded.state}` as Key))),
        kept ? summaryBody(loaded, summarise(loaded, form, initial, { lang: lang() })) : null,
        h("p", { class: "muted" }, t("photos_sent", { a: loaded.photos.filter((p) => p.uploaded).length, b: loaded.photos.length })),
        h("a", { class: "btn primary wide", href: "#/outbox" }, t("outbox")),
      ),
    );
    return () => undefined;
  }

  // The one draft of this screen: handlers dispatch, nobody keeps a copy.
  const store = new DraftStore(loaded, form);
  cleanups.push(beforeUpdate(() => store.saved()));
  const draft = () => store.current;
  const dispatch = (a: DraftAction): Promise<void> => store.dispatch(a);
  // Photos a change dropped: forget their object URLs (the store deletes their bytes).
  store.subscribe((now) => {
    const kept = new Set(now.photos.map((p) => p.id));
    for (const [id, u] of urls) {
      if (kept.has(id)) continue;
      URL.revokeObjectURL(u);
      urls.delete(id);
    }
  });

  const steps = (): Step[] => visitSteps(form, draft().outcome);
  const stepLabel = (s: Step): string => {
    if (s.key === "group") {
      const g = form?.def.groups.find((x) => x.name === s.group);
      return g ? L(g.label) : s.group;
    }
    return s.key === "start" ? t("step_start") : s.key === "photos" ? t("step_photos") : t("step_finish");
  };

  const photoUrl = async (id: string): Promise<string | null> => {
    if (urls.has(id)) return urls.get(id)!;
    const p = await getPhoto(id);
    if (!p) return null;
    const u = URL.createObjectURL(new Blob([p.bytes], { type: "image/jpeg" }));
    urls.set(id, u);
    return u;
  };

  const stampFor = (): Parameters<typeof processPhoto>[1] => {
    const fix = lastFix();
    const hh = assignment?.household;
    return {
      capturedAt: new Date().toISOString(),
      lat: fix?.lat ?? null,
      lon: fix?.lon ?? null,
      accuracy: fix?.accuracy ?? null,
      householdLabel: hh ? `Ruta ${hh.id} · RT ${hh.rt}/RW ${hh.rw}` : draft().label,
      enumerator: app.session ? `${app.session.displayName} (${app.session.username})` : "",
    };
  };

  /** Resize, stamp and hash a camera photo, keep it, and record it in the visit. */
  const storePhoto = async (blob: Blob, kind: PhotoKind, replace: boolean): Promise<PhotoMeta> => {
    const t0 = performance.now();
    const stamp = stampFor();
    const fix = lastFix();
    const r = await processPhoto(blob, stamp);
    // Read by bench/pwa_photo.py: camera file → resized, stamped, hashed bytes.
    performance.measure("verval:photo", { start: t0, end: performance.now() });
    const meta: PhotoMeta = {
      id: crypto.randomUUID(),
      kind,
      sha256: r.sha256,
      size: r.bytes.byteLength,
      captured_at: stamp.capturedAt,
      gps: fix
        ? { lat: fix.lat, lon: fix.lon, accuracy_m: Math.round(fix.accuracy * 10) / 10, altitude_m: fix.altitude, fixed_at: new Date(fix.at).toISOString() }
        : null,
      width: r.width,
      height: r.height,
      uploaded: false,
    };
    await putPhoto({ id: meta.id, visitId: draft().id, bytes: r.bytes });
    await dispatch({ type: "photo", photo: meta, replaceKind: replace });
    return meta;
  };

  const pickFile = (): Promise<File | null> =>
    new Promise((resolve) => {
      const input = h("input", { type: "file", accept: "image/jpeg", capture: "environment", class: "hidden-file" });
      input.addEventListener("change", () => {
        resolve(input.files?.[0] ?? null);
        input.remove();
      });
      input.addEventListener("cancel", () => {
        resolve(null);
        input.remove();
      });
      document.body.appendChild(input);
      input.click();
    });

  const capture = async (type: "photo" | "signature", path: string, blob?: Blob): Promise<string | null> => {
    const file = blob ?? (await pickFile());
    if (!file) return null;
    const kind = photoKindFor(parsePath(path).field);
    try {
      return (await storePhoto(file, kind, false)).id;
    } catch {
      toast(t("photo_failed"), "error");
      return null;
    }
  };

  // ---------------------------------------------------------------- answers
  const setAt = (path: string, value: unknown): void => {
    touched.add(path);
    void dispatch({ type: "answer", path, value });
    refresh();
  };

  // ---------------------------------------------------------------- layout
  const title = h("div", { class: "visit-title" });
  const body = h("div", { class: "visit-body" });
  const footer = h("div", { class: "visit-footer" });
  root.replaceChildren(title, body, footer);

  let evaluation: Evaluation | null = null;
  const refresh = (): void => {
    if (!form) return;
    const answers = draft().answers;
    evaluation = evaluateForm(form, answers);
    for (const el of body.querySelectorAll<HTMLElement>("[data-path]")) {
      const path = el.dataset.path!;
      const p = parsePath(path);
      const st = p.repeat !== null ? evaluation.instances.get(p.repeat)?.[p.index]?.get(p.field) : evaluation.top.get(path);
      if (!st) continue;
      el.hidden = !st.relevant;
      const req = el.querySelector(".req");
      if (req) req.textContent = st.required ? " *" : "";
      const err = el.querySelector<HTMLElement>(":scope > .err");
      const show = st.error && (showAll || touched.has(path));
      if (err) err.textContent = show ? L(st.error) : "";
      el.classList.toggle("has-error", Boolean(show));
    }
    for (const el of body.querySelectorAll<HTMLElement>("[data-member]")) {
      const [rep, idx] = el.dataset.member!.split(":");
      const item = itemsOf(answers, rep!)[Number(idx)];
      const summary = el.querySelector(".member-title");
      if (item && summary) summary.textContent = memberTitle(form, rep!, item, Number(idx));
      const bad = [...(evaluation.instances.get(rep!)?.[Number(idx)]?.values() ?? [])].some((s) => s.relevant && s.error);
      el.classList.toggle("member-bad", bad && showAll);
    }
  };

  const fieldCtx = (path: string) => ({
    path,
    value: answerAt(draft().answers, path),
    baseline: baselineAt(draft().answers, initial, path),
    onChange: (x: unknown) => setAt(path, x),
    capture,
    photoUrl,
  });

  const renderRepeat = (name: string): HTMLElement => {
    const cf = form!.fields.get(name)!;
    const list = itemsOf(draft().answers, name);
    const wrap = h("div", { class: "field repeat", "data-path": name },
      h("div", { class: "q" }, L(cf.def.label), h("span", { class: "req" }, "")),
      h("div", { class: "err", role: "alert" }),
    );
    for (const hint of householdHints(assignment)) wrap.appendChild(renderHint(hint, null, () => undefined));
    list.forEach((item, i) => {
      const hints = hintsForMember(assignment, item);
      const det = h("details", { class: "member", "data-member": `${name}:${i}`, open: Boolean(item._new) || list.length <= 2 || hints.length > 0 },
        h("summary", null, h("span", { class: "member-title" }, memberTitle(form!, name, item, i)),
          hints.length ? h("span", { class: "civil-badge" }, "Dukcapil") : null),
      );
      const apply = (answers: Answer[]): void => {
        // Only the fields this form version has (v1 records no date of death).
        for (const [field, value] of answers) if (cf.children.includes(field)) setAt(`${name}[${i}].${field}`, value);
        render();
      };
      for (const hint of hints) det.appendChild(renderHint(hint, item, apply));
      for (const child of cf.children) det.appendChild(renderField(form!.fields.get(child)!, fieldCtx(`${name}[${i}].${child}`)));
      if (item._new) {
        det.appendChild(
          h("button", {
            type: "button",
            class: "btn secondary remove-member",
            onclick: () => {
              void dispatch({ type: "remove_member", repeat: name, index: i });
              render();
            },
          }, t("remove_member")),
        );
      }
      wrap.appendChild(det);
    });
    wrap.appendChild(
      h("button", {
        type: "button",
        class: "btn secondary wide add-member",
        onclick: () => {
          void dispatch({ type: "add_member", repeat: name });
          render();
          const last = itemsOf(draft().answers, name).length - 1;
          body.querySelector<HTMLElement>(`[data-member="${name}:${last}"] input`)?.focus();
        },
      }, "+ " + t("add_member")),
    );
    return wrap;
  };

  const householdCard = (): HTMLElement => {
    const hh = assignment?.household;
    if (!hh) return h("div", { class: "card" }, h("h2", null, draft().label));
    return h("div", { class: "card household" },
      h("h2", null, hh.headName || draft().label),
      h("p", null, hh.address, hh.rt ? ` · RT ${hh.rt}/RW ${hh.rw}` : ""),
      hh.kk ? h("p", { class: "muted" }, `${t("kk")} ${maskKk(hh.kk)}`) : null,
      assignment?.state === "returned" && assignment.returnComment
        ? h("div", { class: "returned-note" }, h("strong", null, t("returned_comment") + ": "), assignment.returnComment)
        : null,
    );
  };

  const gpsPanel = (): HTMLElement => {
    const live = h("div", { class: "gps-live", "aria-live": "polite" });
    const saved = h("div", { class: "gps-saved" });
    const reasonBox = h("div", { class: "gps-reason" });
    const reasonSel = h("div", { class: "choices", role: "radiogroup" });
    const reasonText = h("input", { type: "text", maxlength: 180, placeholder: t("gps_reason_text"), value: "" });
    const known = GPS_REASONS.map((k) => t(k));
    const current = draft().gpsReason;
    const isOther = current !== "" && !known.slice(0, 3).includes(current);
    for (const k of GPS_REASONS) {
      const label = t(k);
      const input = h("input", { type: "radio", name: "gps-reason", value: label, checked: k === "gps_reason_other" ? isOther : current === label });
      input.addEventListener("change", () => {
        const other = k === "gps_reason_other";
        reasonText.hidden = !other;
        if (other) reasonText.focus();
        void dispatch({ type: "gps_reason", reason: other ? reasonText.value : label });
        updateSaved();
      });
      reasonSel.appendChild(h("label", { class: "choice" }, input, h("span", null, label)));
    }
    reasonText.hidden = !isOther;
    if (isOther) reasonText.value = current;
    reasonText.addEventListener("input", () => void dispatch({ type: "gps_reason", reason: reasonText.value }));
    reasonBox.append(h("div", { class: "q" }, t("gps_reason")), reasonSel, reasonText);

    const useBtn = h("button", { type: "button", class: "btn secondary wide" }, t("gps_use"));
    let auto = !draft().gps;
    const take = (fix: Fix) => {
      void dispatch({ type: "fix", fix });
      updateSaved();
    };
    useBtn.addEventListener("click", () => {
      const f = lastFix();
      auto = false;
      if (f) take(f);
    });
    const updateSaved = () => {
      const v = draft();
      const g = v.gps;
      saved.textContent = g
        ? t("gps_saved", { lat: g.lat.toFixed(6), lon: g.lon.toFixed(6), m: Math.round(g.accuracy_m ?? 0) })
        : "";
      saved.className = `gps-saved ${g && !gpsIsPoor(v) ? "good" : g ? "poor" : ""}`;
      reasonBox.hidden = Boolean(g) && !gpsIsPoor(v);
    };
    updateSaved();
    cleanups.push(
      watchGps((fix, status) => {
        if (status === "denied") live.textContent = t("gps_denied");
        else if (status === "unavailable") live.textContent = t("gps_unavailable");
        else if (!fix) live.textContent = t("gps_waiting");
        else {
          const good = fix.accuracy <= GOOD_ACCURACY_M;
          live.replaceChildren(
            h("span", { class: `acc ${good ? "good" : "poor"}` }, t("gps_accuracy", { m: Math.round(fix.accuracy) })),
            " ",
            good ? t("gps_good") : t("gps_poor", { t: GOOD_ACCURACY_M }),
          );
          // Keep the best fix automatically until the enumerator picks one.
          const cur = draft().gps?.accuracy_m ?? Infinity;
          if (auto && fix.accuracy < cur) take(fix);
        }
        useBtn.disabled = !fix;
      }),
    );
    return h("div", { class: "card gps", "data-path": "gps" }, h("h3", null, t("gps")), live, saved, useBtn, reasonBox);
  };

  const outcomePanel = (): HTMLElement => {
    const box = h("div", { class: "choices", role: "radiogroup", "aria-label": t("outcome") });
    const options: Outcome[] = assignment ? OUTCOMES : ["new_household"];
    for (const o of options) {
      const input = h("input", { type: "radio", name: "outcome", value: o, checked: draft().outcome === o });
      input.addEventListener("change", () => {
        void dispatch({ type: "outcome", outcome: o });
        renderFooter();
      });
      box.appendChild(h("label", { class: "choice" }, input, h("span", null, t(`outcome_${o}` as Key))));
    }
    return h("div", { class: "card", "data-path": "outcome" }, h("h3", null, t("outcome")), box);
  };

  const photosPanel = (): HTMLElement => {
    const required = requiredPhotoKinds(draft().outcome);
    const kinds = [...PHOTO_KINDS].sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
    const grid = h("div", { class: "photo-grid" });
    for (const kind of kinds) {
      const have = draft().photos.filter((p) => p.kind === kind);
      const img = h("img", { class: "thumb", alt: t(`kind_${kind}` as Key), hidden: have.length === 0 });
      if (have[0]) void photoUrl(have[have.length - 1]!.id).then((u) => u && (img.src = u));
      const status = h("div", { class: "photo-status", "aria-live": "polite" });
      const btn = h("button", { type: "button", class: `btn ${have.length ? "secondary" : "primary"} wide` }, have.length ? t("retake_photo") : t("take_photo"));
      btn.addEventListener("click", async () => {
        const file = await pickFile();
        if (!file) return;
        btn.disabled = true;
        status.textContent = t("processing_photo");
        try {
          await storePhoto(file, kind, true);
          status.textContent = "";
          render();
        } catch {
          status.textContent = t("photo_failed");
          btn.disabled = false;
        }
      });
      grid.appendChild(
        h("div", { class: `photo-tile${required.has(kind) ? " required" : ""}${have.length ? " done" : ""}`, "data-path": kind, "data-kind": kind },
          h("div", { class: "photo-head" },
            h("span", { class: "photo-kind" }, t(`kind_${kind}` as Key)),
            h("span", { class: `kind-badge ${required.has(kind) ? "must" : "opt"}` }, required.has(kind) ? t("photo_required") : t("photo_optional")),
          ),
          img,
          status,
          btn,
        ),
      );
    }
    return h("div", null, h("h2", { class: "step-h" }, t("photos")), grid);
  };

  const finishPanel = (): HTMLElement => {
    const v = draft();
    const wrap = h("div", null);
    if (needsForm(v.outcome)) {
      const box = h("div", { class: "choices", role: "radiogroup" });
      for (const e of ["layak", "tidak_layak", "musdes"] as const) {
        const input = h("input", { type: "radio", name: "elig", value: e, checked: v.eligibility === e });
        input.addEventListener("change", () => void dispatch({ type: "eligibility", eligibility: e }));
        box.appendChild(h("label", { class: "choice" }, input, h("span", null, t(`elig_${e}` as Key))));
      }
      wrap.appendChild(h("div", { class: "card", "data-path": "eligibility" }, h("h3", null, t("eligibility")), box));
    }
    const note = h("textarea", { rows: 3, maxlength: 1800 });
    note.value = v.note;
    note.addEventListener("input", () => void dispatch({ type: "note", note: note.value }));
    wrap.appendChild(h("div", { class: "card" }, h("label", { class: "q" }, t("note")), note));
    const problems = visitProblems(v, form);
    if (problems.length) {
      const list = h("ul", { class: "problems" });
      for (const p of problems) {
        list.appendChild(
          h("li", null,
            h("span", null, problemLabel(p), ": ", L(p.message)),
            h("button", { type: "button", class: "btn small secondary", onclick: () => goToProblem(p) }, t("go_to_problem")),
          ),
        );
      }
      wrap.appendChild(h("div", { class: "card warn" }, h("h3", null, t("problems_left", { n: problems.length })), list));
    }
    wrap.appendChild(
      h("button", { type: "button", class: "btn danger-outline wide", onclick: discard }, t("discard_draft")),
    );
    return wrap;
  };

  const problemLabel = (p: VisitProblem): string => {
    if (p.step === "start") return p.key === "gps" ? t("gps") : t("outcome");
    if (p.step === "photos") return t(`kind_${p.key}` as Key);
    if (p.step === "finish") return t("eligibility");
    const path = parsePath(p.key);
    const cf = form?.fields.get(path.field);
    const lbl = cf ? `${cf.def.code ? cf.def.code + " " : ""}${L(cf.def.label)}` : p.key;
    return path.repeat !== null ? `${t("member")} ${path.index + 1} — ${lbl}` : lbl;
  };

  const goToProblem = (p: VisitProblem): void => {
    const s = steps();
    const idx = s.findIndex((x) => (p.step === "form" ? x.key === "group" && x.group === p.group : x.key === p.step));
    showAll = true;
    void go(idx >= 0 ? idx : 0, p.key);
  };

  const discard = async () => {
    if (!(await ask(t("discard_confirm"), t("discard_draft"), t("cancel"), true))) return;
    const { deleteVisit } = await import("../data/db");
    await store.saved();
    await deleteVisit(draft().id);
    location.hash = "#/";
  };

  const submit = async () => {
    showAll = true;
    await store.saved();
    const regions = await loadRegions();
    const choice = await askToSend(draft(), summarise(draft(), form, initial, { lang: lang(), regions }), problemLabel);
    if (choice === "back") return;
    if (choice !== "send") {
      goToProblem(choice.fix);
      return;
    }
    const problems = visitProblems(draft(), form);
    if (problems.length) {
      const last = steps().length - 1;
      if (draft().step !== last) await go(last);
      else render();
      toast(t("problems_left", { n: problems.length }), "warn");
      return;
    }
    // Queued from the saved draft; nothing dispatches after this (the screen is left).
    const queued = finishVisit(draft(), form);
    await putVisit(queued);
    toast(t("queued_toast"));
    void app.requestBackgroundSync();
    void app.sync(true);
    location.hash = "#/outbox";
  };

  const go = async (idx: number, focusKey?: string) => {
    const s = steps();
    await dispatch({ type: "step", step: Math.min(idx, s.length - 1) });
    render();
    window.scrollTo(0, 0);
    if (focusKey) {
      const el = body.querySelector<HTMLElement>(`[data-path="${CSS.escape(focusKey)}"]`);
      if (el) {
        el.closest("details")?.setAttribute("open", "");
        el.scrollIntoView({ block: "center" });
        el.querySelector<HTMLElement>("input, button, textarea")?.focus({ preventScroll: true });
      }
    }
  };

  const renderFooter = (): void => {
    const s = steps();
    const i = Math.min(draft().step, s.length - 1);
    clear(footer);
    footer.append(
      h("button", { type: "button", class: "btn secondary", onclick: () => (i === 0 ? history.back() : go(i - 1)) }, "‹ " + t("back")),
      i === s.length - 1
        ? h("button", { type: "button", class: "btn primary", id: "finish", onclick: submit }, t("finish_and_send"))
        : h("button", { type: "button", class: "btn primary", id: "next", onclick: () => go(i + 1) }, t("next") + " ›"),
    );
    title.replaceChildren(
      h("div", { class: "visit-label" }, draft().label),
      h("div", { class: "stepper-label" }, `${i + 1}/${s.length} · ${stepLabel(s[i]!)}`),
      h("div", { class: "progress" }, h("span", { style: { width: `${((i + 1) / s.length) * 100}%` } })),
    );
  };

  const render = (): void => {
    while (cleanups.length) cleanups.pop()!();
    const s = steps();
    const i = Math.min(draft().step, s.length - 1);
    const step = s[i]!;
    clear(body);
    if (step.key === "start") {
      body.append(householdCard(), outcomePanel(), gpsPanel());
    } else if (step.key === "group" && form) {
      const g = form.def.groups.find((x) => x.name === step.group)!;
      body.append(h("h2", { class: "step-h" }, L(g.label)));
      if (assignment) body.append(h("p", { class: "prefill-note" }, t("prefilled")));
      for (const cf of groupFields(form, g.name)) {
        body.append(cf.def.type === "repeat" ? renderRepeat(cf.name) : renderField(cf, fieldCtx(cf.name)));
      }
    } else if (step.key === "group") {
      body.append(h("p", { class: "card warn" }, t("form_unavailable")));
    } else if (step.key === "photos") {
      body.append(photosPanel());
    } else {
      body.append(finishPanel());
    }
    renderFooter();
    refresh();
  };

  render();
  // GPS runs for the whole visit: every photo is stamped with the fix of its moment.
  const stopGps = watchGps(() => undefined);
  return () => {
    stopGps();
    while (cleanups.length) cleanups.pop()!();
    for (const u of urls.values()) URL.revokeObjectURL(u);
  };
}
