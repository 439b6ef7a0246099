"""The admin's upload of an extract over HTTP: the job's progress, its bad-row report
(row number and reason, never a NIK) and the list of latest uploads."""

from __future__ import annotations

import httpx

from api.civil_registry.tables import CivilPerson
from auth.roles import Role
from tests.civil_registry.world import EXTRACT, extract_rows, kk, nik, write_extract
from tests.support.users import bearer, login, make_user

IMPORTS = "/api/v1/civil-registry/imports"


async def _as(client: httpx.AsyncClient, role: Role) -> dict[str, str]:
    await make_user(role.value, role)
    return bearer(await login(client, role.value))


async def test_an_upload_runs_to_done_with_its_bad_rows(client, database, tmp_path) -> None:
    admin = await _as(client, Role.ADMIN)
    bad = [nik(93)[:15], kk(1), "Short Nik", "1", "", "1990-01-01", "1", "", "", "", "", ""]
    path = write_extract(tmp_path / "e.csv", [*extract_rows(), bad])
    accepted = await client.post(
        f"{IMPORTS}?file_name=dukcapil.csv", content=path.read_bytes(), headers=admin
    )
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["id"]

    job = (await client.get(f"{IMPORTS}/{job_id}", headers=admin)).json()
    assert job["state"] == "done"
    assert job["progress"] == job["total"] == path.stat().st_size
    summary = job["summary"]
    assert (summary["rows"], summary["inserted"], summary["bad_rows"]) == (
        len(EXTRACT) + 1,
        len(EXTRACT),
        1,
    )
    assert summary["problems"] == [
        {"row": len(EXTRACT) + 2, "code": "invalid_nik", "message": "The NIK is not 16 digits."}
    ]
    assert nik(93)[:15] not in accepted.text + str(job)
    assert await CivilPerson.count() == len(EXTRACT)

    latest = await client.get(IMPORTS, headers=admin)
    assert latest.status_code == 200
    assert [j["id"] for j in latest.json()][:1] == [job_id]
    assert latest.json()[0]["file_name"] == "dukcapil.csv"


async def test_only_an_admin_sees_the_uploads(client, database) -> None:
    for role in (Role.SUPERVISOR, Role.AUDITOR, Role.ENUMERATOR):
        headers = await _as(client, role)
        assert (await client.get(IMPORTS, headers=headers)).status_code == 403
