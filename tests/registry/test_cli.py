"""The admin's command line: regions, baseline (with its report), rounds, assignments."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from api.registry.cli import COMMANDS
from api.users.cli import users
from tests.conftest import TEST_SECRET
from tests.registry.conftest import VILLAGES_01, write_rows
from tests.registry.test_baseline_import import LEGACY_HEADER, family_a

for command in [*COMMANDS, users]:
    if command.name not in cli.commands:
        cli.add_command(command)


@pytest.fixture
def verval(database, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVAL_DATABASE_URL", database.url)
    monkeypatch.setenv("VERVAL_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("VERVAL_SECRET_KEY", TEST_SECRET)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_regions_baseline_rounds_and_assignments_from_the_command_line(verval, tmp_path: Path):
    out = verval("regions", "import", "--only", "17.06")
    assert "168 read, 168 created" in out
    assert "0 created, 0 renamed, 168 unchanged" in verval("regions", "import", "--only", "17.06")

    rows = [*family_a(), ["1706011203150099", "1706011505780001", "Dup", "x", "1", "1",
                          VILLAGES_01[0].code, "1", "", "", *["1"] * 8, ""]]  # fmt: skip
    source = write_rows(tmp_path / "baseline.csv", LEGACY_HEADER, rows)
    out = verval("baseline", "import", str(source), code=1)
    assert "rows: 4 read, 3 imported, 1 rejected" in out
    assert "households: 1 created, 0 updated, 0 unchanged, 1 rejected" in out
    report = Path(str(source) + ".report.csv").read_text(encoding="utf-8")
    assert "nik_in_other_family" in report and "1706011505780001" not in report

    out = verval("rounds", "create", "Verval Juni 2026", "--region", "17.06",
                 "--start", "2026-06-01", "--end", "2026-07-31")  # fmt: skip
    assert "created round 1: Verval Juni 2026 (17.06, open, dtks_verval v2)" in out
    verval("users", "create", "siti", "--name", "Siti", "--role", "enumerator",
           "--scope", "17.06.01", "--password", "correct-horse-battery")  # fmt: skip
    out = verval("assignments", "assign", "--round", "1", "--region", VILLAGES_01[0].code,
                 "--to", "siti")  # fmt: skip
    assert "assigned 1, reassigned 0, unchanged 0, skipped 0" in out
    assert "assigned 1: open 1" in verval("rounds", "list")
    out = verval("assignments", "unassign", "--round", "1", "--region", VILLAGES_01[0].code)
    assert "unassigned 1" in out
    assert "round 1 is closed" in verval("rounds", "set-state", "1", "closed")
