"""``verval``: the command line for everything an admin does in bulk.

Domain modules add their own command groups in :func:`main` (one place), so this
file stays the index of what the CLI can do.
"""

from __future__ import annotations

import asyncio
from typing import Any

import click

from api import db
from api.cli_support import run_with_database
from api.settings import Settings, load_settings


@click.group(help="Verval: field verification of the social-welfare register.")
def cli() -> None:
    pass


@cli.command(help="Apply every pending database migration.")
def migrate() -> None:
    async def work(settings: Settings) -> list[str]:
        return await db.migrate()

    for message in run_with_database(work):
        click.echo(message)


@cli.command(help="Run the API and the PWA (prints the URL).")
@click.option("--host", default=None, help="Listen address (default VERVAL_HOST).")
@click.option("--port", default=None, type=int, help="Port (default VERVAL_PORT).")
@click.option(
    "--workers", default=None, type=int, help="Worker processes (default VERVAL_WORKERS)."
)
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@click.option(
    "--balance",
    type=click.Choice(["reuseport", "shared"]),
    default="reuseport",
    show_default=True,
    help="How workers share the port: a socket each (SO_REUSEPORT, the kernel spreads "
    "connections) or one shared socket (uvicorn's workers).",
)
def serve(
    host: str | None, port: int | None, workers: int | None, reload: bool, balance: str
) -> None:
    from api.serving import ServeOptions
    from api.serving import serve as run_server

    settings = load_settings()
    host = host or settings.host
    port = port or settings.port
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104
    click.echo(f"Verval is starting at http://{shown_host}:{port}/  (API docs: /schema)")
    run_server(
        ServeOptions(
            host=host,
            port=port,
            workers=workers or settings.workers,
            reload=reload,
            balance=balance,
        )
    )


@cli.command(help="Run a job worker: analyses stored photos from the queue (PostgreSQL).")
@click.option("--concurrency", default=1, type=click.IntRange(1, 64), help="Jobs at a time.")
@click.option("--until-empty", is_flag=True, help="Stop when the queue is empty.")
@click.option(
    "--nice",
    "niceness",
    default=10,
    show_default=True,
    type=click.IntRange(0, 19),
    help="Lower this worker's CPU priority by N (os.nice). On its own machine it changes "
    "nothing; beside an API it lets intake go first (analysis may lag, receipts do not).",
)
def worker(concurrency: int, until_empty: bool, niceness: int) -> None:
    from api.jobs.worker import lower_cpu_priority, run_worker
    from api.logging import configure_logging

    # Why: the phone waits for the receipt, not for the analysis. When the worker shares
    # cores with the API, PostgreSQL and the object store, a niced worker takes only the
    # CPU the request path leaves idle; on a dedicated machine nothing else competes.
    lower_cpu_priority(niceness)

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    if settings.effective_analysis_runner == "inline" and not until_empty:
        raise click.ClickException(
            "On SQLite photos are analysed inside the API (VERVAL_ANALYSIS_RUNNER=inline): "
            "no worker is needed. `verval worker --until-empty` analyses photos a crash "
            "left behind."
        )
    analysed = asyncio.run(run_worker(settings, concurrency=concurrency, until_empty=until_empty))
    if analysed:
        click.echo(f"{analysed} photo(s) analysed")


def register_commands(group: click.Group, commands: list[Any]) -> None:
    for command in commands:
        group.add_command(command)


def build_cli() -> click.Group:
    """The ``verval`` command with every domain's commands (imported here, not at import
    time, so ``verval --help`` and ``python -m api.cli`` stay cheap)."""
    from api.audit.cli import audit
    from api.civil_registry.cli import COMMANDS as civil_registry_commands
    from api.demo import demo_command
    from api.evidence_store.cli import media
    from api.forms.cli import forms
    from api.registry.cli import COMMANDS as registry_commands
    from api.reports.cli import COMMANDS as report_commands
    from api.users.cli import users

    register_commands(
        cli,
        [
            demo_command,
            users,
            forms,
            media,
            *registry_commands,
            audit,
            *report_commands,
            *civil_registry_commands,
        ],
    )
    return cli


def main() -> None:
    build_cli()()


if __name__ == "__main__":
    main()
