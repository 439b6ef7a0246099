// The visit: start (outcome + GPS) → the form's groups → photos → finish. Every change is
// saved to IndexedDB at once, so a killed app reopens where it was.
import { type Outcome, OUTCOMES, PHOTO_KINDS, type PhotoKind, requiredPhotoKinds } from "../api/contract";
import { app } from "../app/controller";
import { deletePhoto, getAssignment, getForm, getPhoto, getVisit, putPhoto, putVisit } from "../data/db";
import type { Assignment, PhotoMeta, VisitRecord } from "../data/types";
import {
  type CompiledForm,
  type Evaluation,
  type Instance,
  compileForm,
  evaluateForm,
  type FormDef,
  groupFields,
  newInstance,
  prefill,
} from "../forms/engine";
import { maskKk } from "../forms/identity";
import { GOOD_ACCURACY_M, type Fix, lastFix, watchGps } from "../geo/gps";
import { type Key, L, t } from "../i18n";
import { processPhoto } from "../media/photos";
import { baselineOf, finishVisit, gpsIsPoor, needsForm, type VisitProblem, visitProblems } from "../visits/visit";
import { ask, clear, h, toast } from "./dom";
import { memberTitle, renderField } from "./fields";

type Step = { key: "start" } | { key: "group"; group: string; label: string } | { key: "photos" } | { key: "finish" };

const GPS_REASONS: Key[] = ["gps_reason_indoor", "gps_reason_weak", "gps_reason_device", "gps_reason_other"];

