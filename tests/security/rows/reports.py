"""Matrix rows for the offices' outputs (issue 10): minutes, exports, GeoJSON, progress.

Supervisors and admins may have everything, auditors everything but full identity
numbers, enumerators nothing. A foreign region is 404 for everyone scoped elsewhere,
before any other check (so a refused request never says whether the region exists).
Uses the register's world: ``district``, ``village`` and ``round`` of each side.
"""

from tests.security.matrix import Row, only, same

READ = only({"admin": 200, "supervisor": 200, "auditor": 200})
FOREIGN = only({"admin": 200, "supervisor": 404, "auditor": 404})
FULL = only({"admin": 200, "supervisor": 200})
QUERY = "region={district}&round={round}"

ROWS: list[Row] = [
    Row("GET", "/api/v1/reports/progress?" + QUERY, own=READ, foreign=FOREIGN),
    Row("GET", "/api/v1/reports/progress?decile=1-4&" + QUERY, own=READ, foreign=FOREIGN),
    Row("GET", "/api/v1/reports/minutes/{village}.pdf?round={round}", own=READ, foreign=FOREIGN),
    Row("GET", "/api/v1/reports/visits.geojson?" + QUERY, own=READ, foreign=FOREIGN),
    *[
        Row("GET", f"/api/v1/reports/exports/{name}?" + QUERY, own=READ, foreign=FOREIGN)
        for name in ("households.csv", "households.xlsx", "members.csv", "members.xlsx")
    ],
    Row(
        "GET",
        "/api/v1/reports/exports/households.csv?identity=full&" + QUERY,
        own=FULL,
        foreign=FOREIGN,
    ),
    Row(
        "GET",
        "/api/v1/reports/exports/members.xlsx?identity=full&" + QUERY,
        own=FULL,
        foreign=FOREIGN,
    ),
    # Signed links for the screens (tests/reports/test_export_links.py): minted like the
    # export itself; the download's signature is its credential, so a bad one is 403 for all.
    Row("POST", "/api/v1/reports/exports/link?file=households.xlsx&" + QUERY, own=READ,
        foreign=FOREIGN),
    Row("POST", "/api/v1/reports/exports/link?file=members.csv&identity=full&" + QUERY,
        own=FULL, foreign=FOREIGN),
    Row("GET", "/api/v1/reports/exports/download?file=households.csv&" + QUERY
        + "&user=1&sid=x&expires=4102444800&signature=" + "0" * 64,
        own=same(403), foreign=same(403), anonymous=403),
]  # fmt: skip
