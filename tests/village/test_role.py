"""The village operator role: scoped to villages, never to a district or regency."""

from __future__ import annotations

import pytest

from api.audit.service import Actor
from api.errors import Unprocessable
from auth import service
from auth.roles import Role
from auth.schemas import UserUpdate
from tests.support.users import make_user


async def test_village_operator_scopes_are_villages(database):
    operator = await make_user("ops", Role.VILLAGE_OPERATOR, ["17.06.01.2005", "17.06.01.2006"])
    assert operator.scopes == ["17.06.01.2005", "17.06.01.2006"]
    with pytest.raises(Unprocessable) as refused:
        await make_user("ops.wide", Role.VILLAGE_OPERATOR, ["17.06.01"])
    assert refused.value.code == "village_scope_required"
    with pytest.raises(Unprocessable):
        await service.update_user(Actor.system(), operator.id, UserUpdate(scopes=["17.06"]))
    # a supervisor of a district made a village operator keeps a district scope: refused
    supervisor = await make_user("sup", Role.SUPERVISOR, ["17.06.01"])
    with pytest.raises(Unprocessable):
        await service.update_user(
            Actor.system(), supervisor.id, UserUpdate(role=Role.VILLAGE_OPERATOR)
        )
    moved = await service.update_user(
        Actor.system(),
        supervisor.id,
        UserUpdate(role=Role.VILLAGE_OPERATOR, scopes=["17.06.01.2007"]),
    )
    assert moved.role is Role.VILLAGE_OPERATOR


async def test_village_operator_has_no_field_screens(client, database):
    from tests.support.users import bearer, login

    await make_user("ops", Role.VILLAGE_OPERATOR, ["17.06.01.2005"])
    headers = bearer(await login(client, "ops"))
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/assignments", headers=headers)).status_code == 403
    assert (await client.get("/api/v1/visits", headers=headers)).status_code == 403
    assert (await client.get("/api/v1/households", headers=headers)).status_code == 403
