"""Matrix rows for published forms (issue 4) and the deployment config the screens read:
every signed-in role may read them."""

from tests.security.matrix import Row, same

ROWS: list[Row] = [
    Row("GET", "/api/v1/forms", own=same(200)),
    Row("GET", "/api/v1/forms/dtks_verval/versions/1", own=same(200)),
    Row("GET", "/api/v1/config", own=same(200)),
]
