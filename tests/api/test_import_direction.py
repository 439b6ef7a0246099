"""The folders' dependencies go one way, so a module can be read (and moved) without
dragging in the modules that use it. Checked on the source text (a small AST scan):
an import inside a function counts the same as one at the top of the file."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> Iterator[str]:
    """Every module ``path`` imports (``from a.b import c`` yields ``a.b`` and ``a.b.c``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"


def imports_of(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in paths:
        for module in imported_modules(path):
            if any(module == name or module.startswith(name + ".") for name in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {module}")
    return found


def test_command_modules_do_not_import_the_cli_index() -> None:
    """``api/cli.py`` imports every domain's commands; the domains take their shared
    helpers from ``api.cli_support``, never from ``api.cli``."""
    command_modules = [
        path
        for path in (ROOT / "api").rglob("*.py")
        if path != ROOT / "api" / "cli.py" and "piccolo_migrations" not in path.parts
    ]
    command_modules += list((ROOT / "auth").rglob("*.py"))
    assert len(command_modules) > 20
    assert imports_of(command_modules, ("api.cli",)) == []


def test_the_cli_support_module_imports_no_command_module() -> None:
    assert imports_of([ROOT / "api" / "cli_support.py"], ("api.cli",)) == []
    cli_modules = [p for p in (ROOT / "api").rglob("cli.py") if p.parent != ROOT / "api"]
    command_packages = tuple(
        ".".join(p.relative_to(ROOT).with_suffix("").parts) for p in cli_modules
    )
    assert command_packages
    assert imports_of([ROOT / "api" / "cli_support.py"], command_packages) == []


def test_api_folders_are_not_named_like_top_level_packages_or_generic_words() -> None:
    """``api/files/`` (local media URLs, ``verval media gc``) was easily taken for the
    top-level ``media/``: a folder's name says what it is about."""
    top_level = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    generic = {"files", "utils", "helpers", "common", "misc"}
    api_folders = {p.parent.name for p in (ROOT / "api").glob("*/__init__.py")}
    assert "media" in top_level and "visits" in api_folders
    assert api_folders & (top_level | generic) == set()


# The infrastructure ``auth`` may use; ``api`` imports ``auth``, never the other way round.
AUTH_MAY_IMPORT = ("api.db", "api.errors", "api.settings")


def test_auth_imports_nothing_of_api_but_its_infrastructure() -> None:
    auth_modules = [
        path for path in (ROOT / "auth").rglob("*.py") if "piccolo_migrations" not in path.parts
    ]
    assert len(auth_modules) > 8
    imports_of_api = [
        finding
        for finding in imports_of(auth_modules, ("api",))
        if not any(
            finding.endswith(f" {allowed}") or f" {allowed}." in finding
            for allowed in AUTH_MAY_IMPORT
        )
        and not finding.endswith(" api")
    ]
    assert imports_of_api == []


def test_auth_infrastructure_does_not_import_auth() -> None:
    """The modules ``auth`` may use import no ``auth`` in turn (no circle through them)."""
    infrastructure = [ROOT / (name.replace(".", "/") + ".py") for name in AUTH_MAY_IMPORT]
    assert imports_of(infrastructure, ("auth",)) == []


def test_the_demo_lives_in_one_folder() -> None:
    """The demo's data and loaders are gathered in ``api/demo/``, not spread over domains."""
    assert (ROOT / "api" / "demo" / "__init__.py").exists()
    scattered = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "api").rglob("demo.py")
        if path.parent != ROOT / "api" / "demo"
    ]
    assert scattered == []


def test_no_module_imports_another_modules_private_names() -> None:
    """A leading underscore means "only this module uses it"; what two modules share is
    public in the module it belongs to (``api/visits/photos.py`` and ``analysis.py`` took
    ``_complete``/``_insert_flags`` from ``service.py``, the village ``_spool`` from photos)."""
    packages = ("api", "auth", "media", "survey_forms")
    private_imports = []
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            if "piccolo_migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
                    continue
                if node.module.split(".")[0] not in packages:
                    continue
                private_imports += [
                    f"{path.relative_to(ROOT)}: from {node.module} import {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_")
                ]
    assert private_imports == []


def controller_modules() -> list[Path]:
    """Every module under ``api/`` that declares a Litestar ``Controller`` subclass."""
    found = []
    for path in (ROOT / "api").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if any(
            isinstance(node, ast.ClassDef)
            and any(isinstance(base, ast.Name) and base.id == "Controller" for base in node.bases)
            for node in ast.walk(tree)
        ):
            found.append(path)
    return found


def table_modules() -> tuple[str, ...]:
    return tuple(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for package in ("api", "auth")
        for path in (ROOT / package).rglob("tables.py")
    )


# ``/readyz`` is about the database itself: it asks the engine whether it answers.
MAY_TOUCH_THE_DATABASE = {ROOT / "api" / "health" / "controller.py"}


def test_controllers_run_no_sql() -> None:
    """Controllers parse HTTP, call a service and shape the response: no controller imports
    a ``tables`` module or Piccolo, nor opens a transaction (``api.db``); the SQL is in the
    domain's queries and services (``registry/`` and ``reports/`` had rules in theirs,
    ``audit/controller.py`` looked households up itself)."""
    controllers = controller_modules()
    assert {
        ROOT / "api" / "registry" / "controller.py",
        ROOT / "api" / "reports" / "links.py",
    } <= set(controllers)
    assert len(table_modules()) > 5
    forbidden = (*table_modules(), "piccolo")
    assert imports_of(controllers, forbidden) == []
    assert (
        imports_of([p for p in controllers if p not in MAY_TOUCH_THE_DATABASE], ("api.db",)) == []
    )
