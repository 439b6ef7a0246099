"""The published OpenAPI is the contract: errors as problem+json on every operation, the
photo body, the form object; the documentation pages load nothing from the internet."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from api.app import create_app
from tests.conftest import serve_in_process

ROOT = Path(__file__).resolve().parents[2]
# Reached through signed links, without a token.
SIGNED_LINKS = {
    "/api/v1/audit/bundles/download",
    "/api/v1/reports/exports/download",
    "/api/v1/media/local/{key}",
    "/api/v1/photo-thumbnails/{photo_id}",  # signed like the presigned link it replaced
    "/api/v1/config",
}
# The public review (issue 15): anyone, without signing in.
PUBLIC_REVIEW = {"/api/v1/public/reviews/{village}", "/api/v1/public/reviews/{village}/objections"}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


async def _schema(client) -> dict:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


async def test_every_operation_documents_its_errors_as_problem_json(client, database):
    schema = await _schema(client)
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "patch", "delete"}
    ]
    assert len(operations) > 40
    for path, method, operation in operations:
        responses = operation["responses"]
        errors = {int(status) for status in responses if int(status) >= 400}
        assert {400, 422, 500, 503} <= errors, (method, path, sorted(errors))
        if path.startswith("/api/v1/") and not path.startswith("/api/v1/auth/"):
            assert {403, 404} <= errors, (method, path)
            if path not in SIGNED_LINKS | PUBLIC_REVIEW:
                assert 401 in errors, (method, path)
        for status in errors:
            content = responses[str(status)]["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            assert content["application/problem+json"]["schema"] == PROBLEM_REF
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "code", "detail"} <= set(problem["required"])
    login = schema["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert "429" in login


async def test_the_photo_body_and_the_form_object_are_documented(client, database):
    schema = await _schema(client)
    photo = schema["paths"]["/api/v1/visits/{visit_id}/photos/{photo_id}"]["put"]
    assert photo["requestBody"]["content"]["image/jpeg"]["schema"]["format"] == "binary"
    assert {"200", "201", "409", "413", "415"} <= set(photo["responses"])
    form = schema["paths"]["/api/v1/forms/{form_id}/versions/{version}"]["get"]
    ok = form["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/FormDefinition"}
    assert "groups" in schema["components"]["schemas"]["FormDefinition"]["properties"]


async def test_the_documentation_pages_are_served_by_the_deployment(
    make_settings, database, tmp_path
):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>Verval</title>")
    shutil.copytree(ROOT / "pwa" / "public", dist, dirs_exist_ok=True)  # as vite build does
    node = shutil.which("node")
    assert node, "the PWA build needs Node (see README prerequisites)"
    subprocess.run([node, "scripts/copy-api-docs.mjs", str(dist)], cwd=ROOT / "pwa", check=True)
    async with serve_in_process(create_app(make_settings(pwa_dist=dist))) as client:
        for page in ("/schema", "/schema/swagger"):
            html = (await client.get(page)).text
            links = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
            assert links, page
            assert not [link for link in links if "//" in link], (page, links)
            for link in links:
                asset = await client.get(link)
                assert asset.status_code == 200 and len(asset.content) > 0, link
            assert "cdn." not in html and "unpkg" not in html and "googleapis" not in html
