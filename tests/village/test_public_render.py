"""The public list is rendered once per change and revalidated with ETags.

An unchanged list answers 304 to If-None-Match; it is sent as the stored gzip copy (or
inflated for a client that refuses gzip); an objection received or resolved shows on the
very next request (its state and the counts), with a new ETag; only the newest render of
a review is kept. The page points at one script, the public entry (pwa/src/public), and
allows no other.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from api.settings import Settings
from api.village import public_render as render
from api.village.tables import PublicObjection, PublicRender
from tests.support.field import VILLAGE
from tests.village.test_public import published

PAGE = f"/publik/{VILLAGE}"
JSON = f"/api/v1/public/reviews/{VILLAGE}"
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def make_settings(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> Callable[..., Settings]:
    """A built PWA holding the public page's script (and nothing of the staff app)."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "publik.js").write_text("document.documentElement.dataset.js='1';")
    return functools.partial(make_settings, pwa_dist=dist)


async def test_unchanged_list_answers_304_and_is_sent_gzipped(app_client, field):
    await published(app_client, field)
    for path, media in [(PAGE, "text/html"), (JSON, "application/json")]:
        first = await app_client.get(path, headers=GZIP)
        assert first.status_code == 200 and first.headers["content-type"].startswith(media)
        assert first.headers["content-encoding"] == "gzip"
        assert first.headers["vary"] == "Accept-Encoding"
        etag = first.headers["etag"]
        assert etag.startswith('"') and etag.endswith('-gz"')
        again = await app_client.get(path, headers={**GZIP, "If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        # a client refusing gzip gets the same document, uncompressed, under its own tag
        plain = await app_client.get(path, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert plain.content == first.content  # httpx inflated the gzip'd one
        assert plain.headers["etag"] == etag.replace('-gz"', '"')
        assert (
            await app_client.get(path, headers={"If-None-Match": f"W/{plain.headers['etag']}"})
        ).status_code == 304
        stale = await app_client.get(path, headers={"If-None-Match": '"0.0.x"'})
        assert stale.status_code == 200
    # the JSON is the same document the service builds
    listing = (await app_client.get(JSON)).json()
    assert (
        listing["village_code"] == VILLAGE
        and len(listing["entries"]) == listing["counts"]["entries"]
    )
    assert await PublicRender.count() == 1
    # another worker (nothing in its memory) serves the stored copy, and a release whose
    # rendering differs replaces it instead of serving the old layout
    page = (await app_client.get(PAGE, headers=GZIP)).content
    render._memory.clear()
    assert (await app_client.get(PAGE, headers=GZIP)).content == page
    await PublicRender.update({PublicRender.fmt: "older-release"}).where(PublicRender.id > 0)
    render._memory.clear()
    assert (await app_client.get(PAGE, headers=GZIP)).content == page
    assert await PublicRender.select(PublicRender.fmt) != [{"fmt": "older-release"}]
    assert await PublicRender.count() == 1


async def test_objections_received_and_resolved_show_on_the_next_request(app_client, field):
    who, review = await published(app_client, field)
    before = await app_client.get(PAGE, headers=GZIP)
    json_before = await app_client.get(JSON, headers=GZIP)
    entry = json_before.json()["entries"][0]
    assert entry["objection_state"] is None
    assert "0 sanggahan (0 diperiksa, 0 diterima, 0 ditolak)" in before.text

    sent = await app_client.post(
        f"{JSON}/objections",
        data={"entry": entry["token"], "category": "wrong_data",
              "text": "Alamat di daftar tidak sesuai."},
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    received = await app_client.get(PAGE, headers={**GZIP, "If-None-Match": before.headers["etag"]})
    assert received.status_code == 200 and received.headers["etag"] != before.headers["etag"]
    assert "1 sanggahan (1 diperiksa, 0 diterima, 0 ditolak)" in received.text
    assert "Sanggahan: Sedang diperiksa" in received.text
    json_received = await app_client.get(
        JSON, headers={**GZIP, "If-None-Match": json_before.headers["etag"]}
    )
    assert json_received.status_code == 200
    assert json_received.json()["entries"][0]["objection_state"] == "Sedang diperiksa"
    assert json_received.json()["counts"]["objections_open"] == 1

    objection = await PublicObjection.select(PublicObjection.id).first()
    rejected = await app_client.post(
        f"/api/v1/objections/{objection['id']}/resolution", headers=who["sari"],
        json={"decision": "reject", "reason": "Alamat sudah sesuai KK."},
    )  # fmt: skip
    assert rejected.status_code == 200, rejected.text
    resolved = await app_client.get(
        PAGE, headers={**GZIP, "If-None-Match": received.headers["etag"]}
    )
    assert resolved.status_code == 200
    assert "1 sanggahan (0 diperiksa, 0 diterima, 1 ditolak)" in resolved.text
    assert "Sanggahan: Ditolak" in resolved.text and "Sedang diperiksa" not in resolved.text
    assert (await app_client.get(JSON)).json()["entries"][0]["objection_state"] == "Ditolak"
    # the author and the reason stay private; only the newest render is kept
    assert "Alamat sudah sesuai KK" not in resolved.text
    renders = await PublicRender.select(PublicRender.review_id, PublicRender.version)
    assert renders == [{"review_id": review["id"], "version": 2}]


async def test_page_references_only_the_public_script(app_client, field):
    await published(app_client, field)
    token = (await app_client.get(JSON)).json()["entries"][0]["token"]
    for path in [PAGE, f"{PAGE}/sanggah", f"{PAGE}/sanggah?entri={token}"]:
        page = await app_client.get(path)
        assert page.status_code == 200
        scripts = re.findall(r"<script\b[^>]*>", page.text)
        assert len(scripts) == 1, path
        assert re.fullmatch(r'<script type="module" src="/publik\.js\?v=[0-9a-f]{10}">', scripts[0])
        assert "<script>" not in page.text and " on" + "click=" not in page.text
        policy = page.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("style")[0]
        assert 'src="/assets/' not in page.text  # nothing of the staff or enumerator app
    form = await app_client.get(f"{PAGE}/sanggah?entri={token}")
    assert 'id="latitude"' in form.text and 'id="longitude"' in form.text
    assert form.headers["cache-control"] == "no-cache"
