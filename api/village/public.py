"""The public side of the review (uji publik): no sign-in, same origin, no JavaScript.

``/publik/{village}`` is a small server-rendered page in Indonesian (phone-friendly,
inline CSS, nothing to download but the page); its form posts to
``/publik/{village}/sanggah``. The same data is JSON under ``/api/v1/public/reviews``.
Nothing here reads the register's personal data: it shows the snapshot made when the
list was published (RT/RW, masked name, the change in words, an opaque token). An
unknown, unpublished or closed village answers 404. The caller's address is used only
as a keyed hash, to count objections against the limits.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.params import FromPath, Parameter
from litestar.status_codes import HTTP_201_CREATED

from api.errors import DomainError
from api.reports.labels import is_kelurahan
from api.resources import resources_from_state
from api.village import review
from api.village.labels import OBJECTION_CATEGORIES
from api.village.masking import client_key
from api.village.schemas import ObjectionReceipt, PublicListOut

# A photo (5 MB) and the text fields, with room for the multipart framing.
MAX_FORM_BYTES = review.PUBLIC_PHOTO_MAX + 256 * 1024
VillagePath = Annotated[str, Parameter(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")]
EntryQuery = Annotated[str | None, Parameter(max_length=40, pattern=r"^[a-z2-7]{1,40}$")]
HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
FIELDS = ("entry", "category", "text", "rt", "rw", "latitude", "longitude", "contact")


def _client(request: Request[Any, Any, Any], state: State) -> str:
    address = request.client.host if request.client else "unknown"
    return client_key(resources_from_state(state).settings.signing_key, address)


async def _objection_form(request: Request[Any, Any, Any]) -> review.ObjectionForm:
    form = await request.form()
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    photo = form.get("photo")
    data = None
    if isinstance(photo, UploadFile):
        data = await photo.read()
        await photo.close()
    return review.ObjectionForm(**values, photo=data or None)


async def _receive(request: Request[Any, Any, Any], state: State, village: str) -> ObjectionReceipt:
    resources = resources_from_state(state)
    return await review.receive_objection(
        village,
        await _objection_form(request),
        _client(request, state),
        store=resources.store,
        spool_dir=resources.settings.spool_dir,
    )


class PublicReviewApiController(Controller):
    path = "/api/v1/public/reviews"
    tags = ["public"]

    @get(
        "/{village:str}",
        summary="A village's list in public review (masked)",
        exclude_from_auth=True,
    )
    async def public_list(self, village: FromPath[VillagePath]) -> PublicListOut:
        return await review.public_list(village)

    @post(
        "/{village:str}/objections",
        status_code=HTTP_201_CREATED,
        exclude_from_auth=True,
        request_max_body_size=MAX_FORM_BYTES,
        summary="Object to an entry, or point to a missing household (multipart form)",
    )
    async def objection(
        self, request: Request[Any, Any, Any], state: State, village: FromPath[VillagePath]
    ) -> ObjectionReceipt:
        return await _receive(request, state, village)


# --- the HTML pages -----------------------------------------------------------------------

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
"""


def _page(title: str, body: str, status: int = 200) -> Response[str]:
    html = (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>{body}</body></html>"
    )
    return Response(html, media_type=MediaType.HTML, status_code=status, headers=HTML_HEADERS)


def _village_word(code: str) -> str:
    return "Kelurahan" if is_kelurahan(code) else "Desa"


def _header(listing: PublicListOut) -> str:
    return (
        f"<header><h1>Uji Publik DTKS — {_village_word(listing.village_code)} "
        f"{escape(listing.village_name)}</h1>"
        f"<p>Kecamatan {escape(listing.district_name)} · kode {escape(listing.village_code)}</p>"
        "</header>"
    )


def _list_page(listing: PublicListOut) -> Response[str]:
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
        _header(listing)
        + "<main>"
        + '<div class="box"><p>Daftar hasil musyawarah desa/kelurahan ini diumumkan untuk '
        "diperiksa warga. Jika ada yang tidak sesuai, sampaikan sanggahan sampai "
        f"<b>{escape(listing.deadline_words)}</b>.</p>"
        '<div class="n">'
        f"<span>{counts['entries']} keluarga</span><span>{counts['added']} masuk</span>"
        f"<span>{counts['removed']} keluar</span><span>{counts['unchanged']} tetap</span>"
        f"<span>{counts['objections']} sanggahan ({counts['objections_open']} diperiksa, "
        f"{counts['objections_accepted']} diterima, {counts['objections_rejected']} ditolak)"
        "</span></div>"
        f'<p><a href="{base}/sanggah">Ada keluarga miskin yang belum terdaftar? Usulkan di sini'
        "</a></p><p><small>Nama disamarkan; NIK dan No. KK tidak ditampilkan (UU No. 27 Tahun "
        "2022 tentang Pelindungan Data Pribadi).</small></p></div>"
        f"<ol>{''.join(items)}</ol></main>"
    )
    return _page(f"Uji Publik {listing.village_name}", body)


