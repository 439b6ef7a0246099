// Persistent storage and the space left on the phone.
export const LOW_SPACE_BYTES = 200 * 1024 * 1024;

export interface StorageInfo {
  persisted: boolean | null;
  usage: number | null;
  quota: number | null;
  low: boolean;
}

export async function requestPersistence(): Promise<boolean | null> {
  const s = navigator.storage;
  if (!s?.persist) return null;
  try {
    if (await s.persisted()) return true;
    return await s.persist();
  } catch {
    return null;
  }
}

export function isLow(usage: number | null, quota: number | null): boolean {
  if (usage === null || quota === null || quota <= 0) return false;
  return quota - usage < LOW_SPACE_BYTES || usage / quota > 0.9;
}

export async function storageInfo(): Promise<StorageInfo> {
  const s = navigator.storage;
  let persisted: boolean | null = null;
  let usage: number | null = null;
  let quota: number | null = null;
  try {
    if (s?.persisted) persisted = await s.persisted();
    if (s?.estimate) {
      const e = await s.estimate();
      usage = e.usage ?? null;
      quota = e.quota ?? null;
    }
  } catch {
    /* unknown */
  }
  return { persisted, usage, quota, low: isLow(usage, quota) };
}

export function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(0)} MB`;
  return `${(n / 1024 ** 3).toFixed(1).replace(".", ",")} GB`;
}
