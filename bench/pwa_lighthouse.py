"""Lighthouse mobile performance score of the PWA (budget: >= 90), with Debian's Chromium.

Runs npm's `lighthouse` (fetched by npx on first use; Lighthouse 12 runs on Node 20)
against the real server: the default mobile profile (emulated mid-range phone, 4x CPU
slowdown, simulated slow 4G) on the first screen a new phone sees.

    .venv/bin/python bench/pwa_lighthouse.py [runs]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from pwa_common import CHROMIUM, CHROMIUM_ARGS, RESULTS, machine, median, server

LIGHTHOUSE = "lighthouse@12"
BUDGET = 90


def main(runs: int = 3) -> None:
    scores: list[float] = []
    metrics: dict[str, list[float]] = {}
    with server() as (url, _), tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            out = Path(tmp) / f"lh{i}.json"
            cmd = [
                "npx",
                "--yes",
                LIGHTHOUSE,
                url + "/",
                "--only-categories=performance",
                "--form-factor=mobile",
                "--output=json",
                f"--output-path={out}",
                "--quiet",
                "--chrome-flags=" + " ".join(["--headless=new", *CHROMIUM_ARGS]),
            ]
            subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": str(CHROMIUM)})
            report = json.loads(out.read_text())
            scores.append(report["categories"]["performance"]["score"] * 100)
            for key in (
                "first-contentful-paint",
                "largest-contentful-paint",
                "total-blocking-time",
                "cumulative-layout-shift",
                "speed-index",
                "interactive",
            ):
                metrics.setdefault(key, []).append(report["audits"][key]["numericValue"])
            version = report["lighthouseVersion"]
    result = {
        "scores": scores,
        "median_score": median(scores),
        "median_metrics": {k: round(median(v), 3) for k, v in metrics.items()},
        "lighthouse": version,
        "profile": "mobile (default: emulated Moto G Power, 4x CPU slowdown, simulated slow 4G)",
        "budget": BUDGET,
        "machine": machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pwa_lighthouse.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    sys.exit(0 if result["median_score"] >= BUDGET else 1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
