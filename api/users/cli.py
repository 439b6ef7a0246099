"""``verval users …``: create, import and deactivate accounts in bulk."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from pydantic import ValidationError

from api.cli_support import cli_actor, run_with_database
from api.errors import DomainError
from api.settings import Settings
from auth import service
from auth.roles import Role
from auth.schemas import UserCreate


@click.group(help="Manage user accounts.")
def users() -> None:
    pass


@users.command("create", help="Create one user (asks for the password when not given).")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--scope", "scopes", multiple=True, help="Region code, e.g. 17.06 (repeatable).")
@click.option("--password", default=None, help="Password (prompted when omitted).")
def create(
    username: str, display_name: str, role: str, scopes: tuple[str, ...], password: str | None
) -> None:
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreate(
            username=username,
            display_name=display_name,
            role=Role(role),
            password=password,
            scopes=list(scopes),
        )
    except ValidationError as error:
        raise click.ClickException(str(error)) from None

    async def work(_: Settings) -> None:
        user = await service.create_user(cli_actor(), data)
        scopes = ", ".join(user.scopes) or "-"
        click.echo(f"created user {user.username} (id {user.id}, {user.role.value}, {scopes})")

    try:
        run_with_database(work)
    except DomainError as error:
        raise click.ClickException(error.detail) from None


@users.command(
    "import",
    help="Create users from a CSV with columns username,display_name,role,scopes,password.",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_users(path: Path) -> None:
    """Scopes are separated by spaces or semicolons; existing usernames are reported."""

    async def work(_: Settings) -> tuple[int, list[str]]:
        created, problems = 0, []
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for line_no, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    data = UserCreate(
                        username=row.get("username", ""),
                        display_name=row.get("display_name", ""),
                        role=Role((row.get("role") or "").strip()),
                        password=row.get("password", ""),
                        scopes=[
                            s for s in (row.get("scopes") or "").replace(";", " ").split() if s
                        ],
                    )
                    await service.create_user(cli_actor(), data)
                    created += 1
                except (ValidationError, ValueError) as error:
                    problems.append(f"line {line_no}: {str(error).splitlines()[0]}")
                except DomainError as error:
                    problems.append(f"line {line_no}: {error.detail}")
        return created, problems

    created, problems = run_with_database(work)
    click.echo(f"created {created} users, {len(problems)} rows refused")
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    if problems:
        raise SystemExit(1)


@users.command("deactivate", help="Deactivate a user and end their sessions.")
@click.argument("username")
def deactivate(username: str) -> None:
    async def work(_: Settings) -> None:
        await service.deactivate_user(cli_actor(), username)

    try:
        run_with_database(work)
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"deactivated {username}")
