"""The PWA shell: the built app (pwa/dist) at /, in the smallest encoding the client accepts.

`npm run build` writes brotli (.br) and gzip (.gz) copies next to each text asset
(pwa/scripts/precompress.mjs); this serves the best one the request's Accept-Encoding
allows, so a phone gets brotli without the server compressing on every request. A copy
older than its original (a file replaced after the build) is never served.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from litestar import HttpMethod, Request, Router, route
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

# Preferred first: brotli is ~15% smaller than gzip -9 on the app's JS.
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
# Skip the app-wide gzip middleware: these responses are compressed already (or not worth it).
SKIP_COMPRESSION = "skip_compression"


def cache_policy(path: str) -> str:
    """Hashed assets forever; the entry points never (or a phone would not see a new version)."""
    if path.startswith("/assets/"):
        return "public, max-age=31536000, immutable"
    if path in ("/", "/index.html", "/sw.js", "/manifest.webmanifest") or "." not in path:
        return "no-cache"
    return "public, max-age=3600"


def accepted_codings(header: str) -> dict[str, float]:
    """Accept-Encoding as {coding: q}; `*` stands for any coding not named."""
    codings: dict[str, float] = {}
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if not name:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        codings[name.strip().lower()] = q
    return codings


def choose_coding(header: str, available: list[str]) -> str | None:
    """The first available coding the client accepts with q > 0; None = send it as it is."""
    codings = accepted_codings(header)
    for coding in available:
        if codings.get(coding, codings.get("*", 0.0)) > 0:
            return coding
    return None


def resolve(dist: Path, file_path: str) -> Path | None:
    """The file under dist a URL path names; None for hidden or escaping paths."""
    parts = [p for p in file_path.split("/") if p]
    if any(p.startswith(".") for p in parts):
        return None
    target = dist.joinpath(*parts) if parts else dist
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def pwa_shell_router(dist: Path) -> Router:
    """GET and HEAD /… for the files of the built PWA (registered after the API, which wins)."""
    root = dist.resolve()

    @route(
        ["/", "/{file_path:path}"],
        http_method=[HttpMethod.GET, HttpMethod.HEAD],
        include_in_schema=False,
        name="pwa",
        opt={"exclude_from_auth": True, SKIP_COMPRESSION: True},
        sync_to_thread=False,
    )
    def pwa_file(request: Request, file_path: FromPath[str] = "/") -> File:
        original = resolve(root, file_path)
        if original is None:
            raise NotFoundException()
        fresh = {
            coding: variant
            for coding, suffix in PRECOMPRESSED
            if (variant := original.with_name(original.name + suffix)).is_file()
            and variant.stat().st_mtime >= original.stat().st_mtime
        }
        coding = choose_coding(request.headers.get("accept-encoding", ""), list(fresh))
        media_type = MEDIA_TYPES.get(original.suffix) or (
            mimetypes.guess_type(original.name)[0] or "application/octet-stream"
        )
        headers = {
            "Cache-Control": cache_policy("/" + file_path.lstrip("/")),
            "Vary": "Accept-Encoding",
        }
        if coding:
            headers["Content-Encoding"] = coding
        return File(
            path=fresh[coding] if coding else original,
            media_type=media_type,
            content_disposition_type="inline",
            filename=original.name,
            headers=headers,
        )

    return Router(path="/", route_handlers=[pwa_file])
