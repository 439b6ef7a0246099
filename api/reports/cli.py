"""``verval reports minutes|export|progress``: the offices' outputs from the command line.

The command line acts as an admin of the whole deployment (like the other bulk
commands); every file it writes is an audit event under ``cli:<os user>``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import msgspec
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli_support import cli_principal, run_with_database
from api.errors import DomainError
from api.reports import exports, minutes
from api.reports.exports import Dataset, ExportOptions, Format, Only
from api.reports.progress import progress as progress_report
from api.reports.scope import Identity, record_download, resolve
from api.settings import Settings

console = Console(stderr=True)


def _run(work: Any) -> Any:
    try:
        return run_with_database(work)
    except DomainError as error:
        raise click.ClickException(f"{error.detail} ({error.code})") from None


@click.group(help="Minutes, register exports, GeoJSON and progress of a round.")
def reports() -> None:
    pass


@reports.command("minutes", help="Write the berita acara (PDF) of a village for a round.")
@click.argument("village_code")
@click.option("--round", "round_id", type=int, required=True, help="Verification round id.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--date",
    "on",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Date of the deliberation (default: today, local time of the village).",
)
@click.option("--place", default=None, help="Where it is held (default: Balai Desa <name>).")
@click.option("--village-head", default=None, help="Name of the Kepala Desa / Lurah.")
@click.option("--supervisor", default=None, help="Name of the supervisor who signs.")
def minutes_command(
    village_code: str,
    round_id: int,
    output: Path,
    on: datetime | None,
    place: str | None,
    village_head: str | None,
    supervisor: str | None,
) -> None:
    principal = cli_principal()
    day: date | None = on.date() if on else None

    async def work(_: Settings) -> minutes.Minutes:
        scope = await resolve(principal, village_code, round_id)
        options = minutes.MinutesOptions(
            on=day, place=place, village_head=village_head, supervisor=supervisor
        )
        document = await minutes.make_minutes(principal, scope, options)
        await record_download(
            principal,
            "report.minutes_downloaded",
            scope,
            f"minutes:{village_code}",
            {
                "sha256": document.fingerprint,
                "households": document.listed,
                "pending": document.pending,
                "date": document.data["date"]["iso"],
            },
        )
        return document

    document = _run(work)
    output.write_bytes(document.pdf)
    click.echo(
        f"wrote {output}: {document.listed} households listed, {document.pending} still in "
        f"review, sha256 {document.fingerprint}"
    )


def _format_of(output: Path) -> str:
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx", "geojson"):
        raise click.UsageError("the output file ends in .csv, .xlsx or .geojson")
    return suffix


@reports.command(
    "export",
    help="Export a region's households (or members) as CSV/XLSX, or its visits as GeoJSON; "
    "the format follows the output file's extension.",
)
@click.argument("region")
@click.option("--round", "round_id", type=int, required=True, help="Verification round id.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--dataset", type=click.Choice([d.value for d in Dataset]), default="households")
@click.option("--only", type=click.Choice([o.value for o in Only]), default="all")
@click.option(
    "--identity",
    type=click.Choice([i.value for i in Identity]),
    default="masked",
    help="full: all 16 digits of NIK and No. KK, for re-entry into SIKS-NG.",
)
def export_command(
    region: str,
    round_id: int,
    output: Path,
    dataset: str,
    only: str,
    identity: str,
) -> None:
    principal = cli_principal()
    kind = _format_of(output)
    options = ExportOptions(Dataset(dataset), Identity(identity), Only(only))

    async def work(_: Settings) -> int:
        scope = await resolve(principal, region, round_id)
        stream: AsyncIterator[bytes]
        if kind == "geojson":
            action, object_id, details = "report.geojson_downloaded", f"visits.geojson:{region}", {}
            stream = exports.geojson_stream(principal, scope)
        else:
            action = "report.export_downloaded"
            object_id = f"{dataset}.{kind}:{region}"
            details = {"format": kind, **options.describe()}
            stream = exports.stream(Format(kind), principal, scope, options)
        await record_download(principal, action, scope, object_id, details)
        written = 0
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task(f"{output.name}, MB written", total=None)
            with output.open("wb") as handle:
                async for chunk in stream:
                    handle.write(chunk)
                    written += len(chunk)
                    bar.update(task, completed=written // 1_000_000)
        return written

    written = _run(work)
    click.echo(f"wrote {output} ({written / 1e6:.1f} MB)")


@reports.command("progress", help="Progress of a round in a region, per village and enumerator.")
@click.argument("region")
@click.option("--round", "round_id", type=int, required=True, help="Verification round id.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--decile",
    type=click.Choice(["1-4", "5-10", *(str(n) for n in range(1, 11)), "unknown"]),
    help="Only households of this decile selection (1-4: the poorest 40 %).",
)
def progress_command(region: str, round_id: int, as_json: bool, decile: str | None) -> None:
    principal = cli_principal()

    async def work(_: Settings) -> Any:
        scope = await resolve(principal, region, round_id)
        report = await progress_report(principal, scope, decile)
        await record_download(principal, "report.progress_viewed", scope, f"progress:{region}", {})
        return report

    report = _run(work)
    if as_json:
        click.echo(json.dumps(msgspec.to_builtins(report), indent=1, ensure_ascii=False))
        return
    columns = ("assigned", "visited", "complete", "approved", "returned", "escalated", "flagged")
    click.echo(f"{report.region_name} ({report.region_code}) · {report.round}")
    click.echo(f"{'village':<34}" + "".join(f"{c:>10}" for c in columns))
    for row in [*report.villages, report.totals]:
        label = f"{row.name or row.region_code}"[:33]
        click.echo(f"{label:<34}" + "".join(f"{getattr(row, c):>10}" for c in columns))
    click.echo("")
    click.echo(f"{'enumerator':<34}" + "".join(f"{c:>10}" for c in columns))
    for person in report.enumerators:
        label = (person.display_name or person.username)[:33]
        click.echo(f"{label:<34}" + "".join(f"{getattr(person, c):>10}" for c in columns))
    click.echo("")
    bands = ("households", "assigned", "visited", "approved")
    click.echo(f"{'decile (BPS)':<34}" + "".join(f"{c:>10}" for c in bands))
    for band in report.totals.deciles:
        label = {"1-4": "1-4 (poorest 40 %)", "5-10": "5-10", "unknown": "unknown"}[band.band]
        click.echo(f"{label:<34}" + "".join(f"{getattr(band, c):>10}" for c in bands))


COMMANDS = [reports]
