"""Matrix rows for the village's part of a round (issue 15): proposals, deliberations,
public reviews, the objection queue.

Village operators (scoped to the own village only) and the office (supervisors, admins)
keep proposals and deliberations; publishing, objections and ratification are the
office's. Auditors and enumerators get 403. A village outside the caller's scope is 404
— for the operator that includes ``spare``, another village of its own district. The
public routes take no token (see ``OUTSIDE_THE_MATRIX`` and tests/village/test_public.py).
Writes are made harmless where a row repeats per role: a 409 or 422 shows the caller
passed the scope check without changing anything.
"""

from tests.security.matrix import Row, only

STAFF = only({"admin": 200, "supervisor": 200, "village_operator": 200})
STAFF_FOREIGN = only({"admin": 200, "supervisor": 404, "village_operator": 404})
OFFICE = only({"admin": 200, "supervisor": 200})
OFFICE_FOREIGN = only({"admin": 200, "supervisor": 404})


def staff(status: int) -> dict[str, int]:
    return only({"admin": status, "supervisor": status, "village_operator": status})


def staff_foreign(status: int) -> dict[str, int]:
    return only({"admin": status, "supervisor": 404, "village_operator": 404})


def office(status: int) -> dict[str, int]:
    return only({"admin": status, "supervisor": status})


def office_foreign(status: int) -> dict[str, int]:
    return only({"admin": status, "supervisor": 404})


PROPOSAL_BODY = {
    "round_id": "{round}",
    "region_code": "{village}",
    "kind": "removal",
    "household_id": "{household}",
    "reason": "moved",
    "evidence_text": "Pindah ke kota",
}

ROWS: list[Row] = [
    # proposals
    Row("GET", "/api/v1/village-proposals?village={village}&round_id={round}",
        own=STAFF, foreign=STAFF_FOREIGN),
    Row("GET", "/api/v1/village-proposals?village={spare}&round_id={round}",
        own=only({"admin": 200, "supervisor": 200, "village_operator": 404})),
    Row("GET", "/api/v1/village-proposals/households?village={village}",
        own=STAFF, foreign=STAFF_FOREIGN),
    Row("GET", "/api/v1/village-proposals/households?village={spare}",
        own=only({"admin": 200, "supervisor": 200, "village_operator": 404})),
    Row("POST", "/api/v1/village-proposals", body=PROPOSAL_BODY,
        own=staff(201), foreign=staff_foreign(201)),
    Row("PUT", "/api/v1/village-proposals/{proposal}/photos/5b1f0e52-8f0e-4f7e-9a43-3b6c1f0d9a11",
        own=staff(415), foreign=staff_foreign(415)),
    # deliberations
    Row("POST", "/api/v1/deliberations",
        body={"round_id": "{round}", "region_code": "{village}", "held_on": "2026-07-01",
              "place": "Balai Desa"},
        own=staff(409), foreign=staff_foreign(409)),
    Row("GET", "/api/v1/deliberations?village={village}", own=STAFF, foreign=STAFF_FOREIGN),
    Row("GET", "/api/v1/deliberations/rounds?village={village}", own=STAFF,
        foreign=STAFF_FOREIGN),
    Row("GET", "/api/v1/deliberations/{deliberation}", own=STAFF, foreign=STAFF_FOREIGN),
    Row("PATCH", "/api/v1/deliberations/{deliberation}", body={"place": "Kantor Desa"},
        own=STAFF, foreign=STAFF_FOREIGN),
    Row("POST", "/api/v1/deliberations/{deliberation}/decisions",
        body={"item_key": "proposal:{proposal}", "decision": "agreed"},
        own=staff(201), foreign=staff_foreign(201)),
    Row("GET", "/api/v1/deliberations/{deliberation}/minutes.pdf",
        own=STAFF, foreign=STAFF_FOREIGN),
    Row("PUT", "/api/v1/deliberations/{deliberation}/minutes/7d4c3a1e-2b9f-4c1a-8e5d-6f7a8b9c0d1e",
        own=staff(415), foreign=staff_foreign(415)),
    # public reviews
    Row("POST", "/api/v1/public-reviews", body={"deliberation_id": "{deliberation}"},
        own=office(409), foreign=office_foreign(409)),
    Row("GET", "/api/v1/public-reviews?village={village}", own=STAFF, foreign=STAFF_FOREIGN),
    Row("GET", "/api/v1/public-reviews/{review}", own=STAFF, foreign=STAFF_FOREIGN),
    Row("POST", "/api/v1/public-reviews/{review}/ratification",
        own=office(409), foreign=office_foreign(409)),
    Row("GET", "/api/v1/public-reviews/{review}/final.xlsx",
        own=office(409), foreign=office_foreign(409)),
    Row("GET", "/api/v1/public-reviews/{review}/final.csv",
        own=office(409), foreign=office_foreign(409)),
    # the objection queue
    Row("GET", "/api/v1/objections", own=OFFICE),
    Row("GET", "/api/v1/objections?region={village}", own=OFFICE, foreign=OFFICE_FOREIGN),
    Row("POST", "/api/v1/objections/{objection}/resolution", body={"decision": "reject"},
        own=office(422), foreign=office_foreign(422)),
]  # fmt: skip
