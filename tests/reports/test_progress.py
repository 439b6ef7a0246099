"""Progress figures on the crafted round: per village, per enumerator, totals, scoping."""

from __future__ import annotations

from typing import Any

from api.audit.tables import AuditEvent
from tests.reports.conftest import FOREIGN, VILLAGE_A, VILLAGE_B, Crafted

FIELDS = ("households", "assigned", "visited", "not_visited", "submitted", "complete",
          "approved", "returned", "escalated", "flagged", "proposed")  # fmt: skip


def figures(row: dict[str, Any], fields: tuple[str, ...] = FIELDS) -> dict[str, int]:
    return {name: row[name] for name in fields if name in row}


async def test_progress_per_village_and_enumerator(client, crafted: Crafted, as_role):
    response = await client.get(
        "/api/v1/reports/progress",
        params={"region": "17.06.01", "round": crafted.round_id},
        headers=as_role["supervisor"],
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["region_name"] == "Lubuk Pinang"
    assert report["round"] == "Verval Juni 2026"
    villages = {v["region_code"]: v for v in report["villages"]}
    assert set(villages) == {VILLAGE_A, VILLAGE_B}  # never the foreign village
    assert villages[VILLAGE_A]["name"] == "Suka Pindah"
    assert villages[VILLAGE_A]["district"] == "Lubuk Pinang"
    assert figures(villages[VILLAGE_A]) == {
        "households": 6, "assigned": 6, "visited": 5, "not_visited": 1, "submitted": 1,
        "complete": 1, "approved": 2, "returned": 0, "escalated": 1, "flagged": 2, "proposed": 1,
    }  # fmt: skip
    assert figures(villages[VILLAGE_B]) == {
        "households": 3, "assigned": 3, "visited": 1, "not_visited": 2, "submitted": 0,
        "complete": 0, "approved": 1, "returned": 0, "escalated": 0, "flagged": 0, "proposed": 0,
    }  # fmt: skip
    assert figures(report["totals"]) == {
        "households": 9, "assigned": 9, "visited": 6, "not_visited": 3, "submitted": 1,
        "complete": 1, "approved": 3, "returned": 0, "escalated": 1, "flagged": 2, "proposed": 1,
    }  # fmt: skip
    people = {p["username"]: p for p in report["enumerators"]}
    assert set(people) == {"siti", "budi"}
    assert figures(people["siti"]) == {
        "assigned": 4, "visited": 3, "not_visited": 1, "submitted": 0, "complete": 1,
        "approved": 2, "returned": 0, "escalated": 0, "flagged": 1, "proposed": 1,
    }  # fmt: skip
    assert figures(people["budi"]) == {
        "assigned": 5, "visited": 3, "not_visited": 2, "submitted": 1, "complete": 0,
        "approved": 1, "returned": 0, "escalated": 1, "flagged": 1, "proposed": 0,
    }  # fmt: skip
    event = await AuditEvent.select().where(AuditEvent.action == "report.progress_viewed").first()
    assert event is not None and event["region_code"] == "17.06.01"


async def test_a_returned_visit_not_yet_redone_counts_as_returned(
    client, crafted: Crafted, as_role
):
    from tests.reports.conftest import add_visit

    await add_visit(crafted, "b2", household="b2", village=VILLAGE_B, enumerator=crafted.budi,
                    outcome="found", eligibility="layak", state="returned", minutes_after=300)  # fmt: skip
    response = await client.get(
        "/api/v1/reports/progress",
        params={"region": VILLAGE_B, "round": crafted.round_id},
        headers=as_role["auditor"],
    )
    assert response.status_code == 200, response.text
    (village,) = response.json()["villages"]
    assert figures(village, ("visited", "returned", "approved", "not_visited")) == {
        "visited": 2, "returned": 1, "approved": 1, "not_visited": 1,
    }  # fmt: skip


async def test_admin_sees_the_regency_and_scoping_holds(client, crafted: Crafted, as_role):
    response = await client.get(
        "/api/v1/reports/progress",
        params={"region": "17.06", "round": crafted.round_id},
        headers=as_role["admin"],
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert FOREIGN in {v["region_code"] for v in report["villages"]}
    assert report["totals"]["approved"] == 4 and report["totals"]["households"] == 10

    params = {"region": "17.06", "round": crafted.round_id}
    wider = await client.get(
        "/api/v1/reports/progress", params=params, headers=as_role["supervisor"]
    )
    assert wider.status_code == 404 and wider.json()["code"] == "region_not_found"
    params = {"region": "17.06.05", "round": crafted.round_id}
    foreign = await client.get(
        "/api/v1/reports/progress", params=params, headers=as_role["foreign"]
    )
    assert foreign.status_code == 200
    assert {v["region_code"] for v in foreign.json()["villages"]} == {FOREIGN}
    enumerator = await client.get(
        "/api/v1/reports/progress", params=params, headers=as_role["enumerator"]
    )
    assert enumerator.status_code == 403


async def test_unknown_round_and_round_outside_region(client, crafted: Crafted, as_role):
    from datetime import date

    from api.registry.tables import Round

    missing = await client.get(
        "/api/v1/reports/progress",
        params={"region": "17.06.01", "round": 999},
        headers=as_role["supervisor"],
    )
    assert missing.status_code == 404 and missing.json()["code"] == "round_not_found"
    rows = await Round.insert(
        Round(name="Ipuh saja", region_code="17.06.05", starts_on=date(2026, 6, 1),
              ends_on=date(2026, 7, 1), state="open", created_by="test")
    ).returning(Round.id)  # fmt: skip
    outside = await client.get(
        "/api/v1/reports/progress",
        params={"region": "17.06.01", "round": rows[0]["id"]},
        headers=as_role["admin"],
    )
    assert outside.status_code == 422 and outside.json()["code"] == "round_outside_region"
    bad = await client.get(
        "/api/v1/reports/progress",
        params={"region": "17.06.x", "round": crafted.round_id},
        headers=as_role["admin"],
    )
    assert bad.status_code == 400
