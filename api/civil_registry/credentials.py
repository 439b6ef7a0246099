"""API keys of the ``civil_registry`` service role: issued and revoked by an admin.

A key is ``vcr_`` + 43 random URL-safe characters, shown once; the database keeps its
SHA-256 only. A key may push events for its region and do nothing else: it is not a
JWT, so every other endpoint refuses it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from api import db
from api.audit.service import Actor, append_event
from api.civil_registry.schemas import CredentialCreate, CredentialIssued, CredentialOut
from api.civil_registry.tables import CivilCredential
from api.errors import NotFound, Unprocessable
from api.registry.tables import Region

KEY_PREFIX = "vcr_"


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _out(row: dict[str, Any]) -> CredentialOut:
    return CredentialOut(
        id=row["id"],
        name=row["name"],
        region_code=row["region_code"],
        key_prefix=row["key_prefix"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
    )


async def issue(actor: Actor, data: CredentialCreate) -> CredentialIssued:
    if not await Region.exists().where(Region.code == data.region_code):
        raise Unprocessable("No such region.", code="region_unknown")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    async with db.write_transaction():
        rows = await CivilCredential.insert(
            CivilCredential(
                name=data.name,
                region_code=data.region_code,
                key_prefix=key[:10],
                key_hash=key_digest(key),
                created_by=actor.ref,
            )
        ).returning(CivilCredential.id)
        credential_id = rows[0]["id"]
        await append_event(
            actor,
            "civil_registry.credential_issued",
            "civil_registry_credential",
            credential_id,
            region_code=data.region_code,
            details={"name": data.name, "key_prefix": key[:10]},
        )
    row = await CivilCredential.select().where(CivilCredential.id == credential_id).first()
    assert row is not None
    return CredentialIssued(credential=_out(row), api_key=key)


async def list_all() -> list[CredentialOut]:
    rows = await CivilCredential.select().order_by(CivilCredential.id)
    return [_out(r) for r in rows]


async def revoke(actor: Actor, credential_id: int) -> None:
    row = await CivilCredential.select().where(CivilCredential.id == credential_id).first()
    if row is None:
        raise NotFound("No such credential.", code="credential_not_found")
    if row["revoked_at"] is not None:
        return
    async with db.write_transaction():
        await CivilCredential.update({CivilCredential.revoked_at: datetime.now(UTC)}).where(
            CivilCredential.id == credential_id
        )
        await append_event(
            actor,
            "civil_registry.credential_revoked",
            "civil_registry_credential",
            credential_id,
            region_code=row["region_code"],
            details={"key_prefix": row["key_prefix"]},
        )


async def active_credential(key: str) -> dict[str, Any] | None:
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    row = await (
        CivilCredential.select()
        .where(CivilCredential.key_hash == key_digest(key))
        .where(CivilCredential.revoked_at.is_null())
        .first()
    )
    return row  # type: ignore[no-any-return]
