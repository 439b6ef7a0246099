// A chain of selects from the user's own regions down to a village (or any level).
import { h } from "../../ui/dom";
import { call, type S } from "../audit/api";
import { depth } from "../progress/model";
import { strings } from "../strings";

const s = strings(
  { province: "Provinsi", regency: "Kabupaten/Kota", district: "Kecamatan", village: "Desa/Kelurahan", choose: "— pilih —", all: "— seluruhnya —" },
  { province: "Province", regency: "Regency/City", district: "District", village: "Village", choose: "— choose —", all: "— all of it —" },
);

type Region = { code: string; name: string; level: string; household_count?: number | null };

const childrenCache = new Map<string, Region[]>();
async function children(code: string): Promise<Region[]> {
  let c = childrenCache.get(code);
  if (!c) {
    c = await call<S["RegionChild"][]>(`/api/v1/regions/${encodeURIComponent(code)}/children${depth(code) === 3 ? "?counts=true" : ""}`);
    childrenCache.set(code, c);
  }
  return c;
}

export async function myRegions(): Promise<S["RegionOut"][]> {
  return call<S["RegionOut"][]>("/api/v1/regions");
}

export interface PickerOptions {
  roots: Region[];
  value: string | null;
  /** "village": only a village completes the choice; "any": every level does. */
  until: "village" | "any";
  onChange: (code: string | null) => void;
}

/** Renders into `el`; returns a function that reads the current choice. */
export function regionPicker(el: HTMLElement, opts: PickerOptions): () => string | null {
  const root = opts.roots.slice().sort((a, b) => a.code.localeCompare(b.code));
  let path: string[] = [];
  if (opts.value) {
    const r = root.find((x) => opts.value === x.code || opts.value!.startsWith(x.code + "."));
    if (r) {
      const parts = opts.value.split(".");
      for (let d = depth(r.code); d <= parts.length; d++) path.push(parts.slice(0, d).join("."));
    }
  }
  if (path.length === 0 && root.length === 1) path = [root[0]!.code];
  const current = () => {
    const last = path[path.length - 1] ?? null;
    if (!last) return null;
    return opts.until === "village" && depth(last) < 4 ? null : last;
  };

  const select = (items: Region[], chosen: string | undefined, index: number, allowAll: boolean) => {
    const level = items[0]?.level ?? "";
    const label = (s as (k: string) => string)(level) || level;
    const sel = h("select", {
      "aria-label": label,
      "data-level": level,
      onchange: () => {
        path = path.slice(0, index);
        if (sel.value) path.push(sel.value);
        void draw();
        opts.onChange(current());
      },
    },
    h("option", { value: "" }, allowAll ? s("all") : s("choose")),
    items.map((r) => h("option", { value: r.code, selected: r.code === chosen },
      r.household_count !== null && r.household_count !== undefined ? `${r.name} (${r.household_count})` : r.name)));
    return h("label", { class: "picker-step" }, h("span", { class: "small muted" }, label), sel);
  };

  const draw = async () => {
    const parts: HTMLElement[] = [select(root, path[0], 0, false)];
    for (let i = 0; i < path.length; i++) {
      const code = path[i]!;
      if (depth(code) >= 4) break;
      const kids = await children(code);
      if (!kids.length) break;
      parts.push(select(kids, path[i + 1], i + 1, opts.until === "any"));
    }
    el.replaceChildren(...parts);
  };
  el.classList.add("region-picker");
  void draw();
  return current;
}
