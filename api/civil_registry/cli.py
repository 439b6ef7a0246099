"""``verval civil-registry …``: extract import, reconciliation, API keys, synthetic data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from api import db
from api.audit.service import append_event
from api.civil_registry import credentials, matching, synthetic
from api.civil_registry.importer import MissingColumns, import_extract
from api.civil_registry.schemas import CredentialCreate
from api.cli_support import cli_actor, run_with_database
from api.errors import DomainError
from api.registry.baseline.readers import UnreadableFile
from api.settings import Settings


def _run(work: Any) -> Any:
    try:
        return run_with_database(work)
    except DomainError as error:
        raise click.ClickException(f"{error.detail} ({error.code})") from None
    except (UnreadableFile, MissingColumns) as error:
        raise click.ClickException(str(error)) from None


@click.group("civil-registry", help="The civil registry (Dukcapil): extracts, findings, keys.")
def civil_registry() -> None:
    pass


@civil_registry.command("import", help="Import a civil-registry extract (CSV or XLSX).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the bad rows (row, code, message) to this CSV file.")  # fmt: skip
@click.option("--reconcile", "region", default=None,
              help="Then reconcile this region (e.g. 17.06) with it.")  # fmt: skip
def import_command(file: Path, report: Path | None, region: str | None) -> None:
    async def work(_: Settings) -> dict[str, Any]:
        def shown(done: int, total: int | None, unit: str) -> None:
            if total:
                click.echo(f"\r{done * 100 // total:3d} %", nl=False, err=True)

        async def progress(done: int, total: int | None, unit: str, _: dict[str, int]) -> None:
            shown(done, total, unit)

        summary = await import_extract(cli_actor(), file, report, on_progress=progress)
        click.echo("", err=True)
        result = {"import": summary.as_dict()}
        if region:
            found = await matching.reconcile(cli_actor(), matching.Target(region=region))
            result["reconcile"] = found.as_dict()
        return result

    result = _run(work)
    summary = result["import"]
    click.echo(
        f"{summary['rows']} rows: {summary['inserted']} new, {summary['updated']} changed, "
        f"{summary['unchanged']} unchanged, {summary['bad_rows']} bad"
        + (f" (see {report})" if report and summary["bad_rows"] else "")
    )
    if "reconcile" in result:
        click.echo(json.dumps(result["reconcile"], indent=2))


@civil_registry.command("reconcile", help="Reconcile a region's households with the extract.")
@click.argument("region")
def reconcile_command(region: str) -> None:
    async def work(_: Settings) -> dict[str, Any]:
        found = await matching.reconcile(cli_actor(), matching.Target(region=region))
        return found.as_dict()

    click.echo(json.dumps(_run(work), indent=2))


@civil_registry.command("issue-key", help="Issue an API key for the civil registry's pushes.")
@click.argument("name")
@click.option("--region", required=True, help="The region whose events the key may push.")
def issue_key(name: str, region: str) -> None:
    async def work(_: Settings) -> Any:
        return await credentials.issue(cli_actor(), CredentialCreate(name=name, region_code=region))

    issued = _run(work)
    click.echo(f"credential {issued.credential.id}: {issued.api_key}")
    click.echo("Shown once; Verval keeps only its SHA-256.", err=True)


@civil_registry.command("revoke-key", help="Revoke a civil-registry API key.")
@click.argument("credential_id", type=int)
def revoke_key(credential_id: int) -> None:
    async def work(_: Settings) -> None:
        await credentials.revoke(cli_actor(), credential_id)

    _run(work)
    click.echo(f"credential {credential_id} revoked")


@civil_registry.command("synthetic", help="Write a synthetic extract for the register's region.")
@click.argument("region")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--seed", type=int, default=14)
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
def synthetic_command(region: str, output: Path, seed: int, today: Any) -> None:
    async def work(_: Settings) -> synthetic.ExtractStats:
        day = today.date() if today else date.today()
        stats = await synthetic.write_extract(output, region, seed=seed, today=day)
        # It writes the register's NIKs to a file: handed out, so audited.
        async with db.write_transaction():
            await append_event(
                cli_actor(),
                "civil_registry.synthetic_written",
                "region",
                region,
                region_code=region,
                details={"rows": stats.rows, "members": stats.members, "seed": seed},
            )
        return stats

    stats = _run(work)
    click.echo(f"{stats.rows} rows for {stats.members} members: {json.dumps(stats.counts)}")


COMMANDS = [civil_registry]
