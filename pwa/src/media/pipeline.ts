// The photo pipeline (SPEC §5): decode the camera JPEG, fit the long side to 1600 px, burn a
// visible stamp into the bottom-left corner, encode JPEG at quality 0.75, and hash the final
// bytes with SHA-256. Runs in a worker with OffscreenCanvas where the browser has it, else
// on the main thread with a <canvas>; the drawing code is the same.

export const MAX_SIDE = 1600;
export const JPEG_QUALITY = 0.75;

export interface StampInfo {
  /** ISO time of capture */
  capturedAt: string;
  lat: number | null;
  lon: number | null;
  accuracy: number | null;
  householdLabel: string;
  enumerator: string;
}

export interface ProcessedPhoto {
  bytes: ArrayBuffer;
  sha256: string;
  width: number;
  height: number;
  ms: number;
}

export function fitWithin(width: number, height: number, max = MAX_SIDE): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= max) return { width, height };
  const s = max / long;
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** "12-06-2026 10:31:05 WIB" in the phone's time zone, named as Indonesia names them. */
export function formatStampTime(iso: string, offsetMinutes = -new Date(iso).getTimezoneOffset()): string {
  const t = new Date(Date.parse(iso) + offsetMinutes * 60_000);
  const zone =
    offsetMinutes === 420
      ? "WIB"
      : offsetMinutes === 480
        ? "WITA"
        : offsetMinutes === 540
          ? "WIT"
          : `UTC${offsetMinutes >= 0 ? "+" : "-"}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return (
    `${pad(t.getUTCDate())}-${pad(t.getUTCMonth() + 1)}-${t.getUTCFullYear()} ` +
    `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} ${zone}`
  );
}

export function stampLines(s: StampInfo, offsetMinutes?: number): string[] {
  const where =
    s.lat !== null && s.lon !== null
      ? `${s.lat.toFixed(6)}, ${s.lon.toFixed(6)}` + (s.accuracy !== null ? ` \u00b1${Math.round(s.accuracy)} m` : "")
      : "GPS: -";
  return [formatStampTime(s.capturedAt, offsetMinutes), where, s.householdLabel, s.enumerator].filter(
    (x) => x !== "",
  );
}

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

type Ctx2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

/** Draw the stamp: a dark band with white text, sized to the picture. */
export function drawStamp(ctx: Ctx2D, width: number, height: number, lines: string[]): void {
  const size = Math.max(14, Math.round(Math.min(width, height) * 0.028));
  const lineH = Math.round(size * 1.25);
  const padX = Math.round(size * 0.6);
  ctx.font = `600 ${size}px sans-serif`;
  ctx.textBaseline = "top";
  let textW = 0;
  for (const l of lines) textW = Math.max(textW, ctx.measureText(l).width);
  const boxW = Math.min(width, Math.ceil(textW + padX * 2));
  const boxH = lineH * lines.length + padX;
  ctx.fillStyle = "rgba(0,0,0,0.62)";
  ctx.fillRect(0, height - boxH, boxW, boxH);
  ctx.fillStyle = "#ffffff";
  lines.forEach((l, i) => ctx.fillText(l, padX, height - boxH + padX / 2 + i * lineH, width - padX * 2));
}

export interface CanvasEnv {
  decode(blob: Blob, width: number, height: number): Promise<CanvasImageSource & { close?: () => void }>;
  size(blob: Blob): Promise<{ width: number; height: number; bitmap?: ImageBitmap }>;
  canvas(width: number, height: number): {
    ctx: Ctx2D;
    toJpeg(quality: number): Promise<Blob>;
  };
}

export async function processImage(
  blob: Blob,
  stamp: StampInfo,
  env: CanvasEnv,
  offsetMinutes?: number,
): Promise<ProcessedPhoto> {
  const t0 = performance.now();
  const natural = await env.size(blob);
  const { width, height } = fitWithin(natural.width, natural.height);
  const image = natural.bitmap ?? (await env.decode(blob, width, height));
  const { ctx, toJpeg } = env.canvas(width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "medium";
  ctx.drawImage(image, 0, 0, width, height);
  (image as { close?: () => void }).close?.();
  drawStamp(ctx, width, height, stampLines(stamp, offsetMinutes));
  const out = await toJpeg(JPEG_QUALITY);
  const bytes = await out.arrayBuffer();
  const sha256 = await sha256Hex(bytes);
  return { bytes, sha256, width, height, ms: performance.now() - t0 };
}

/** The browser's canvas: OffscreenCanvas where it exists (workers), else <canvas>. */
export function browserEnv(): CanvasEnv {
  return {
    async size(blob) {
      // One decode (EXIF orientation applied), then one scaled draw onto the canvas.
      const bitmap = await createImageBitmap(blob);
      return { width: bitmap.width, height: bitmap.height, bitmap };
    },
    decode(blob, width, height) {
      return createImageBitmap(blob, { resizeWidth: width, resizeHeight: height, resizeQuality: "medium" });
    },
    canvas(width, height) {
      if (typeof OffscreenCanvas !== "undefined") {
        const c = new OffscreenCanvas(width, height);
        const ctx = c.getContext("2d")!;
        return { ctx, toJpeg: (quality) => c.convertToBlob({ type: "image/jpeg", quality }) };
      }
      const c = document.createElement("canvas");
      c.width = width;
      c.height = height;
      const ctx = c.getContext("2d")!;
      return {
        ctx,
        toJpeg: (quality) =>
          new Promise((resolve, reject) =>
            c.toBlob((b) => (b ? resolve(b) : reject(new Error("encode failed"))), "image/jpeg", quality),
          ),
      };
    },
  };
}

/** Size from the JPEG header (SOFn), without decoding: null when it is not a baseline/progressive JPEG. */
export function jpegSize(buf: ArrayBuffer): { width: number; height: number } | null {
  const d = new DataView(buf);
  if (d.byteLength < 4 || d.getUint16(0) !== 0xffd8) return null;
  let i = 2;
  while (i + 9 < d.byteLength) {
    if (d.getUint8(i) !== 0xff) return null;
    const marker = d.getUint8(i + 1);
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = d.getUint16(i + 2);
    if ((marker >= 0xc0 && marker <= 0xc3) || (marker >= 0xc5 && marker <= 0xc7) || (marker >= 0xc9 && marker <= 0xcb) || (marker >= 0xcd && marker <= 0xcf)) {
      return { height: d.getUint16(i + 5), width: d.getUint16(i + 7) };
    }
    i += 2 + len;
  }
  return null;
}