export async function visitScreen(root: HTMLElement, visitId: string): Promise<() => void> {
  const loaded = await getVisit(visitId);
  if (!loaded || loaded.userId !== app.userId) {
    root.replaceChildren(h("p", { class: "empty" }, t("not_found_page")));
    return () => undefined;
  }
  let v: VisitRecord = loaded;
  const assignment: Assignment | null = v.assignmentKey ? ((await getAssignment(v.assignmentKey)) ?? null) : null;
  const stored = await getForm(v.form.id, v.form.version);
  const form: CompiledForm | null = stored ? compileForm(stored.definition as FormDef) : null;
  const initial = form ? prefill(form, baselineOf(assignment)) : {};
  const urls = new Map<string, string>();
  const cleanups: (() => void)[] = [];
  const touched = new Set<string>();
  let showAll = false;

  if (v.state !== "draft") {
    root.replaceChildren(
      h("div", { class: "card" }, h("h2", null, v.label), h("p", null, t("visit_locked")), h("a", { class: "btn primary", href: "#/outbox" }, t("outbox"))),
    );
    return () => undefined;
  }

  const save = async () => {
    v = { ...v, updatedAt: Date.now() };
    await putVisit(v);
  };

  const steps = (): Step[] => {
    const s: Step[] = [{ key: "start" }];
    if (form && needsForm(v.outcome))
      for (const g of form.def.groups) s.push({ key: "group", group: g.name, label: L(g.label) });
    s.push({ key: "photos" }, { key: "finish" });
    return s;
  };
  const stepLabel = (s: Step): string =>
    s.key === "start" ? t("step_start") : s.key === "group" ? s.label : s.key === "photos" ? t("step_photos") : t("step_finish");

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
      householdLabel: hh ? `Ruta ${hh.id} · RT ${hh.rt}/RW ${hh.rw}` : v.label,
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
    await putPhoto({ id: meta.id, visitId: v.id, bytes: r.bytes });
    const old = replace ? v.photos.filter((p) => p.kind === kind) : [];
    v = { ...v, photos: [...v.photos.filter((p) => !old.includes(p)), meta] };
    await save();
    for (const p of old) {
      await deletePhoto(p.id);
      const u = urls.get(p.id);
      if (u) URL.revokeObjectURL(u);
      urls.delete(p.id);
    }
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
    const name = path.split(".").pop() ?? "";
    const kind = (PHOTO_KINDS as string[]).includes(name) ? (name as PhotoKind) : "minutes";
    try {
      return (await storePhoto(file, kind, false)).id;
    } catch {
      toast(t("photo_failed"), "error");
      return null;
    }
  };

  // ---------------------------------------------------------------- answers
  const getAt = (path: string): unknown => {
    const m = /^(\w+)\[(\d+)\]\.(\w+)$/.exec(path);
    if (!m) return v.answers[path];
    const list = v.answers[m[1]!] as Instance[] | undefined;
    return list?.[Number(m[2])]?.[m[3]!];
  };
  const baselineAt = (path: string): unknown => {
    const m = /^(\w+)\[(\d+)\]\.(\w+)$/.exec(path);
    if (!m) return initial[path];
    const item = ((v.answers[m[1]!] as Instance[] | undefined) ?? [])[Number(m[2])];
    if (!item || item._new) return undefined;
    const base = ((initial[m[1]!] as Instance[] | undefined) ?? [])[Number(item._base ?? m[2])];
    return base?.[m[3]!];
  };
  const setAt = (path: string, value: unknown): void => {
    touched.add(path);
    const m = /^(\w+)\[(\d+)\]\.(\w+)$/.exec(path);
    if (!m) {
      const answers = { ...v.answers };
      if (value === null || value === undefined) delete answers[path];
      else answers[path] = value;
      v = { ...v, answers };
    } else {
      const list = [...((v.answers[m[1]!] as Instance[] | undefined) ?? [])];
      const item = { ...(list[Number(m[2])] ?? {}) };
      if (value === null || value === undefined) delete item[m[3]!];
      else item[m[3]!] = value;
      list[Number(m[2])] = item;
      v = { ...v, answers: { ...v.answers, [m[1]!]: list } };
    }
    void save();
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
    evaluation = evaluateForm(form, v.answers);
    for (const el of body.querySelectorAll<HTMLElement>("[data-path]")) {
      const path = el.dataset.path!;
      const m = /^(\w+)\[(\d+)\]\.(\w+)$/.exec(path);
      const st = m ? evaluation.instances.get(m[1]!)?.[Number(m[2])]?.get(m[3]!) : evaluation.top.get(path);
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
      const item = ((v.answers[rep!] as Instance[] | undefined) ?? [])[Number(idx)];
      const summary = el.querySelector(".member-title");
      if (item && summary) summary.textContent = memberTitle(form, rep!, item, Number(idx));
      const bad = [...(evaluation.instances.get(rep!)?.[Number(idx)]?.values() ?? [])].some((s) => s.relevant && s.error);
      el.classList.toggle("member-bad", bad && showAll);
    }
  };

  const fieldCtx = (path: string) => ({
    path,
    value: getAt(path),
    baseline: baselineAt(path),
    onChange: (x: unknown) => setAt(path, x),
    capture,
    photoUrl,
  });

  const renderRepeat = (name: string): HTMLElement => {
    const cf = form!.fields.get(name)!;
    const list = (v.answers[name] as Instance[] | undefined) ?? [];
    const wrap = h("div", { class: "field repeat", "data-path": name },
      h("div", { class: "q" }, L(cf.def.label), h("span", { class: "req" }, "")),
      h("div", { class: "err", role: "alert" }),
    );
    list.forEach((item, i) => {
      const det = h("details", { class: "member", "data-member": `${name}:${i}`, open: Boolean(item._new) || list.length <= 2 },
        h("summary", null, h("span", { class: "member-title" }, memberTitle(form!, name, item, i))),
      );
      for (const child of cf.children) det.appendChild(renderField(form!.fields.get(child)!, fieldCtx(`${name}[${i}].${child}`)));
      if (item._new) {
        det.appendChild(
          h("button", {
            type: "button",
            class: "btn secondary",
            onclick: async () => {
              const next = list.filter((_, j) => j !== i);
              v = { ...v, answers: { ...v.answers, [name]: next } };
              await save();
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
        onclick: async () => {
          const item: Instance = { ...newInstance(form!, name, null), _new: true };
          const presence = form!.fields.get("presence");
          if (cf.children.includes("presence") && presence?.choices.some((c) => c.code === "5")) item.presence = "5";
          v = { ...v, answers: { ...v.answers, [name]: [...list, item] } };
          await save();
          render();
          body.querySelector<HTMLElement>(`[data-member="${name}:${list.length}"] input`)?.focus();
        },
      }, "＋ " + t("add_member")),
    );
    return wrap;
  };

  const householdCard = (): HTMLElement => {
    const hh = assignment?.household;
    if (!hh) return h("div", { class: "card" }, h("h2", null, v.label));
    return h("div", { class: "card household" },
      h("h2", null, hh.headName || v.label),
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
    const current = v.gpsReason;
    const isOther = current !== "" && !known.slice(0, 3).includes(current);
    for (const k of GPS_REASONS) {
      const label = t(k);
      const input = h("input", { type: "radio", name: "gps-reason", value: label, checked: k === "gps_reason_other" ? isOther : current === label });
      input.addEventListener("change", async () => {
        if (k === "gps_reason_other") {
          reasonText.hidden = false;
          reasonText.focus();
          v = { ...v, gpsReason: reasonText.value.trim() };
        } else {
          reasonText.hidden = true;
          v = { ...v, gpsReason: label };
        }
        await save();
        updateSaved();
      });
      reasonSel.appendChild(h("label", { class: "choice" }, input, h("span", null, label)));
    }
    reasonText.hidden = !isOther;
    if (isOther) reasonText.value = current;
    reasonText.addEventListener("input", async () => {
      v = { ...v, gpsReason: reasonText.value.trim() };
      await save();
    });
    reasonBox.append(h("div", { class: "q" }, t("gps_reason")), reasonSel, reasonText);

    const useBtn = h("button", { type: "button", class: "btn secondary wide" }, t("gps_use"));
    let auto = !v.gps;
    const take = async (fix: Fix) => {
      v = {
        ...v,
        gps: {
          lat: fix.lat,
          lon: fix.lon,
          accuracy_m: Math.round(fix.accuracy * 10) / 10,
          altitude_m: fix.altitude,
          fixed_at: new Date(fix.at).toISOString(),
        },
      };
      await save();
      updateSaved();
    };
    useBtn.addEventListener("click", () => {
      const f = lastFix();
      auto = false;
      if (f) void take(f);
    });
    const updateSaved = () => {
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
          const cur = v.gps?.accuracy_m ?? Infinity;
          if (auto && fix.accuracy < cur) void take(fix);
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
      const input = h("input", { type: "radio", name: "outcome", value: o, checked: v.outcome === o });
      input.addEventListener("change", async () => {
        v = { ...v, outcome: o };
        await save();
        renderFooter();
      });
      box.appendChild(h("label", { class: "choice" }, input, h("span", null, t(`outcome_${o}` as Key))));
    }
    return h("div", { class: "card", "data-path": "outcome" }, h("h3", null, t("outcome")), box);
  };

  const photosPanel = (): HTMLElement => {
    const required = requiredPhotoKinds(v.outcome);
    const kinds = [...PHOTO_KINDS].sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
    const grid = h("div", { class: "photo-grid" });
    for (const kind of kinds) {
      const have = v.photos.filter((p) => p.kind === kind);
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
    const wrap = h("div", null);
    if (needsForm(v.outcome)) {
      const box = h("div", { class: "choices", role: "radiogroup" });
      for (const e of ["layak", "tidak_layak", "musdes"] as const) {
        const input = h("input", { type: "radio", name: "elig", value: e, checked: v.eligibility === e });
        input.addEventListener("change", async () => {
          v = { ...v, eligibility: e };
          await save();
        });
        box.appendChild(h("label", { class: "choice" }, input, h("span", null, t(`elig_${e}` as Key))));
      }
      wrap.appendChild(h("div", { class: "card" }, h("h3", null, t("eligibility")), box));
    }
    const note = h("textarea", { rows: 3, maxlength: 1800 });
    note.value = v.note;
    note.addEventListener("input", async () => {
      v = { ...v, note: note.value };
      await save();
    });
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
    const m = /^(\w+)\[(\d+)\]\.(\w+)$/.exec(p.key);
    const cf = form?.fields.get(m ? m[3]! : p.key);
    const lbl = cf ? `${cf.def.code ? cf.def.code + " " : ""}${L(cf.def.label)}` : p.key;
    return m ? `${t("member")} ${Number(m[2]) + 1} — ${lbl}` : lbl;
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
    await deleteVisit(v.id);
    location.hash = "#/";
  };

  const submit = async () => {
    showAll = true;
    const problems = visitProblems(v, form);
    if (problems.length) {
      const last = steps().length - 1;
      if (v.step !== last) await go(last);
      else render();
      toast(t("problems_left", { n: problems.length }), "warn");
      return;
    }
    const queued = finishVisit(v, form);
    await putVisit(queued);
    v = queued;
    toast(t("queued_toast"));
    void app.requestBackgroundSync();
    void app.sync(true);
    location.hash = "#/outbox";
  };

  const go = async (idx: number, focusKey?: string) => {
    const s = steps();
    v = { ...v, step: Math.max(0, Math.min(idx, s.length - 1)) };
    await save();
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
    const i = Math.min(v.step, s.length - 1);
    clear(footer);
    footer.append(
      h("button", { type: "button", class: "btn secondary", onclick: () => (i === 0 ? history.back() : go(i - 1)) }, "‹ " + t("back")),
      i === s.length - 1
        ? h("button", { type: "button", class: "btn primary", id: "finish", onclick: submit }, t("finish_and_send"))
        : h("button", { type: "button", class: "btn primary", id: "next", onclick: () => go(i + 1) }, t("next") + " ›"),
    );
    title.replaceChildren(
      h("div", { class: "visit-label" }, v.label),
      h("div", { class: "stepper-label" }, `${i + 1}/${s.length} · ${stepLabel(s[i]!)}`),
      h("div", { class: "progress" }, h("span", { style: { width: `${((i + 1) / s.length) * 100}%` } })),
    );
  };

  const render = (): void => {
    while (cleanups.length) cleanups.pop()!();
    const s = steps();
    const i = Math.min(v.step, s.length - 1);
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
