"""Compressed JS+CSS the PWA ships on first load (budget: 150 KB).

Two figures: what a fresh phone downloads before the sign-in screen is usable (the
critical path, measured in Chromium from the encoded response sizes with the server's
gzip), and everything the service worker precaches on first load (every JS/CSS asset,
gzip -9 of the built files: an upper bound of the first-load transfer).

    .venv/bin/python bench/pwa_bundle.py
"""

from __future__ import annotations

import gzip
import json
import sys

from pwa_common import RESULTS, browser, ensure_pwa_built, machine, phone_context, server

BUDGET = 150 * 1024


def main() -> None:
    dist = ensure_pwa_built()
    assets = sorted(p for p in (dist).rglob("*") if p.suffix in (".js", ".css"))
    static = {str(p.relative_to(dist)): len(gzip.compress(p.read_bytes(), 9)) for p in assets}
    total_static = sum(static.values())
    with server() as (url, _), browser() as b:
        ctx = phone_context(b, url)
        page = ctx.new_page()
        sizes: dict[str, int] = {}

        def on_response(res: object) -> None:
            r = res  # playwright Response
            kind = r.request.resource_type  # type: ignore[attr-defined]
            if kind in ("script", "stylesheet"):
                sizes[r.url] = r.request.sizes()["responseBodySize"]  # type: ignore[attr-defined]

        page.on("response", on_response)
        page.goto("/")
        page.wait_for_selector("#sign-in")
        page.wait_for_load_state("networkidle")
        critical = sum(sizes.values())
        ctx.close()
    result = {
        "critical_path_bytes": critical,
        "critical_path_files": {k.rsplit("/", 1)[-1]: v for k, v in sizes.items()},
        "all_js_css_gzip9_bytes": total_static,
        "all_js_css_files": static,
        "service_worker_gzip9_bytes": len(gzip.compress((dist / "sw.js").read_bytes(), 9)),
        "budget_bytes": BUDGET,
        "machine": machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pwa_bundle.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    ok = max(critical, total_static) <= BUDGET
    print(
        f"first load (critical path): {critical / 1024:.1f} KB; all JS+CSS: {total_static / 1024:.1f} KB; budget 150 KB: {'OK' if ok else 'OVER'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
