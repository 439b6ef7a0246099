"""Matrix rows for the register (issue 5): regions, households, rounds, assignments.

World objects (``build_world``): ``village``/``district`` (17.06.01.2005 / 17.06.01 own,
17.06.05.2004 / 17.06.05 foreign), ``household`` and ``assignment`` in them, ``round`` for
each district, ``spare`` (a second village per side, for assign/unassign) and ``doomed``
(an assignment the DELETE row removes). Rows that write are idempotent or come last.
"""

from tests.security.matrix import Row, only, same

READERS = {"admin": 200, "supervisor": 200, "auditor": 200}
FOREIGN_READ = only({"admin": 200, "supervisor": 404, "auditor": 404})
FOREIGN_WRITE = only({"admin": 200, "supervisor": 404})

ROWS: list[Row] = [
    # --- regions: every role, inside its scope (and the way down to it) ---
    Row("GET", "/api/v1/regions", own=same(200)),
    Row(
        "GET",
        "/api/v1/regions/{village}",
        own=same(200),
        foreign=only({"admin": 200}, otherwise=404),
    ),
    Row(
        "GET",
        "/api/v1/regions/{district}/children",
        own=same(200),
        foreign=only({"admin": 200}, otherwise=404),
    ),
    # --- households: supervisors, auditors, admins ---
    Row("GET", "/api/v1/households", own=only(READERS)),
    # A foreign region is no error here: the scope is in the query, the page is empty.
    Row(
        "GET",
        "/api/v1/households?region={district}&decile=1-4",
        own=only(READERS),
        foreign=only(READERS),
    ),
    Row("POST", "/api/v1/households/search", body={"name": "warga"}, own=only(READERS)),
    Row("GET", "/api/v1/households/{household}", own=only(READERS), foreign=FOREIGN_READ),
    Row(
        "POST",
        "/api/v1/households/{household}/reveal",
        own=only({"admin": 200, "supervisor": 200}),
        foreign=FOREIGN_WRITE,
    ),
    # --- rounds ---
    Row("GET", "/api/v1/rounds", own=only(READERS)),
    Row(
        "POST",
        "/api/v1/rounds",
        body={
            "name": "Verval {role}",
            "region_code": "{district}",
            "starts_on": "2026-06-01",
            "ends_on": "2026-06-30",
        },
        own=only({"admin": 201, "supervisor": 201}),
        foreign=only({"admin": 201}),
    ),
    Row("GET", "/api/v1/rounds/{round}", own=only(READERS), foreign=FOREIGN_READ),
    Row("GET", "/api/v1/rounds/{round}/progress", own=only(READERS), foreign=FOREIGN_READ),
    Row(
        "PATCH",
        "/api/v1/rounds/{round}",
        body={"name": "Verval Juni 2026"},
        own=only({"admin": 200, "supervisor": 200}),
        foreign=FOREIGN_WRITE,
    ),
    # --- assignments ---
    Row("GET", "/api/v1/assignments", own=only({"enumerator": 200})),
    Row(
        "GET",
        "/api/v1/assignments/{assignment}",
        # the matrix's enumerator is not the one assigned: 404 even in its own district
        own=only({**READERS, "enumerator": 404}),
        foreign={**only({"admin": 200}, otherwise=404), "village_operator": 403},
    ),
    Row("GET", "/api/v1/rounds/{round}/assignments", own=only(READERS), foreign=FOREIGN_READ),
    Row(
        "PATCH",
        "/api/v1/assignments/{assignment}",
        body={"enumerator_id": "{enumerator}"},
        own=only({"admin": 200, "supervisor": 200}),
        foreign=FOREIGN_WRITE,
    ),
    Row(
        "POST",
        "/api/v1/rounds/{round}/assignments",
        body={"enumerator_id": "{enumerator}", "region_code": "{spare}"},
        own=only({"admin": 200, "supervisor": 200}),
        foreign=FOREIGN_WRITE,
    ),
    Row(
        "POST",
        "/api/v1/rounds/{round}/assignments/unassign",
        body={"region_code": "{spare}"},
        own=only({"admin": 200, "supervisor": 200}),
        foreign=FOREIGN_WRITE,
    ),
    Row(
        "DELETE",
        "/api/v1/assignments/{doomed}",
        # admin runs first and removes it, so the supervisor finds nothing left (404);
        # a supervisor's own unassign is tested in tests/registry/test_assignments_sync.py
        own=only({"admin": 204, "supervisor": 404}),
        foreign=only({"admin": 204, "supervisor": 404}),
    ),
]
