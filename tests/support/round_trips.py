"""Counting the SQL round trips of one HTTP request (``api.db.count_statements``).

Tests drive the ASGI app in their own task, so the count covers everything the
request did: authentication, reads, the transaction and returning the connection.
"""

from __future__ import annotations

from typing import Any

import httpx

from api import db


async def measure(
    client: httpx.AsyncClient, method: str, url: str, **kwargs: Any
) -> tuple[httpx.Response, db.StatementCount]:
    """Send one request and return its response and the statements it made."""
    with db.count_statements() as counted:
        response = await client.request(method, url, **kwargs)
    return response, counted
