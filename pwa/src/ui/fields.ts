// One widget per field type. A widget reports typed answers through onChange; the visit
// screen owns the answers, saves them and refreshes relevance and messages.
import type { CompiledField, CompiledForm, Instance } from "../forms/engine";
import { choiceLabel, isEmpty } from "../forms/engine";
import { checkNik, maskNik } from "../forms/identity";
import { lastFix } from "../geo/gps";
import { type Key, L, lang, t } from "../i18n";
import { childrenOf, lineage, loadRegions, type Regions } from "../visits/regions";
import { h } from "./dom";

export interface FieldCtx {
  path: string;
  value: unknown;
  baseline: unknown;
  onChange: (value: unknown) => void;
  /** photo and signature fields: capture and return the photo's UUID */
  capture?: (kind: "photo" | "signature", path: string, blob?: Blob) => Promise<string | null>;
  photoUrl?: (id: string) => Promise<string | null>;
}

const uid = (path: string) => "f-" + path.replace(/[^a-zA-Z0-9]/g, "-");

export function parseNumber(text: string, integer: boolean): unknown {
  const s = text.trim().replace(/\s/g, "");
  if (s === "") return null;
  const norm = integer ? s : s.replace(",", ".");
  if (integer ? /^-?[0-9]+$/.test(norm) : /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/.test(norm)) {
    const n = Number(norm);
    if (Number.isFinite(n)) return n;
  }
  return s; // kept as typed: the engine reports "must be a number"
}

function display(cf: CompiledField, v: unknown): string {
  if (isEmpty(v)) return "—";
  if (cf.def.type === "select_one") return choiceLabel(cf, v, lang());
  if (cf.def.type === "select_multiple" && Array.isArray(v)) return v.map((c) => choiceLabel(cf, c, lang())).join(", ");
  if (cf.def.type === "nik" && typeof v === "string") return maskNik(v);
  return String(v);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x) => b.includes(x));
  return String(a ?? "") === String(b ?? "");
}

export function fieldShell(cf: CompiledField, ctx: FieldCtx, control: HTMLElement): HTMLElement {
  const id = uid(ctx.path);
  const was = h("div", { class: "was", hidden: true });
  const updateWas = (v: unknown) => {
    const changed = !isEmpty(ctx.baseline) && !sameValue(v, ctx.baseline);
    was.hidden = !changed;
    was.textContent = changed ? t("changed_from", { v: display(cf, ctx.baseline) }) : "";
  };
  updateWas(ctx.value);
  const onChange = ctx.onChange;
  ctx.onChange = (v) => {
    updateWas(v);
    onChange(v);
  };
  const isNote = cf.def.type === "note";
  const el = h(
    "div",
    { class: `field type-${cf.def.type}`, "data-path": ctx.path, id: `${id}-wrap` },
    h(
      isNote ? "div" : "label",
      { class: isNote ? "note" : "q", for: isNote ? null : id, id: `${id}-label` },
      cf.def.code && !L(cf.def.label).startsWith(cf.def.code) ? h("span", { class: "qcode" }, cf.def.code) : null,
      L(cf.def.label),
      h("span", { class: "req", "aria-hidden": "true" }, ""),
    ),
    cf.def.hint ? h("div", { class: "hint" }, L(cf.def.hint)) : null,
    control,
    was,
    h("div", { class: "err", role: "alert", id: `${id}-err` }),
  );
  (el as HTMLElement & { _setValue?: (v: unknown) => void })._setValue = updateWas;
  return el;
}

function radios(cf: CompiledField, ctx: FieldCtx, multiple: boolean): HTMLElement {
  const id = uid(ctx.path);
  const current = multiple ? (Array.isArray(ctx.value) ? (ctx.value as string[]) : []) : [String(ctx.value ?? "")];
  const few = cf.choices.length <= 3 && cf.choices.every((c) => L(c.label).length <= 14);
  const box = h("div", {
    class: `choices${few ? " few" : ""}`,
    role: multiple ? "group" : "radiogroup",
    "aria-labelledby": `${id}-label`,
    id,
  });
  for (const c of cf.choices) {
    const input = h("input", {
      type: multiple ? "checkbox" : "radio",
      name: id,
      value: c.code,
      checked: current.includes(c.code),
    });
    input.addEventListener("change", () => {
      if (multiple) {
        const picked = Array.from(box.querySelectorAll<HTMLInputElement>("input:checked")).map((x) => x.value);
        ctx.onChange(picked);
      } else if (input.checked) ctx.onChange(c.code);
    });
    box.appendChild(h("label", { class: "choice" }, input, h("span", null, L(c.label))));
  }
  return box;
}

