"""What the PWA makes a phone download: the enumerator's precache vs the staff area.

Budgets (issue 17): the enumerator's first install, every JS+CSS file the service worker
precaches on the phone, within 60 KB gzip; the whole app (enumerator + staff) within 150 KB.

Figures:
- enumerator precache: the JS/CSS entries of the manifest built into `dist/sw.js`, sized as
  the server sends them (the build's .gz and .br copies, api/pwa_shell.py), plus `sw.js`;
- staff area: the chunks `pwa/build/precache.ts` left out of the phone's precache (the staff
  screens, Leaflet), fetched and cached when a supervisor first opens them;
- the sign-in screen's critical path, measured in Chromium from the encoded response sizes,
  with the encoding Chromium negotiated.

    .venv/bin/python bench/pwa_bundle.py
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

from pwa_common import RESULTS, browser, ensure_pwa_built, machine, phone_context, server

ENUMERATOR_BUDGET = 60 * 1024
TOTAL_BUDGET = 150 * 1024


def served_size(path: Path, coding: str) -> int:
    """Bytes on the wire for one file in one encoding (its pre-compressed copy, as served)."""
    copy = path.with_name(path.name + (".br" if coding == "br" else ".gz"))
    if copy.is_file():
        return copy.stat().st_size
    return len(gzip.compress(path.read_bytes(), 9)) if coding == "gzip" else path.stat().st_size


def area_sizes(dist: Path, files: list[str]) -> dict[str, dict[str, int]]:
    return {f: {c: served_size(dist / f, c) for c in ("gzip", "br")} for f in sorted(files)}


def total(sizes: dict[str, dict[str, int]], coding: str) -> int:
    return sum(s[coding] for s in sizes.values())


def main() -> None:
    dist = ensure_pwa_built()
    sw = (dist / "sw.js").read_text()
    precached = sorted(set(re.findall(r'"?url"?:"([^"]+\.(?:js|css))"', sw)))
    areas: dict[str, str] = json.loads((dist / ".vite" / "precache-areas.json").read_text())
    staff = [f for f, a in areas.items() if a == "staff"]
    assert not set(staff) & set(precached), "a staff chunk is in the phone's precache"
    enumerator = area_sizes(dist, precached)
    staff_sizes = area_sizes(dist, staff)
    sw_sizes = area_sizes(dist, ["sw.js"])["sw.js"]

    with server() as (url, _), browser() as b:
        ctx = phone_context(b, url)
        page = ctx.new_page()
        sizes: dict[str, int] = {}
        codings: dict[str, str] = {}

        def on_response(res: object) -> None:
            r = res  # playwright Response
            kind = r.request.resource_type  # type: ignore[attr-defined]
            if kind in ("script", "stylesheet"):
                name = r.url.rsplit("/", 1)[-1]  # type: ignore[attr-defined]
                sizes[name] = r.request.sizes()["responseBodySize"]  # type: ignore[attr-defined]
                codings[name] = r.headers.get("content-encoding", "identity")  # type: ignore[attr-defined]

        page.on("response", on_response)
        page.goto("/")
        page.wait_for_selector("#sign-in")
        page.wait_for_load_state("networkidle")
        critical = sum(sizes.values())
        ctx.close()

    enum_gzip, enum_br = total(enumerator, "gzip"), total(enumerator, "br")
    staff_gzip, staff_br = total(staff_sizes, "gzip"), total(staff_sizes, "br")
    result = {
        "enumerator_precache_js_css": {"gzip": enum_gzip, "br": enum_br, "files": enumerator},
        "service_worker": sw_sizes,
        "staff_area_js_css": {"gzip": staff_gzip, "br": staff_br, "files": staff_sizes},
        "critical_path_bytes": critical,
        "critical_path_files": sizes,
        "critical_path_encodings": codings,
        "budgets": {"enumerator_gzip": ENUMERATOR_BUDGET, "total_gzip": TOTAL_BUDGET},
        "machine": machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pwa_bundle.json").write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=1))
    ok = enum_gzip <= ENUMERATOR_BUDGET and enum_gzip + staff_gzip <= TOTAL_BUDGET
    kb = 1024
    print(
        f"enumerator precache JS+CSS: {enum_gzip / kb:.1f} KB gzip, {enum_br / kb:.1f} KB br "
        f"(+ sw.js {sw_sizes['gzip'] / kb:.1f} gzip / {sw_sizes['br'] / kb:.1f} br); "
        f"staff area: {staff_gzip / kb:.1f} KB gzip, {staff_br / kb:.1f} KB br; "
        f"sign-in critical path: {critical / kb:.1f} KB as served "
        f"({', '.join(sorted(set(codings.values())))}); "
        f"budgets 60 KB / 150 KB: {'OK' if ok else 'OVER'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
