// Photo processing off the main thread (OffscreenCanvas).
import { browserEnv, processImage, type StampInfo } from "./pipeline";

interface Job {
  id: number;
  blob: Blob;
  stamp: StampInfo;
  offsetMinutes: number;
}

self.onmessage = async (ev: MessageEvent<Job>) => {
  const { id, blob, stamp, offsetMinutes } = ev.data;
  try {
    const r = await processImage(blob, stamp, browserEnv(), offsetMinutes);
    (self as unknown as Worker).postMessage({ id, ok: true, result: r }, [r.bytes]);
  } catch (e) {
    (self as unknown as Worker).postMessage({ id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
};
