// The public page's optional script (uji publik, /publik/{village}): its own small entry,
// built to dist/publik.js, not precached by the enumerators' service worker and importing
// nothing of the staff or enumerator app. The page works without it (forms post, the
// location can be typed); it adds only what HTML cannot do:
// - a search within the list by RT/RW or name;
// - "Tambahkan lokasi saya": the phone's position into the objection's optional location;
// - big photos made smaller on the phone before upload (faster on a weak signal, under 5 MB).
import {
  type EntryFacts,
  coordinateFields,
  factsFromText,
  kilobytes,
  matches,
  needsDownscale,
  parseQuery,
  scaledSize,
} from "./logic";

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
): HTMLElementTagNameMap[K] {
  return Object.assign(document.createElement(tag), props);
}

function enhanceList(list: HTMLOListElement): void {
  const items = Array.from(list.querySelectorAll<HTMLLIElement>(":scope > li"));
  const facts: EntryFacts[] = items.map((li) =>
    factsFromText(li.querySelector("b")?.textContent ?? "", li.textContent ?? ""),
  );
  const box = element("div", { className: "box" });
  const label = element("label", { htmlFor: "cari", textContent: "Cari menurut RT/RW atau nama" });
  label.style.marginTop = "0";
  const input = element("input", { id: "cari", type: "search", placeholder: "contoh: RT 3 RW 2, atau Sugiarti" });
  input.autocomplete = "off";
  const shown = element("small", { id: "cari-hasil" });
  shown.setAttribute("aria-live", "polite");
  box.append(label, input, shown);
  list.before(box);
  const apply = (): void => {
    const filter = parseQuery(input.value);
    let count = 0;
    items.forEach((li, i) => {
      const ok = matches(facts[i]!, filter);
      li.classList.toggle("hide", !ok);
      if (ok) count += 1;
    });
    shown.textContent = input.value.trim() ? `${count} dari ${items.length} keluarga` : "";
  };
  input.addEventListener("input", apply);
}

function enhanceLocation(form: HTMLFormElement): void {
  const place = form.querySelector<HTMLDivElement>("#location");
  const lat = form.querySelector<HTMLInputElement>("#latitude");
  const lon = form.querySelector<HTMLInputElement>("#longitude");
  if (!place || !lat || !lon || !("geolocation" in navigator)) return;
  // With the button, the numbers need not be typed: they travel as hidden fields.
  lat.type = lon.type = "hidden";
  place.querySelector("label")?.remove();
  const button = element("button", { type: "button", className: "alt", textContent: "Tambahkan lokasi saya" });
  button.id = "lokasi";
  const status = element("small", {
    id: "lokasi-status",
    textContent: "Tidak wajib. Lokasi hanya untuk petugas, tidak ditampilkan di daftar.",
  });
  status.setAttribute("aria-live", "polite");
  place.prepend(element("label", { textContent: "Lokasi (tidak wajib)" }), button, element("br"), status);
  button.addEventListener("click", () => {
    status.textContent = "Mencari lokasi…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const fields = coordinateFields(position.coords.latitude, position.coords.longitude);
        if (!fields) {
          status.textContent = "Lokasi tidak dapat dibaca.";
          return;
        }
        lat.value = fields.latitude;
        lon.value = fields.longitude;
        status.textContent = `Lokasi ditambahkan (ketelitian ±${Math.round(position.coords.accuracy)} m).`;
        button.textContent = "Perbarui lokasi saya";
      },
      () => {
        status.textContent = "Lokasi tidak diizinkan atau tidak tersedia; sanggahan tetap bisa dikirim.";
      },
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
    );
  });
}

async function smaller(file: File): Promise<File | null> {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  try {
    if (!needsDownscale(file.size, bitmap.width, bitmap.height)) return null;
    const size = scaledSize(bitmap.width, bitmap.height);
    const canvas = element("canvas", { width: size.width, height: size.height });
    canvas.getContext("2d")?.drawImage(bitmap, 0, 0, size.width, size.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.82));
    if (!blob || blob.size >= file.size) return null;
    return new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" });
  } finally {
    bitmap.close();
  }
}

function enhancePhoto(form: HTMLFormElement): void {
  const input = form.querySelector<HTMLInputElement>("#photo");
  if (!input || typeof createImageBitmap !== "function" || typeof DataTransfer !== "function") return;
  const status = element("small", { id: "foto-status" });
  status.setAttribute("aria-live", "polite");
  input.after(status);
  let pending: Promise<void> | null = null;
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    status.textContent = "";
    if (!file) return;
    status.textContent = "Menyiapkan foto…";
    pending = smaller(file)
      .then((small) => {
        if (!small) {
          status.textContent = `Foto ${kilobytes(file.size)}.`;
          return;
        }
        const list = new DataTransfer();
        list.items.add(small);
        input.files = list.files;
        status.textContent = `Foto diperkecil dari ${kilobytes(file.size)} menjadi ${kilobytes(small.size)}.`;
      })
      .catch(() => {
        status.textContent = `Foto ${kilobytes(file.size)} dikirim apa adanya.`;
      })
      .finally(() => {
        pending = null;
      });
  });
  // A photo still being made smaller is waited for, then the form is sent as usual.
  form.addEventListener("submit", (event) => {
    if (!pending) return;
    event.preventDefault();
    void pending.then(() => form.requestSubmit());
  });
}

function start(): void {
  document.documentElement.dataset.js = "1";
  const list = document.querySelector<HTMLOListElement>("ol#entries");
  if (list) enhanceList(list);
  const form = document.querySelector<HTMLFormElement>("form#objection");
  if (form) {
    enhanceLocation(form);
    enhancePhoto(form);
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
