"""``verval forms …``: publish definitions and list what is published."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from api.audit.service import Actor
from api.cli_support import run_with_database
from api.errors import DomainError
from api.forms import service
from api.settings import Settings
from survey_forms.loader import DEFINITIONS_DIR


@click.group(help="Publish and list survey form versions.")
def forms() -> None:
    pass


@forms.command("publish", help="Publish definition files (default: every shipped definition).")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def publish(paths: tuple[Path, ...]) -> None:
    files = list(paths) or sorted(Path(DEFINITIONS_DIR).glob("*.json"))

    async def work(_: Settings) -> None:
        actor = Actor(f"cli:{getpass.getuser()}")
        for path in files:
            form = service.parse_for_publishing(path.read_bytes(), str(path))
            result = await service.publish(actor, form)
            state = "published" if result.created else "already published"
            click.echo(f"{result.form_id} v{result.version} {state} ({result.content_hash[:12]})")

    try:
        run_with_database(work)
    except DomainError as error:
        detail = error.detail
        for item in error.extra.get("errors", []):
            detail += f"\n  {item['path']}: {item['message']}"
        raise click.ClickException(detail) from None


@forms.command("list", help="The newest published version of each form.")
def list_forms() -> None:
    async def work(_: Settings) -> None:
        for form in await service.list_latest():
            click.echo(
                f"{form.form_id} v{form.version} {form.content_hash[:12]} {form.title['id']}"
            )

    run_with_database(work)
