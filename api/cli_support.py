"""What every ``verval`` command module shares: running work with the database (and
object store) open, and who the command line acts as.

Domain ``cli.py`` modules import this; ``api/cli.py`` imports the domains, so the
arrows go one way.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from typing import TypeVar

from api import db
from api.audit.service import Actor
from api.resources import build_object_store
from api.settings import Settings, load_settings
from auth.roles import Principal, Role
from media.store import ObjectStore

T = TypeVar("T")


def run_with_database(work: Callable[[Settings], Awaitable[T]]) -> T:
    """Run ``work`` with the configured database bound and open, then close it."""
    settings = load_settings()

    async def runner() -> T:
        engine = db.make_engine(settings.effective_database_url)
        db.bind_engine(engine)
        await db.open_engine(engine)
        try:
            return await work(settings)
        finally:
            await db.close_engine(engine)

    return asyncio.run(runner())


def run_with_resources(work: Callable[[Settings, ObjectStore], Awaitable[T]]) -> T:
    """Like :func:`run_with_database`, with the configured object store open too."""

    async def with_store(settings: Settings) -> T:
        store = build_object_store(settings)
        try:
            return await work(settings, store)
        finally:
            await store.aclose()

    return run_with_database(with_store)


def run_with_store(work: Callable[[ObjectStore], Awaitable[T]]) -> T:
    return run_with_resources(lambda _, store: work(store))


def cli_actor() -> Actor:
    """Who a command acts as in the audit chain: the operating-system user."""
    return Actor(f"cli:{getpass.getuser()}")


def cli_principal() -> Principal:
    """The command line acts with the whole deployment's reach, as an admin does; the
    audit chain names the operating-system user (``extra["actor"]``)."""
    actor = cli_actor()
    return Principal(
        user_id=0,
        username=actor.ref,
        display_name="verval CLI",
        role=Role.ADMIN,
        scopes=(),
        session_id="cli",
        extra={"actor": actor.ref},
    )
