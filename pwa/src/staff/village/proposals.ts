// The proposals tab: the village's proposals of the round (names masked) and the two forms of
// the village office: a new household (the phone's usulan_baru data, with photos of the KTP
// and the KK) and a removal (a household of the register, the reason, an evidence photo).
import { h } from "../../ui/dom";
import { call } from "../audit/api";
import { strings } from "../strings";
import type { VillageContext } from "./context";
import { longDate } from "./context";
import {
  ADDITION_REASONS, type AdditionInput, additionAnswers, additionProblems, decileBadge, type MemberInput,
  PROPOSAL_FORM_VERSION, RELATIONSHIPS, REMOVAL_REASONS, removalProblem, SEXES,
} from "./model";

const s = strings(
  {
    heading: "Usulan desa/kelurahan",
    none: "Belum ada usulan untuk putaran ini.",
    new_addition: "Usulkan keluarga baru",
    new_removal: "Usulkan dikeluarkan",
    kind: "Jenis",
    addition: "Keluarga baru",
    removal: "Dikeluarkan",
    head: "Kepala keluarga",
    kk: "No. KK",
    rt_rw: "RT/RW",
    reason: "Alasan",
    evidence: "Keterangan/bukti",
    photos: "Foto bukti",
    date: "Dicatat",
    source: "Sumber usulan",
    source_office: "Warga datang ke kantor desa (KTP dan KK)",
    source_rt: "Diusulkan Ketua RT/RW",
    head_name: "Nama kepala keluarga",
    head_nik: "NIK kepala keluarga",
    kk_number: "No. Kartu Keluarga (KK)",
    address: "Alamat",
    rt: "RT",
    rw: "RW",
    reason_other: "Alasan lainnya",
    notes: "Catatan",
    members: "Anggota keluarga lain (sesuai KK)",
    add_member: "Tambah anggota",
    remove_member: "Hapus",
    nik: "NIK",
    full_name: "Nama lengkap",
    sex: "Jenis kelamin",
    birth_date: "Tanggal lahir",
    relationship: "Hubungan keluarga",
    choose: "— pilih —",
    photo_ktp: "Foto KTP kepala keluarga",
    photo_kk: "Foto Kartu Keluarga",
    photo_evidence: "Foto bukti (mis. surat keterangan kematian)",
    save_addition: "Simpan usulan keluarga baru",
    save_removal: "Simpan usulan dikeluarkan",
    cancel: "Batal",
    find: "Cari keluarga per RT",
    find_button: "Tampilkan",
    household: "Keluarga",
    no_households: "Tidak ada keluarga aktif di RT ini.",
    saved: "Usulan tersimpan: {name} (RT {rt}/RW {rw}).",
    saved_photos: "Usulan tersimpan dengan {n} foto.",
    fix: "Periksa isian yang ditandai.",
  },
  {
    heading: "Village proposals",
    none: "No proposals for this round yet.",
    new_addition: "Propose a new household",
    new_removal: "Propose a removal",
    kind: "Kind",
    addition: "New household",
    removal: "Removal",
    head: "Head of household",
    kk: "No. KK",
    rt_rw: "RT/RW",
    reason: "Reason",
    evidence: "Evidence",
    photos: "Evidence photos",
    date: "Recorded",
    source: "Source",
    source_office: "A citizen at the village office (KTP and KK)",
    source_rt: "Proposed by the RT/RW head",
    head_name: "Name of the head",
    head_nik: "NIK of the head",
    kk_number: "Family card number (No. KK)",
    address: "Address",
    rt: "RT",
    rw: "RW",
    reason_other: "Other reason",
    notes: "Notes",
    members: "Other family members (as on the KK)",
    add_member: "Add member",
    remove_member: "Remove",
    nik: "NIK",
    full_name: "Full name",
    sex: "Sex",
    birth_date: "Date of birth",
    relationship: "Relationship to the head",
    choose: "— choose —",
    photo_ktp: "Photo of the head's KTP",
    photo_kk: "Photo of the family card",
    photo_evidence: "Evidence photo (e.g. death certificate)",
    save_addition: "Save the new household",
    save_removal: "Save the removal",
    cancel: "Cancel",
    find: "Find a household by RT",
    find_button: "Show",
    household: "Household",
    no_households: "No active household in this RT.",
    saved: "Proposal saved: {name} (RT {rt}/RW {rw}).",
    saved_photos: "Proposal saved with {n} photo(s).",
    fix: "Check the marked fields.",
  },
);

