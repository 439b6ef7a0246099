"""Layout shift of the staff review queue while it loads (CLS; "good" is at most 0.1).

A supervisor on a laptop (1366x900, Chromium, CPU throttled 4x so the filters, counts and
rows arrive one after another as on a slow office PC) opens #/review with N visits waiting;
the page's layout-shift entries (PerformanceObserver, buffered, inputs excluded) are summed
from navigation until the table is loaded and a second has passed. R runs, fresh page each.

    .venv/bin/python bench/pwa_review_cls.py [visits=25] [runs=5]
"""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any

from pwa_common import DEMO_PASSWORD, RESULTS, browser, machine, server, throttle

from tests.e2e.conftest import Server
from tests.e2e.review_seed import send_visit

LAPTOP = {"width": 1366, "height": 900}
CLS_OBSERVER = """
window.__cls = 0; window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.hadRecentInput) continue;
    window.__cls += e.value;
    window.__shifts.push({ value: e.value, nodes: (e.sources || []).map((s) => s.node ? (s.node.className || s.node.nodeName) : '?') });
  }
}).observe({ type: 'layout-shift', buffered: true });
"""


def one_run(b: Any, url: str) -> tuple[float, list[dict[str, Any]]]:
    ctx = b.new_context(viewport=LAPTOP, locale="id-ID", timezone_id="Asia/Jakarta", base_url=url)
    try:
        page = ctx.new_page()
        page.goto("/")
        page.fill("#username", "supervisor")
        page.fill("#password", DEMO_PASSWORD)
        page.click("#sign-in")
        page.wait_for_selector("nav.staff-menu")
        page.add_init_script(CLS_OBSERVER)
        throttle(page, 4)
        page.goto("/#/review")
        page.reload()  # a cold open of the queue, the observer in place from the first paint
        page.wait_for_selector("table.rv-table[data-loaded]", timeout=60_000)
        page.wait_for_timeout(1000)
        return float(page.evaluate("window.__cls")), list(page.evaluate("window.__shifts"))
    finally:
        ctx.close()


def main() -> None:
    visits = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with server() as (url, var), browser() as b:
        srv = Server(url, var, None)  # type: ignore[arg-type]  # only its HTTP helpers are used
        token = srv.token("enumerator")
        for i, assignment in enumerate(srv.assignments(token)[:visits]):
            send_visit(srv, token, assignment, far=i % 2 == 0, seed=i + 1, minutes_ago=60 + i)
        results = [one_run(b, url) for _ in range(runs)]
    values = [round(v, 4) for v, _ in results]
    result = {
        "visits": visits,
        "runs": values,
        "median": statistics.median(values),
        "max": max(values),
        "shifts_of_worst_run": max(results, key=lambda r: r[0])[1],
        "machine": machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pwa_review_cls.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    ok = result["max"] <= 0.1
    print(f"review queue CLS, {runs} runs: {values}; median {result['median']}, max {result['max']}: "
          f"{'good (<= 0.1)' if ok else 'NOT good (> 0.1)'}")  # fmt: skip
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
