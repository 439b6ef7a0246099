"""``verval demo``: a ready demo on the embedded default (Kabupaten Mukomuko, 17.06).

Idempotent: running it again keeps what exists. The registry issue adds the
region tree, synthetic households and assignments to :func:`load_demo`.
"""

from __future__ import annotations

from dataclasses import dataclass

import click

from api import db
from api.audit.service import Actor
from api.cli_support import run_with_resources
from api.forms import service as forms_service
from api.settings import Settings
from auth import queries as auth_queries
from auth import service as auth_service
from auth.roles import Role
from auth.schemas import UserCreate
from media.store import ObjectStore
from survey_forms import shipped_forms

DEMO_REGENCY = "17.06"  # Kabupaten Mukomuko, Bengkulu
# Printed on every run: a demo is for trying out, never for real data.
DEMO_PASSWORD = "mukomuko-demo-2026"  # noqa: S105 (printed demo login)


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    scopes: tuple[str, ...]
    password: str


DEMO_USERS = (
    DemoUser("admin", "Admin Verval", Role.ADMIN, (), DEMO_PASSWORD),
    DemoUser(
        "supervisor", "Supervisor Dinsos Mukomuko", Role.SUPERVISOR, (DEMO_REGENCY,), DEMO_PASSWORD
    ),
    DemoUser(
        "supervisor.ipuh", "Supervisor Kec. Ipuh", Role.SUPERVISOR, ("17.06.05",), DEMO_PASSWORD
    ),
    DemoUser("auditor", "Auditor Inspektorat", Role.AUDITOR, (DEMO_REGENCY,), DEMO_PASSWORD),
    DemoUser(
        "enumerator", "Enumerator Lubuk Pinang", Role.ENUMERATOR, ("17.06.01",), DEMO_PASSWORD
    ),
    DemoUser("enumerator.ipuh", "Enumerator Ipuh", Role.ENUMERATOR, ("17.06.05",), DEMO_PASSWORD),
    # Has already sent the demo's visits (api/demo/visits.py): the supervisor's queue.
    DemoUser(
        "enumerator.demo",
        "Enumerator Desa Lubuk Gedang",
        Role.ENUMERATOR,
        ("17.06.01",),
        DEMO_PASSWORD,
    ),
    # The village office of Suka Pindah and Lubuk Gedang: proposals, the deliberation.
    DemoUser(
        "operator.desa",
        "Operator Desa Lubuk Pinang",
        Role.VILLAGE_OPERATOR,
        ("17.06.01.2005", "17.06.01.2008"),
        DEMO_PASSWORD,
    ),
)


async def load_demo(settings: Settings, store: ObjectStore) -> list[DemoUser]:
    await db.migrate()
    actor = Actor("system:demo")
    for form in shipped_forms().values():
        await forms_service.publish(actor, form)
    for user in DEMO_USERS:
        if await auth_queries.user_by_username(user.username) is None:
            await auth_service.create_user(
                actor,
                UserCreate(
                    username=user.username,
                    display_name=user.display_name,
                    role=user.role,
                    password=user.password,
                    scopes=list(user.scopes),
                ),
            )
    from api.demo.registry import load_registry_demo

    await load_registry_demo(actor)  # regions, households, a round, assignments
    from api.demo.visits import load_visits_demo

    await load_visits_demo(settings, store)  # visits already sent, for the review queue
    from api.demo.civil_registry import load_civil_registry_demo

    await load_civil_registry_demo(actor)  # a Dukcapil extract, findings, a pushed death

    from api.demo.village import load_village_demo

    # one village deliberated, one in public review
    await load_village_demo(settings, store)
    return list(DEMO_USERS)


@click.command("demo", help="Load the Mukomuko demo (idempotent) and print the demo logins.")
def demo_command() -> None:
    users = run_with_resources(load_demo)
    click.echo("Demo logins (username / password):")
    for user in users:
        scope = ", ".join(user.scopes) or "all regions"
        click.echo(f"  {user.role.value:16} {user.username:18} {user.password:22} {scope}")