def _form_page(
    listing: PublicListOut, entry: str | None, error: str | None = None, status: int = 200
) -> Response[str]:
    chosen = next((e for e in listing.entries if e.token == entry), None) if entry else None
    base = f"/publik/{escape(listing.village_code)}"
    if entry and chosen is None:
        return _message_page(listing, "Entri tidak ditemukan di daftar ini.", 404)
    if chosen is not None:
        options = "".join(
            f'<option value="{escape(code)}">{escape(label)}</option>'
            for code, label in OBJECTION_CATEGORIES.items()
        )
        what = (
            f"<p>Sanggahan untuk <b>{escape(chosen.name)}</b>, RT {escape(chosen.rt)} / RW "
            f"{escape(chosen.rw)} ({escape(chosen.change_words)}).</p>"
            f'<input type="hidden" name="entry" value="{escape(chosen.token)}">'
            f'<label for="category">Alasan</label><select id="category" name="category" '
            f"required>{options}</select>"
        )
    else:
        what = (
            "<p>Usulan keluarga miskin yang <b>belum ada</b> di daftar. Jangan tulis NIK atau "
            "No. KK; petugas akan datang memeriksa.</p>"
            '<label for="rt">RT</label><input id="rt" name="rt" inputmode="numeric" '
            'maxlength="3"><label for="rw">RW</label><input id="rw" name="rw" '
            'inputmode="numeric" maxlength="3">'
        )
    problem = f'<div class="box err">{escape(error)}</div>' if error else ""
    body = (
        _header(listing)
        + f"<main>{problem}"
        + f'<form class="box" method="post" action="{base}/sanggah" '
        'enctype="multipart/form-data">'
        + what
        + f'<label for="text">Keterangan ({review.TEXT_MIN} sampai {review.TEXT_MAX} huruf)</label>'
        f'<textarea id="text" name="text" rows="5" minlength="{review.TEXT_MIN}" '
        f'maxlength="{review.TEXT_MAX}" required></textarea>'
        '<label for="photo">Foto (tidak wajib, JPEG, paling besar 5 MB)</label>'
        '<input id="photo" name="photo" type="file" accept="image/jpeg" capture="environment">'
        '<label for="latitude">Lokasi (tidak wajib): lintang dan bujur</label>'
        '<input id="latitude" name="latitude" inputmode="decimal" placeholder="-2.56">'
        '<input id="longitude" name="longitude" inputmode="decimal" placeholder="101.11">'
        '<label for="contact">Kontak Anda (tidak wajib, tidak ditampilkan)</label>'
        f'<input id="contact" name="contact" maxlength="{review.CONTACT_MAX}">'
        f"<p><small>Batas pengiriman berlaku sampai {escape(listing.deadline_words)}."
        '</small></p><button type="submit">Kirim sanggahan</button>'
        f'</form><p><a href="{base}">Kembali ke daftar</a></p></main>'
    )
    return _page(f"Sanggahan {listing.village_name}", body, status)


def _message_page(listing: PublicListOut, message: str, status: int) -> Response[str]:
    body = (
        _header(listing)
        + f'<main><div class="box">{message}</div>'
        + f'<p><a href="/publik/{escape(listing.village_code)}">Kembali ke daftar</a></p></main>'
    )
    return _page(f"Uji Publik {listing.village_name}", body, status)


def _not_found() -> Response[str]:
    body = (
        '<header><h1>Uji Publik DTKS</h1></header><main><div class="box">Tidak ada daftar '
        "uji publik untuk desa/kelurahan ini saat ini.</div></main>"
    )
    return _page("Tidak ditemukan", body, 404)


class PublicPagesController(Controller):
    path = "/publik"
    include_in_schema = False

    @get("/{village:str}", exclude_from_auth=True)
    async def list_page(self, village: FromPath[str]) -> Response[str]:
        try:
            listing = await review.public_list(village)
        except DomainError:
            return _not_found()
        return _list_page(listing)

    @get("/{village:str}/sanggah", exclude_from_auth=True)
    async def form_page(self, village: FromPath[str], entri: EntryQuery = None) -> Response[str]:
        try:
            listing = await review.public_list(village)
        except DomainError:
            return _not_found()
        return _form_page(listing, entri)

    @post("/{village:str}/sanggah", exclude_from_auth=True, request_max_body_size=MAX_FORM_BYTES)
    async def send(
        self, request: Request[Any, Any, Any], state: State, village: FromPath[str]
    ) -> Response[str]:
        try:
            listing = await review.public_list(village)
        except DomainError:
            return _not_found()
        try:
            receipt = await _receive(request, state, village)
        except DomainError as error:
            entry = (await request.form()).get("entry")
            return _form_page(
                listing,
                entry if isinstance(entry, str) and entry else None,
                error.detail,
                error.status_code,
            )
        return _message_page(
            listing,
            f"<p>{escape(receipt.message)}</p><p>Nomor sanggahan: <b>{escape(receipt.reference)}"
            "</b></p>",
            201,
        )


PUBLIC_CONTROLLERS = [PublicReviewApiController, PublicPagesController]
