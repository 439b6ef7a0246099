"""``verval regions|baseline|rounds|assignments …``: the register in bulk, for admins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from api.cli_support import cli_actor, cli_principal, run_with_database
from api.errors import DomainError
from api.registry import assignments as assignment_service
from api.registry import rounds as round_service
from api.registry.baseline.importer import ImportSummary, import_baseline
from api.registry.baseline.readers import UnreadableFile
from api.registry.region_import import SHIPPED_REGIONS, import_regions
from api.registry.schemas import (
    AssignRequest,
    RoundCreate,
    RoundState,
    RoundUpdate,
    UnassignRequest,
)
from api.settings import Settings
from auth import queries as auth_queries

console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def _run(work: Any) -> Any:
    try:
        return run_with_database(work)
    except DomainError as error:
        raise click.ClickException(f"{error.detail} ({error.code})") from None
    except (UnreadableFile, ValueError) as error:
        raise click.ClickException(str(error)) from None


# --- regions ------------------------------------------------------------------------------


@click.group(help="The Kemendagri region tree.")
def regions() -> None:
    pass


@regions.command("import", help="Load region codes (default: the shipped Kemendagri 2025 list).")
@click.argument(
    "path",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--only", default=None, help="One province or regency, e.g. 17.06 (and above).")
def import_regions_command(path: Path | None, only: str | None) -> None:
    source = path or SHIPPED_REGIONS

    async def work(_: Settings) -> Any:
        with _progress() as progress:
            task = progress.add_task("regions", total=None)
            return await import_regions(
                cli_actor(), source, only, on_progress=lambda n: progress.update(task, completed=n)
            )

    summary = _run(work)
    click.echo(
        f"regions: {summary.read} read, {summary.created} created, {summary.renamed} renamed, "
        f"{summary.unchanged} unchanged, {len(summary.problems)} refused"
    )
    for problem in summary.problems[:20]:
        click.echo(f"  {problem}", err=True)
    if summary.problems:
        raise SystemExit(1)


# --- baseline -----------------------------------------------------------------------------


@click.group(help="The baseline household list of the register.")
def baseline() -> None:
    pass


def _print_summary(summary: ImportSummary) -> None:
    click.echo(
        f"rows: {summary.rows_read} read, {summary.rows_imported} imported, "
        f"{summary.rows_rejected} rejected, {summary.warnings} warnings"
    )
    click.echo(
        f"households: {summary.households_created} created, {summary.households_updated} "
        f"updated, {summary.households_unchanged} unchanged, {summary.households_rejected} "
        "rejected"
    )
    if summary.ignored_columns:
        click.echo("columns not used: " + ", ".join(summary.ignored_columns))
    if summary.report_path:
        click.echo(f"row report: {summary.report_path}")


@baseline.command("import", help="Import households and members from a CSV or XLSX file.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--report",
    "report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Row report (CSV) of every refused row and warning (default: FILE.report.csv).",
)
@click.option("--sheet", default=None, help="XLSX: the sheet to read (default: the first).")
@click.option("--batch-rows", default=2000, show_default=True, type=click.IntRange(100, 50000))
def import_baseline_command(
    path: Path, report: Path | None, sheet: str | None, batch_rows: int
) -> None:
    report = report or path.with_name(path.name + ".report.csv")

    async def work(_: Settings) -> ImportSummary:
        with _progress() as progress:
            task = progress.add_task(f"import {path.name}", total=None)

            def on_progress(done: int, total: int | None, unit: str) -> None:
                progress.update(task, completed=done, total=total)

            return await import_baseline(
                cli_actor(),
                path,
                report,
                sheet=sheet,
                batch_rows=batch_rows,
                on_progress=on_progress,
            )

    summary = _run(work)
    _print_summary(summary)
    if summary.rows_rejected:
        raise SystemExit(1)


# --- rounds -------------------------------------------------------------------------------


@click.group(help="Verification rounds.")
def rounds() -> None:
    pass


@rounds.command("create", help="Create a round, e.g. 'Verval Juni 2026' for 17.06.")
@click.argument("name")
@click.option("--region", "region_code", required=True, help="Region code, e.g. 17.06.")
@click.option("--start", "starts_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--end", "ends_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--planned", is_flag=True, help="Create it planned (phones see it once opened).")
@click.option(
    "--form-version",
    type=int,
    default=None,
    help="Version of dtks_verval its visits use (default: the newest published).",
)
def create_round(
    name: str,
    region_code: str,
    starts_on: Any,
    ends_on: Any,
    planned: bool,
    form_version: int | None,
) -> None:
    try:
        data = RoundCreate(
            name=name,
            region_code=region_code,
            starts_on=starts_on.date(),
            ends_on=ends_on.date(),
            state=RoundState.PLANNED if planned else RoundState.OPEN,
            form_version=form_version,
        )
    except ValidationError as error:
        raise click.ClickException(str(error)) from None

    async def work(_: Settings) -> Any:
        return await round_service.create_round(cli_principal(), data)

    created = _run(work)
    click.echo(
        f"created round {created.id}: {created.name} ({created.region_code}, {created.state}, "
        f"{created.form_id} v{created.form_version})"
    )


@rounds.command("list", help="List rounds.")
def list_rounds() -> None:
    async def work(_: Settings) -> Any:
        return await round_service.list_rounds(cli_principal(), None)

    for item in _run(work):
        counts = item.assignments
        click.echo(
            f"{item.id:5} {item.state:8} {item.starts_on} to {item.ends_on} {item.region_code:8} "
            f"{item.name}  (assigned {counts.total}: open {counts.open}, visited {counts.visited}, "
            f"returned {counts.returned}, closed {counts.closed})"
        )


@rounds.command("set-state", help="Open, close or reopen a round.")
@click.argument("round_id", type=int)
@click.argument("state", type=click.Choice([s.value for s in RoundState]))
def set_state(round_id: int, state: str) -> None:
    async def work(_: Settings) -> Any:
        return await round_service.update_round(
            cli_principal(), round_id, RoundUpdate(state=RoundState(state))
        )

    updated = _run(work)
    click.echo(f"round {updated.id} is {updated.state}")


# --- assignments --------------------------------------------------------------------------


@click.group(help="Assign households to enumerators.")
def assignments() -> None:
    pass


async def _user_id(username: str) -> int:
    user = await auth_queries.user_by_username(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return int(user["id"])


def _selection(village: str | None, rw: str | None, rt: str | None, ids: tuple[int, ...]) -> Any:
    if bool(village) == bool(ids):
        raise click.ClickException("give --region CODE or one or more --household ID")
    return {
        "region_code": village,
        "rw": rw,
        "rt": rt,
        "household_ids": list(ids) or None,
    }


_selection_options = [
    click.option("--round", "round_id", type=int, required=True),
    click.option("--region", "village", default=None, help="A village (or district) code."),
    click.option("--rw", default=None),
    click.option("--rt", default=None),
    click.option("--household", "household_ids", type=int, multiple=True),
]


def _with_selection(command: Any) -> Any:
    for option in reversed(_selection_options):
        command = option(command)
    return command


@assignments.command("assign", help="Assign a village, an RW/RT or households to an enumerator.")
@_with_selection
@click.option("--to", "username", required=True, help="The enumerator's username.")
@click.option("--reassign", is_flag=True, help="Take households from other enumerators too.")
def assign(
    round_id: int,
    village: str | None,
    rw: str | None,
    rt: str | None,
    household_ids: tuple[int, ...],
    username: str,
    reassign: bool,
) -> None:
    selection = _selection(village, rw, rt, household_ids)

    async def work(_: Settings) -> Any:
        data = AssignRequest(enumerator_id=await _user_id(username), reassign=reassign, **selection)
        return await assignment_service.assign(cli_principal(), round_id, data)

    result = _run(work)
    click.echo(
        f"assigned {result.assigned}, reassigned {result.reassigned}, unchanged "
        f"{result.unchanged}, skipped {result.skipped_count}"
    )
    for item in result.skipped[:20]:
        click.echo(f"  household {item.household_id}: {item.reason}", err=True)


@assignments.command("unassign", help="Unassign a village, an RW/RT or households.")
@_with_selection
@click.option("--from", "username", default=None, help="Only this enumerator's.")
def unassign(
    round_id: int,
    village: str | None,
    rw: str | None,
    rt: str | None,
    household_ids: tuple[int, ...],
    username: str | None,
) -> None:
    selection = _selection(village, rw, rt, household_ids)

    async def work(_: Settings) -> Any:
        enumerator_id = await _user_id(username) if username else None
        data = UnassignRequest(enumerator_id=enumerator_id, **selection)
        return await assignment_service.unassign(cli_principal(), round_id, data)

    result = _run(work)
    click.echo(f"unassigned {result.unassigned}, skipped {result.skipped_count}")


COMMANDS = [regions, baseline, rounds, assignments]
