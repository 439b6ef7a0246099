"""The public side of the review (uji publik): no sign-in, same origin, no JavaScript needed.

``/publik/{village}`` is a small server-rendered page in Indonesian (phone-friendly,
inline CSS); its form posts to ``/publik/{village}/sanggah``. The same data is JSON under
``/api/v1/public/reviews``. The list is rendered once per change and served with ETags
(``public_render``). One optional script, the PWA's ``publik`` entry (``/publik.js``),
adds a search, the phone's location and a photo downscale; everything works without it.
Nothing here reads the register's personal data: it shows the snapshot made when the
list was published (RT/RW, masked name, the change in words, an opaque token). An
unknown, unpublished or closed village answers 404. The caller's address is used only
as a keyed hash, to count objections against the limits.
"""

from __future__ import annotations

import gzip
from html import escape
from typing import Annotated, Any, Literal, cast

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import ResponseHeader, State, UploadFile
from litestar.exceptions import HTTPException
from litestar.params import FromPath, Parameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_304_NOT_MODIFIED

from api.errors import DomainError
from api.pwa_shell import SKIP_COMPRESSION, choose_coding
from api.resources import resources_from_state
from api.village import public_render as render
from api.village import review
from api.village.labels import OBJECTION_CATEGORIES
from api.village.masking import client_key
from api.village.schemas import ObjectionReceipt, PublicListOut

