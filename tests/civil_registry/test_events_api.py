"""Events pushed by the civil registry: API keys, repeats, roles and regions."""

from __future__ import annotations

from typing import Any

import httpx

from api.audit.tables import AuditEvent
from api.civil_registry.tables import CivilCredential, CivilEvent, CivilPerson, Finding
from auth.roles import Role
from tests.civil_registry.world import FOREIGN_VILLAGE, VILLAGE, build_register, nik
from tests.support.users import bearer, login, make_user

EVENTS = "/api/v1/civil-registry/events"


async def _admin(client: httpx.AsyncClient) -> dict[str, str]:
    await make_user("admin", Role.ADMIN)
    return bearer(await login(client, "admin"))


async def _issue(client: httpx.AsyncClient, admin: dict[str, str], region: str = "17.06.01") -> Any:
    response = await client.post(
        "/api/v1/civil-registry/credentials",
        json={"name": "Disdukcapil Mukomuko", "region_code": region},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _key(issued: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issued['api_key']}"}


def _death(event_id: str, member_nik: str, village: str = VILLAGE, on: str = "2026-03-04") -> dict:
    return {
        "id": event_id,
        "kind": "death",
        "occurred_on": on,
        "region_code": village,
        "nik": member_nik,
        "name": "Muhammad Rizki",
    }


async def test_a_death_pushed_becomes_a_finding_once(client, database) -> None:
    world = await build_register()
    issued = await _issue(client, await _admin(client))
    stored = await CivilCredential.select().first()
    assert stored["key_hash"] != issued["api_key"] and issued["api_key"] not in str(stored)

    body = {"events": [_death("DKP-0001", nik(1))]}
    first = await client.post(EVENTS, json=body, headers=_key(issued))
    assert first.status_code == 200, first.text
    assert first.json() == {"accepted": 1, "repeated": 0, "refused": [], "findings_new": 1}
    finding = await Finding.select().where(Finding.kind == "died").first()
    assert finding["member_id"] == world.members["rizki"]
    assert finding["evidence"] == "event DKP-0001"

    again = await client.post(EVENTS, json=body, headers=_key(issued))
    assert again.json() == {"accepted": 0, "repeated": 1, "refused": [], "findings_new": 0}
    assert await CivilEvent.count() == 1
    assert await Finding.count().where(Finding.kind == "died") == 1

    other = {"events": [_death("DKP-0001", nik(1), on="2026-03-05")]}
    reused = await client.post(EVENTS, json=other, headers=_key(issued))
    assert reused.json()["refused"][0]["code"] == "event_id_reused"
    person = await CivilPerson.select().where(CivilPerson.nik == nik(1)).first()
    assert str(person["death_date"])[:10] == "2026-03-04"

    audit = await AuditEvent.select().where(AuditEvent.action == "civil_registry.events_received")
    assert audit and nik(1) not in str([a["details"] for a in audit])


async def test_a_foreign_regions_events_are_refused_and_the_rest_kept(client, database) -> None:
    await build_register()
    issued = await _issue(client, await _admin(client), region="17.06.01")
    body = {"events": [_death("A-1", nik(40), FOREIGN_VILLAGE), _death("A-2", nik(1))]}
    response = await client.post(EVENTS, json=body, headers=_key(issued))
    assert response.status_code == 200
    result = response.json()
    assert result["accepted"] == 1
    assert result["refused"] == [
        {
            "id": "A-1",
            "code": "region_forbidden",
            "detail": "The event's region is outside this key's region; nothing was stored.",
        }
    ]
    assert [e["event_id"] for e in await CivilEvent.select(CivilEvent.event_id)] == ["A-2"]
    assert not await CivilPerson.exists().where(CivilPerson.nik == nik(40))


async def test_only_the_key_may_push_and_the_key_may_do_nothing_else(client, database) -> None:
    await build_register()
    admin = await _admin(client)
    issued = await _issue(client, admin)
    await make_user("siti", Role.ENUMERATOR, ["17.06.01"])
    body = {"events": [_death("B-1", nik(1))]}
    for headers in (admin, bearer(await login(client, "siti"))):
        refused = await client.post(EVENTS, json=body, headers=headers)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "role_forbidden"
    for headers in ({}, {"Authorization": "Bearer vcr_not-a-key"}, {"Authorization": "Basic x"}):
        assert (await client.post(EVENTS, json=body, headers=headers)).status_code == 401
    # The key is no JWT: every other endpoint refuses it.
    for path in ("/api/v1/me", "/api/v1/households", "/api/v1/civil-registry/findings"):
        assert (await client.get(path, headers=_key(issued))).status_code == 401
    # Revoked: refused from then on.
    revoked = await client.delete(
        f"/api/v1/civil-registry/credentials/{issued['credential']['id']}", headers=admin
    )
    assert revoked.status_code == 204
    assert (await client.post(EVENTS, json=body, headers=_key(issued))).status_code == 401
    assert await CivilEvent.count() == 0
    listed = await client.get("/api/v1/civil-registry/credentials", headers=admin)
    assert listed.json()[0]["revoked_at"] is not None
    assert "api_key" not in listed.json()[0]


async def test_a_bad_event_is_a_422_and_stores_nothing(client, database) -> None:
    await build_register()
    issued = await _issue(client, await _admin(client))
    bad = {"events": [{**_death("C-1", nik(1)), "nik": "123"}]}
    response = await client.post(EVENTS, json=bad, headers=_key(issued))
    assert response.status_code == 400 or response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    birth = {"events": [{**_death("C-2", nik(50)), "kind": "birth"}]}  # no No. KK
    assert (await client.post(EVENTS, json=birth, headers=_key(issued))).status_code in (400, 422)
    assert await CivilEvent.count() == 0


async def test_the_civil_registry_role_is_never_a_user(client, database) -> None:
    admin = await _admin(client)
    response = await client.post(
        "/api/v1/users",
        json={
            "username": "dukcapil",
            "display_name": "Dukcapil",
            "role": "civil_registry",
            "password": "a-long-enough-passphrase",
            "scopes": ["17.06"],
        },
        headers=admin,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "role_not_a_user"
