"""The public list rendered once per change, not on every request.

A village's list in public review is the same for every reader until something it shows
changes: an objection received or resolved (its state and the counts). Those changes bump
``public_review.version`` in their own transaction, so the list's HTML page and its JSON
are built at most once per version, gzip'd once, and kept in ``public_render`` (the
database: it is already on every request's path for the window check, it is transactional
with the version, shared by all workers and needs no new service; a rendered village is
~80 KB). Each worker also keeps the few newest renders in memory, keyed on the same
version it reads from the database on every request, so a cached copy is never stale.

Readers revalidate with ``If-None-Match``: the ETag is the review, its version and the
rendering code's fingerprint, so an unchanged list answers 304 without touching the
stored copy. Brotli is not offered: it would need a new compiled dependency, and gzip -9
of this repetitive HTML is within a few per cent of it.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from api.reports.labels import is_kelurahan
from api.village import review
from api.village.schemas import PublicListOut
from api.village.tables import PublicRender

# Where the built PWA puts the public page's script (pwa/vite.config.ts, entry "publik").
SCRIPT_FILE = "publik.js"
KEEP_IN_MEMORY = 32  # renders per worker: one per village currently in public review

CSS = """
body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#f6f6f4}
header{background:#14532d;color:#fff;padding:14px 16px}
header h1{font-size:1.15rem;margin:0}header p{margin:4px 0 0;font-size:.9rem}
main{padding:12px 16px;max-width:720px;margin:auto}
.box{background:#fff;border:1px solid #ddd;border-radius:8px;padding:12px;margin:0 0 12px}
.n{display:flex;flex-wrap:wrap;gap:8px}.n span{background:#eef5ee;border-radius:6px;padding:4px 8px}
ol{list-style:none;padding:0;margin:0}li{background:#fff;border:1px solid #ddd;border-radius:8px;
padding:10px 12px;margin:0 0 8px}li b{display:block}.c{font-size:.92rem}
.added{border-left:5px solid #15803d}.removed{border-left:5px solid #b91c1c}
.s{font-size:.85rem;color:#854d0e}a{color:#14532d}label{display:block;margin:10px 0 4px}
input,select,textarea{width:100%;box-sizing:border-box;font:inherit;padding:8px}
button{background:#14532d;color:#fff;border:0;border-radius:6px;padding:10px 16px;font:inherit}
.err{border-color:#b91c1c;background:#fef2f2}small{color:#555}
.hide{display:none}button.alt{background:#fff;color:#14532d;border:1px solid #14532d;margin:8px 0}
"""


@lru_cache(maxsize=4)
def script_url(dist: Path) -> str | None:
    """The public page's script with a content version, or None when the PWA is not built
    (the page works without it: forms post, lat/lon can be typed)."""
    path = dist / SCRIPT_FILE
    if not path.is_file():
        return None
    return f"/{SCRIPT_FILE}?v={hashlib.sha256(path.read_bytes()).hexdigest()[:10]}"


def html_headers(script: str | None) -> dict[str, str]:
    scripts = "script-src 'self'; " if script else ""
    return {
        "Content-Security-Policy": f"default-src 'none'; {scripts}style-src 'unsafe-inline'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


def page_html(title: str, body: str, script: str | None) -> str:
    tag = f'<script type="module" src="{escape(script)}"></script>' if script else ""
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style>{tag}</head><body>{body}</body></html>"
    )


def village_word(code: str) -> str:
    return "Kelurahan" if is_kelurahan(code) else "Desa"


def header_html(listing: PublicListOut) -> str:
    return (
        f"<header><h1>Uji Publik DTKS — {village_word(listing.village_code)} "
        f"{escape(listing.village_name)}</h1>"
        f"<p>Kecamatan {escape(listing.district_name)} · kode {escape(listing.village_code)}</p>"
        "</header>"
    )


def list_html(listing: PublicListOut, script: str | None) -> str:
    counts = listing.counts
    base = f"/publik/{escape(listing.village_code)}"
    items = []
    for entry in listing.entries:
        state = (
            f'<span class="s">Sanggahan: {escape(entry.objection_state)}</span>'
            if entry.objection_state
            else ""
        )
        items.append(
            f'<li class="{escape(entry.change)}"><b>{escape(entry.name)}</b>'
            f'<span class="c">RT {escape(entry.rt or "-")} / RW {escape(entry.rw or "-")} · '
            f"{escape(entry.change_words)}</span><br>{state} "
            f'<a href="{base}/sanggah?entri={escape(entry.token)}">Sanggah</a></li>'
        )
    body = (
        header_html(listing)
        + "<main>"
        + '<div class="box"><p>Daftar hasil musyawarah desa/kelurahan ini diumumkan untuk '
        "diperiksa warga. Jika ada yang tidak sesuai, sampaikan sanggahan sampai "
        f"<b>{escape(listing.deadline_words)}</b>.</p>"
        '<div class="n" id="counts">'
        f"<span>{counts['entries']} keluarga</span><span>{counts['added']} masuk</span>"
        f"<span>{counts['removed']} keluar</span><span>{counts['unchanged']} tetap</span>"
        f"<span>{counts['objections']} sanggahan ({counts['objections_open']} diperiksa, "
        f"{counts['objections_accepted']} diterima, {counts['objections_rejected']} ditolak)"
        "</span></div>"
        f'<p><a href="{base}/sanggah">Ada keluarga miskin yang belum terdaftar? Usulkan di sini'
        "</a></p><p><small>Nama disamarkan; NIK dan No. KK tidak ditampilkan (UU No. 27 Tahun "
        "2022 tentang Pelindungan Data Pribadi).</small></p></div>"
        f'<ol id="entries">{"".join(items)}</ol></main>'
    )
    return page_html(f"Uji Publik {listing.village_name}", body, script)


# --- the stored copy ----------------------------------------------------------------------


def _code_fingerprint() -> str:
    """Changes when the rendering code does, so a release never serves an old layout."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in ("public_render.py", "review.py", "labels.py", "schemas.py", "masking.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()


CODE_FINGERPRINT = _code_fingerprint()


@dataclass(frozen=True)
class Rendered:
    html_gzip: bytes
    json_gzip: bytes
    html_bytes: int
    json_bytes: int


def fmt_of(script: str | None) -> str:
    """The stored copy's format: the rendering code and the script the HTML points at."""
    return hashlib.sha256(f"{CODE_FINGERPRINT}|{script}".encode()).hexdigest()[:16]


def _published(review_row: dict[str, Any]) -> int:
    """The publishing instant in µs: with the id, a review no other can be mistaken for
    (even where a database reuses a deleted row's id)."""
    return int(review_row["opens_at"].timestamp() * 1_000_000)


def etag_of(review_row: dict[str, Any], script: str | None) -> str:
    """The list's current ETag (unquoted, without the coding suffix)."""
    return f"{review_row['id']}.{_published(review_row):x}.{review_row['version']}.{fmt_of(script)}"


_memory: OrderedDict[tuple[int, int, int, str], Rendered] = OrderedDict()


def _remember(key: tuple[int, int, int, str], rendered: Rendered) -> Rendered:
    _memory[key] = rendered
    _memory.move_to_end(key)
    while len(_memory) > KEEP_IN_MEMORY:
        _memory.popitem(last=False)
    return rendered


async def build(review_row: dict[str, Any], script: str | None) -> Rendered:
    """Render the list from the snapshot. The version was read before the rows, so what is
    stored under it is never older than that version (at worst a little newer)."""
    listing = await review.public_list_of(review_row)
    html = list_html(listing, script).encode()
    json = listing.model_dump_json().encode()
    return Rendered(
        html_gzip=gzip.compress(html, 9, mtime=0),
        json_gzip=gzip.compress(json, 9, mtime=0),
        html_bytes=len(html),
        json_bytes=len(json),
    )


async def rendered(review_row: dict[str, Any], script: str | None) -> Rendered:
    """The list at the review's current version: from memory, the stored copy, or built
    now (and stored, replacing the older versions)."""
    fmt = fmt_of(script)
    key = (int(review_row["id"]), _published(review_row), int(review_row["version"]), fmt)
    if (hit := _memory.get(key)) is not None:
        _memory.move_to_end(key)
        return hit
    row = await (
        PublicRender.select(
            PublicRender.html_gzip, PublicRender.json_gzip,
            PublicRender.html_bytes, PublicRender.json_bytes,
        )
        .where((PublicRender.review_id == key[0]) & (PublicRender.version == key[2])
               & (PublicRender.fmt == fmt))
        .first()
    )  # fmt: skip
    if row is not None:
        return _remember(
            key,
            Rendered(
                bytes(row["html_gzip"]),
                bytes(row["json_gzip"]),
                row["html_bytes"],
                row["json_bytes"],
            ),
        )
    fresh = await build(review_row, script)
    await PublicRender.insert(
        PublicRender(
            review_id=key[0],
            version=key[2],
            fmt=fmt,
            html_gzip=fresh.html_gzip,
            json_gzip=fresh.json_gzip,
            html_bytes=fresh.html_bytes,
            json_bytes=fresh.json_bytes,
            built_at=datetime.now(UTC),
        )
    ).on_conflict(action="DO NOTHING")
    await PublicRender.delete().where(
        (PublicRender.review_id == key[0])
        & ((PublicRender.version < key[2]) | (PublicRender.fmt != fmt))
    )
    return _remember(key, fresh)
