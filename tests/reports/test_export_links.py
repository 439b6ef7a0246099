"""SIKS-NG exports through signed links: the screens hand the browser a short-lived URL
so the file streams to disk instead of into page memory. The link is refused for what the
export itself refuses, downloads the same bytes, is audited like the export, and dies when
altered, expired or when its signer signs out."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

from api.audit.tables import AuditEvent
from tests.reports.conftest import Crafted
from tests.reports.test_exports import read_csv, read_xlsx

LINK = "/api/v1/reports/exports/link"


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def _link(client, headers, crafted: Crafted, file: str, **extra: str):
    params = {"file": file, "region": "17.06.01", "round": str(crafted.round_id), **extra}
    return await client.post(f"{LINK}?{urlencode(params)}", headers=headers)


async def test_link_downloads_the_same_export_without_a_token(client, crafted: Crafted, as_role):
    minted = await _link(client, as_role["supervisor"], crafted, "households.csv")
    assert minted.status_code == 200, minted.text
    link = minted.json()
    assert link["url"].startswith("/api/v1/reports/exports/download?")
    query = _query(link["url"])
    assert int(query["expires"]) <= time.time() + 130
    # Codes and numbers only: no name, NIK or No. KK in the URL.
    assert set(query) == {"file", "region", "round", "identity", "only", "user", "sid",
                          "expires", "signature"}  # fmt: skip

    direct = await client.get(
        "/api/v1/reports/exports/households.csv",
        params={"region": "17.06.01", "round": crafted.round_id},
        headers=as_role["supervisor"],
    )
    by_link = await client.get(link["url"])  # no Authorization header
    assert by_link.status_code == 200, by_link.text
    assert "attachment" in by_link.headers["content-disposition"]
    assert read_csv(by_link.content) == read_csv(direct.content)

    xlsx = await _link(client, as_role["auditor"], crafted, "members.xlsx", only="approved")
    download = await client.get(xlsx.json()["url"])
    assert download.status_code == 200
    header, rows, _ = read_xlsx(download.content)
    assert "NIK" in header and rows

    events = (
        await AuditEvent.select(AuditEvent.actor, AuditEvent.details)
        .where(AuditEvent.action == "report.export_downloaded")
        .output(load_json=True)
    )
    assert len(events) == 3  # the direct one and the two by link, each in the signer's name
    assert {e["details"]["format"] for e in events} == {"csv", "xlsx"}


async def test_link_refused_like_the_export(client, crafted: Crafted, as_role):
    full = await _link(client, as_role["auditor"], crafted, "households.csv", identity="full")
    assert full.status_code == 403 and full.json()["code"] == "identity_forbidden"
    assert (await _link(client, as_role["foreign"], crafted, "households.csv")).status_code == 404
    assert (await _link(client, as_role["enumerator"], crafted, "members.csv")).status_code == 403
    assert (await _link(client, {}, crafted, "members.csv")).status_code == 401
    bad = await _link(client, as_role["supervisor"], crafted, "secrets.csv")
    assert bad.status_code == 400
    # Full numbers for a supervisor: the mode is part of the signature.
    minted = await _link(client, as_role["supervisor"], crafted, "households.csv", identity="full")
    assert minted.status_code == 200
    query = _query(minted.json()["url"])
    for change in ({"identity": "masked"}, {"region": "17.06"}, {"file": "members.csv"},
                   {"expires": str(int(query["expires"]) + 3600)}, {"signature": "ü" * 64}):  # fmt: skip
        altered = await client.get(
            "/api/v1/reports/exports/download?" + urlencode({**query, **change})
        )
        assert altered.status_code == 403 and altered.json()["code"] == "bad_signature", change
    events = await AuditEvent.count().where(AuditEvent.action == "report.export_downloaded")
    assert events == 0  # nothing refused left a download behind

    # The signer signs out: the link dies with the session.
    assert (
        await client.post("/api/v1/auth/logout", headers=as_role["supervisor"])
    ).status_code in (200, 204)
    assert (await client.get(minted.json()["url"])).status_code == 403
