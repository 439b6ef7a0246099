"""What the village staff screens read beyond the process itself: the households a removal
can name (masked, scoped to the caller's villages) and each agenda item's decile and
amendment mark."""

from __future__ import annotations

from api.registry.tables import Household
from tests.support.field import VILLAGE
from tests.village.support import approved_visits, final_deliberation, name_households, people


async def test_households_to_name_in_a_removal_are_masked_and_scoped(app_client, field):
    who = await people(app_client)
    await name_households(field)
    await Household.update({Household.decile: 3}).where(Household.id == field.household_ids[0])
    listed = await app_client.get(
        f"/api/v1/village-proposals/households?village={VILLAGE}", headers=who["ops"]
    )
    assert listed.status_code == 200, listed.text
    rows = listed.json()
    assert [r["id"] for r in rows] == field.household_ids
    first = rows[0]
    assert first["head_name_masked"].startswith("S") and "*" in first["head_name_masked"]
    assert "Sugiarti" not in listed.text and "•" in first["kk_masked"]
    assert first["decile"] == 3 and rows[1]["decile"] is None
    # by RT: another RT has none of the field's households
    other_rt = await app_client.get(
        f"/api/v1/village-proposals/households?village={VILLAGE}&rt=009", headers=who["ops"]
    )
    assert other_rt.status_code == 200 and other_rt.json() == []
    # a village operator of another village: nothing of this one
    foreign = await app_client.get(
        f"/api/v1/village-proposals/households?village={VILLAGE}", headers=who["ops.ipuh"]
    )
    assert foreign.status_code == 404
    # an enumerator is no village staff
    enumerator = await app_client.get(
        f"/api/v1/village-proposals/households?village={VILLAGE}", headers=who["siti"]
    )
    assert enumerator.status_code == 403
    bad = await app_client.get(
        f"/api/v1/village-proposals/households?village={VILLAGE}&rt=abc", headers=who["ops"]
    )
    assert bad.status_code == 400


async def test_agenda_items_carry_decile_and_amendments(app_client, field):
    who = await people(app_client)
    await approved_visits(field)
    await Household.update({Household.decile: 2}).where(Household.id == field.household_ids[0])
    final = await final_deliberation(app_client, who["ops"], field)
    by_household = {item["household_id"]: item for item in final["agenda"]}
    assert by_household[field.household_ids[0]]["decile"] == 2
    assert by_household[field.household_ids[1]]["decile"] is None
    assert not any(item["amended"] for item in final["agenda"])
    key = by_household[field.household_ids[0]]["key"]
    changed = await app_client.post(
        f"/api/v1/deliberations/{final['id']}/decisions",
        headers=who["ops"],
        json={"item_key": key, "decision": "deferred", "reason": "Keberatan warga RT 001"},
    )
    assert changed.status_code == 201, changed.text
    item = next(i for i in changed.json()["agenda"] if i["key"] == key)
    assert item["amended"] is True and item["decision"] == "deferred"
