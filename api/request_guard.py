"""What every request must satisfy before its content reaches a handler or a database.

- JSON bodies are JSON (``application/json`` or ``…+json``; anything else is 415), at most
  :data:`MAX_JSON_DEPTH` levels deep (checked on the raw bytes, before a decoder recurses into
  them: 400 ``json_too_deep``), and hold no NUL character (422 ``nul_character``).
- URLs and query strings hold no NUL character either (422 ``nul_character``).
- The client's address is the peer's, or, when the peer is a trusted proxy
  (``VERVAL_TRUSTED_PROXIES``), the nearest untrusted address in X-Forwarded-For.

PostgreSQL cannot store NUL in text while SQLite can: refusing it at the door makes both
databases behave alike, and a phone shows the 4xx in words instead of retrying a 5xx forever.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Receive, Scope, Send

from api.errors import DomainError

MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_NUL_IN_URL = re.compile(rb"%00|\x00")


class JsonTooDeep(DomainError):
    status_code = 400
    code = "json_too_deep"


class NulCharacter(DomainError):
    status_code = 422
    code = "nul_character"


def _nul_refused(where: str) -> NulCharacter:
    return NulCharacter(
        f"The {where} holds a NUL character (\\u0000), which no text field may contain.",
        extra={"errors": [{"path": where, "message": "NUL character"}]},
    )


def json_depth(body: bytes) -> int:
    """Deepest nesting of arrays and objects, counted outside strings, without decoding."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_JSON_STRING.sub(b"", body)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def holds_nul(value: Any) -> bool:
    """Whether any string (or object key) in a decoded JSON value contains NUL."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _is_json_media_type(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


class VervalRequest(Request[Any, Any, Any]):
    """Litestar's request with the JSON body checks above (set as the app's request class)."""

    async def json(self) -> Any:
        body = await self.body()
        if body:
            content_type, _ = self.content_type
            if not _is_json_media_type(content_type):
                raise HTTPException(
                    status_code=415,
                    detail="Send the body as application/json.",
                )
            if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and (
                json_depth(body) > MAX_JSON_DEPTH
            ):
                raise JsonTooDeep(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.")
        value = await super().json()
        if holds_nul(value):
            raise _nul_refused("body")
        return value


class RejectNulInUrl:
    """422 for a NUL character in the path or the query string, before routing decodes it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or scope.get("path", "").encode()
            if "\x00" in scope.get("path", "") or _NUL_IN_URL.search(raw_path):
                raise _nul_refused("path")
            if _NUL_IN_URL.search(scope.get("query_string", b"")):
                raise _nul_refused("query")
        await self.app(scope, receive, send)


class ForwardedClient:
    """Sets the ASGI client to the address a trusted proxy says it forwarded for.

    X-Forwarded-For is read right to left, skipping trusted proxies; the first address that
    is not one is the client. From an untrusted peer the header is ignored, so nobody can
    escape the per-address sign-in throttle by inventing addresses.
    """

    def __init__(
        self,
        app: ASGIApp,
        trusted: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network] = (),
    ) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    def _is_trusted(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and client and self._is_trusted(client[0]):
            forwarded = [
                value.decode("latin-1")
                for name, value in scope.get("headers", [])
                if name.lower() == b"x-forwarded-for"
            ]
            hops = [hop.strip() for hop in ",".join(forwarded).split(",") if hop.strip()]
            host = client[0]
            while hops and self._is_trusted(host):
                host = hops.pop()
            if host != client[0]:
                scope["client"] = (host, 0)
        await self.app(scope, receive, send)
