"""Tamper-evidence: edits, deletions, insertions and swapped photo bytes are each caught
and reported exactly; concurrent writers never fork the chain."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from api import db
from api.audit.bundle import verify_bundle
from api.audit.service import Actor, append_event
from api.audit.tables import AuditEvent
from api.audit.verify import verify
from media.store import evidence_key
from tests.support.field import FOUND_KINDS, photos_for, visit_body


async def _visit_with_photos(app_client, phone, field, household_index=0, seed=0):
    photos = photos_for(FOUND_KINDS, seed=seed)
    visit_id = uuid.uuid4()
    body = visit_body(field, field.household_ids[household_index], photos)
    assert (
        await app_client.put(f"/api/v1/visits/{visit_id}", json=body, headers=phone)
    ).status_code == 201
    for photo in photos:
        response = await app_client.put(
            f"/api/v1/visits/{visit_id}/photos/{photo.id}",
            content=photo.data,
            headers={**phone, "Content-Type": "image/jpeg"},
        )
        assert response.status_code == 201
    return visit_id, photos


async def _raw(sql: str, database) -> None:
    """Tamper as a database superuser would: around the append-only trigger."""
    if database.backend == "postgres":
        await database.engine.run_ddl(
            "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"
        )
        try:
            await database.engine.run_ddl(sql)
        finally:
            await database.engine.run_ddl(
                "ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"
            )
    else:
        await database.engine.run_ddl("DROP TRIGGER IF EXISTS audit_event_no_update")
        await database.engine.run_ddl("DROP TRIGGER IF EXISTS audit_event_no_delete")
        await database.engine.run_ddl(sql)


async def test_application_cannot_update_or_delete_audit_rows(database):
    async with db.write_transaction():
        await append_event(Actor.system(), "test.event", "thing", "1")
    with pytest.raises(Exception, match="append-only"):
        await AuditEvent.update({AuditEvent.action: "forged"}).where(AuditEvent.seq == 1)
    with pytest.raises(Exception, match="append-only"):
        await AuditEvent.delete().where(AuditEvent.seq == 1)
    assert await AuditEvent.count() == 1


async def test_intact_chain_and_evidence_verify(app_client, phone, field, store):
    await _visit_with_photos(app_client, phone, field)
    report = await verify(store, region="17.06")
    assert report.ok, report.as_dict()
    assert report.photos_checked == 3 and report.chain_events_checked >= 7


async def test_edited_event_is_reported_exactly(app_client, phone, field, store, database):
    await _visit_with_photos(app_client, phone, field)
    target = (
        await AuditEvent.select(AuditEvent.seq).where(AuditEvent.action == "visit.received").first()
    )
    await _raw(f"UPDATE audit_event SET actor = 'user:999' WHERE seq = {target['seq']}", database)
    report = await verify(store)
    assert [(m.kind, m.seq) for m in report.mismatches] == [("hash_mismatch", target["seq"])]


async def test_deleted_event_is_reported_exactly(app_client, phone, field, store, database):
    await _visit_with_photos(app_client, phone, field)
    rows = await AuditEvent.select(AuditEvent.seq, AuditEvent.action).order_by(AuditEvent.seq)
    # A middle event that is not a photo's receipt (deleting one of those is also reported
    # as a stored photo without its event: a third mismatch, tested elsewhere).
    seqs = [r["seq"] for r in rows if r["action"] != "photo.received"]
    victim = seqs[len(seqs) // 2]
    await _raw(f"DELETE FROM audit_event WHERE seq = {victim}", database)
    report = await verify(store)
    kinds = {(m.kind, m.seq) for m in report.mismatches}
    assert ("missing_events", victim + 1) in kinds and ("broken_link", victim + 1) in kinds
    assert len(report.mismatches) == 2


async def test_inserted_event_is_reported(app_client, phone, field, store, database):
    await _visit_with_photos(app_client, phone, field)
    head = await AuditEvent.select().order_by(AuditEvent.seq, ascending=False).first()
    forged_seq = head["seq"] + 1
    await _raw(
        "INSERT INTO audit_event (seq, occurred_at, actor, action, object_type, object_id, region_code, "
        f"details, prev_hash, event_hash) VALUES ({forged_seq}, '2026-06-01T10:00:00+00:00', 'user:1', "
        f"'visit.received', 'visit', 'x', NULL, '{{}}', '{head['event_hash']}', '{'f' * 64}')",
        database,
    )
    report = await verify(store)
    assert [(m.kind, m.seq) for m in report.mismatches] == [("hash_mismatch", forged_seq)]


async def test_swapped_photo_bytes_and_altered_photo_row_are_reported(
    app_client, phone, field, store, database
):
    _, photos = await _visit_with_photos(app_client, phone, field)
    victim = photos[0]
    key = evidence_key(victim.sha256)
    if database.backend == "postgres":
        # An intruder holding the S3 keys writes over the object: with Object Lock the old
        # version survives, but a plain GET now returns the new bytes.
        import io

        client = store._client  # type: ignore[attr-defined]
        client.put_object(store.bucket, key, io.BytesIO(photos[1].data), len(photos[1].data))  # type: ignore[attr-defined]
    else:
        # An intruder with a shell on the host overwrites the file.
        path = Path(store.root) / "objects" / key / ".data"  # type: ignore[attr-defined]
        os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
        path.write_bytes(photos[1].data)
    from api.visits.tables import Photo

    await Photo.update({Photo.sha256: "0" * 64}).where(Photo.id == photos[2].id)
    report = await verify(store, region="17.06")
    found = {(m.kind, m.photo_id): m for m in report.mismatches}
    swapped = found[("photo_hash_mismatch", str(victim.id))]
    assert swapped.expected == victim.sha256 and swapped.found == photos[1].sha256
    altered = found[("photo_row_altered", str(photos[2].id))]
    assert altered.expected == photos[2].sha256 and altered.found == "0" * 64


async def test_concurrent_writers_leave_one_unbroken_chain(database):
    async def writer(index: int) -> None:
        for step in range(10):
            async with db.write_transaction():
                await append_event(Actor.system(), "test.concurrent", "thing", f"{index}-{step}")

    await asyncio.gather(*[writer(i) for i in range(8)])
    rows = await AuditEvent.select(
        AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.event_hash
    ).order_by(AuditEvent.seq)
    assert [r["seq"] for r in rows] == list(range(1, 81))
    for before, after in itertools.pairwise(rows):
        assert after["prev_hash"] == before["event_hash"]


async def test_bundle_round_trip_and_tampered_bundle(
    app_client, phone, field, store, tmp_path, database
):
    visit_id, photos = await _visit_with_photos(app_client, phone, field)
    await _visit_with_photos(app_client, phone, field, household_index=1, seed=5)
    from auth.roles import Role
    from tests.support.users import bearer, login, make_user

    await make_user("inspektorat", Role.AUDITOR, ["17.06"])
    auditor = bearer(await login(app_client, "inspektorat"))
    household = field.household_ids[0]
    response = await app_client.get(f"/api/v1/audit/bundles?household={household}", headers=auditor)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(response.content)

    report = verify_bundle(bundle)
    assert report.ok, report.problems
    assert report.visits == 1 and report.photos == 3

    # The command works offline: no database, no server in its environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERVAL_")}
    env["VERVAL_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "audit", "verify-bundle", str(bundle)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout

    import zipfile

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == f"photos/{photos[0].sha256}.jpg":
                data = photos[1].data
            if item.filename == "visits.jsonl":
                visit = json.loads(data.splitlines()[0])
                visit["content_hash"] = "e" * 64
                data = json.dumps(visit).encode() + b"\n"
            target.writestr(item, data)
    bad = verify_bundle(tampered)
    assert any(str(photos[0].id) in p and "expected" in p for p in bad.problems)
    assert any(str(visit_id) in p and "content hash" in p for p in bad.problems)
    failed = subprocess.run(
        [sys.executable, "-m", "api.cli", "audit", "verify-bundle", str(tampered)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert failed.returncode == 1 and "FAILED" in failed.stdout


async def test_verify_endpoint_reports_and_is_scoped(app_client, phone, field, store):
    await _visit_with_photos(app_client, phone, field)
    from auth.roles import Role
    from tests.support.users import bearer, login, make_user

    await make_user("inspektorat", Role.AUDITOR, ["17.06.01"])
    await make_user("inspektorat.ipuh", Role.AUDITOR, ["17.06.05"])
    own = bearer(await login(app_client, "inspektorat"))
    foreign = bearer(await login(app_client, "inspektorat.ipuh"))
    ok = await app_client.get("/api/v1/audit/verify?region=17.06.01", headers=own)
    assert ok.status_code == 200 and ok.json()["ok"] is True and ok.json()["photos_checked"] == 3
    assert (
        await app_client.get("/api/v1/audit/verify?region=17.06.01", headers=foreign)
    ).status_code == 404
    household = field.household_ids[0]
    assert (
        await app_client.get(f"/api/v1/audit/bundles?household={household}", headers=foreign)
    ).status_code == 404
    assert (
        await app_client.get("/api/v1/audit/verify?region=17.06.01", headers=phone)
    ).status_code == 403


async def test_region_bundle_streams_page_by_page_and_counts_are_checked(
    app_client, phone, field, store, tmp_path, monkeypatch
):
    import zipfile

    from api.audit import bundle as bundles

    monkeypatch.setattr(bundles, "PAGE", 2)  # several pages of every kind of record
    for index in range(3):
        await _visit_with_photos(app_client, phone, field, household_index=index, seed=index)
    path = tmp_path / "village.zip"
    with path.open("wb") as handle:
        async for chunk in bundles.build_bundle(store, bundles.BundleScope(region="17.06.01")):
            handle.write(chunk)
    report = verify_bundle(path)
    assert report.ok, report.problems
    assert (report.visits, report.photos) == (3, 9)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["counts"] == {
            "households": 3, "visits": 3, "photos": 9, "decisions": 0, "photo_files": 9
        }  # fmt: skip
        assert len(archive.read("photos.csv").decode().splitlines()) == 10

    # A photo taken out of the records (and its file) is noticed by the counts.
    shortened = tmp_path / "shortened.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(shortened, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "photos.jsonl":
                data = b"\n".join(data.splitlines()[1:]) + b"\n"
            target.writestr(item, data)
    assert "manifest: 9 photos announced, 8 in the bundle" in verify_bundle(shortened).problems
