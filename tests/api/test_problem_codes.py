"""One catalogue of problem codes (api/problem_codes.py): every code the source raises is in
it, with its status and words in Indonesian and English, and the OpenAPI publishes it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from api.problem_codes import CATALOGUE, ProblemCode

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "auth", "media", "survey_forms")
CODE_SHAPE = re.compile(r"^[a-z][a-z0-9_]*$")


def _codes_in_source() -> dict[str, str]:
    """Code strings given as ``code="…"``, as a DomainError subclass's ``code = "…"``, or as
    the first argument of a ``_refuse``/``problem`` helper, with where they are."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "piccolo_migrations" in path.parts:
                continue
            where = path.relative_to(ROOT)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    for keyword in node.keywords:
                        value = keyword.value
                        if keyword.arg == "code" and isinstance(value, ast.Constant):
                            found.setdefault(str(value.value), f"{where}:{node.lineno}")
                    name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                    position = {"_refuse": 0, "problem": 2}.get(name)
                    if position is not None and len(node.args) > position:
                        argument = node.args[position]
                        if isinstance(argument, ast.Constant) and CODE_SHAPE.match(
                            str(argument.value)
                        ):
                            found.setdefault(argument.value, f"{where}:{node.lineno}")
                if isinstance(node, ast.ClassDef):
                    for statement in node.body:
                        if (
                            isinstance(statement, ast.Assign)
                            and any(getattr(t, "id", "") == "code" for t in statement.targets)
                            and isinstance(statement.value, ast.Constant)
                        ):
                            found.setdefault(str(statement.value.value), f"{where}:{node.lineno}")
    return found


def test_every_code_raised_in_the_source_is_in_the_catalogue() -> None:
    missing = {
        code: where for code, where in _codes_in_source().items() if code not in set(ProblemCode)
    }
    assert not missing, f"add these to api/problem_codes.py: {missing}"


def test_every_code_has_a_status_and_words_in_both_languages() -> None:
    assert set(CATALOGUE) == set(ProblemCode)
    for code, words in CATALOGUE.items():
        assert 400 <= words.status <= 599, code
        assert words.id.strip() and words.en.strip() and words.id != words.en, code


async def test_the_openapi_publishes_the_catalogue(client, database) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    code = schema["components"]["schemas"]["Problem"]["properties"]["code"]
    if "$ref" in code:
        code = schema["components"]["schemas"][code["$ref"].rsplit("/", 1)[-1]]
    assert set(code["enum"]) == {member.value for member in ProblemCode}
