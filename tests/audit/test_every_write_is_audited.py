"""Every write leaves its audit event: each write endpoint and each CLI command that
changes something (or hands data out) is driven once, and the events it appended are
checked. Two tables, and two coverage tests that fail when a new route or command is
added without a row here, so "every write is audited" cannot quietly stop being true.
"""

from __future__ import annotations

import asyncio
import csv
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
from click.testing import CliRunner
from litestar import Litestar

from api import db
from api.audit.tables import AuditEvent
from api.cli import build_cli
from api.village.tables import PublicObjection, PublicReview
from auth.roles import Role
from tests.conftest import TEST_SECRET
from tests.support.field import VILLAGE, Field, jpeg_bytes, photos_for, visit_body
from tests.support.routes import Route, api_routes
from tests.support.users import PASSWORD, bearer, login, make_user

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# GET routes that hand data out (files, bundles): audited like writes (SPEC §7).
DOWNLOAD_PREFIXES = (
    "/api/v1/reports/exports/",
    "/api/v1/reports/minutes/",
    "/api/v1/reports/visits.geojson",
    "/api/v1/audit/bundles",
    "/api/v1/civil-registry/report",
)
# GET routes of the village process that hand documents out (issue 15).
DOWNLOAD_SUFFIXES = ("/minutes.pdf", "/final.csv", "/final.xlsx")
# POST routes that change nothing: a search takes NIKs in its body to keep them out of URLs.
POST_READS = {
    ("POST", "/api/v1/households/search"): "a search (NIK in the body, not the URL)",
    ("POST", "/api/v1/audit/bundles/link"): "mints a signed link; its download is audited",
    ("POST", "/api/v1/reports/exports/link"): "mints a signed link; its download is audited",
}


async def last_seq() -> int:
    row = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first()
    return int(row["seq"]) if row else 0


async def actions_after(seq: int) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.action).where(AuditEvent.seq > seq)
    return [row["action"] for row in rows]


# --- HTTP ------------------------------------------------------------------------------


