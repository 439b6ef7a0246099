// The one map component of the staff screens. Placeholder interface: the Leaflet version
// (configurable tiles from GET /api/v1/config, a clear fallback when tiles can't load)
// replaces this body and keeps the signature.
import { h } from "../../ui/dom";

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

export async function pointsMap(container: HTMLElement, points: MapPoint[]): Promise<MapHandle> {
  container.replaceChildren(h("ul", { class: "map-fallback" },
    points.map((p) => h("li", null, `${p.label}: ${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`))));
  return { destroy: () => container.replaceChildren() };
}
