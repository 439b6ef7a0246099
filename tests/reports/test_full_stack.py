"""From the phone to the offices' outputs on the real stacks (SQLite + local store,
PostgreSQL + SeaweedFS): a visit with its photos goes in through the API, a supervisor
approves it, and the minutes, the export, the GeoJSON and the progress show it. No
photo, and nothing of the sensitive family-card photo, reaches any output."""

from __future__ import annotations

import io
import uuid

import httpx
from openpyxl import load_workbook

from auth.roles import Role
from survey_forms.identity import mask_nik
from tests.reports.test_minutes import pdf_text
from tests.support.field import FOUND_KINDS, VILLAGE, Field, photos_for, visit_body
from tests.support.users import bearer, login, make_user


async def test_a_visit_from_the_phone_reaches_every_output(
    app_client: httpx.AsyncClient, field: Field, phone: dict[str, str]
):
    client = app_client
    household = field.household_ids[0]
    photos = photos_for(FOUND_KINDS, seed=3)
    visit_id = uuid.uuid4()
    sent = await client.put(
        f"/api/v1/visits/{visit_id}", json=visit_body(field, household, photos), headers=phone
    )
    assert sent.status_code == 201, sent.text
    for photo in photos:
        uploaded = await client.put(
            f"/api/v1/visits/{visit_id}/photos/{photo.id}",
            content=photo.data,
            headers={**phone, "Content-Type": "image/jpeg"},
        )
        assert uploaded.status_code == 201, uploaded.text
    await make_user("kasi.linjamsos", Role.SUPERVISOR, ["17.06.01"])
    supervisor = bearer(await login(client, "kasi.linjamsos"))
    decided = await client.post(
        f"/api/v1/visits/{visit_id}/decisions", json={"decision": "approve"}, headers=supervisor
    )
    assert decided.status_code == 201, decided.text

    round_id = field.round_id
    minutes = await client.get(
        f"/api/v1/reports/minutes/{VILLAGE}.pdf", params={"round": round_id}, headers=supervisor
    )
    assert minutes.status_code == 200, minutes.text
    text = " ".join(pdf_text(minutes.content).split())
    assert "SUKA PINDAH" in text and "Sutrisno" in text and "Jumlah 1" in text
    assert mask_nik("1706011201900000") in text
    assert "Kasi.Linjamsos" in text and "Siti" in text  # the supervisor and the enumerator

    export = await client.get(
        "/api/v1/reports/exports/households.xlsx",
        params={"region": "17.06.01", "round": round_id},
        headers=supervisor,
    )
    assert export.status_code == 200, export.text
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    row = dict(zip(header, next(r for r in rows[1:] if r[5] == household), strict=True))
    assert row["HASIL_VERIFIKASI"] == "Ditemukan" and row["STATUS_PEMERIKSAAN"] == "Disetujui"
    assert row["STATUS_KELAYAKAN"] == "Layak" and row["LANTAI"] == "6"
    assert row["NO_KK"] == mask_nik("1706011201900000")

    geojson = await client.get(
        "/api/v1/reports/visits.geojson",
        params={"region": "17.06.01", "round": round_id},
        headers=supervisor,
    )
    assert geojson.status_code == 200
    (feature,) = geojson.json()["features"]
    assert feature["id"] == str(visit_id) and feature["properties"]["state"] == "approved"

    progress = await client.get(
        "/api/v1/reports/progress",
        params={"region": "17.06.01", "round": round_id},
        headers=supervisor,
    )
    totals = progress.json()["totals"]
    assert (totals["assigned"], totals["visited"], totals["approved"]) == (3, 1, 1)

    outputs = [minutes.content, export.content, geojson.content, progress.content]
    for photo in photos:  # no photo, hash or key of any photo (family card included)
        for output in outputs:
            assert photo.sha256.encode() not in output and str(photo.id).encode() not in output
