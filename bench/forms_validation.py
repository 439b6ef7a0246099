"""Benchmark: validate 1,000 complete dtks_verval v1 submissions of 6 members each.

Prints the time per submission and compares it with json.loads of the same payloads in the
same run (the floor any JSON API pays anyway).

    .venv/bin/python bench/forms_validation.py [--n 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from datetime import date
from typing import Any

from survey_forms.loader import get_form
from survey_forms.samples import dtks_submission
from survey_forms.validation import validate_submission

TODAY = date(2026, 6, 15)


def make_payloads(n: int, seed: int = 1) -> list[bytes]:
    """n varied, valid submissions (different answers, names, NIKs, skip paths)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        a: dict[str, Any] = dtks_submission()
        a["floor_area"] = rnd.randint(12, 300)
        a["floor_material"] = str(rnd.randint(1, 9))
        if rnd.random() < 0.4:  # renters: 301b is skipped
            a["house_ownership"] = "2"
            del a["land_proof"]
        if rnd.random() < 0.3:  # no electricity meter: 307b is skipped
            a["lighting"] = str(rnd.randint(2, 4))
            del a["electricity_power"]
        a["livestock_goat"] = rnd.randint(0, 12)
        for m, member in enumerate(a["members"]):
            if member["nik"]:
                member["nik"] = member["nik"][:12] + f"{(i * 7 + m) % 9999 + 1:04d}"
            member["full_name"] = f"{member['full_name']} {i}"
        out.append(json.dumps(a).encode())
    return out


def timed(fn: Any, payloads: Any) -> float:
    start = time.perf_counter()
    fn(payloads)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    form = get_form("dtks_verval", 1)
    payloads = make_payloads(args.n)
    parsed = [json.loads(p) for p in payloads]
    for answers in parsed:  # every payload must be valid, or we would time the error path
        r = validate_submission(form, answers, today=TODAY)
        assert r.ok, r.problems

    def loads_all(ps: list[bytes]) -> None:
        for p in ps:
            json.loads(p)

    def validate_all(objs: list[dict[str, Any]]) -> None:
        for o in objs:
            validate_submission(form, o, today=TODAY)

    def both(ps: list[bytes]) -> None:
        for p in ps:
            validate_submission(form, json.loads(p), today=TODAY)

    t_loads, t_validate, t_both = [], [], []
    for _ in range(args.rounds):
        t_loads.append(timed(loads_all, payloads))
        t_validate.append(timed(validate_all, parsed))
        t_both.append(timed(both, payloads))

    n = args.n
    size = statistics.mean(len(p) for p in payloads)
    runs = {
        "json.loads": t_loads,
        "validate_submission": t_validate,
        "json.loads + validate": t_both,
    }
    best = {k: min(v) / n * 1e6 for k, v in runs.items()}
    print(
        f"python {platform.python_version()} on {platform.machine()}: {n} submissions "
        f"x 6 members, {size:.0f} bytes of JSON each; best (median) of {args.rounds} rounds"
    )
    for name, times in runs.items():
        median = statistics.median(times) / n * 1e6
        print(f"{name:<22} {best[name]:8.1f} µs/submission ({median:.1f})")
    ratio = best["validate_submission"] / best["json.loads"]
    print(f"ratio validate_submission / json.loads: {ratio:.1f}x")
    print(f"throughput (loads + validate): {1e6 / best['json.loads + validate']:.0f}/s on one core")


if __name__ == "__main__":
    main()