@dataclass
class World:
    client: httpx.AsyncClient
    field: Field
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)

    async def call(
        self, who: str, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        return await self.client.request(
            method, path, headers={**self.headers.get(who, {}), **(headers or {})}, **kw
        )


Run = Callable[[World], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class Step:
    method: str
    route: str  # the route's template, exactly as the app lists it
    actions: tuple[str, ...]  # what the request must append to the chain
    run: Run
    prepare: Run | None = None  # set-up whose own events don't count for this step


async def _login(world: World, who: str, username: str, password: str = PASSWORD) -> None:
    tokens = await login(world.client, username, password)
    world.headers[who] = bearer(tokens)
    world.ids[f"{who}.tokens"] = tokens


async def _first_assignment(world: World, round_id: int) -> int:
    page = await world.call("supervisor", "GET", f"/api/v1/rounds/{round_id}/assignments")
    assert page.status_code == 200, page.text
    return int(page.json()["items"][0]["id"])


def _s(*actions: str) -> tuple[str, ...]:
    return actions


async def _second_device(world: World) -> httpx.Response:
    tokens = await login(world.client, "siti")
    world.ids["siti.second"] = tokens
    return httpx.Response(200)


async def _enumerator_session(world: World) -> httpx.Response:
    tokens = await login(world.client, "wati", "teh-manis-hangat-2026")
    world.ids["wati.session"] = tokens["session_id"]
    return httpx.Response(200)


async def _assign_again(world: World) -> httpx.Response:
    response = await world.call(
        "supervisor",
        "POST",
        f"/api/v1/rounds/{world.ids['round']}/assignments",
        json={"household_ids": [world.field.household_ids[1]], "enumerator_id": world.ids["wati"]},
    )
    world.ids["assignment"] = await _first_assignment(world, world.ids["round"])
    return response


async def _visit(world: World) -> httpx.Response:
    household = world.field.household_ids[0]
    photos = photos_for(["house_front"], seed=41)
    world.ids["visit"], world.ids["photo"] = uuid.uuid4(), photos[0]
    body = visit_body(
        world.field, household, photos, outcome="not_home", location=(-2.40, 101.30)
    )  # far from the household: flagged
    return await world.call("siti", "PUT", f"/api/v1/visits/{world.ids['visit']}", json=body)


async def _photo(world: World) -> httpx.Response:
    photo = world.ids["photo"]
    return await world.call(
        "siti",
        "PUT",
        f"/api/v1/visits/{world.ids['visit']}/photos/{photo.id}",
        content=photo.data,
        headers={"Content-Type": "image/jpeg"},
    )


def _civil_key(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.ids['civil_key']}"}


CIVIL_EXTRACT = (
    "NIK,NO_KK,NAMA_LGKP,TGL_LHR\n1706014101900000,1706011201900000,Anggota,1980-01-01\n"
)
CIVIL_DEATH = {
    "events": [
        {
            "id": "AUDIT-1",
            "kind": "death",
            "occurred_on": "2026-03-04",
            "region_code": VILLAGE,
            "nik": "1706014101900000",
        }
    ]
}


async def _bundle_link(world: World) -> httpx.Response:
    household = world.field.household_ids[0]
    response = await world.call(
        "auditor2", "POST", f"/api/v1/audit/bundles/link?household={household}"
    )
    assert response.status_code == 200, response.text
    world.ids["bundle_link"] = response.json()["url"]
    return response


async def _export_link(world: World) -> httpx.Response:
    response = await world.call(
        "supervisor",
        "POST",
        f"/api/v1/reports/exports/link?file=members.xlsx&region=17.06.01&round={world.field.round_id}",
    )
    assert response.status_code == 200, response.text
    world.ids["export_link"] = response.json()["url"]
    return response


async def _close_window(world: World) -> httpx.Response:
    # The review window's end cannot be waited for in a test: move it into the past.
    await PublicReview.update({PublicReview.closes_at: PublicReview.opens_at}).where(
        PublicReview.id == world.ids["review"]
    )
    return httpx.Response(200)


def _download(path: str) -> Run:
    async def run(world: World) -> httpx.Response:
        return await world.call(
            "supervisor", "GET", path.format(round=world.field.round_id, village=VILLAGE)
        )

    return run


STEPS: list[Step] = [
    Step("POST", "/api/v1/auth/login", _s("auth.login"),
         lambda w: w.client.post("/api/v1/auth/login", json={
             "username": "siti", "password": PASSWORD, "device_label": "phone"})),
    Step("POST", "/api/v1/auth/refresh", _s("auth.refresh"),
         lambda w: w.client.post("/api/v1/auth/refresh", json={
             "refresh_token": w.ids["siti.tokens"]["refresh_token"]})),
    Step("POST", "/api/v1/users", _s("user.created"),
         lambda w: w.call("admin", "POST", "/api/v1/users", json={
             "username": "wati", "display_name": "Wati", "role": "enumerator",
             "password": "teh-manis-hangat-2026", "scopes": ["17.06.01"]})),
    Step("PATCH", "/api/v1/users/{user_id:int}", _s("user.updated"),
         lambda w: w.call("admin", "PATCH", f"/api/v1/users/{w.ids['wati']}",
                          json={"display_name": "Wati Lestari"})),
    Step("POST", "/api/v1/users/{user_id:int}/enrolment-codes", _s("auth.enrolment_created"),
         lambda w: w.call("supervisor", "POST", f"/api/v1/users/{w.ids['wati']}/enrolment-codes",
                          json={})),
    Step("POST", "/api/v1/auth/enrol", _s("auth.login"),
         lambda w: w.client.post("/api/v1/auth/enrol", json={
             "code": w.ids["enrolment_code"], "device_label": "wati-phone"})),
    Step("DELETE", "/api/v1/users/{user_id:int}/sessions/{session_id:uuid}",
         _s("auth.session_revoked"),
         lambda w: w.call("supervisor", "DELETE",
                          f"/api/v1/users/{w.ids['wati']}/sessions/{w.ids['wati.session']}"),
         prepare=_enumerator_session),
    Step("DELETE", "/api/v1/me/sessions/{session_id:uuid}", _s("auth.session_revoked"),
         lambda w: w.call("siti", "DELETE",
                          f"/api/v1/me/sessions/{w.ids['siti.second']['session_id']}"),
         prepare=_second_device),
    Step("POST", "/api/v1/auth/logout", _s("auth.logout"),
         lambda w: w.call("auditor", "POST", "/api/v1/auth/logout", json={})),
    Step("POST", "/api/v1/me/password", _s("user.password_changed"),
         lambda w: w.call("siti", "POST", "/api/v1/me/password", json={
             "current_password": PASSWORD, "new_password": "a-brand-new-passphrase"})),
    Step("POST", "/api/v1/rounds", _s("round.created"),
         lambda w: w.call("supervisor", "POST", "/api/v1/rounds", json={
             "name": "Verval Susulan", "region_code": "17.06.01",
             "starts_on": "2026-07-01", "ends_on": "2026-08-31"})),
    Step("PATCH", "/api/v1/rounds/{round_id:int}", _s("round.updated"),
         lambda w: w.call("supervisor", "PATCH", f"/api/v1/rounds/{w.ids['round']}",
                          json={"name": "Verval Susulan Juli"})),
    Step("POST", "/api/v1/rounds/{round_id:int}/assignments", _s("assignment.assigned"),
         lambda w: w.call("supervisor", "POST", f"/api/v1/rounds/{w.ids['round']}/assignments",
                          json={"household_ids": [w.field.household_ids[1]],
                                "enumerator_id": w.field.enumerator_id})),
    Step("PATCH", "/api/v1/assignments/{assignment_id:int}", _s("assignment.reassigned"),
         lambda w: w.call("supervisor", "PATCH", f"/api/v1/assignments/{w.ids['assignment']}",
                          json={"enumerator_id": w.ids["wati"]})),
    Step("POST", "/api/v1/rounds/{round_id:int}/assignments/unassign",
         _s("assignment.unassigned"),
         lambda w: w.call("supervisor", "POST",
                          f"/api/v1/rounds/{w.ids['round']}/assignments/unassign",
                          json={"household_ids": [w.field.household_ids[1]]})),
    Step("DELETE", "/api/v1/assignments/{assignment_id:int}", _s("assignment.unassigned"),
         lambda w: w.call("supervisor", "DELETE", f"/api/v1/assignments/{w.ids['assignment']}"),
         prepare=_assign_again),
    Step("POST", "/api/v1/households/{household_id:int}/reveal",
         _s("household.identity_revealed"),
         lambda w: w.call("supervisor", "POST",
                          f"/api/v1/households/{w.field.household_ids[0]}/reveal")),
    Step("PUT", "/api/v1/visits/{visit_id:uuid}", _s("visit.received"), _visit),
    Step("PUT", "/api/v1/visits/{visit_id:uuid}/photos/{photo_id:uuid}",
         _s("photo.received", "visit.completed"), _photo),
    Step("POST", "/api/v1/visits/{visit_id:uuid}/decisions", _s("visit.decision"),
         lambda w: w.call("supervisor", "POST", f"/api/v1/visits/{w.ids['visit']}/decisions",
                          json={"decision": "return", "comment": "Foto rumah kurang jelas."})),
    Step("GET", "/api/v1/reports/exports/households.csv", _s("report.export_downloaded"),
         _download("/api/v1/reports/exports/households.csv?region=17.06.01&round={round}")),
    Step("GET", "/api/v1/reports/exports/households.xlsx", _s("report.export_downloaded"),
         _download("/api/v1/reports/exports/households.xlsx?region=17.06.01&round={round}")),
    Step("GET", "/api/v1/reports/exports/members.csv", _s("report.export_downloaded"),
         _download("/api/v1/reports/exports/members.csv?region=17.06.01&round={round}")),
    Step("GET", "/api/v1/reports/exports/members.xlsx", _s("report.export_downloaded"),
         _download("/api/v1/reports/exports/members.xlsx?region=17.06.01&round={round}")),
    Step("GET", "/api/v1/reports/exports/download", _s("report.export_downloaded"),
         lambda w: w.client.get(w.ids["export_link"]), prepare=_export_link),
    Step("GET", "/api/v1/reports/visits.geojson", _s("report.geojson_downloaded"),
         _download("/api/v1/reports/visits.geojson?region=17.06.01&round={round}")),
    Step("GET", "/api/v1/reports/minutes/{filename:str}", _s("report.minutes_downloaded"),
         _download("/api/v1/reports/minutes/{village}.pdf?round={round}")),
    Step("GET", "/api/v1/audit/bundles", _s("audit.bundle_exported"),
         lambda w: w.call("auditor2", "GET",
                          f"/api/v1/audit/bundles?household={w.field.household_ids[0]}")),
    Step("GET", "/api/v1/audit/bundles/download", _s("audit.bundle_exported"),
         lambda w: w.client.get(w.ids["bundle_link"]), prepare=_bundle_link),
    Step("POST", "/api/v1/civil-registry/credentials", _s("civil_registry.credential_issued"),
         lambda w: w.call("admin", "POST", "/api/v1/civil-registry/credentials",
                          json={"name": "Disdukcapil", "region_code": "17.06"})),
    Step("POST", "/api/v1/civil-registry/imports", _s("civil_registry.extract_imported"),
         lambda w: w.call("admin", "POST", "/api/v1/civil-registry/imports?file_name=e.csv",
                          content=CIVIL_EXTRACT.encode())),
    Step("POST", "/api/v1/civil-registry/events",
         _s("civil_registry.events_received", "civil_registry.reconciled"),
         lambda w: w.client.post("/api/v1/civil-registry/events", json=CIVIL_DEATH,
                                 headers=_civil_key(w))),
    Step("POST", "/api/v1/civil-registry/reconciliations", _s("civil_registry.reconciled"),
         lambda w: w.call("supervisor", "POST", "/api/v1/civil-registry/reconciliations",
                          json={"region_code": "17.06.01"})),
    Step("GET", "/api/v1/civil-registry/report", _s("civil_registry.report_downloaded"),
         _download("/api/v1/civil-registry/report?region=17.06.01")),
    Step("GET", "/api/v1/civil-registry/report.csv", _s("civil_registry.report_downloaded"),
         _download("/api/v1/civil-registry/report.csv?region=17.06.01")),
    Step("GET", "/api/v1/civil-registry/report.xlsx", _s("civil_registry.report_downloaded"),
         _download("/api/v1/civil-registry/report.xlsx?region=17.06.01")),
    Step("DELETE", "/api/v1/civil-registry/credentials/{credential_id:int}",
         _s("civil_registry.credential_revoked"),
         lambda w: w.call("admin", "DELETE",
                          f"/api/v1/civil-registry/credentials/{w.ids['civil_credential']}")),
    # --- the village process (issue 15) ---
    Step("POST", "/api/v1/village-proposals", _s("village.proposal_registered"),
         lambda w: w.call("supervisor", "POST", "/api/v1/village-proposals", json={
             "round_id": w.field.round_id, "region_code": VILLAGE, "kind": "removal",
             "household_id": w.field.household_ids[2], "reason": "died",
             "evidence_text": "Surat kematian"})),
    Step("PUT", "/api/v1/village-proposals/{proposal_id:int}/photos/{photo_id:uuid}",
         _s("evidence.sealed"),
         lambda w: w.call("supervisor", "PUT",
                          f"/api/v1/village-proposals/{w.ids['proposal']}/photos/{uuid.uuid4()}",
                          content=jpeg_bytes(seed=51, size=(640, 480)),
                          headers={"Content-Type": "image/jpeg"})),
    Step("POST", "/api/v1/deliberations", _s("deliberation.recorded"),
         lambda w: w.call("supervisor", "POST", "/api/v1/deliberations", json={
             "round_id": w.field.round_id, "region_code": VILLAGE, "held_on": "2026-07-02",
             "place": "Balai Desa"})),
    Step("PATCH", "/api/v1/deliberations/{deliberation_id:int}", _s("deliberation.updated"),
         lambda w: w.call("supervisor", "PATCH", f"/api/v1/deliberations/{w.ids['deliberation']}",
                          json={"attendance": [{"name": "Hasan", "position": "kepala_desa"}]})),
    Step("POST", "/api/v1/deliberations/{deliberation_id:int}/decisions",
         _s("deliberation.decided"),
         lambda w: w.call("supervisor", "POST",
                          f"/api/v1/deliberations/{w.ids['deliberation']}/decisions",
                          json={"item_key": f"proposal:{w.ids['proposal']}",
                                "decision": "agreed"})),
    Step("GET", "/api/v1/deliberations/{deliberation_id:int}/minutes.pdf",
         _s("deliberation.minutes_downloaded"),
         lambda w: w.call("supervisor", "GET",
                          f"/api/v1/deliberations/{w.ids['deliberation']}/minutes.pdf")),
    Step("PUT", "/api/v1/deliberations/{deliberation_id:int}/minutes/{page_id:uuid}",
         _s("evidence.sealed", "deliberation.minutes_signed"),
         lambda w: w.call("supervisor", "PUT",
                          f"/api/v1/deliberations/{w.ids['deliberation']}/minutes/{uuid.uuid4()}",
                          content=jpeg_bytes(seed=52, size=(800, 1100)),
                          headers={"Content-Type": "image/jpeg"})),
    Step("POST", "/api/v1/public-reviews", _s("public_review.published"),
         lambda w: w.call("supervisor", "POST", "/api/v1/public-reviews",
                          json={"deliberation_id": w.ids["deliberation"]})),
    Step("POST", "/api/v1/public/reviews/{village:str}/objections", _s("objection.received"),
         lambda w: w.client.post(f"/api/v1/public/reviews/{VILLAGE}/objections",
                                 data={"text": "Keluarga miskin di RT 3 belum terdaftar."})),
    Step("POST", "/api/v1/objections/{objection_id:int}/resolution", _s("objection.resolved"),
         lambda w: w.call("supervisor", "POST", f"/api/v1/objections/{w.ids['objection']}/resolution",
                          json={"decision": "reject", "reason": "Sudah terdaftar."})),
    Step("POST", "/api/v1/public-reviews/{review_id:int}/ratification",
         _s("public_review.ratified", "household.status_changed"),
         lambda w: w.call("supervisor", "POST",
                          f"/api/v1/public-reviews/{w.ids['review']}/ratification"),
         prepare=_close_window),
    Step("GET", "/api/v1/public-reviews/{review_id:int}/final.csv",
         _s("public_review.final_list_downloaded"),
         lambda w: w.call("supervisor", "GET", f"/api/v1/public-reviews/{w.ids['review']}/final.csv")),
    Step("GET", "/api/v1/public-reviews/{review_id:int}/final.xlsx",
         _s("public_review.final_list_downloaded"),
         lambda w: w.call("supervisor", "GET",
                          f"/api/v1/public-reviews/{w.ids['review']}/final.xlsx")),
]  # fmt: skip


async def _remember(world: World, step: Step, response: httpx.Response) -> None:
    """Ids the later steps need."""
    body = response.json() if "json" in response.headers.get("content-type", "") else {}
    if step.route == "/api/v1/auth/login" and step.method == "POST":
        world.headers["siti"] = bearer(body)
        world.ids["siti.tokens"] = body
    elif step.route == "/api/v1/auth/refresh":
        world.headers["siti"] = bearer(body)
    elif step.route == "/api/v1/users" and step.method == "POST":
        world.ids["wati"] = body["id"]
    elif step.route.endswith("/enrolment-codes"):
        world.ids["enrolment_code"] = body["code"]
    elif step.route == "/api/v1/rounds" and step.method == "POST":
        world.ids["round"] = body["id"]
    elif step.route == "/api/v1/civil-registry/credentials" and step.method == "POST":
        world.ids["civil_key"] = body["api_key"]
        world.ids["civil_credential"] = body["credential"]["id"]
    elif step.route == "/api/v1/village-proposals":
        world.ids["proposal"] = body["id"]
    elif step.route == "/api/v1/deliberations" and step.method == "POST":
        world.ids["deliberation"] = body["id"]
    elif step.route == "/api/v1/public-reviews" and step.method == "POST":
        world.ids["review"] = body["id"]
    elif step.route == "/api/v1/public/reviews/{village:str}/objections":
        objection = await PublicObjection.select(PublicObjection.id).first()
        world.ids["objection"] = objection["id"]
    elif step.route == "/api/v1/rounds/{round_id:int}/assignments" and step.method == "POST":
        world.ids["assignment"] = await _first_assignment(world, world.ids["round"])


async def test_every_write_endpoint_appends_its_event(app_client, field):
    await make_user("admin", Role.ADMIN)
    await make_user("sari", Role.SUPERVISOR, ["17.06"])
    await make_user("andi", Role.AUDITOR, ["17.06"])
    world = World(app_client, field)
    await _login(world, "admin", "admin")
    await _login(world, "supervisor", "sari")
    await _login(world, "auditor", "andi")  # signed out by a step
    await _login(world, "auditor2", "andi")
    await _login(world, "siti", "siti")

    missing: list[str] = []
    for step in STEPS:
        if step.prepare is not None:
            await step.prepare(world)
        before = await last_seq()
        response = await step.run(world)
        request = response.request
        assert Route(step.method, step.route).matches(request.method, request.url.path), (
            f"{step.method} {step.route} drove {request.method} {request.url.path}"
        )
        assert 200 <= response.status_code < 300, (
            f"{step.method} {step.route}: {response.status_code} {response.text[:300]}"
        )
        appended = await actions_after(before)
        for action in step.actions:
            if action not in appended:
                missing.append(f"{step.method} {step.route}: no {action} (got {appended})")
        await _remember(world, step, response)
    assert missing == [], "\n".join(missing)


def test_the_http_table_covers_every_write_route(app: Litestar):
    covered = {(step.method, step.route) for step in STEPS} | set(POST_READS)
    needed = [
        route
        for route in api_routes(app)
        if route.method in WRITE_METHODS
        or (route.method == "GET" and route.path.startswith(DOWNLOAD_PREFIXES))
        or (route.method == "GET" and route.path.endswith(DOWNLOAD_SUFFIXES))
    ]
    uncovered = [f"{r.method} {r.path}" for r in needed if (r.method, r.path) not in covered]
    assert uncovered == [], "write routes without an audit row in STEPS: " + ", ".join(uncovered)


# --- the command line ------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    args: tuple[str, ...]  # {tmp} is the test's directory
    actions: tuple[str, ...]


COMMANDS: list[Command] = [
    Command(("regions", "import", "--only", "17.06"), _s("region.imported")),
    Command(("forms", "publish"), _s("form.published")),
    Command(("users", "create", "siti", "--name", "Siti", "--role", "enumerator",
             "--scope", "17.06.01", "--password", PASSWORD), _s("user.created")),
    Command(("users", "import", "{tmp}/users.csv"), _s("user.created")),
    Command(("users", "deactivate", "rudi"), _s("user.updated")),
    Command(("baseline", "import", "{tmp}/baseline.csv"),
            _s("baseline.import_batch", "baseline.imported")),
    Command(("rounds", "create", "Verval Mei 2026", "--region", "17.06",
             "--start", "2026-06-01", "--end", "2026-07-31", "--planned"), _s("round.created")),
    Command(("rounds", "set-state", "1", "open"), _s("round.updated")),
    Command(("assignments", "assign", "--round", "1", "--region", "17.06.01.2005",
             "--to", "siti"), _s("assignment.assigned")),
    Command(("assignments", "unassign", "--round", "1", "--region", "17.06.01.2005"),
            _s("assignment.unassigned")),
    Command(("reports", "progress", "17.06.01", "--round", "1"), _s("report.progress_viewed")),
    Command(("reports", "export", "17.06.01", "--round", "1", "-o", "{tmp}/households.csv"),
            _s("report.export_downloaded")),
    Command(("reports", "minutes", "17.06.01.2005", "--round", "1", "-o", "{tmp}/minutes.pdf"),
            _s("report.minutes_downloaded")),
    Command(("audit", "bundle", "--region", "17.06.01", "-o", "{tmp}/bundle.zip"),
            _s("audit.bundle_exported")),
    Command(("civil-registry", "import", "{tmp}/extract.csv", "--reconcile", "17.06.01"),
            _s("civil_registry.extract_imported", "civil_registry.reconciled")),
    Command(("civil-registry", "reconcile", "17.06.01"), _s("civil_registry.reconciled")),
    Command(("civil-registry", "synthetic", "17.06", "-o", "{tmp}/synthetic.csv"),
            _s("civil_registry.synthetic_written")),
    Command(("civil-registry", "issue-key", "Disdukcapil", "--region", "17.06"),
            _s("civil_registry.credential_issued")),
    Command(("civil-registry", "revoke-key", "1"), _s("civil_registry.credential_revoked")),
    Command(("demo",), _s("user.created", "baseline.imported", "round.created",
                          "assignment.assigned")),
]  # fmt: skip

# Commands that change no data and hand none out, with the reason.
READ_ONLY_COMMANDS = {
    "serve": "runs the server; its requests are audited by the HTTP table",
    "worker": "runs job workers; each job's writes append visit.completed with the photos' "
    "analysis (or photo.analysed), checked by tests/visits/test_analysis_queue.py",
    "migrate": "changes the schema, not records; the migration table keeps its own log",
    "forms list": "lists published forms",
    "rounds list": "lists rounds",
    "audit verify": "reads the chain and the evidence",
    "audit verify-bundle": "works offline on a file, without a database",
    "media gc": "lists unreferenced objects; deletes nothing",
}


def _leaf_commands(group: click.Group, prefix: str = "") -> list[str]:
    names: list[str] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            names += _leaf_commands(command, f"{prefix}{name} ")
        else:
            names.append(f"{prefix}{name}")
    return names


def _command_name(args: tuple[str, ...]) -> str:
    group = build_cli().commands.get(args[0])
    return f"{args[0]} {args[1]}" if isinstance(group, click.Group) else args[0]


def _write_inputs(tmp: Path) -> None:
    with (tmp / "users.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["username", "display_name", "role", "scopes", "password"])
        writer.writerow(["rudi", "Rudi", "enumerator", "17.06.01", "kopi-pahit-pagi-2026"])
    baseline = (
        "nokk,nik,nama,alamat,rt,rw,kode_wilayah,hubungan_keluarga,jenis_kelamin,tanggal_lahir\n"
        "1706011203150001,1706014107800001,Siti Aminah,Jl. Melati 1,001,002,"
        "17.06.01.2005,1,P,01-07-1980\n"
    )
    (tmp / "baseline.csv").write_text(baseline, encoding="utf-8")
    extract = (
        "NIK,NO_KK,NAMA_LGKP,TGL_LHR\n1706014107800001,1706011203150001,Siti Aminah,01-07-1980\n"
    )
    (tmp / "extract.csv").write_text(extract, encoding="utf-8")


@pytest.fixture
def verval_command(database, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVAL_DATABASE_URL", database.url)
    monkeypatch.setenv("VERVAL_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("VERVAL_SECRET_KEY", TEST_SECRET)
    verval_cli = build_cli()
    runner = CliRunner()

    async def run(args: list[str]) -> click.testing.Result:
        # The command runs its own event loop and binds its own engine: run it on a
        # thread, then bind the test's engine again.
        try:
            return await asyncio.to_thread(runner.invoke, verval_cli, args)
        finally:
            db.bind_engine(database.engine)

    return run


async def test_every_write_command_appends_its_event(verval_command, tmp_path):
    _write_inputs(tmp_path)
    missing: list[str] = []
    for command in COMMANDS:
        args = [arg.replace("{tmp}", str(tmp_path)) for arg in command.args]
        before = await last_seq()
        result = await verval_command(args)
        assert result.exit_code == 0, f"verval {' '.join(args)}: {result.output}"
        appended = await actions_after(before)
        for action in command.actions:
            if action not in appended:
                missing.append(f"verval {' '.join(command.args)}: no {action} (got {appended})")
    assert missing == [], "\n".join(missing)


def test_the_command_table_covers_every_command():
    verval_cli = build_cli()
    covered = {_command_name(c.args) for c in COMMANDS} | set(READ_ONLY_COMMANDS)
    uncovered = [name for name in _leaf_commands(verval_cli) if name not in covered]
    assert uncovered == [], "commands without an audit row: " + ", ".join(uncovered)