function numberInput(cf: CompiledField, ctx: FieldCtx): HTMLElement {
  const integer = cf.def.type === "integer";
  const input = h("input", {
    id: uid(ctx.path),
    type: "text",
    inputmode: integer ? "numeric" : "decimal",
    autocomplete: "off",
    value: isEmpty(ctx.value) ? "" : String(ctx.value).replace(".", integer ? "." : ","),
    class: "num",
  });
  input.addEventListener("input", () => ctx.onChange(parseNumber(input.value, integer)));
  if (!integer) return input;
  const step = (d: number) => {
    const cur = typeof ctx.value === "number" ? ctx.value : Number(input.value) || 0;
    const next = Math.max(0, cur + d);
    input.value = String(next);
    ctx.onChange(next);
  };
  // Steppers for small counts: one thumb, no keyboard.
  return h(
    "div",
    { class: "stepper" },
    h("button", { type: "button", class: "btn step", "aria-label": "−1", onclick: () => step(-1) }, "−"),
    input,
    h("button", { type: "button", class: "btn step", "aria-label": "+1", onclick: () => step(1) }, "+"),
  );
}

function nikInput(cf: CompiledField, ctx: FieldCtx): HTMLElement {
  const id = uid(ctx.path);
  const input = h("input", {
    id,
    type: "text",
    inputmode: "numeric",
    autocomplete: "off",
    maxlength: 16,
    value: typeof ctx.value === "string" ? ctx.value : "",
    class: "nik",
  });
  const info = h("div", { class: "nik-info" });
  const update = () => {
    const v = input.value.replace(/\D/g, "");
    if (v !== input.value) input.value = v;
    const c = v.length === 16 ? checkNik(v) : null;
    info.textContent =
      c && c.valid && c.birthDate
        ? `${c.sex === "female" ? (lang() === "en" ? "Female" : "Perempuan") : lang() === "en" ? "Male" : "Laki-laki"}, ${c.birthDate}`
        : v.length
          ? `${v.length}/16`
          : "";
  };
  input.addEventListener("input", () => {
    update();
    ctx.onChange(input.value === "" ? null : input.value);
  });
  update();
  // A pre-filled NIK is shown masked (personal data); reveal only to correct it.
  if (typeof ctx.value === "string" && ctx.value.length === 16 && sameValue(ctx.value, ctx.baseline)) {
    const masked = h("div", { class: "nik-masked" }, maskNik(ctx.value));
    const wrap = h("div", { class: "nik-wrap" });
    const edit = h("button", { type: "button", class: "btn secondary small" }, t("nik_edit"));
    edit.addEventListener("click", () => {
      wrap.replaceChildren(input, info);
      input.focus();
    });
    wrap.append(masked, edit);
    return wrap;
  }
  return h("div", { class: "nik-wrap" }, input, info);
}

function geopointInput(ctx: FieldCtx): HTMLElement {
  const out = h("div", { class: "geo-value" }, describeGeo(ctx.value));
  const btn = h("button", { type: "button", class: "btn secondary" }, t("gps_use"));
  btn.addEventListener("click", () => {
    const f = lastFix();
    if (!f) {
      out.textContent = t("gps_waiting");
      return;
    }
    const v = { lat: f.lat, lon: f.lon, accuracy: Math.round(f.accuracy * 10) / 10, ...(f.altitude !== null ? { altitude: f.altitude } : {}) };
    out.textContent = describeGeo(v);
    ctx.onChange(v);
  });
  return h("div", null, out, btn);
}

function describeGeo(v: unknown): string {
  if (!v || typeof v !== "object") return "—";
  const g = v as { lat: number; lon: number; accuracy?: number };
  return `${g.lat.toFixed(6)}, ${g.lon.toFixed(6)}${g.accuracy !== undefined ? ` ± ${Math.round(g.accuracy)} m` : ""}`;
}

function signaturePad(ctx: FieldCtx): HTMLElement {
  const canvas = h("canvas", { class: "sig", width: 600, height: 240 });
  const c2 = canvas.getContext("2d")!;
  c2.fillStyle = "#fff";
  c2.fillRect(0, 0, 600, 240);
  c2.lineWidth = 4;
  c2.lineCap = "round";
  c2.strokeStyle = "#000";
  let drawing = false;
  let dirty = false;
  const pos = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * 600) / r.width, ((e.clientY - r.top) * 240) / r.height] as const;
  };
  canvas.addEventListener("pointerdown", (e) => {
    drawing = true;
    dirty = true;
    canvas.setPointerCapture(e.pointerId);
    const [x, y] = pos(e);
    c2.beginPath();
    c2.moveTo(x, y);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    const [x, y] = pos(e);
    c2.lineTo(x, y);
    c2.stroke();
  });
  canvas.addEventListener("pointerup", () => (drawing = false));
  const status = h("div", { class: "hint" }, ctx.value ? "✓" : "");
  const save = h("button", { type: "button", class: "btn secondary" }, t("ok"));
  save.addEventListener("click", async () => {
    if (!dirty || !ctx.capture) return;
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, "image/jpeg", 0.9));
    if (!blob) return;
    const id = await ctx.capture("signature", ctx.path, blob);
    if (id) {
      status.textContent = "✓";
      ctx.onChange(id);
    }
  });
  return h("div", null, canvas, h("div", { class: "row" }, save), status);
}