interface ProposalOut {
  id: number; kind: "addition" | "removal"; household_id: number; reason_label: string; evidence_text: string;
  source: string; head_name_masked: string; kk_masked: string; rt: string; rw: string; evidence_photos: number;
  created_at: string;
}

interface HouseholdPick { id: number; rt: string; rw: string; head_name_masked: string; kk_masked: string; decile: number | null }

function field(id: string, label: string, control: HTMLElement, wide = false): HTMLElement {
  return h("div", { class: `vf-field${wide ? " wide" : ""}`, "data-field": id },
    h("label", { for: control.id }, label), control, h("small", { class: "err vf-msg", id: `${control.id}-msg` }));
}

function options(list: [string, string][], placeholder?: string): HTMLOptionElement[] {
  const out = list.map(([v, l]) => h("option", { value: v }, l));
  return placeholder ? [h("option", { value: "" }, placeholder), ...out] : out;
}

/** Marks the form's fields with their problems (keys as in additionProblems); true when clean. */
function mark(form: HTMLElement, problems: Record<string, string>): boolean {
  for (const msg of form.querySelectorAll<HTMLElement>(".vf-msg")) msg.textContent = "";
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const [key, words] of Object.entries(problems)) {
    const box = form.querySelector<HTMLElement>(`[data-field="${key}"]`);
    if (!box) continue;
    box.querySelector(".vf-msg")!.textContent = words;
    box.querySelector("input, select, textarea")?.setAttribute("aria-invalid", "true");
  }
  return Object.keys(problems).length === 0;
}

async function uploadPhotos(proposalId: number, files: File[]): Promise<number> {
  for (const file of files) {
    await call(`/api/v1/village-proposals/${proposalId}/photos/${crypto.randomUUID()}`, {
      method: "PUT", body: file, headers: { "Content-Type": "image/jpeg" },
    });
  }
  return files.length;
}

export async function proposalsTab(ctx: VillageContext): Promise<HTMLElement> {
  const rows = await call<ProposalOut[]>(
    `/api/v1/village-proposals?village=${encodeURIComponent(ctx.village)}&round_id=${ctx.roundId}`,
  );
  const formSlot = h("div", { id: "proposal-form-slot" });
  const openForm = (make: () => HTMLElement) => {
    formSlot.replaceChildren(make());
    formSlot.querySelector<HTMLElement>("input, select")?.focus();
  };
  const table = rows.length === 0
    ? h("p", { class: "empty" }, s("none"))
    : h("div", { class: "table-wrap" }, h("table", { class: "data", id: "proposals-table" },
      h("thead", null, h("tr", null, ...["kind", "head", "kk", "rt_rw", "reason", "evidence", "photos", "date"].map(
        (k) => h("th", { class: k === "photos" ? "n" : undefined }, s(k as "kind"))))),
      h("tbody", null, ...rows.map((p) => h("tr", { "data-kind": p.kind },
        h("td", null, h("span", { class: `st ${p.kind === "addition" ? "approved" : "returned"}` }, s(p.kind))),
        h("td", null, p.head_name_masked), h("td", { class: "mono" }, p.kk_masked), h("td", null, `${p.rt}/${p.rw}`),
        h("td", null, p.reason_label), h("td", null, p.evidence_text || "—"), h("td", { class: "n" }, String(p.evidence_photos)),
        h("td", null, longDate(p.created_at)))))));
  return h("section", { class: "card", id: "proposals" },
    h("h2", null, s("heading")),
    h("div", { class: "toolbar" },
      h("button", { type: "button", id: "new-addition", class: "btn primary small", onclick: () => openForm(() => additionForm(ctx, formSlot)) }, s("new_addition")),
      h("button", { type: "button", id: "new-removal", class: "btn small", onclick: () => openForm(() => removalForm(ctx, formSlot)) }, s("new_removal"))),
    formSlot, table);
}

