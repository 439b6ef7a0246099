// GPS: one watch shared by the screens, the best recent fix, distances.
export const GOOD_ACCURACY_M = 30; // SPEC §6 default threshold

export interface Fix {
  lat: number;
  lon: number;
  accuracy: number;
  altitude: number | null;
  at: number;
}

export type GpsStatus = "idle" | "waiting" | "ok" | "denied" | "unavailable";

type Listener = (fix: Fix | null, status: GpsStatus) => void;

let watchId: number | null = null;
let last: Fix | null = null;
let status: GpsStatus = "idle";
const listeners = new Set<Listener>();

function emit(): void {
  for (const l of listeners) l(last, status);
}

export function lastFix(maxAgeMs = 120_000): Fix | null {
  return last && Date.now() - last.at <= maxAgeMs ? last : null;
}

export function gpsStatus(): GpsStatus {
  return status;
}

/** Subscribe to fixes; the watch runs while anyone listens. Returns the unsubscribe. */
export function watchGps(l: Listener): () => void {
  listeners.add(l);
  l(last, status);
  if (watchId === null) start();
  return () => {
    listeners.delete(l);
    if (listeners.size === 0) stop();
  };
}

function start(): void {
  if (!("geolocation" in navigator)) {
    status = "unavailable";
    emit();
    return;
  }
  status = last ? "ok" : "waiting";
  watchId = navigator.geolocation.watchPosition(
    (p) => {
      last = {
        lat: p.coords.latitude,
        lon: p.coords.longitude,
        accuracy: p.coords.accuracy,
        altitude: p.coords.altitude,
        at: p.timestamp || Date.now(),
      };
      status = "ok";
      emit();
    },
    (err) => {
      status = err.code === err.PERMISSION_DENIED ? "denied" : last ? "ok" : "waiting";
      if (err.code === err.POSITION_UNAVAILABLE && !last) status = "waiting";
      emit();
    },
    { enableHighAccuracy: true, maximumAge: 5_000, timeout: 60_000 },
  );
}

function stop(): void {
  if (watchId !== null) navigator.geolocation.clearWatch(watchId);
  watchId = null;
  if (status !== "denied" && status !== "unavailable") status = "idle";
}

/** Great-circle distance in metres. */
export function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const R = 6_371_000;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function formatDistance(m: number): string {
  if (m < 1000) return `${Math.round(m)} m`;
  return `${(m / 1000).toFixed(m < 10_000 ? 1 : 0).replace(".", ",")} km`;
}
