"""Publishing form versions and reading them back, compiled, for validation.

A published version never changes: publishing the same content again is a no-op,
publishing different content under an existing version number is refused.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from api import db
from api.audit.service import Actor, append_event
from api.errors import Conflict, NotFound, Unprocessable
from api.forms.schemas import FormSummary, PublishResult
from api.forms.tables import FormVersion
from survey_forms import CompiledForm, FormDefinitionError, parse_definition
from survey_forms.loader import canonical_json

# The form of a household proposal (usulan baru); rounds' visits use a verification form.
PROPOSAL_FORM = "usulan_baru"


def _form_key(form_id: str, version: int) -> str:
    return f"{form_id}@{version}"


async def publish(actor: Actor, form: CompiledForm) -> PublishResult:
    canonical = canonical_json(form.raw).decode()
    async with db.write_transaction():
        existing = (
            await FormVersion.select(FormVersion.content_hash)
            .where(FormVersion.form_key == _form_key(form.id, form.version))
            .first()
        )
        if existing is not None:
            if existing["content_hash"] != form.content_hash:
                raise Conflict(
                    f"{form.id} version {form.version} is already published with other "
                    "content; publish the change as a new version.",
                    code="form_version_immutable",
                    extra={
                        "published_hash": existing["content_hash"],
                        "new_hash": form.content_hash,
                    },
                )
            return PublishResult(
                form_id=form.id, version=form.version, content_hash=form.content_hash, created=False
            )
        title = form.definition.title
        await FormVersion.insert(
            FormVersion(
                form_id=form.id,
                version=form.version,
                form_key=_form_key(form.id, form.version),
                title_id=title.id,
                title_en=title.en,
                content_hash=form.content_hash,
                definition=canonical,
                published_at=datetime.now(UTC),
                published_by=actor.ref,
            )
        )
        await append_event(
            actor,
            "form.published",
            "form_version",
            _form_key(form.id, form.version),
            details={"content_hash": form.content_hash},
        )
    return PublishResult(
        form_id=form.id, version=form.version, content_hash=form.content_hash, created=True
    )


async def list_latest() -> list[FormSummary]:
    """The newest published version of each form."""
    rows = (
        await FormVersion.select(
            FormVersion.form_id,
            FormVersion.version,
            FormVersion.title_id,
            FormVersion.title_en,
            FormVersion.content_hash,
            FormVersion.published_at,
        )
        .order_by(FormVersion.form_id)
        .order_by(FormVersion.version, ascending=False)
    )
    latest: dict[str, FormSummary] = {}
    for row in rows:
        if row["form_id"] in latest:
            continue
        latest[row["form_id"]] = FormSummary(
            form_id=row["form_id"],
            version=row["version"],
            title={"id": row["title_id"], "en": row["title_en"]},
            content_hash=row["content_hash"],
            published_at=row["published_at"],
            url=f"/api/v1/forms/{row['form_id']}/versions/{row['version']}",
        )
    return list(latest.values())


async def published_versions(form_id: str) -> list[int]:
    rows = await FormVersion.select(FormVersion.version).where(FormVersion.form_id == form_id)
    return [row["version"] for row in rows]


async def published_definition(form_id: str, version: int) -> tuple[str, str]:
    """(canonical JSON, content hash) of a published version."""
    row = (
        await FormVersion.select(FormVersion.definition, FormVersion.content_hash)
        .where(FormVersion.form_key == _form_key(form_id, version))
        .first()
    )
    if row is None:
        raise NotFound(f"No published form {form_id} version {version}.", code="form_not_found")
    return row["definition"], row["content_hash"]


@lru_cache(maxsize=64)
def _compile(form_id: str, version: int, content_hash: str, definition: str) -> CompiledForm:
    # Keyed by the hash too: published content is immutable, so a cache hit is always right.
    return parse_definition(definition, expected_id=form_id, expected_version=version)


# A published version never changes, so once read it is kept for the process (per
# database): a visit PUT does not fetch its form definition (#18). Versions not (yet)
# published are not cached.
_published: dict[tuple[int, str, int], tuple[str, str]] = {}


def forget_cached_forms() -> None:
    """For a database emptied under a running process (the tests)."""
    _published.clear()


async def compiled_form(form_id: str, version: int) -> CompiledForm:
    """The published version, compiled once per process, for validating submissions."""
    key = (id(db.current_engine()), form_id, version)
    cached = _published.get(key)
    if cached is None:
        try:
            cached = await published_definition(form_id, version)
        except NotFound:
            raise Unprocessable(
                f"Form {form_id} version {version} is not published here.",
                code="unknown_form_version",
            ) from None
        _published[key] = cached
    definition, digest = cached
    return _compile(form_id, version, digest, definition)


def parse_for_publishing(text: str | bytes, source: str) -> CompiledForm:
    try:
        return parse_definition(text, source=source)
    except FormDefinitionError as error:
        raise Unprocessable(
            "The form definition has problems.",
            code="invalid_form_definition",
            extra={"errors": [{"path": p, "message": m} for p, m in error.problems]},
        ) from None


def definition_as_json(definition: str) -> Any:
    return json.loads(definition)
