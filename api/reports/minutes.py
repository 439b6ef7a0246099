"""Berita acara (minutes) of a village for the village deliberation (musdes/muskel).

The data is gathered here and typeset by Typst (``templates/minutes.typ``, compiled by
the ``typst`` package, whose compiler and fonts ship inside the wheel): the template
gets one JSON document and shows its values as text. The list holds the households
whose latest visit in the round was approved, No. KK masked; households visited but not
yet approved are counted in a note, not listed. A fingerprint (SHA-256 of the data) is
printed in the footer and recorded in the audit event, so a printed page can be matched
to the download that produced it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

import typst
from anyio import to_thread

from api.errors import NotFound
from api.registry.codes import ancestors, level_of
from api.reports import queries
from api.reports.labels import (
    ELIGIBILITY_ORDER,
    OUTCOME_ORDER,
    eligibility_label,
    is_kelurahan,
    local_today,
    local_zone,
    long_date,
    outcome_label,
    weekday,
)
from api.reports.register import verified_head
from api.reports.scope import ReportScope
from auth.roles import Principal, Role
from survey_forms.identity import mask_nik

TEMPLATE = Path(__file__).parent / "templates" / "minutes.typ"
NO_RECOMMENDATION = "Tanpa rekomendasi"


@dataclass(frozen=True)
class MinutesOptions:
    """What the office fills in: the meeting's date and place, who signs."""

    on: date | None = None
    place: str | None = None
    village_head: str | None = None
    supervisor: str | None = None


@dataclass(frozen=True)
class Minutes:
    pdf: bytes
    data: dict[str, Any]
    fingerprint: str
    listed: int
    pending: int


def clock(zone: tzinfo) -> datetime:
    """The print time in the footer (replaced in tests for a reproducible page image)."""
    return datetime.now(zone)


def _rt_rw(rt: str, rw: str) -> str:
    return f"{rt or '-'}/{rw or '-'}"


async def _entries(
    principal: Principal, scope: ReportScope, village: str
) -> tuple[list[dict[str, Any]], int, list[Any], set[int]]:
    """(approved entries, visited-but-not-approved count, approved visit ids, enumerators)."""
    entries: list[dict[str, Any]] = []
    pending = 0
    visit_ids: list[Any] = []
    enumerators: set[int] = set()
    after = 0
    while True:
        page = await queries.household_page(principal, [village], after)
        if not page:
            break
        latest = await queries.latest_visits(principal, scope.round_id, [h["id"] for h in page])
        for household in page:
            visit = latest.get(household["id"])
            if visit is None:
                continue
            if visit["state"] != "approved":
                pending += 1
                continue
            head = household["head_name"]
            if visit["outcome"] == "found":
                members = [m for m in visit["answers"].get("members") or [] if isinstance(m, dict)]
                verified = verified_head(members)
                if verified is not None and verified.get("full_name"):
                    head = verified["full_name"]
            entries.append(
                {
                    "kk": mask_nik(household["kk_number"]),
                    "head": head,
                    "rt": household["rt"],
                    "rw": household["rw"],
                    "outcome": visit["outcome"],
                    "eligibility": visit["eligibility"],
                    "note": "",
                }
            )
            visit_ids.append(visit["id"])
            enumerators.add(visit["enumerator_id"])
        if len(page) < queries.PAGE_SIZE:
            break
        after = page[-1]["id"]
    cursor = None
    while True:
        proposals, cursor = await queries.proposal_page(
            principal, scope.round_id, village, cursor, queries.PAGE_SIZE
        )
        for visit in proposals:
            if visit["state"] != "approved":
                pending += 1
                continue
            answers = visit["answers"]
            entries.append(
                {
                    "kk": mask_nik(str(answers.get("kk_number") or "")),
                    "head": str(answers.get("head_name") or ""),
                    "rt": str(answers.get("rt") or ""),
                    "rw": str(answers.get("rw") or ""),
                    "outcome": visit["outcome"],
                    "eligibility": visit["eligibility"],
                    "note": "Usulan baru",
                }
            )
            visit_ids.append(visit["id"])
            enumerators.add(visit["enumerator_id"])
        if cursor is None:
            break
    return entries, pending, visit_ids, enumerators