function memberRow(index: number, onRemove: () => void): HTMLElement {
  const id = (name: string) => `m${index}-${name}`;
  return h("fieldset", { class: "vf-member", "data-member": String(index) },
    h("legend", null, `${s("members").split(" (")[0]} ${index + 1}`),
    field(`members.${index}.nik`, s("nik"), h("input", { id: id("nik"), inputmode: "numeric", maxlength: "16", autocomplete: "off" })),
    field(`members.${index}.full_name`, s("full_name"), h("input", { id: id("name"), maxlength: "100" })),
    field(`members.${index}.sex`, s("sex"), h("select", { id: id("sex") }, ...options(SEXES, s("choose")))),
    field(`members.${index}.birth_date`, s("birth_date"), h("input", { id: id("birth"), type: "date" })),
    field(`members.${index}.relationship`, s("relationship"), h("select", { id: id("rel") }, ...options(RELATIONSHIPS, s("choose")))),
    h("button", { type: "button", class: "btn small danger-outline", onclick: onRemove }, s("remove_member")));
}

function additionForm(ctx: VillageContext, slot: HTMLElement): HTMLElement {
  const input = (id: string, attrs: Record<string, string> = {}) => h("input", { id, autocomplete: "off", ...attrs });
  const source = h("select", { id: "p-source" }, ...options([["village_office", s("source_office")], ["rt_rw", s("source_rt")]]));
  const headName = input("p-head-name", { maxlength: "100" });
  const headNik = input("p-head-nik", { inputmode: "numeric", maxlength: "16" });
  const kk = input("p-kk", { inputmode: "numeric", maxlength: "16" });
  const address = input("p-address", { maxlength: "200" });
  const rt = input("p-rt", { inputmode: "numeric", maxlength: "3" });
  const rw = input("p-rw", { inputmode: "numeric", maxlength: "3" });
  const reason = h("select", { id: "p-reason" }, ...options(ADDITION_REASONS, s("choose")));
  const reasonOther = input("p-reason-other", { maxlength: "200" });
  const otherBox = field("reason_other", s("reason_other"), reasonOther, true);
  otherBox.hidden = true;
  reason.addEventListener("change", () => { otherBox.hidden = reason.value !== "5"; });
  const notes = input("p-notes", { maxlength: "500" });
  const ktp = h("input", { id: "p-photo-ktp", type: "file", accept: "image/jpeg" });
  const kkPhoto = h("input", { id: "p-photo-kk", type: "file", accept: "image/jpeg" });
  const members = h("div", { id: "p-members" });
  let count = 0;
  const addMember = () => {
    const row: HTMLElement = memberRow(count++, () => row.remove());
    members.append(row);
  };
  const readMembers = (): MemberInput[] => [...members.querySelectorAll<HTMLElement>(".vf-member")].map((row) => {
    const get = (suffix: string) => row.querySelector<HTMLInputElement | HTMLSelectElement>(`[id$="-${suffix}"]`)!.value;
    return { nik: get("nik"), full_name: get("name"), sex: get("sex"), birth_date: get("birth"), relationship: get("rel") };
  });
  const form: HTMLFormElement = h("form", {
    class: "card vf-form", id: "addition-form", novalidate: true,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const data: AdditionInput = {
        head_name: headName.value, head_nik: headNik.value, kk_number: kk.value, address: address.value,
        rt: rt.value, rw: rw.value, reason: reason.value, reason_other: reasonOther.value, notes: notes.value,
        members: readMembers(),
      };
      // the members' fields are keyed by their position in the list as sent
      const rowsNow = [...members.querySelectorAll<HTMLElement>(".vf-member")];
      rowsNow.forEach((row, i) => {
        for (const box of row.querySelectorAll<HTMLElement>("[data-field]")) {
          box.dataset.field = box.dataset.field!.replace(/^members\.\d+\./, `members.${i}.`);
        }
      });
      if (!mark(form, additionProblems(data))) { ctx.show(s("fix")); return; }
      try {
        const created = await call<ProposalOut>("/api/v1/village-proposals", {
          method: "POST",
          json: {
            round_id: ctx.roundId, region_code: ctx.village, kind: "addition", source: source.value,
            answers: additionAnswers(data), form_version: PROPOSAL_FORM_VERSION,
          },
        });
        const photos = [ktp.files?.[0], kkPhoto.files?.[0]].filter((f): f is File => !!f);
        await uploadPhotos(created.id, photos);
        slot.replaceChildren();
        await ctx.refresh();
        ctx.done(`${s("saved", { name: created.head_name_masked, rt: created.rt, rw: created.rw })} ${s("saved_photos", { n: photos.length })}`);
      } catch (x) { ctx.show(x); }
    },
  },
  h("h3", null, s("new_addition")),
  h("div", { class: "vf-grid" },
    field("source", s("source"), source, true),
    field("head_name", s("head_name"), headName), field("head_nik", s("head_nik"), headNik),
    field("kk_number", s("kk_number"), kk), field("address", s("address"), address, true),
    field("rt", s("rt"), rt), field("rw", s("rw"), rw),
    field("reason", s("reason"), reason, true), otherBox, field("notes", s("notes"), notes, true)),
  h("h4", null, s("members")), members,
  h("p", null, h("button", { type: "button", class: "btn small", id: "p-add-member", onclick: addMember }, s("add_member"))),
  h("div", { class: "vf-grid" }, field("photo_ktp", s("photo_ktp"), ktp), field("photo_kk", s("photo_kk"), kkPhoto)),
  h("p", { class: "vf-actions" }, h("button", { type: "submit", class: "btn primary small" }, s("save_addition")),
    h("button", { type: "button", class: "btn small", onclick: () => slot.replaceChildren() }, s("cancel"))));
  return form;
}

