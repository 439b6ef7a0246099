"""Matrix rows for the civil registry (issue 14): keys, imports, findings, report, events.

Keys and extract imports are the admin's; findings and the report are read by
supervisors, auditors and admins inside their regions (a foreign region is 404); the
events endpoint takes only the civil registry's API key, so every person's token is
refused there (tests/civil_registry/test_events_api.py covers the key itself).
"""

from tests.security.matrix import Row, only, same

READ = only({"admin": 200, "supervisor": 200, "auditor": 200})
FOREIGN_READ = only({"admin": 200, "supervisor": 404, "auditor": 404})
ADMIN = only({"admin": 200})

ROWS: list[Row] = [
    Row("POST", "/api/v1/civil-registry/events", own=same(403), body={"events": []}),
    Row(
        "POST",
        "/api/v1/civil-registry/credentials",
        own=only({"admin": 201}),
        body={"name": "Disdukcapil {role}", "region_code": "{district}"},
    ),
    Row("GET", "/api/v1/civil-registry/credentials", own=ADMIN),
    Row("DELETE", "/api/v1/civil-registry/credentials/999999", own=only({"admin": 404})),
    Row("GET", "/api/v1/civil-registry/imports", own=ADMIN),
    Row("GET", "/api/v1/civil-registry/imports/999999", own=only({"admin": 404})),
    Row(
        "POST",
        "/api/v1/civil-registry/reconciliations",
        own=only({"admin": 200, "supervisor": 200}),
        foreign=only({"admin": 200, "supervisor": 404}),
        body={"region_code": "{district}"},
    ),
    Row("GET", "/api/v1/civil-registry/findings?region={district}", own=READ, foreign=FOREIGN_READ),
    Row(
        "GET",
        "/api/v1/civil-registry/findings?household={household}",
        own=READ,
        foreign=FOREIGN_READ,
    ),
    Row("GET", "/api/v1/civil-registry/report?region={district}", own=READ, foreign=FOREIGN_READ),
    Row(
        "GET", "/api/v1/civil-registry/report.csv?region={district}", own=READ, foreign=FOREIGN_READ
    ),
    Row(
        "GET",
        "/api/v1/civil-registry/report.xlsx?region={district}",
        own=READ,
        foreign=FOREIGN_READ,
    ),
    # Last: an empty upload is a job that fails in the background ("the file is empty").
    Row("POST", "/api/v1/civil-registry/imports", own=only({"admin": 202})),
]