def _fingerprint(data: dict[str, Any]) -> str:
    stable = {k: v for k, v in data.items() if k not in ("generated", "fingerprint")}
    canonical = json.dumps(stable, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def minutes_data(
    principal: Principal, scope: ReportScope, options: MinutesOptions
) -> dict[str, Any]:
    village = scope.region_code
    if level_of(village) != "village":
        raise NotFound("Minutes are made for a village.", code="village_not_found")
    chain = await queries.region_chain(village)
    codes = [*ancestors(village), village]

    def named(code: str) -> dict[str, str]:
        return {"code": code, "name": chain.get(code, {}).get("name", "")}

    region = dict(
        zip(("province", "regency", "district", "village"), map(named, codes), strict=True)
    )
    kelurahan = is_kelurahan(village)
    village_name = region["village"]["name"]
    entries, pending, visit_ids, enumerator_ids = await _entries(principal, scope, village)
    entries.sort(key=lambda e: (e["note"] != "", e["rt"], e["rw"], e["head"].lower()))

    outcome_counts = {key: 0 for key in OUTCOME_ORDER}
    eligibility_counts = {key: 0 for key in [*ELIGIBILITY_ORDER, None]}
    for entry in entries:
        outcome_counts[entry["outcome"]] = outcome_counts.get(entry["outcome"], 0) + 1
        eligibility_counts[entry["eligibility"]] = (
            eligibility_counts.get(entry["eligibility"], 0) + 1
        )

    users = await queries.users_by_id(enumerator_ids)
    supervisor = options.supervisor or ""
    if not supervisor and principal.role is Role.SUPERVISOR:
        supervisor = principal.display_name
    if not supervisor:
        approvers = await queries.approvers(visit_ids)
        supervisor = approvers[0][1] if approvers else ""
    day = options.on or local_today(village)
    round_row = scope.round_row
    zone = local_zone(village)
    now = clock(zone)
    data: dict[str, Any] = {
        "title": f"Berita Acara Verval {village_name} {scope.round_name}",
        "office": {"regency": region["regency"]["name"], "province": region["province"]["name"]},
        "region": region,
        "meeting": "Musyawarah Kelurahan" if kelurahan else "Musyawarah Desa",
        "village_word": "Kelurahan" if kelurahan else "Desa",
        "round": {
            "name": scope.round_name,
            "period": f"{long_date(round_row['starts_on'])} s.d. {long_date(round_row['ends_on'])}",
        },
        "date": {"weekday": weekday(day), "long": long_date(day), "iso": day.isoformat()},
        "place": options.place
        or (f"Kantor Kelurahan {village_name}" if kelurahan else f"Balai Desa {village_name}"),
        "households": [
            {
                "no": index,
                "kk": entry["kk"],
                "head": entry["head"],
                "rt_rw": _rt_rw(entry["rt"], entry["rw"]),
                "outcome": outcome_label(entry["outcome"]),
                "eligibility": eligibility_label(entry["eligibility"], village) or "-",
                "note": entry["note"],
            }
            for index, entry in enumerate(entries, start=1)
        ],
        "totals": {
            "outcomes": [
                {"label": outcome_label(key), "n": n} for key, n in outcome_counts.items()
            ],
            "eligibility": [
                {"label": eligibility_label(key, village) if key else NO_RECOMMENDATION, "n": n}
                for key, n in eligibility_counts.items()
            ],
            "total": len(entries),
        },
        "pending": pending,
        "signatures": {
            "supervisor": supervisor,
            "village_head": options.village_head or "",
            "village_head_title": f"Lurah {village_name}"
            if kelurahan
            else f"Kepala Desa {village_name}",
            "enumerators": sorted(
                users.get(i, {}).get("display_name", "") or f"Petugas {i}" for i in enumerator_ids
            ),
        },
        "generated": f"dicetak {now:%d-%m-%Y %H:%M} {zone.tzname(None)}",
    }
    digest = _fingerprint(data)
    data["fingerprint"] = f"{digest[:8]}…{digest[-8:]}"
    data["sha256"] = digest
    return data


def render(data: dict[str, Any]) -> bytes:
    """Typeset the minutes with the fonts inside the typst wheel only (same PDF everywhere)."""
    pdf = typst.compile(
        str(TEMPLATE),
        sys_inputs={"data": json.dumps(data, ensure_ascii=False, default=str)},
        ignore_system_fonts=True,
    )
    assert isinstance(pdf, bytes)
    return pdf


async def make_minutes(
    principal: Principal, scope: ReportScope, options: MinutesOptions
) -> Minutes:
    data = await minutes_data(principal, scope, options)
    pdf = await to_thread.run_sync(render, data)
    return Minutes(
        pdf=pdf,
        data=data,
        fingerprint=data["sha256"],
        listed=len(data["households"]),
        pending=data["pending"],
    )
