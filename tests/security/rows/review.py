"""Matrix rows for review (issue 7): the queue and its counts, the visit detail,
decisions, and a household's trail.

World objects: ``visit`` (a complete visit per side), ``decide`` (a complete visit per
role that may decide, see ``tests/review/matrix_world.py``), and the register's
``household`` and ``district``. Auditors are read-only everywhere; enumerators have no
queue (their assignments are their list) and see only their own visits.
"""

from tests.security.matrix import Row, only, same

READERS = {"admin": 200, "supervisor": 200, "auditor": 200}
FOREIGN_READ = only({"admin": 200, "supervisor": 404, "auditor": 404})

ROWS: list[Row] = [
    Row("GET", "/api/v1/visits", own=only(READERS)),
    Row("GET", "/api/v1/visits/counts", own=only(READERS)),
    # A region outside the caller's scope is no error: the scope is in the query, so the
    # answer is simply empty.
    Row("GET", "/api/v1/visits?region={district}&flag=flagged", own=only(READERS),
        foreign=only(READERS)),
    Row("GET", "/api/v1/visits/counts?region={district}", own=only(READERS),
        foreign=only(READERS)),
    # By decile (the poorest 40 %): the same scope inside the query, the same answers.
    Row("GET", "/api/v1/visits?region={district}&decile=1-4", own=only(READERS),
        foreign=only(READERS)),
    Row("GET", "/api/v1/visits/counts?region={district}&decile=1-4", own=only(READERS),
        foreign=only(READERS)),
    Row(
        "GET",
        "/api/v1/visits/{visit}",
        # the matrix's enumerator did not make the visit: 404 even in its own district
        own={**READERS, "enumerator": 404},
        foreign={**only({"admin": 200}, otherwise=404), "village_operator": 403},
    ),
    Row(
        "POST",
        "/api/v1/visits/{decide:{role}}/decisions",
        body={"decision": "escalate", "comment": "Perlu diperiksa kepala bidang."},
        own=only({"admin": 201, "supervisor": 201}),
        foreign=only({"admin": 201, "supervisor": 404}),
    ),
    Row("GET", "/api/v1/households/{household}/trail", own=only(READERS), foreign=FOREIGN_READ),
    # Verification and bundles: a region or household outside the caller's scope is 404.
    Row("GET", "/api/v1/audit/verify?household={household}", own=only(READERS),
        foreign=FOREIGN_READ),
    Row("GET", "/api/v1/audit/bundles?household={household}", own=only(READERS),
        foreign=FOREIGN_READ),
    # A signed download link for the browser's own download manager (tests/audit/
    # test_bundle_link.py): handed out like the bundle itself.
    Row("POST", "/api/v1/audit/bundles/link?household={household}", own=only(READERS),
        foreign=FOREIGN_READ),
    # The signed download takes no bearer token: the signature is the credential, so a
    # request without a valid one is 403 for everybody, signed in or not.
    Row("GET", "/api/v1/audit/bundles/download?household={household}&user=1&sid=x"
        "&expires=4102444800&signature=" + "0" * 64, own=same(403), foreign=same(403),
        anonymous=403),
    # Intake is the enumerators' alone; others are refused before the body is read. An
    # empty body is refused as invalid (the foreign-household case: tests/visits).
    Row("PUT", "/api/v1/visits/00000000-0000-4000-8000-000000000001", body={},
        own=only({"enumerator": 400})),
    Row("PUT", "/api/v1/visits/00000000-0000-4000-8000-000000000001/photos/"
        "00000000-0000-4000-8000-000000000002", own=only({"enumerator": 415})),  # no JPEG
]  # fmt: skip
