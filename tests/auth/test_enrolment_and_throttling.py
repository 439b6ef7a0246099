"""Phone enrolment by one-time code, and login throttling that reveals nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from auth.roles import Role
from auth.service import MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_USERNAME
from auth.tables import EnrolmentCode
from tests.support.users import PASSWORD, bearer, login, make_user


async def _code_for(client, staff_tokens, user_id, minutes=10):
    response = await client.post(
        f"/api/v1/users/{user_id}/enrolment-codes",
        headers=bearer(staff_tokens),
        json={"valid_minutes": minutes},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_enrolment_code_is_single_use_and_signs_the_phone_in(client, database):
    await make_user("spv", Role.SUPERVISOR, ["17.06"])
    enumerator = await make_user("siti", Role.ENUMERATOR, ["17.06.01"])
    spv = await login(client, "spv")
    issued = await _code_for(client, spv, enumerator.id)
    assert len(issued["code"]) == 9 and issued["code"][4] == "-"
    assert issued["qr_payload"] == f"VERVAL-ENROL:{issued['code']}"
    assert issued["qr_svg"].startswith("<svg")

    typed = issued["code"].lower().replace("-", " ")  # typed loosely on a phone keyboard
    first = await client.post("/api/v1/auth/enrol", json={"code": typed, "device_label": "HP Siti"})
    assert first.status_code == 200, first.text
    me = await client.get("/api/v1/me", headers=bearer(first.json()))
    assert me.json()["username"] == "siti"
    second = await client.post("/api/v1/auth/enrol", json={"code": issued["code"]})
    assert second.status_code == 401 and second.json()["code"] == "invalid_credentials"


async def test_expired_enrolment_code_is_refused(client, database):
    await make_user("spv", Role.SUPERVISOR, ["17.06"])
    enumerator = await make_user("siti", Role.ENUMERATOR, ["17.06.01"])
    issued = await _code_for(client, await login(client, "spv"), enumerator.id)
    await EnrolmentCode.update(
        {EnrolmentCode.expires_at: datetime.now(UTC) - timedelta(seconds=1)}
    ).where(EnrolmentCode.id.is_not_null())
    response = await client.post("/api/v1/auth/enrol", json={"code": issued["code"]})
    assert response.status_code == 401


async def test_enrolment_codes_only_for_own_region_enumerators(client, database):
    await make_user("spv.ipuh", Role.SUPERVISOR, ["17.06.05"])
    foreign = await make_user("siti", Role.ENUMERATOR, ["17.06.01"])
    other_spv = await make_user("spv2", Role.SUPERVISOR, ["17.06.05"])
    tokens = await login(client, "spv.ipuh")
    assert (
        await client.post(
            f"/api/v1/users/{foreign.id}/enrolment-codes", headers=bearer(tokens), json={}
        )
    ).status_code == 404
    assert (
        await client.post(
            f"/api/v1/users/{other_spv.id}/enrolment-codes", headers=bearer(tokens), json={}
        )
    ).status_code == 404


async def test_wrong_enrolment_codes_are_throttled(client, database):
    for _ in range(MAX_FAILURES_PER_ADDRESS):
        response = await client.post("/api/v1/auth/enrol", json={"code": "AAAA-AAAA"})
        assert response.status_code == 401
    blocked = await client.post("/api/v1/auth/enrol", json={"code": "AAAA-AAAA"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0


async def test_login_throttled_per_username_without_revealing_existence(client, database):
    await make_user("siti", Role.ENUMERATOR)
    for username in ("siti", "ghost"):
        for _ in range(MAX_FAILURES_PER_USERNAME):
            response = await client.post(
                "/api/v1/auth/login", json={"username": username, "password": "wrong-wrong"}
            )
            assert response.status_code == 401
        blocked = await client.post(
            "/api/v1/auth/login", json={"username": username, "password": "wrong-wrong"}
        )
        assert blocked.status_code == 429, username
        assert blocked.json()["code"] == "too_many_attempts"
        assert int(blocked.headers["retry-after"]) > 0
    # Even the right password waits out the lock.
    locked = await client.post(
        "/api/v1/auth/login", json={"username": "siti", "password": PASSWORD}
    )
    assert locked.status_code == 429


async def test_successful_login_is_not_throttled_by_other_users_failures(client, database):
    await make_user("siti", Role.ENUMERATOR)
    for _ in range(MAX_FAILURES_PER_USERNAME):
        await client.post(
            "/api/v1/auth/login", json={"username": "budi", "password": "wrong-wrong"}
        )
    await login(client, "siti")
