"""The civil-registry migrations are frozen and give the tables' schema on a fresh database.

A migration built from the live table classes would silently create whatever the classes
say today; a frozen one spells its columns out. Piccolo's own differ (what
``scripts/new_migration.py`` runs) must find nothing between the migrations and the
tables, and a database migrated from scratch must hold exactly the tables' columns and
the reconciliation's indexes, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import AppConfig

from api import db
from api.civil_registry import piccolo_app
from api.civil_registry.tables import CivilCredential, CivilEvent, CivilPerson, Finding, ImportJob

MIGRATIONS = Path(piccolo_app.__file__).parent / "piccolo_migrations"
TABLES = (CivilPerson, CivilEvent, CivilCredential, ImportJob, Finding)
INDEXES = {
    "civil_registry_person_birth_name",
    "civil_registry_finding_household_state",
    "household_member_birth_date",
}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }


def test_no_migration_builds_from_the_live_tables() -> None:
    for path in sorted(MIGRATIONS.glob("civil_registry_*.py")):
        assert "api.civil_registry.tables" not in _imported_modules(path), path.name


async def test_the_migrations_and_the_tables_agree() -> None:
    """What ``scripts/new_migration.py civil_registry`` would write: nothing."""
    app: AppConfig = piccolo_app.APP_CONFIG
    statements = await AutoMigrationManager().get_alter_statements(app_config=app)
    assert list(itertools.chain(*[s.statements for s in statements])) == []


async def _columns(table: str) -> set[str]:
    engine = db.current_engine()
    if db.is_postgres(engine):
        rows = await engine.run_ddl(
            "SELECT column_name AS name FROM information_schema.columns "
            f"WHERE table_name = '{table}'"
        )
    else:
        rows = await engine.run_ddl(f"PRAGMA table_info('{table}')")
    return {r["name"] for r in rows}


async def _indexes() -> set[str]:
    engine = db.current_engine()
    if db.is_postgres(engine):
        rows = await engine.run_ddl("SELECT indexname AS name FROM pg_indexes")
    else:
        rows = await engine.run_ddl("SELECT name FROM sqlite_master WHERE type = 'index'")
    return {r["name"] for r in rows}


# PostgreSQL only, kept by triggers and never written by the ORM (so not on the tables).
DIGEST_COLUMN = "match_digest"
DIGEST_INDEXES = {"household_member_nik_digest", "civil_registry_person_nik_digest"}


async def test_a_fresh_database_has_the_tables_columns_and_indexes(database) -> None:
    postgres = db.is_postgres()
    for table in TABLES:
        expected = {column._meta.db_column_name for column in table._meta.columns}
        if postgres and table is CivilPerson:
            expected.add(DIGEST_COLUMN)
        assert await _columns(table._meta.tablename) == expected, table._meta.tablename
    assert (DIGEST_COLUMN in await _columns("household_member")) == postgres
    assert INDEXES <= await _indexes()
    assert (DIGEST_INDEXES <= await _indexes()) == postgres
