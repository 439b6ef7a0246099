// Main-thread entry of the photo pipeline: a worker when OffscreenCanvas can encode JPEG
// there, else the same code on the main thread.
import { browserEnv, processImage, type ProcessedPhoto, type StampInfo } from "./pipeline";

let worker: Worker | null = null;
let workerBroken = false;
let seq = 0;
const pending = new Map<number, { resolve: (r: ProcessedPhoto) => void; reject: (e: Error) => void }>();

function canUseWorker(): boolean {
  // bench/pwa_photo.py measures the main-thread fallback too (older browsers take it).
  if (globalThis.localStorage?.getItem("verval:photo-main-thread") === "1") return false;
  return !workerBroken && typeof Worker !== "undefined" && typeof OffscreenCanvas !== "undefined" &&
    typeof (OffscreenCanvas.prototype as { convertToBlob?: unknown }).convertToBlob === "function";
}

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL("./image.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (ev: MessageEvent<{ id: number; ok: boolean; result?: ProcessedPhoto; error?: string }>) => {
      const p = pending.get(ev.data.id);
      if (!p) return;
      pending.delete(ev.data.id);
      if (ev.data.ok && ev.data.result) p.resolve(ev.data.result);
      else p.reject(new Error(ev.data.error ?? "photo failed"));
    };
    worker.onerror = () => {
      workerBroken = true;
      for (const p of pending.values()) p.reject(new Error("worker failed"));
      pending.clear();
      worker = null;
    };
  }
  return worker;
}

export async function processPhoto(blob: Blob, stamp: StampInfo): Promise<ProcessedPhoto> {
  const offsetMinutes = -new Date(stamp.capturedAt).getTimezoneOffset();
  if (canUseWorker()) {
    try {
      const id = ++seq;
      return await new Promise<ProcessedPhoto>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        getWorker().postMessage({ id, blob, stamp, offsetMinutes });
      });
    } catch {
      workerBroken = true; // fall through to the main thread once
    }
  }
  return processImage(blob, stamp, browserEnv(), offsetMinutes);
}
