"""GeoJSON of visits: a valid FeatureCollection of Points, and nothing personal in it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tests.reports.conftest import HOME, INJECTION, VILLAGE_A, VILLAGE_B, Crafted

PERSONAL_KEYS = {"name", "head_name", "nik", "head_nik", "kk", "kk_number", "no_kk", "address",
                 "alamat", "household_id", "members", "answers", "full_name"}  # fmt: skip


def check_geojson(document: dict[str, Any]) -> None:
    """RFC 7946 structure: a FeatureCollection of Features with Point [lon, lat]."""
    assert document["type"] == "FeatureCollection"
    assert isinstance(document["features"], list)
    for feature in document["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert isinstance(lon, float) and isinstance(lat, float)
        assert not PERSONAL_KEYS & set(feature["properties"]), feature["properties"].keys()


async def test_geojson_of_the_round(client, crafted: Crafted, as_role):
    response = await client.get(
        "/api/v1/reports/visits.geojson",
        params={"region": "17.06.01", "round": crafted.round_id},
        headers=as_role["auditor"],
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    document = response.json()
    check_geojson(document)
    # every visit of the district with a GPS fix: the returned first visit of h2 too;
    # h5's visit had no fix, the foreign village's visit is out of scope
    assert len(document["features"]) == 7
    assert document["skipped_without_gps"] == 1
    assert document["round"] == "Verval Juni 2026"
    by_id = {f["id"]: f for f in document["features"]}
    h1 = by_id[str(crafted.visits["h1"])]
    assert h1["geometry"]["coordinates"] == [HOME[1], HOME[0]]  # [lon, lat]
    assert h1["properties"]["outcome"] == "found"
    assert h1["properties"]["outcome_label"] == "Ditemukan"
    assert h1["properties"]["state"] == "approved"
    assert h1["properties"]["village"] == "Suka Pindah"
    assert h1["properties"]["village_code"] == VILLAGE_A
    assert h1["properties"]["round_id"] == crafted.round_id
    assert h1["properties"]["visited_on"] == "2026-06-10"
    h2 = by_id[str(crafted.visits["h2"])]
    assert h2["properties"]["flags"] == ["gps_far_from_household"]
    assert by_id[str(crafted.visits["h2.first"])]["properties"]["state"] == "returned"
    assert by_id[str(crafted.visits["p1"])]["properties"]["proposed_household"] is True
    assert {f["properties"]["village_code"] for f in document["features"]} == {
        VILLAGE_A, VILLAGE_B,
    }  # fmt: skip
    text = response.text
    for value in [*crafted.kk.values(), crafted.proposal_kk, "Sutrisno", "Rahmat", "Kenanga",
                  INJECTION, "1706031505780001"]:  # fmt: skip
        assert value not in text


async def test_empty_geojson_is_still_valid(client, crafted: Crafted, as_role):
    from api.registry.tables import Round

    rows = await Round.insert(
        Round(name="Kosong", region_code="17.06", starts_on=date(2026, 8, 1),
              ends_on=date(2026, 8, 31), state="open", created_by="test")
    ).returning(Round.id)  # fmt: skip
    response = await client.get(
        "/api/v1/reports/visits.geojson",
        params={"region": "17.06.01", "round": rows[0]["id"]},
        headers=as_role["supervisor"],
    )
    document = json.loads(response.content)
    check_geojson(document)
    assert document["features"] == [] and document["skipped_without_gps"] == 0
