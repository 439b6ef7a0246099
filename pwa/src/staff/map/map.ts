// The one map component of the staff screens (Leaflet). Tiles come from GET /api/v1/config
// (a province may run its own tile cache, or have none); when they can't load, the map
// says so and still shows every point, circle and the scale on a plain background.
// No default marker images (bundler path problems): circle markers and CSS div icons.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import "./map.css";
import { h } from "../../ui/dom";
import { strings } from "../strings";
import { type MapConfig, mapConfig } from "../review/api";

export type PointKind = "visit" | "household" | "photo";

export interface MapPoint {
  lat: number;
  lon: number;
  kind: PointKind;
  label: string;
  accuracy_m?: number | null; // drawn as a circle around the point
  href?: string; // a click on the point follows it
}

export interface MapHandle {
  destroy(): void;
}

export interface MapOptions {
  /** Dashed lines from each household point to each visit point, with the distance. */
  connect?: boolean;
  /** Height of the map in CSS (default 360px). */
  height?: string;
  /** Config to use instead of GET /api/v1/config (tests, or a caller that has it). */
  config?: MapConfig | null;
}

const s = strings(
  {
    no_tiles: "Peta dasar tidak dapat dimuat — titik tetap ditampilkan",
    no_points: "Tidak ada titik lokasi untuk ditampilkan.",
    visit: "Titik kunjungan (lingkaran = akurasi GPS)",
    household: "Lokasi rumah tangga tercatat",
    photo: "Lokasi pengambilan foto",
    legend: "Keterangan peta",
    map: "Peta",
  },
  {
    no_tiles: "The base map could not be loaded — the points are still shown",
    no_points: "No locations to show.",
    visit: "Visit fix (circle = GPS accuracy)",
    household: "Household's recorded location",
    photo: "Photo capture point",
    legend: "Map legend",
    map: "Map",
  },
);

const COLOURS: Record<PointKind, string> = { visit: "#0b57d0", household: "#b3261e", photo: "#137333" };

function valid(p: MapPoint): boolean {
  return Number.isFinite(p.lat) && Number.isFinite(p.lon) && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180;
}

function metres(m: number): string {
  return m >= 1000 ? `${(m / 1000).toFixed(1)} km` : `${Math.round(m)} m`;
}