# A photo (5 MB) and the text fields, with room for the multipart framing.
MAX_FORM_BYTES = review.PUBLIC_PHOTO_MAX + 256 * 1024
VillagePath = Annotated[str, Parameter(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")]
EntryQuery = Annotated[str | None, Parameter(max_length=40, pattern=r"^[a-z2-7]{1,40}$")]
JSON_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
FIELDS = ("entry", "category", "text", "rt", "rw", "latitude", "longitude", "contact")


def _client(request: Request[Any, Any, Any], state: State) -> str:
    address = request.client.host if request.client else "unknown"
    return client_key(resources_from_state(state).settings.signing_key, address)


FORM_MEDIA_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


async def _objection_form(request: Request[Any, Any, Any]) -> review.ObjectionForm:
    # Any other body would parse as an empty form and be refused for its missing text,
    # which says nothing of what was wrong.
    if request.content_type[0] not in FORM_MEDIA_TYPES:
        raise HTTPException(
            status_code=415, detail="Send the objection as a form (multipart/form-data)."
        )
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


def _matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match names this version (in any coding; weak or strong) or is ``*``."""
    for candidate in if_none_match.split(","):
        tag = candidate.strip().removeprefix("W/").strip('"')
        if tag == "*" or tag == etag or tag == f"{etag}-gz":
            return True
    return False


async def _stored(
    request: Request[Any, Any, Any],
    current: dict[str, Any],
    script: str | None,
    kind: Literal["html", "json"],
    headers: dict[str, str],
) -> Response[bytes]:
    """The pre-rendered list: 304 when the reader has this version, else the stored gzip
    copy (or, for the rare client that refuses gzip, that copy inflated)."""
    etag = render.etag_of(current, script)
    media_type = MediaType.HTML if kind == "html" else MediaType.JSON
    coding = choose_coding(request.headers.get("accept-encoding", ""), ["gzip"])
    tagged = {**headers, "Vary": "Accept-Encoding"}
    tagged["ETag"] = f'"{etag}-gz"' if coding else f'"{etag}"'
    if _matches(request.headers.get("if-none-match", ""), etag):
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=tagged)
    stored = await render.rendered(current, script)
    body = stored.html_gzip if kind == "html" else stored.json_gzip
    if coding:
        tagged["Content-Encoding"] = "gzip"
    else:
        body = gzip.decompress(body)
    return Response(body, media_type=media_type, headers=tagged)


class PublicReviewApiController(Controller):
    path = "/api/v1/public/reviews"
    tags = ["public"]

    @get(
        "/{village:str}",
        summary="A village's list in public review (masked)",
        description="Revalidate with If-None-Match: an unchanged list answers 304.",
        exclude_from_auth=True,
        opt={SKIP_COMPRESSION: True},
        response_headers=[
            ResponseHeader(name="ETag", description="The list's version", documentation_only=True)
        ],
    )
    async def public_list(
        self, request: Request[Any, Any, Any], state: State, village: FromPath[VillagePath]
    ) -> Response[PublicListOut]:
        current = await review.open_review(village)
        answer = await _stored(request, current, _script(state), "json", JSON_HEADERS)
        return cast("Response[PublicListOut]", answer)

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


def _script(state: State) -> str | None:
    return render.script_url(resources_from_state(state).settings.effective_pwa_dist)


def _page(title: str, body: str, script: str | None, status: int = 200) -> Response[str]:
    return Response(
        render.page_html(title, body, script),
        media_type=MediaType.HTML,
        status_code=status,
        headers=render.html_headers(script),
    )


def _form_page(
    listing: PublicListOut,
    entry: str | None,
    script: str | None,
    error: str | None = None,
    status: int = 200,
) -> Response[str]:
    chosen = next((e for e in listing.entries if e.token == entry), None) if entry else None
    base = f"/publik/{escape(listing.village_code)}"
    if entry and chosen is None:
        return _message_page(listing, "Entri tidak ditemukan di daftar ini.", script, 404)
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
        render.header_html(listing)
        + f"<main>{problem}"
        + f'<form class="box" method="post" action="{base}/sanggah" '
        'enctype="multipart/form-data" id="objection">'
        + what
        + f'<label for="text">Keterangan ({review.TEXT_MIN} sampai {review.TEXT_MAX} huruf)</label>'
        f'<textarea id="text" name="text" rows="5" minlength="{review.TEXT_MIN}" '
        f'maxlength="{review.TEXT_MAX}" required></textarea>'
        '<label for="photo">Foto (tidak wajib, JPEG, paling besar 5 MB)</label>'
        '<input id="photo" name="photo" type="file" accept="image/jpeg" capture="environment">'
        '<div id="location"><label for="latitude">Lokasi (tidak wajib, tidak ditampilkan): '
        "lintang dan bujur</label>"
        '<input id="latitude" name="latitude" inputmode="decimal" placeholder="-2.56">'
        '<input id="longitude" name="longitude" inputmode="decimal" placeholder="101.11"></div>'
        '<label for="contact">Kontak Anda (tidak wajib, tidak ditampilkan)</label>'
        f'<input id="contact" name="contact" maxlength="{review.CONTACT_MAX}">'
        f"<p><small>Batas pengiriman berlaku sampai {escape(listing.deadline_words)}."
        '</small></p><button type="submit">Kirim sanggahan</button>'
        f'</form><p><a href="{base}">Kembali ke daftar</a></p></main>'
    )
    return _page(f"Sanggahan {listing.village_name}", body, script, status)


def _message_page(
    listing: PublicListOut, message: str, script: str | None, status: int
) -> Response[str]:
    body = (
        render.header_html(listing)
        + f'<main><div class="box">{message}</div>'
        + f'<p><a href="/publik/{escape(listing.village_code)}">Kembali ke daftar</a></p></main>'
    )
    return _page(f"Uji Publik {listing.village_name}", body, script, status)


def _not_found() -> Response[str]:
    body = (
        '<header><h1>Uji Publik DTKS</h1></header><main><div class="box">Tidak ada daftar '
        "uji publik untuk desa/kelurahan ini saat ini.</div></main>"
    )
    return _page("Tidak ditemukan", body, None, 404)


class PublicPagesController(Controller):
    path = "/publik"
    include_in_schema = False

    @get("/{village:str}", exclude_from_auth=True, opt={SKIP_COMPRESSION: True})
    async def list_page(
        self, request: Request[Any, Any, Any], state: State, village: FromPath[str]
    ) -> Response[bytes] | Response[str]:
        try:
            current = await review.open_review(village)
        except DomainError:
            return _not_found()
        script = _script(state)
        return await _stored(request, current, script, "html", render.html_headers(script))

    @get("/{village:str}/sanggah", exclude_from_auth=True)
    async def form_page(
        self, state: State, village: FromPath[str], entri: EntryQuery = None
    ) -> Response[str]:
        try:
            listing = await review.public_heading(village, entri)
        except DomainError:
            return _not_found()
        return _form_page(listing, entri, _script(state))

    @post("/{village:str}/sanggah", exclude_from_auth=True, request_max_body_size=MAX_FORM_BYTES)
    async def send(
        self, request: Request[Any, Any, Any], state: State, village: FromPath[str]
    ) -> Response[str]:
        script = _script(state)
        try:
            listing = await review.public_heading(village)
        except DomainError:
            return _not_found()
        try:
            receipt = await _receive(request, state, village)
        except DomainError as error:
            entry = (await request.form()).get("entry")
            token = entry if isinstance(entry, str) and entry else None
            if token:
                listing = await review.public_heading(village, token)
            return _form_page(listing, token, script, error.detail, error.status_code)
        return _message_page(
            listing,
            f"<p>{escape(receipt.message)}</p><p>Nomor sanggahan: <b>{escape(receipt.reference)}"
            "</b></p>",
            script,
            201,
        )


PUBLIC_CONTROLLERS = [PublicReviewApiController, PublicPagesController]
