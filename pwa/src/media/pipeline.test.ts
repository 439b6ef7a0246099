import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type CanvasEnv, fitWithin, formatStampTime, jpegSize, processImage, sha256Hex, stampLines } from "./pipeline";

describe("image pipeline", () => {
  it("fits the long side to 1600 px, never enlarging", () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(3000, 4000)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(4032, 1816)).toEqual({ width: 1600, height: 721 });
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
  });

  it("stamps time with the Indonesian zone name, place with accuracy, household and enumerator", () => {
    const lines = stampLines(
      { capturedAt: "2026-06-12T03:04:05Z", lat: -2.3855, lon: 101.0098, accuracy: 7.6, householdLabel: "Ruta 1 · RT 008/RW 004", enumerator: "Enumerator Lubuk Pinang" },
      420,
    );
    expect(lines).toEqual(["12-06-2026 10:04:05 WIB", "-2.385500, 101.009800 ±8 m", "Ruta 1 · RT 008/RW 004", "Enumerator Lubuk Pinang"]);
    expect(formatStampTime("2026-06-12T03:04:05Z", 480)).toMatch(/WITA$/);
    expect(formatStampTime("2026-06-12T03:04:05Z", 540)).toMatch(/12:04:05 WIT$/);
    expect(formatStampTime("2026-06-12T03:04:05Z", 0)).toMatch(/UTC\+00:00$/);
    expect(stampLines({ capturedAt: "2026-06-12T03:04:05Z", lat: null, lon: null, accuracy: null, householdLabel: "", enumerator: "" }, 420)[1]).toBe("GPS: -");
  });

  it("hashes with SHA-256 like everyone else", async () => {
    const bytes = new TextEncoder().encode("verval").buffer as ArrayBuffer;
    expect(await sha256Hex(bytes)).toBe(createHash("sha256").update("verval").digest("hex"));
  });

  it("resizes, stamps, encodes at quality 0.75 and hashes the final bytes", async () => {
    const calls: string[] = [];
    const out = new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    const ctx = {
      font: "",
      textBaseline: "",
      fillStyle: "",
      imageSmoothingEnabled: false,
      imageSmoothingQuality: "",
      drawImage: (_i: unknown, x: number, y: number, w: number, h: number) => calls.push(`draw ${x},${y},${w}x${h}`),
      measureText: (s: string) => ({ width: s.length * 10 }),
      fillRect: () => calls.push("rect"),
      fillText: (s: string) => calls.push(`text ${s}`),
    };
    let closed = false;
    const env: CanvasEnv = {
      size: async () => ({ width: 4000, height: 3000, bitmap: { close: () => (closed = true) } as unknown as ImageBitmap }),
      decode: async () => {
        throw new Error("not used");
      },
      canvas: (w, h) => {
        calls.push(`canvas ${w}x${h}`);
        return {
          ctx: ctx as unknown as CanvasRenderingContext2D,
          toJpeg: async (q) => {
            calls.push(`jpeg ${q}`);
            return new Blob([out], { type: "image/jpeg" });
          },
        };
      },
    };
    const r = await processImage(new Blob([new Uint8Array(10)]), { capturedAt: "2026-06-12T03:04:05Z", lat: -2.5, lon: 101, accuracy: 5, householdLabel: "Ruta 9", enumerator: "Budi" }, env, 420);
    expect(calls[0]).toBe("canvas 1600x1200");
    expect(calls[1]).toBe("draw 0,0,1600x1200");
    expect(calls).toContain("text 12-06-2026 10:04:05 WIB");
    expect(calls).toContain("text Budi");
    expect(calls.at(-1)).toBe("jpeg 0.75");
    expect(closed).toBe(true);
    expect([r.width, r.height]).toEqual([1600, 1200]);
    expect(r.sha256).toBe(createHash("sha256").update(out).digest("hex"));
    expect(r.bytes.byteLength).toBe(out.length);
  });

  it("reads a JPEG's size from its header", () => {
    // SOI, APP0 (len 4), SOF0 with height 3000 and width 4000
    const b = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0x0b, 0xb8, 0x0f, 0xa0, 3, 0, 0, 0]);
    expect(jpegSize(b.buffer)).toEqual({ width: 4000, height: 3000 });
    expect(jpegSize(new Uint8Array([0x89, 0x50]).buffer)).toBeNull();
  });
});
