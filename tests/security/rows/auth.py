"""Matrix rows for accounts and sessions (issue 3)."""

from tests.security.matrix import Row, only, same

ROWS: list[Row] = [
    # --- accounts (issue 3) ---
    Row("GET", "/api/v1/me", own=same(200)),
    Row("GET", "/api/v1/me/sessions", own=same(200)),
    Row("DELETE", "/api/v1/me/sessions/00000000-0000-4000-8000-000000000001", own=same(404)),
    Row(
        "POST",
        "/api/v1/me/password",
        body={"current_password": "not-the-password", "new_password": "a-new-long-passphrase"},
        own=same(403),  # wrong_password: the matrix users' own password is another
    ),
    Row(
        "DELETE",
        "/api/v1/users/{enumerator}/sessions/00000000-0000-4000-8000-000000000001",
        own=only({"admin": 404, "supervisor": 404}),
        foreign=only({"admin": 404, "supervisor": 404}),
    ),
    Row("GET", "/api/v1/users", own=only({"admin": 200, "supervisor": 200})),
    Row(
        "GET",
        "/api/v1/users/{enumerator}",
        own=only({"admin": 200, "supervisor": 200}),
        foreign=only({"admin": 200, "supervisor": 404}),
    ),
    Row(
        "GET",
        "/api/v1/users/{enumerator}/sessions",
        own=only({"admin": 200, "supervisor": 200}),
        foreign=only({"admin": 200, "supervisor": 404}),
    ),
    Row(
        "POST",
        "/api/v1/users/{enumerator}/enrolment-codes",
        body={},
        own=only({"admin": 201, "supervisor": 201}),
        foreign=only({"admin": 201, "supervisor": 404}),
    ),
    Row(
        "PATCH",
        "/api/v1/users/{enumerator}",
        body={"display_name": "Renamed"},
        own=only({"admin": 200}),
        foreign=only({"admin": 200}),
    ),
    Row(
        "POST",
        "/api/v1/users",
        body={
            "username": "new.{role}",
            "display_name": "New",
            "role": "enumerator",
            "password": "a-long-enough-password",
            "scopes": ["17.06.01"],
        },
        own=only({"admin": 201}),
    ),
]
