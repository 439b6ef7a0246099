"""Generate a regency-scale baseline file: 400,000 households, about a million members.

One row per member with the household's columns repeated, as the register exports it,
from the same generator as the demo (``api.registry.synthetic``): real Kemendagri villages
of the regency, NIKs and No. KKs that pass the structural checks. Streams to disk.

    .venv/bin/python -m bench.registry_generate [--households 400000] [--regency 35.07]
        [--out var/bench/registry-400k.csv] [--legacy] [--seed 2026]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from api.registry.region_import import SHIPPED_REGIONS, region_rows
from api.registry.synthetic import Village, write_csv


def villages_of(regency: str) -> list[Village]:
    return [
        Village(code, name)
        for _, code, name in region_rows(SHIPPED_REGIONS, regency)
        if code.count(".") == 3
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=400_000)
    parser.add_argument("--regency", default="35.07", help="Kabupaten Malang by default")
    parser.add_argument("--out", type=Path, default=Path("var/bench/registry-400k.csv"))
    parser.add_argument("--legacy", action="store_true", help="the register's legacy names")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    villages = villages_of(args.regency)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows = write_csv(args.out, villages, args.households, seed=args.seed, legacy=args.legacy)
    elapsed = time.perf_counter() - started
    size = args.out.stat().st_size / 1e6
    print(
        f"{args.households} households, {rows} member rows in {len(villages)} villages of "
        f"{args.regency}: {args.out} ({size:.0f} MB) in {elapsed:.0f} s"
    )


if __name__ == "__main__":
    main()
