"""Compare two variants of the intake benchmark in alternating runs (issue 18).

The same `bench/intake.py` command gives ratios 20 % apart on a shared machine, so one run
of a change against one run of the old code proves nothing. This runs variant A and variant
B in turn, ``--rounds`` times each (A B, B A, A B, ...: each pair shares the machine's
mood), and summarises each variant (median, lowest, highest) and the pairs (B ÷ A within a
round). A variant is a source tree (``--a``/``--b``, e.g. a ``git worktree`` of the old
commit) plus optional environment variables for the API (``--b-env NAME=VALUE``).

    .venv/bin/python bench/intake_ab.py --rounds 4 --b /tmp/new-tree -- --phones 200 \\
        --visits 2 --workers 2 --job-workers 1 --job-concurrency 2 --quiet-wait 45

Everything after ``--`` goes to each `intake.py` run. Each run writes its own results
file under its tree's ``bench/results/``; the summary lists them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_LINE = re.compile(r"Raw results in (\S+\.json)")
PHASE_COMPONENTS = ("api", "workers", "postgres", "seaweedfs", "load generator", "whole machine")
# intake.py's own sum of the stack's components per photo analysed.
WHOLE_STACK = "whole stack (API + workers + PostgreSQL + SeaweedFS)"


@dataclass
class Variant:
    name: str
    tree: Path
    env: dict[str, str]
    runs: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def parse_env(pairs: list[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(f"--*-env takes NAME=VALUE, not {pair!r}")
        env[name] = value
    return env


def run_once(variant: Variant, intake_args: list[str]) -> None:
    """One `intake.py` run of the variant; its first configuration's result is kept."""
    command = [sys.executable, str(variant.tree / "bench" / "intake.py"), *intake_args]
    print(f"[{variant.name}] {' '.join(command[1:])}", flush=True)
    done = subprocess.run(
        command,
        cwd=variant.tree,
        env={**os.environ, **variant.env},
        capture_output=True,
        text=True,
        check=False,
    )
    found = RESULTS_LINE.search(done.stdout)
    if done.returncode != 0 or found is None:
        sys.stdout.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"[{variant.name}] intake.py failed (exit {done.returncode})")
    path = variant.tree / found.group(1)
    result = json.loads(path.read_text())["results"][0]
    variant.runs.append(result)
    variant.files.append(str(path))
    print(
        f"[{variant.name}] ratio {result['ratio']:.3f}, {result['photos_per_s']:.1f} photos/s, "
        f"ceiling {result['ceiling_puts_per_s']:.0f} PUT/s ({path.name})",
        flush=True,
    )


def whole_stack(run: dict[str, Any]) -> float:
    return float(run["cpu_ms_per_photo"][WHOLE_STACK])


def spread(values: list[float], digits: int) -> str:
    median = statistics.median(values)
    return f"{median:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def summary(variants: list[Variant]) -> str:
    header = (
        "| variant | runs | ratio | photos/s | ceiling PUT/s | "
        + " | ".join(f"{name} (phase)" for name in PHASE_COMPONENTS)
        + " | whole stack |"
    )
    lines = [
        "Median (lowest-highest); CPU in ms per photo: while the phones sent ((phase)), "
        "and per photo analysed (whole stack).",
        "",
        header,
        "|" + "---|" * 2 + "---:|" * (4 + len(PHASE_COMPONENTS)),
    ]
    for variant in variants:
        runs = variant.runs
        cells = [
            spread([r["ratio"] for r in runs], 3),
            spread([r["photos_per_s"] for r in runs], 1),
            spread([r["ceiling_puts_per_s"] for r in runs], 0),
            *(
                spread([r["phase_cpu_ms_per_photo"].get(name, 0.0) for r in runs], 1)
                for name in PHASE_COMPONENTS
            ),
            spread([whole_stack(r) for r in runs], 1),
        ]
        lines.append(f"| {variant.name} | {len(runs)} | " + " | ".join(cells) + " |")
    a, b = variants
    pairs = list(zip(a.runs, b.runs, strict=True))
    ratio_pairs = [rb["ratio"] / ra["ratio"] for ra, rb in pairs]
    machine_pairs = [
        rb["phase_cpu_ms_per_photo"]["whole machine"]
        / ra["phase_cpu_ms_per_photo"]["whole machine"]
        for ra, rb in pairs
    ]
    lines += [
        "",
        f"B ÷ A within each round: ratio {', '.join(f'{x:.2f}' for x in ratio_pairs)} "
        f"(median {statistics.median(ratio_pairs):.2f}); machine CPU per photo "
        f"{', '.join(f'{x:.2f}' for x in machine_pairs)} "
        f"(median {statistics.median(machine_pairs):.2f}).",
        "",
        "Results files:",
        *(f"- {v.name}: {path}" for v in variants for path in v.files),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each variant")
    parser.add_argument("--a", type=Path, default=ROOT, help="variant A's tree (default: this)")
    parser.add_argument("--b", type=Path, default=ROOT, help="variant B's tree (default: this)")
    parser.add_argument("--a-env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--b-env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("intake_args", nargs=argparse.REMAINDER, help="-- then intake.py's")
    args = parser.parse_args()
    intake_args = args.intake_args[1:] if args.intake_args[:1] == ["--"] else args.intake_args
    if args.rounds < 1:
        raise SystemExit("--rounds must be at least 1")
    variants = [
        Variant("A", args.a.resolve(), parse_env(args.a_env)),
        Variant("B", args.b.resolve(), parse_env(args.b_env)),
    ]
    for index in range(args.rounds):
        # A B, then B A: neither variant always runs on the machine the other just warmed.
        for variant in variants if index % 2 == 0 else variants[::-1]:
            run_once(variant, intake_args)
    print()
    print(summary(variants))


if __name__ == "__main__":
    main()
