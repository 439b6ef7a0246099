"""JPEG structure without pixels: the checks a photo PUT can afford, and lossless copies.

A marker walk reads only segment headers, metadata payloads and the positions of 0xFF
bytes in the entropy-coded data (found with ``bytes.find``), so it costs well under a
millisecond for a phone photo: the request path answers "stored" without decoding a
pixel. The decode that catches corrupt entropy data runs later, in the analysis job
(``media.images.analyse_jpeg``).
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from media.images import MAX_PIXELS, ImageRejected

_SOI, _EOI, _SOS, _COM, _TEM = 0xD8, 0xD9, 0xDA, 0xFE, 0x01
# Start-of-frame markers (baseline, extended, progressive, lossless, arithmetic); not
# DHT (C4), JPG (C8) or DAC (CC), which share the range.
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_RST = frozenset(range(0xD0, 0xD8))
# In entropy-coded data: 0xFF followed by neither a stuffed zero, a restart marker nor a
# fill byte (0xFF: the marker is the last 0xFF of the run).
_MARKER_AFTER_ENTROPY = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_XMP_HEADERS = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")
_EXIF_HEADER = b"Exif\x00\x00"

# Markup, refused in every metadata segment: an HTML/SVG polyglot, a tag with attributes
# (printable, so binary EXIF data does not spell one by chance), an event handler, a
# javascript: URL. XMP is XML, so there only unprefixed elements count as tags: every
# XMP element carries a namespace prefix (x:, rdf:, dc:), HTML and SVG elements none.
_KNOWN_TAGS = re.compile(rb"<\s*(?:html|script|svg|body|iframe|!doctype|\?xml)", re.IGNORECASE)
_TAG_WITH_ATTRIBUTES = re.compile(rb"<[A-Za-z][\w:.-]{0,40}[ \t\r\n/]+[\x20-\x7e]{0,400}?=")
_UNPREFIXED_TAG = re.compile(rb"<\s*/?[A-Za-z][\w.-]*[\s/>]")
_HANDLER = re.compile(rb"\bon[a-z]{3,30}\s*=", re.IGNORECASE)
_JAVASCRIPT_URL = re.compile(rb"javascript\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Segment:
    marker: int
    start: int  # offset of the 0xFF of the marker
    end: int  # offset just after the segment's payload

    @property
    def is_metadata(self) -> bool:
        return self.marker == _COM or 0xE0 <= self.marker <= 0xEF


@dataclass(frozen=True)
class JpegStructure:
    width: int
    height: int
    # Metadata segments a display copy must not carry (EXIF, XMP, comments, vendor APPn);
    # JFIF, ICC profiles and Adobe colour-transform segments stay (they change colours).
    strippable: tuple[Segment, ...]


def _payload_has_markup(marker: int, payload: bytes) -> bool:
    if payload.startswith(_EXIF_HEADER):
        # The thumbnail embedded in EXIF is compressed data, not text: search before it.
        thumbnail = payload.find(b"\xff\xd8\xff")
        payload = payload if thumbnail < 0 else payload[:thumbnail]
    if _HANDLER.search(payload) or _JAVASCRIPT_URL.search(payload):
        return True
    if _KNOWN_TAGS.search(payload):
        return True
    if marker == 0xE1 and payload.startswith(_XMP_HEADERS):
        return _UNPREFIXED_TAG.search(payload) is not None
    return _TAG_WITH_ATTRIBUTES.search(payload) is not None


def _kept_in_copies(marker: int, payload_head: bytes) -> bool:
    if marker == 0xE0:
        return payload_head.startswith((b"JFIF\x00", b"JFXX\x00"))
    if marker == 0xE2:
        return payload_head.startswith(b"ICC_PROFILE\x00")
    if marker == 0xEE:
        return payload_head.startswith(b"Adobe")
    return False


def _walk(data: bytes | mmap.mmap, max_pixels: int) -> Iterator[tuple[Segment, bytes]]:
    """Yield (segment, payload) for every marker segment, checking the walk as it goes."""

    def refuse(detail: str) -> ImageRejected:
        return ImageRejected("not_a_jpeg", detail)

    size = len(data)
    if size == 0:
        raise ImageRejected("empty_photo", "The photo is empty.")
    if data[:3] != b"\xff\xd8\xff":
        raise refuse("The photo is not a JPEG file.")
    position = 2
    while True:
        if position + 2 > size:
            raise refuse("The JPEG is truncated: it has no end-of-image marker.")
        if data[position] != 0xFF:
            raise refuse("The JPEG's structure is broken (a segment does not start with a marker).")
        marker = data[position + 1]
        while marker == 0xFF:  # fill bytes before a marker
            position += 1
            if position + 2 > size:
                raise refuse("The JPEG is truncated: it has no end-of-image marker.")
            marker = data[position + 1]
        start = position
        if marker == _EOI:
            if position + 2 != size:
                raise refuse("The JPEG has data after its end marker.")
            yield Segment(_EOI, start, size), b""
            return
        if marker in _RST or marker in (_TEM, _SOI, 0x00):
            raise refuse("The JPEG's structure is broken (an unexpected marker).")
        if position + 4 > size:
            raise refuse("The JPEG is truncated inside a segment header.")
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > size:
            raise refuse("The JPEG is truncated inside a segment.")
        payload = bytes(data[position + 4 : end])
        yield Segment(marker, start, end), payload
        position = end
        if marker == _SOS:
            position = _skip_entropy_data(data, position, size)


def _skip_entropy_data(data: bytes | mmap.mmap, position: int, size: int) -> int:
    """Offset of the first marker after entropy-coded data (0xFF followed by neither
    a stuffed zero nor a restart marker)."""
    # One regex search in C (issue 18): a Python loop over each stuffed 0xFF00 of a phone's
    # photo (~1 in 256 bytes) took ~0.25 ms per photo on the request path.
    match = _MARKER_AFTER_ENTROPY.search(data, position, size)
    if match is None:
        raise ImageRejected("not_a_jpeg", "The JPEG is truncated: it has no end-of-image marker.")
    return match.start()


def check_jpeg_structure(path: Path, *, max_pixels: int = MAX_PIXELS) -> JpegStructure:
    """Marker walk of a spooled photo: a JPEG with a frame header under the pixel cap, no
    markup in its metadata, image data, and a proper end (nothing after it). No decode.

    Raises :class:`ImageRejected` with the code the API answers (422).
    """
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            raise ImageRejected("empty_photo", "The photo is empty.")
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return check_jpeg_bytes(data, max_pixels=max_pixels)


def check_jpeg_bytes(data: bytes | mmap.mmap, *, max_pixels: int = MAX_PIXELS) -> JpegStructure:
    width = height = 0
    scans = 0
    strippable: list[Segment] = []
    for segment, payload in _walk(data, max_pixels):
        marker = segment.marker
        if marker in _SOF:
            if width or height:
                raise ImageRejected("not_a_jpeg", "The JPEG has more than one frame header.")
            if len(payload) < 6:
                raise ImageRejected("not_a_jpeg", "The JPEG's frame header is too short.")
            height = int.from_bytes(payload[1:3], "big")
            width = int.from_bytes(payload[3:5], "big")
            if width == 0 or height == 0:
                raise ImageRejected("not_a_jpeg", "The JPEG's frame header has no size.")
            if width * height > max_pixels:
                raise ImageRejected("image_too_large", "The photo has too many pixels.")
        elif marker == _SOS:
            if not width:
                raise ImageRejected("not_a_jpeg", "The JPEG's image data comes before its frame.")
            scans += 1
        elif segment.is_metadata:
            if _payload_has_markup(marker, payload):
                raise ImageRejected("not_a_jpeg", "The JPEG carries embedded markup.")
            if not _kept_in_copies(marker, payload[:16]):
                strippable.append(segment)
    if not scans:
        raise ImageRejected("not_a_jpeg", "The JPEG holds no image data.")
    return JpegStructure(width=width, height=height, strippable=tuple(strippable))


def without_segments(data: bytes, segments: tuple[Segment, ...]) -> bytes:
    """The same JPEG with the given segments cut out: no re-encode, pixels unchanged."""
    pieces = []
    position = 0
    for segment in sorted(segments, key=lambda s: s.start):
        pieces.append(data[position : segment.start])
        position = segment.end
    pieces.append(data[position:])
    return b"".join(pieces)
