"""The household list (the assign screen) by decile, inside the caller's regions."""

from __future__ import annotations

from api.registry.tables import Household
from tests.registry.test_api import world  # noqa: F401 (fixture)


async def _listed(client, headers, **params):
    response = await client.get(
        "/api/v1/households", params={"limit": 500, **params}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_household_list_filters_by_decile(client, world):  # noqa: F811
    # The synthetic register has deciles 1-10; give one household none.
    first = (
        await Household.select(Household.id)
        .where(Household.region_code.like("17.06.01.%"))
        .order_by(Household.id)
        .first()
    )
    await Household.update({Household.decile: None}).where(Household.id == first["id"])
    own = Household.region_code.like("17.06.01.%")
    poorest = await _listed(client, world["spv.lp"], decile="1-4")
    expected = await Household.count().where(own & (Household.decile <= 4))
    assert poorest["total"] == expected > 0
    assert {item["decile"] for item in poorest["items"]} <= {1, 2, 3, 4}
    third = await _listed(client, world["spv.lp"], decile="3")
    assert {item["decile"] for item in third["items"]} == {3}
    upper = await _listed(client, world["spv.lp"], decile="5-10")
    assert {item["decile"] for item in upper["items"]} <= set(range(5, 11))
    assert upper["total"] + poorest["total"] + 1 == await Household.count().where(own)
    unknown = await _listed(client, world["spv.lp"], decile="unknown")
    assert [item["id"] for item in unknown["items"]] == [first["id"]]
    # Never outside the caller's regions, whatever the decile.
    assert all(item["region_code"].startswith("17.06.01.") for item in poorest["items"])
    foreign = await _listed(client, world["spv.lp"], region="17.06.05", decile="1-4")
    assert foreign["total"] == 0 and foreign["items"] == []
    bad = await client.get("/api/v1/households", params={"decile": "11"}, headers=world["spv.lp"])
    assert bad.status_code == 400
