"""Image inspection for photo evidence: is it a real JPEG, what does it hold, what it looks like.

Everything here reads a file on disk (the spooled upload), never a whole request in
memory twice, and is CPU-bound: callers run it in a worker thread.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

JPEG_MAGIC = b"\xff\xd8\xff"
JPEG_END = b"\xff\xd9"
# A 12 MP phone camera is 4000x3000; 50 MP leaves room for any real camera and none for bombs.
MAX_PIXELS = 50_000_000
DISPLAY_LONG_SIDE = 1600
THUMBNAIL_LONG_SIDE = 320
# Markup that turns a JPEG into an HTML/SVG polyglot; never in a camera or canvas JPEG.
_MARKUP = re.compile(rb"<\s*(?:html|script|svg|body|iframe|!doctype|\?xml)", re.IGNORECASE)

# Process-wide, set once: threads decoding concurrently must not race on these.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)


class ImageRejected(Exception):
    """The bytes are not acceptable photo evidence; ``code`` says why."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    exif: dict[str, Any] = field(default_factory=dict)
    perceptual_hash: str = ""  # 64-bit difference hash, hex


_SOS, _EOI, _COM = 0xDA, 0xD9, 0xFE


def _metadata_segments(handle: Any) -> Iterator[bytes]:
    """The payloads of the APPn and COM segments before the image data (where a polyglot
    hides its markup). A malformed header ends the walk; the full decode then judges it."""
    handle.seek(2)
    while True:
        marker = handle.read(2)
        while len(marker) == 2 and marker == b"\xff\xff":  # fill bytes before a marker
            marker = b"\xff" + handle.read(1)
        if len(marker) < 2 or marker[0] != 0xFF or marker[1] in (_SOS, _EOI):
            return
        length_bytes = handle.read(2)
        if len(length_bytes) < 2:
            return
        length = int.from_bytes(length_bytes, "big")
        if length < 2:
            return
        kind = marker[1]
        if 0xE0 <= kind <= 0xEF or kind == _COM:
            yield handle.read(length - 2)
        else:
            handle.seek(length - 2, io.SEEK_CUR)


def inspect_jpeg(path: Path, *, max_pixels: int = MAX_PIXELS) -> ImageFacts:
    """Check magic bytes, trailing data and markup, then fully decode under a pixel cap."""
    size = path.stat().st_size
    if size == 0:
        raise ImageRejected("empty_photo", "The photo is empty.")
    with path.open("rb") as handle:
        head = handle.read(3)
        if head != JPEG_MAGIC:
            raise ImageRejected("not_a_jpeg", "The photo is not a JPEG file.")
        handle.seek(max(0, size - 2))
        if handle.read(2) != JPEG_END:
            raise ImageRejected(
                "not_a_jpeg", "The JPEG is truncated or has data after its end marker."
            )
        # Only the metadata segments are searched: the compressed image data is random
        # bytes that spell "<svg" by chance in about one photo in a few hundred.
        for payload in _metadata_segments(handle):
            if _MARKUP.search(payload):
                raise ImageRejected("not_a_jpeg", "The JPEG carries embedded markup.")
    try:
        with Image.open(path, formats=["JPEG"]) as image:
            # Checked from the header, before a single pixel is decoded.
            if image.width * image.height > max_pixels:
                raise ImageRejected("image_too_large", "The photo has too many pixels.")
            image.load()  # full decode: catches truncated entropy data
            return ImageFacts(
                width=image.width,
                height=image.height,
                exif=_exif_summary(image),
                perceptual_hash=difference_hash(image),
            )
    except ImageRejected:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageRejected("image_too_large", "The photo has too many pixels.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageRejected("corrupt_image", f"The JPEG could not be decoded ({error}).") from None


_EXIF_KEEP = {"Make", "Model", "DateTime", "DateTimeOriginal", "Software", "Orientation"}


def _exif_summary(image: Image.Image) -> dict[str, Any]:
    """A few camera facts for reviewers; GPS is ignored (browsers strip it; we use capture GPS)."""
    try:
        raw = image.getexif()
    except Exception:
        return {}
    summary: dict[str, Any] = {}
    for tag, value in raw.items():
        name = ExifTags.TAGS.get(tag)
        if name in _EXIF_KEEP:
            summary[name] = str(value)[:100]
    try:
        sub = raw.get_ifd(ExifTags.IFD.Exif)
        for tag, value in sub.items():
            name = ExifTags.TAGS.get(tag)
            if name in _EXIF_KEEP:
                summary[name] = str(value)[:100]
    except Exception:  # noqa: S110 - the sub-IFD is optional
        pass
    return summary


def difference_hash(image: Image.Image, size: int = 8) -> str:
    """dHash: 64 bits from brightness gradients of a 9x8 grey thumbnail.

    Robust to re-encoding and resizing, cheap, and compared by Hamming distance; a
    library (imagehash) would add numpy and scipy to the server for these ten lines.
    """
    grey = image.convert("L").resize((size + 1, size), Image.Resampling.LANCZOS)
    pixels = list(grey.tobytes())  # mode "L": one byte per pixel (getdata goes in Pillow 14)
    bits = 0
    for row in range(size):
        for col in range(size):
            left = pixels[row * (size + 1) + col]
            right = pixels[row * (size + 1) + col + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return f"{bits:016x}"


def hamming_distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def derivative_jpeg(path: Path, long_side: int, quality: int = 80) -> bytes:
    """A re-encoded copy without EXIF (orientation applied), for review screens."""
    return derivative_jpegs(path, [(long_side, quality)])[0]


def derivative_jpegs(path: Path, sizes: Sequence[tuple[int, int]]) -> list[bytes]:
    """Re-encoded copies without EXIF (orientation applied), one per ``(long_side,
    quality)``, from a single decode of the file.

    Each copy is scaled down from the previous one, so list the sizes largest first
    (display, then thumbnail). When even the largest copy is at most half the photo's
    size, libjpeg decodes at a reduced scale (DCT scaling, ``Image.draft``), which is
    several times cheaper than a full decode.
    """
    with Image.open(path, formats=["JPEG"]) as image:
        largest = max(side for side, _ in sizes)
        if max(image.size) >= 2 * largest:
            scale = largest / max(image.size)
            image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
        image.load()
        # Copies of the pixels only when needed: a turn, or another colour mode.
        upright: Image.Image = image
        if image.getexif().get(ExifTags.Base.Orientation, 1) != 1:
            upright = ImageOps.exif_transpose(image)
        if upright.mode != "RGB":
            upright = upright.convert("RGB")
        copies = []
        for long_side, quality in sizes:
            upright.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            upright.save(out, format="JPEG", quality=quality, optimize=True)
            copies.append(out.getvalue())
        return copies
