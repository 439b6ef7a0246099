"""Publishing form versions (immutable, content-hashed) and serving them with ETags."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from api.audit.service import Actor
from api.audit.tables import AuditEvent
from api.forms import service
from api.forms.tables import FormVersion
from auth.roles import Role
from survey_forms import get_form, parse_definition
from tests.support.users import bearer, login, make_user


def _changed_copy(form_id: str = "dtks_verval", version: int = 1):
    raw = json.loads(json.dumps(get_form(form_id, version).raw))
    raw["title"]["en"] = raw["title"]["en"] + " (edited)"
    return parse_definition(raw)


async def test_publish_is_idempotent_and_immutable(database):
    form = get_form("dtks_verval", 1)
    first = await service.publish(Actor.system(), form)
    again = await service.publish(Actor.system(), form)
    assert first.created and not again.created
    assert first.content_hash == again.content_hash == form.content_hash
    assert await FormVersion.count() == 1
    assert await AuditEvent.count().where(AuditEvent.action == "form.published") == 1

    changed = _changed_copy()
    try:
        await service.publish(Actor.system(), changed)
    except Exception as error:
        assert getattr(error, "code", None) == "form_version_immutable"
    else:
        raise AssertionError("changed content under a published version was accepted")
    stored = await FormVersion.select(FormVersion.content_hash).first()
    assert stored["content_hash"] == form.content_hash


async def test_compiled_form_comes_from_the_published_copy(database):
    form = get_form("usulan_baru", 1)
    await service.publish(Actor.system(), form)
    compiled = await service.compiled_form("usulan_baru", 1)
    assert compiled.content_hash == form.content_hash
    try:
        await service.compiled_form("usulan_baru", 99)
    except Exception as error:
        assert getattr(error, "code", None) == "unknown_form_version"
    else:
        raise AssertionError("an unpublished version compiled")


async def test_forms_endpoints_cache_by_content_hash(client, database):
    for key in [("dtks_verval", 1), ("usulan_baru", 1)]:
        await service.publish(Actor.system(), get_form(*key))
    await make_user("siti", Role.ENUMERATOR, ["17.06.01"])
    tokens = await login(client, "siti")

    listed = await client.get("/api/v1/forms", headers=bearer(tokens))
    assert listed.status_code == 200
    assert {f["form_id"] for f in listed.json()} == {"dtks_verval", "usulan_baru"}
    summary = next(f for f in listed.json() if f["form_id"] == "dtks_verval")

    response = await client.get(summary["url"], headers=bearer(tokens))
    assert response.status_code == 200
    assert response.json()["id"] == "dtks_verval"
    etag = response.headers["etag"]
    assert summary["content_hash"] in etag
    assert "immutable" in response.headers["cache-control"]
    assert "public" not in response.headers["cache-control"]

    cached = await client.get(summary["url"], headers={**bearer(tokens), "If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    stale = await client.get(
        summary["url"], headers={**bearer(tokens), "If-None-Match": '"sha256-0"'}
    )
    assert stale.status_code == 200

    missing = await client.get("/api/v1/forms/dtks_verval/versions/42", headers=bearer(tokens))
    assert missing.status_code == 404 and missing.json()["code"] == "form_not_found"


async def test_cli_publish_refuses_changed_content(database, tmp_path):
    env = {**os.environ, "VERVAL_DATABASE_URL": database.url, "VERVAL_VAR_DIR": str(tmp_path)}
    run = [sys.executable, "-m", "api.cli", "forms", "publish"]
    first = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert first.returncode == 0, first.stderr
    assert "dtks_verval v1 published" in first.stdout
    assert "dtks_verval v2 published" in first.stdout  # the shipped versions, old and new
    second = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "dtks_verval v1 already published" in second.stdout

    raw = json.loads(json.dumps(get_form("dtks_verval", 1).raw))
    raw["title"]["id"] += " (diubah)"
    edited = tmp_path / "dtks_verval.v1.json"
    edited.write_text(json.dumps(raw))
    refused = subprocess.run(
        [*run, str(edited)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert refused.returncode != 0
    assert "new version" in refused.stderr

    broken = tmp_path / "broken.v1.json"
    broken.write_text(json.dumps({"id": "broken", "version": 1}))
    bad = subprocess.run(
        [*run, str(broken)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert bad.returncode != 0 and "problems" in bad.stderr
