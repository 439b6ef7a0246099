"""Registry fixtures: Mukomuko's region tree and small baseline files written on the fly."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api.audit.service import Actor
from api.registry.baseline.importer import ImportSummary, import_baseline
from api.registry.region_import import import_regions
from api.registry.synthetic import Village, write_csv

TODAY = date(2026, 6, 1)
ACTOR = Actor("system:test")
VILLAGES_01 = [Village("17.06.01.2005", "Suka Pindah"), Village("17.06.01.2006", "Lubuk Pinang")]
VILLAGES_05 = [Village("17.06.05.2004", "Air Buluh")]


@pytest.fixture
async def mukomuko(database: Any) -> None:
    """The real region tree of Kabupaten Mukomuko (17.06), from the shipped list."""
    await import_regions(ACTOR, only="17.06")


def write_rows(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def run_import(path: Path, report: Path | None = None, **kwargs: Any) -> ImportSummary:
    return await import_baseline(ACTOR, path, report, today=TODAY, **kwargs)


@pytest.fixture
def synthetic_file(tmp_path: Path) -> Callable[..., Path]:
    def make(villages: list[Village], households: int, seed: int = 7, **kwargs: Any) -> Path:
        path = tmp_path / f"baseline-{seed}-{households}.csv"
        write_csv(path, villages, households, seed=seed, today=TODAY, **kwargs)
        return path

    return make


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
