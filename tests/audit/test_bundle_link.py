"""Signed bundle links: a browser downloads a bundle with its own download manager (no
bearer token on a plain link), so the API hands out a short-lived URL signed with the
app's key. The link works once signed, for its scope only, until it expires or the
signer's session ends; a forged or altered link is refused."""

from __future__ import annotations

import io
import time
import zipfile
from urllib.parse import parse_qs, urlencode, urlsplit

from api.audit.bundle import BundleScope, verify_bundle
from api.audit.controller import _link_key, signed_bundle_link
from auth import service as auth_service
from auth.roles import Role
from tests.audit.test_chain_and_evidence import _visit_with_photos
from tests.support.users import bearer, login, make_user


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def test_signed_link_downloads_a_verifiable_bundle(app_client, phone, field, store, tmp_path):
    await _visit_with_photos(app_client, phone, field)
    await make_user("inspektorat", Role.AUDITOR, ["17.06"])
    auditor = bearer(await login(app_client, "inspektorat"))
    household = field.household_ids[0]

    response = await app_client.post(
        f"/api/v1/audit/bundles/link?household={household}", headers=auditor
    )
    assert response.status_code == 200, response.text
    link = response.json()
    assert link["url"].startswith("/api/v1/audit/bundles/download?")
    query = _query(link["url"])
    assert query["household"] == str(household) and "signature" in query
    assert int(query["expires"]) <= time.time() + 130
    # No personal data in the URL: only numbers, the session id and the signature.
    assert set(query) == {"household", "user", "sid", "expires", "signature"}

    download = await app_client.get(link["url"])  # no Authorization header
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/zip"
    assert "attachment" in download.headers["content-disposition"]
    path = tmp_path / "bundle.zip"
    path.write_bytes(download.content)
    assert zipfile.ZipFile(io.BytesIO(download.content)).testzip() is None
    report = verify_bundle(path)
    assert report.ok, report.problems

    # The export is on the audit trail, in the signer's name.
    trail = await app_client.get(f"/api/v1/households/{household}/trail", headers=auditor)
    assert trail.status_code == 200


async def test_altered_expired_or_ended_links_are_refused(stack, app_client, phone, field, store):
    await make_user("inspektorat", Role.AUDITOR, ["17.06.01"])
    tokens = await login(app_client, "inspektorat")
    auditor = bearer(tokens)
    household = field.household_ids[0]
    link = (
        await app_client.post(f"/api/v1/audit/bundles/link?household={household}", headers=auditor)
    ).json()
    query = _query(link["url"])

    # Another household under the same signature.
    altered = {**query, "household": str(field.foreign_household_id)}
    response = await app_client.get("/api/v1/audit/bundles/download?" + urlencode(altered))
    assert response.status_code == 403 and response.json()["code"] == "bad_signature"
    # A longer life.
    longer = {**query, "expires": str(int(query["expires"]) + 3600)}
    assert (
        await app_client.get("/api/v1/audit/bundles/download?" + urlencode(longer))
    ).status_code == 403
    # Garbage signature (non-hex, non-ASCII).
    garbage = {**query, "signature": "ü" * 64}
    assert (
        await app_client.get("/api/v1/audit/bundles/download?" + urlencode(garbage))
    ).status_code == 403

    # Expired: signed with the app's key three minutes ago.
    principal = await auth_service.principal_for_session(query["sid"], query["user"])
    assert principal is not None
    old = signed_bundle_link(
        _link_key(stack[0].state),
        principal,
        BundleScope(household_id=household),
        now=time.time() - 180,
    )
    assert (await app_client.get(old.url)).status_code == 403
    fresh = signed_bundle_link(
        _link_key(stack[0].state), principal, BundleScope(household_id=household)
    )
    assert (await app_client.get(fresh.url)).status_code == 200

    # The signer signs out: the link dies with the session.
    assert (await app_client.post("/api/v1/auth/logout", headers=auditor)).status_code in (200, 204)
    assert (await app_client.get(link["url"])).status_code == 403


async def test_link_is_scoped_like_the_bundle(app_client, phone, field, store):
    await make_user("inspektorat.ipuh", Role.AUDITOR, ["17.06.05"])
    foreign = bearer(await login(app_client, "inspektorat.ipuh"))
    household = field.household_ids[0]
    assert (
        await app_client.post(f"/api/v1/audit/bundles/link?household={household}", headers=foreign)
    ).status_code == 404
    assert (
        await app_client.post("/api/v1/audit/bundles/link?region=17.06.01", headers=foreign)
    ).status_code == 404
    region = await app_client.post("/api/v1/audit/bundles/link?region=17.06.05", headers=foreign)
    assert region.status_code == 200 and "region=17.06.05" in region.json()["url"]
    assert (
        await app_client.post(f"/api/v1/audit/bundles/link?household={household}", headers=phone)
    ).status_code == 403
