"""``verval audit …``: verify the chain and evidence; write and check evidence bundles."""

from __future__ import annotations

import json
from pathlib import Path

import click

from api import db
from api.audit.bundle import BundleScope, build_bundle, verify_bundle
from api.audit.service import append_event
from api.audit.verify import verify
from api.cli_support import cli_actor, run_with_store
from media.store import ObjectStore


@click.group(help="The audit chain and evidence.")
def audit() -> None:
    pass


@audit.command(
    "verify",
    help="Check the whole chain and re-hash stored evidence (optionally of one region or household).",
)
@click.option("--region", default=None, help="Re-hash the evidence of this region only.")
@click.option(
    "--household", type=int, default=None, help="Re-hash the evidence of this household only."
)
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
def verify_command(region: str | None, household: int | None, as_json: bool) -> None:
    report = run_with_store(lambda store: verify(store, region=region, household_id=household))
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=1))
    else:
        click.echo(
            f"chain events checked: {report.chain_events_checked} (the whole chain); in scope: "
            f"{report.visits_in_scope} visits, {report.events_in_scope} events about them, "
            f"{report.photos_checked} photos re-hashed ({report.bytes_hashed / 1e6:.1f} MB)"
        )
        for item in report.mismatches:
            line = f"  {item.kind}: {item.detail}"
            if item.expected or item.found:
                line += f" (expected {item.expected}, found {item.found})"
            click.echo(line)
        click.echo(
            "OK: chain and evidence intact"
            if report.ok
            else f"FAILED: {len(report.mismatches)} mismatches"
        )
    if not report.ok:
        raise SystemExit(1)


@audit.command("bundle", help="Write an evidence bundle for a region or household to a file.")
@click.option("--region", default=None)
@click.option("--household", type=int, default=None)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def bundle_command(region: str | None, household: int | None, output: Path) -> None:
    if (region is None) == (household is None):
        raise click.UsageError("give exactly one of --region or --household")

    scope = BundleScope(region=region, household_id=household)

    async def work(store: ObjectStore) -> None:
        # Written to the chain before the first byte, as the HTTP download is.
        async with db.write_transaction():
            await append_event(
                cli_actor(),
                "audit.bundle_exported",
                "bundle",
                scope.region or f"household:{scope.household_id}",
                region_code=scope.region,
                details=scope.describe(),
            )
        with output.open("wb") as handle:
            async for chunk in build_bundle(store, scope):
                handle.write(chunk)

    run_with_store(work)
    click.echo(f"wrote {output} ({output.stat().st_size / 1e6:.1f} MB)")


@audit.command(
    "verify-bundle", help="Check an evidence bundle offline: no server or database needed."
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_bundle_command(path: Path) -> None:
    report = verify_bundle(path)
    click.echo(
        f"chain events: {report.events}, visit records: {report.records}, "
        f"visits: {report.visits}, photos: {report.photos}"
    )
    if report.unsealed:
        click.echo(
            f"  {len(report.unsealed)} visits were received before records were sealed: "
            "their content cannot be checked, only their chain events"
        )
    for problem in report.problems:
        click.echo(f"  {problem}")
    if report.ok:
        click.echo("OK: the bundle is intact and consistent with its chain segment")
    else:
        click.echo(f"FAILED: {len(report.problems)} problems")
        raise SystemExit(1)
