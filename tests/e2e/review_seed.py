"""Visits sent as a phone would (PUT the record, then each photo's bytes), for the review
journey: the supervisor's screens need a flagged visit with answers, members and photos."""

from __future__ import annotations

import copy
import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.conftest import Server
from tests.support.field import jpeg_bytes

# About 1.1 km north-east of a household: far enough for the "far from household" flag.
FAR = (0.008, 0.007)


def answers_from(assignment: dict[str, Any]) -> dict[str, Any]:
    """The baseline with a few corrections: a bigger floor, a smartphone, a death, a birth."""
    base = copy.deepcopy(assignment["baseline"])
    members = base.pop("members", [])
    answers: dict[str, Any] = dict(base)
    answers["floor_area"] = int(answers.get("floor_area") or 40) + 12
    answers["asset_smartphone"] = "1"
    out = []
    for i, m in enumerate(members):
        m = dict(m)
        m["full_name"] = m.pop("name", "")
        m.pop("member_id", None)
        if i == len(members) - 1 and i > 0:
            died = {"nik": m["nik"], "full_name": m["full_name"], "presence": "2"}
            if assignment.get("form_version", 1) >= 2:  # version 2 asks for the date of death
                died["death_date"] = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
            out.append(died)
            continue
        m["presence"] = "1"
        out.append(m)
    newborn = {
        "nik": "", "full_name": "Bayi Baru", "presence": "5", "sex": "2",
        "birth_date": (datetime.now(UTC) - timedelta(days=90)).date().isoformat(),
        "marital_status": "1", "relationship": "3",
        "disability": "2", "chronic_illness": "2", "working": "2",
    }  # fmt: skip
    if assignment.get("form_version", 1) >= 2:
        newborn["new_member_kind"] = "1"
    out.append(newborn)
    answers["members"] = out
    return answers


def send_visit(
    server: Server,
    token: str,
    assignment: dict[str, Any],
    *,
    far: bool = True,
    seed: int = 1,
    outcome: str = "found",
    revisit_of: str | None = None,
    minutes_ago: int = 60,
) -> str:
    hh = assignment["household"]
    lat, lon = hh["latitude"], hh["longitude"]
    if far:
        lat, lon = lat + FAR[0], lon + FAR[1]
    started = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    kinds = (
        ["house_front", "house_inside", "family_card"] if outcome == "found" else ["house_front"]
    )
    photos = [(str(uuid.uuid4()), kind, jpeg_bytes(seed * 10 + i)) for i, kind in enumerate(kinds)]
    body = {
        "household_id": hh["id"],
        "round_id": assignment["round_id"],
        "form": {"id": assignment["form_id"], "version": assignment["form_version"]},
        "answers": answers_from(assignment) if outcome == "found" else {},
        "outcome": outcome,
        "eligibility": "layak" if outcome == "found" else None,
        "started_at": started.isoformat(),
        "ended_at": (started + timedelta(minutes=14)).isoformat(),
        "gps": {"lat": lat, "lon": lon, "accuracy_m": 9.5, "fixed_at": started.isoformat()},
        "device_id": "android-review-seed",
        "app_version": "1.0.0",
        "revisit_of": revisit_of,
        "photos": [
            {
                "id": pid,
                "kind": kind,
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "captured_at": (started + timedelta(minutes=3 + i)).isoformat(),
                "gps": {"lat": lat + 0.00004 * i, "lon": lon - 0.00003 * i, "accuracy_m": 7.0},
            }
            for i, (pid, kind, data) in enumerate(photos)
        ],
    }
    visit_id = str(uuid.uuid4())
    status, answer = server.api("PUT", f"/api/v1/visits/{visit_id}", token, body)
    assert status == 201, answer
    for pid, _kind, data in photos:
        status, answer = server.api(
            "PUT", f"/api/v1/visits/{visit_id}/photos/{pid}", token, jpeg=data
        )
        assert status == 201, answer
    return visit_id