function removalForm(ctx: VillageContext, slot: HTMLElement): HTMLElement {
  const rt = h("input", { id: "r-rt", inputmode: "numeric", maxlength: "3", placeholder: "001" });
  const household = h("select", { id: "r-household" }, h("option", { value: "" }, s("choose")));
  const reason = h("select", { id: "r-reason" }, ...options(REMOVAL_REASONS, s("choose")));
  const evidence = h("textarea", { id: "r-evidence", rows: "2", maxlength: "1000" });
  const photo = h("input", { id: "r-photo", type: "file", accept: "image/jpeg" });
  const find = async () => {
    const query = rt.value.trim() ? `&rt=${encodeURIComponent(rt.value.trim())}` : "";
    try {
      const found = await call<HouseholdPick[]>(
        `/api/v1/village-proposals/households?village=${encodeURIComponent(ctx.village)}${query}`,
      );
      household.replaceChildren(h("option", { value: "" }, found.length ? s("choose") : s("no_households")),
        ...found.map((hh) => h("option", { value: String(hh.id) },
          [`RT ${hh.rt}/RW ${hh.rw}`, hh.head_name_masked, hh.kk_masked, decileBadge(hh.decile)?.text]
            .filter(Boolean).join(" · "))));
    } catch (x) { ctx.show(x); }
  };
  void find();
  const form: HTMLFormElement = h("form", {
    class: "card vf-form", id: "removal-form", novalidate: true,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const problem = removalProblem(Number(household.value) || null, reason.value, evidence.value);
      if (problem) { ctx.show(problem); return; }
      try {
        const created = await call<ProposalOut>("/api/v1/village-proposals", {
          method: "POST",
          json: {
            round_id: ctx.roundId, region_code: ctx.village, kind: "removal", household_id: Number(household.value),
            reason: reason.value, evidence_text: evidence.value.trim(),
          },
        });
        const photos = [photo.files?.[0]].filter((f): f is File => !!f);
        await uploadPhotos(created.id, photos);
        slot.replaceChildren();
        await ctx.refresh();
        ctx.done(`${s("saved", { name: created.head_name_masked, rt: created.rt, rw: created.rw })} ${s("saved_photos", { n: photos.length })}`);
      } catch (x) { ctx.show(x); }
    },
  },
  h("h3", null, s("new_removal")),
  h("div", { class: "vf-grid" },
    h("div", { class: "vf-field" }, h("label", { for: "r-rt" }, s("find")),
      h("div", { class: "vf-inline" }, rt, h("button", { type: "button", class: "btn small", onclick: find }, s("find_button")))),
    field("household", s("household"), household, true),
    field("reason", s("reason"), reason), field("photo", s("photo_evidence"), photo),
    field("evidence", s("evidence"), evidence, true)),
  h("p", { class: "vf-actions" }, h("button", { type: "submit", class: "btn primary small" }, s("save_removal")),
    h("button", { type: "button", class: "btn small", onclick: () => slot.replaceChildren() }, s("cancel"))));
  return form;
}
