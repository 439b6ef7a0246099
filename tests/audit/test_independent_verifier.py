"""An outsider can check a bundle: a verifier written from docs/evidence-bundle.md alone
(standard library, run by an interpreter where Verval is not installed) accepts a real
bundle, and rejects each kind of tampering, as ``verval audit verify-bundle`` does."""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from api.audit.bundle import verify_bundle
from auth.roles import Role
from survey_forms.samples import dtks_submission
from tests.audit.test_chain_and_evidence import _visit_with_photos
from tests.support.users import bearer, login, make_user

VERIFIER = Path(__file__).with_name("independent_verifier.py")
Lines = list[bytes]


def _outsider(bundle: Path) -> subprocess.CompletedProcess[str]:
    # The base interpreter, isolated: Verval's packages cannot be imported from there.
    return subprocess.run(
        [getattr(sys, "_base_executable", sys.executable), "-I", str(VERIFIER), str(bundle)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=bundle.parent,
    )


def _rewrite(source: Path, target: Path, name: str, change: Callable[[Lines], Lines]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == name:
                data = b"".join(line + b"\n" for line in change(data.splitlines()))
            new.writestr(item, data)
    return target


def test_verifier_uses_the_standard_library_only() -> None:
    tree = ast.parse(VERIFIER.read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert imported <= set(sys.stdlib_module_names), imported


async def test_outsider_verifies_a_real_bundle_and_catches_tampering(
    app_client, phone, field, store, tmp_path
):
    visit_id, photos = await _visit_with_photos(app_client, phone, field)
    await _visit_with_photos(app_client, phone, field, household_index=1, seed=7)
    await make_user("inspektorat", Role.AUDITOR, ["17.06"])
    auditor = bearer(await login(app_client, "inspektorat"))
    response = await app_client.get("/api/v1/audit/bundles?region=17.06.01", headers=auditor)
    assert response.status_code == 200, response.text
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(response.content)

    intact = _outsider(bundle)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "INTACT" in intact.stdout and "no sealed record" not in intact.stdout
    assert verify_bundle(bundle).ok

    # What the auditor sees: names as recorded, identity numbers masked, a README.
    with zipfile.ZipFile(bundle) as archive:
        text = "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if not name.startswith("photos/")
        )
        records = [json.loads(line) for line in archive.read("records.jsonl").splitlines()]
        visits = [json.loads(line) for line in archive.read("visits.jsonl").splitlines()]
        assert "docs/evidence-bundle.md" in archive.read("README.txt").decode()
    sample = dtks_submission()
    for member in sample["members"]:
        assert member["full_name"] in text
        if member["nik"]:
            assert member["nik"] not in text
    record = next(r for r in records if r["visit_id"] == str(visit_id))
    assert record["answers"]["members"][0]["nik"] == "1706••••••••0001"
    assert {p["sha256"] for p in record["photos"]} == {p.sha256 for p in photos}
    assert all(v["enumerator_name"] for v in visits)  # a person, not only a number

    def renamed(lines: Lines) -> Lines:
        return [line.replace(b"Budi Santoso", b"Budi Santosa") for line in lines]

    # 1. A recorded name changed in the record.
    forged = _rewrite(bundle, tmp_path / "renamed.zip", "records.jsonl", renamed)
    result = _outsider(forged)
    assert result.returncode == 1 and f"record {visit_id}: hashes to" in result.stdout
    assert any(f"record {visit_id}" in p for p in verify_bundle(forged).problems)

    # 2. The same change, with the chain's sealed hash "corrected": the event breaks.
    forged_line = next(
        line for line in renamed(zipfile.ZipFile(forged).read("records.jsonl").splitlines())
        if str(visit_id).encode() in line
    )  # fmt: skip

    def reseal(lines: Lines) -> Lines:
        out = []
        for line in lines:
            event = json.loads(line)
            if event.get("action") == "visit.received" and event["object_id"] == str(visit_id):
                event["details"]["record_hash"] = hashlib.sha256(forged_line).hexdigest()
                line = json.dumps(event, sort_keys=True, separators=(",", ":")).encode()
            out.append(line)
        return out

    resealed = _rewrite(forged, tmp_path / "resealed.zip", "chain.jsonl", reseal)
    result = _outsider(resealed)
    assert (
        result.returncode == 1 and "hashes to" in result.stdout and "chain: event" in result.stdout
    )
    assert not verify_bundle(resealed).ok

    # 3. A photo file replaced by another photo's bytes.
    with zipfile.ZipFile(bundle) as archive, zipfile.ZipFile(tmp_path / "swapped.zip", "w") as new:
        for item in archive.infolist():
            data = archive.read(item.filename)
            if item.filename == f"photos/{photos[0].sha256}.jpg":
                data = photos[1].data
            new.writestr(item, data)
    result = _outsider(tmp_path / "swapped.zip")
    assert result.returncode == 1 and f"photo {photos[0].id}: file hashes to" in result.stdout

    # 4. An event taken out of the middle of the segment.
    def cut(lines: Lines) -> Lines:
        return lines[:2] + lines[3:]

    result = _outsider(_rewrite(bundle, tmp_path / "cut.zip", "chain.jsonl", cut))
    assert result.returncode == 1 and "chain: gap" in result.stdout

    # 5. A visit's record left out of the file.
    def drop(lines: Lines) -> Lines:
        return lines[1:]

    result = _outsider(_rewrite(bundle, tmp_path / "short.zip", "records.jsonl", drop))
    assert result.returncode == 1 and "manifest: 2 visits announced, 1 found" in result.stdout