function photoField(ctx: FieldCtx): HTMLElement {
  const img = h("img", { class: "thumb", alt: "", hidden: true });
  const btn = h("button", { type: "button", class: "btn secondary" }, t("take_photo"));
  if (typeof ctx.value === "string" && ctx.photoUrl) {
    void ctx.photoUrl(ctx.value).then((u) => {
      if (u) {
        img.src = u;
        img.hidden = false;
      }
    });
  }
  btn.addEventListener("click", async () => {
    const id = await ctx.capture?.("photo", ctx.path);
    if (id) {
      ctx.onChange(id);
      const u = await ctx.photoUrl?.(id);
      if (u) {
        img.src = u;
        img.hidden = false;
      }
    }
  });
  return h("div", null, img, btn);
}

/**
 * A Kemendagri region (`…_region` text fields): province → regency → district, the deepest one
 * picked is the answer. Without the region list on the phone the code is typed.
 */
function regionInput(ctx: FieldCtx): HTMLElement {
  const wrap = h("div", { class: "region-picker" });
  const typed = h("input", {
    id: uid(ctx.path),
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    placeholder: "35.07",
    value: typeof ctx.value === "string" ? ctx.value : "",
  });
  typed.addEventListener("input", () => ctx.onChange(typed.value.trim() === "" ? null : typed.value.trim()));
  const levels: Key[] = ["region_province", "region_regency", "region_district"];
  const draw = (regions: Regions, picked: string[]): void => {
    const selects = levels.map((label, depth) => {
      const parent = depth === 0 ? "" : (picked[depth - 1] ?? null);
      const options = parent === null ? [] : childrenOf(regions, parent);
      const sel = h(
        "select",
        { id: depth === 0 ? uid(ctx.path) : `${uid(ctx.path)}-${depth}`, "aria-label": t(label), disabled: options.length === 0 },
        h("option", { value: "" }, t("region_pick")),
        ...options.map(([code, name]) => h("option", { value: code, selected: picked[depth] === code }, name)),
      );
      sel.addEventListener("change", () => {
        const next = [...picked.slice(0, depth), ...(sel.value ? [sel.value] : [])];
        ctx.onChange(next.length ? next[next.length - 1]! : null);
        draw(regions, next);
      });
      return h("label", { class: "region-level" }, h("span", { class: "hint" }, t(label)), sel);
    });
    wrap.replaceChildren(...selects);
  };
  void loadRegions().then((regions) => {
    if (regions) draw(regions, typeof ctx.value === "string" && ctx.value ? lineage(ctx.value) : []);
    else wrap.replaceChildren(h("div", { class: "hint" }, t("region_list_missing")), typed);
  });
  return wrap;
}

export function renderField(cf: CompiledField, ctx: FieldCtx): HTMLElement {
  let control: HTMLElement;
  switch (cf.def.type) {
    case "select_one":
      control = radios(cf, ctx, false);
      break;
    case "select_multiple":
      control = radios(cf, ctx, true);
      break;
    case "integer":
    case "decimal":
      control = numberInput(cf, ctx);
      break;
    case "date": {
      const input = h("input", {
        id: uid(ctx.path),
        type: "date",
        max: new Date().toISOString().slice(0, 10),
        value: typeof ctx.value === "string" ? ctx.value : "",
      });
      input.addEventListener("change", () => ctx.onChange(input.value || null));
      control = input;
      break;
    }
    case "nik":
      control = nikInput(cf, ctx);
      break;
    case "geopoint":
      control = geopointInput(ctx);
      break;
    case "signature":
      control = signaturePad(ctx);
      break;
    case "photo":
      control = photoField(ctx);
      break;
    case "note":
      control = h("span");
      break;
    default: {
      if (cf.def.type === "text" && /_region$/.test(cf.name)) {
        control = regionInput(ctx);
        break;
      }
      const input = h("input", {
        id: uid(ctx.path),
        type: "text",
        autocomplete: "off",
        value: typeof ctx.value === "string" ? ctx.value : "",
      });
      input.addEventListener("input", () => ctx.onChange(input.value === "" ? null : input.value));
      control = input;
    }
  }
  return fieldShell(cf, ctx, control);
}

export function memberTitle(form: CompiledForm, repeat: string, item: Instance, i: number): string {
  const cf = form.fields.get(repeat)!;
  const nameField = cf.children.find((c) => /name/.test(c));
  const presence = cf.children.find((c) => c === "presence");
  const name = nameField && typeof item[nameField] === "string" ? (item[nameField] as string) : `${t("member")} ${i + 1}`;
  const pres = presence && !isEmpty(item[presence]) ? choiceLabel(form.fields.get(presence)!, item[presence], lang()) : "";
  return `${i + 1}. ${name}${pres ? " · " + pres : ""}`;
}