export async function pointsMap(container: HTMLElement, points: MapPoint[], options: MapOptions = {}): Promise<MapHandle> {
  const pts = points.filter(valid);
  const notice = h("div", { class: "pmap-notice", role: "status", hidden: true }, s("no_tiles"));
  const canvas = h("div", { class: "pmap-canvas", role: "region", "aria-label": s("map"), style: { height: options.height ?? "360px" } });
  const kinds = (["visit", "household", "photo"] as PointKind[]).filter((k) => pts.some((p) => p.kind === k));
  const legend = h("ul", { class: "pmap-legend", "aria-label": s("legend") },
    kinds.map((k) => h("li", null, h("span", { class: `pmap-key pmap-key-${k}`, "aria-hidden": "true" }), s(k))));
  const wrap = h("div", { class: "pmap" }, notice, canvas, legend);
  container.replaceChildren(wrap);
  if (pts.length === 0) {
    canvas.replaceChildren(h("p", { class: "pmap-empty" }, s("no_points")));
    canvas.style.height = "auto";
    return { destroy: () => container.replaceChildren() };
  }

  let cfg: MapConfig | null = options.config === undefined ? null : options.config;
  if (options.config === undefined) {
    try {
      cfg = await mapConfig();
    } catch {
      cfg = null; // offline or refused: points only
    }
  }
  const showNotice = () => {
    if (!notice.hidden) return;
    notice.hidden = false;
    wrap.classList.add("no-tiles");
  };
  let tileTimer: ReturnType<typeof setTimeout> | null = null;

  const maxZoom = cfg?.max_zoom ?? 19;
  const map = L.map(canvas, { preferCanvas: false, maxZoom, zoomSnap: 0.5, attributionControl: true });
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  if (cfg?.tile_url) {
    const layer = L.tileLayer(cfg.tile_url, { maxZoom, attribution: cfg.attribution });
    let loaded = 0;
    let failed = 0;
    layer.on("tileerror", () => {
      failed++;
      showNotice();
    });
    layer.on("tileload", () => {
      loaded++;
      if (failed === 0 && !notice.hidden) {
        notice.hidden = true; // a slow tile server after all
        wrap.classList.remove("no-tiles");
      }
    });
    // A tile server that never answers (no route, no DNS answer) is a failure too.
    tileTimer = setTimeout(() => {
      if (loaded === 0) showNotice();
    }, 6000);
    layer.addTo(map);
  } else {
    showNotice();
  }

  // The view first: layers with permanent tooltips need a map that has one.
  const bounds = L.latLngBounds([]);
  for (const p of pts) {
    bounds.extend([p.lat, p.lon]);
    // The whole accuracy circle in view only when it is small enough to matter.
    if (p.accuracy_m && p.accuracy_m > 0 && p.accuracy_m < 2000) bounds.extend(L.latLng(p.lat, p.lon).toBounds(p.accuracy_m * 2));
  }
  const fit = () => {
    map.invalidateSize();
    if (bounds.getNorthEast().equals(bounds.getSouthWest())) map.setView(bounds.getCenter(), Math.min(17, maxZoom), { animate: false });
    else map.fitBounds(bounds.pad(0.15), { maxZoom: Math.min(18, maxZoom), animate: false });
  };
  fit();

  const follow = (p: MapPoint) => () => {
    if (p.href) location.hash = p.href;
  };
  // Circles first, so markers stay on top and clickable.
  for (const p of pts) {
    if (p.accuracy_m && p.accuracy_m > 0) {
      L.circle([p.lat, p.lon], {
        radius: p.accuracy_m, color: COLOURS[p.kind], weight: 1, fillOpacity: 0.12, interactive: false,
      }).addTo(map);
    }
  }
  if (options.connect) {
    for (const hh of pts.filter((p) => p.kind === "household")) {
      for (const v of pts.filter((p) => p.kind === "visit")) {
        const d = map.distance([hh.lat, hh.lon], [v.lat, v.lon]);
        if (d < 20) continue; // on the spot: a label would only hide the markers
        L.polyline([[hh.lat, hh.lon], [v.lat, v.lon]], { color: "#444", weight: 2, dashArray: "6 6" })
          .addTo(map)
          .bindTooltip(metres(d), { permanent: true, direction: "center", className: "pmap-distance" });
      }
    }
  }
  let photoNo = 0;
  const photosAt = new Map<string, number>(); // photos on one spot fan out to the right
  for (const p of pts) {
    let marker: L.Layer;
    if (p.kind === "household") {
      marker = L.marker([p.lat, p.lon], {
        icon: L.divIcon({ className: "pmap-icon", html: '<span class="pmap-house"></span>', iconSize: [20, 20], iconAnchor: [10, 10] }),
        keyboard: Boolean(p.href),
        title: p.label,
        zIndexOffset: 500,
      });
    } else if (p.kind === "photo") {
      photoNo++;
      const spot = `${p.lat.toFixed(5)},${p.lon.toFixed(5)}`;
      const same = photosAt.get(spot) ?? 0;
      photosAt.set(spot, same + 1);
      // Up and right of its point (a stem marks the point), so the visit dot under it shows.
      marker = L.marker([p.lat, p.lon], {
        icon: L.divIcon({ className: "pmap-icon", html: `<span class="pmap-photo">${photoNo}</span>`, iconSize: [18, 18], iconAnchor: [-4 - same * 19, 22] }),
        keyboard: Boolean(p.href),
        title: p.label,
      });
    } else {
      marker = L.marker([p.lat, p.lon], {
        icon: L.divIcon({ className: "pmap-icon", html: '<span class="pmap-visit"></span>', iconSize: [18, 18], iconAnchor: [9, 9] }),
        keyboard: Boolean(p.href),
        title: p.label,
        zIndexOffset: 1000,
      });
    }
    marker.addTo(map);
    (marker as L.Marker).bindTooltip(p.label);
    if (p.href) marker.on("click", follow(p));
  }

  // The container may get its size after this (a grid settling, a tab shown): refit once.
  let fitted = canvas.clientWidth > 0 && canvas.clientHeight > 0;
  const ro = typeof ResizeObserver === "function"
    ? new ResizeObserver(() => {
      if (canvas.clientWidth === 0) return;
      if (!fitted) {
        fitted = true;
        fit();
      } else {
        map.invalidateSize();
      }
    })
    : null;
  ro?.observe(canvas);

  return {
    destroy: () => {
      if (tileTimer) clearTimeout(tileTimer);
      ro?.disconnect();
      map.remove();
      container.replaceChildren();
    },
  };
}
