"""What makes a photo acceptable evidence, at the level of its bytes."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pytest
from PIL import Image

from media.images import ImageRejected, inspect_jpeg

MARKUP = re.compile(rb"<\s*(?:html|script|svg|body|iframe|!doctype|\?xml)", re.IGNORECASE)


def _noise_jpeg(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (512, 512), rng.randbytes(512 * 512 * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def test_markup_spelled_by_chance_in_the_image_data_is_not_a_polyglot(tmp_path: Path):
    # Seed 3982's compressed data happens to contain "<\rSVG" (found by searching seeds:
    # about one 300 KB photo in 4,000 does). Rejecting it would refuse an honest photo
    # forever; polyglot markup lives in the metadata segments, which are still searched.
    data = _noise_jpeg(3982)
    assert MARKUP.search(data), (
        "the JPEG encoder changed: pick another seed whose data spells markup"
    )
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    facts = inspect_jpeg(path)
    assert (facts.width, facts.height) == (512, 512)


def test_markup_in_a_comment_or_app_segment_is_refused(tmp_path: Path):
    data = _noise_jpeg(1)
    for marker in (b"\xff\xfe", b"\xff\xe1"):
        payload = b"<svg onload=alert(1)>"
        segment = marker + (len(payload) + 2).to_bytes(2, "big") + payload
        path = tmp_path / "polyglot.jpg"
        path.write_bytes(data[:2] + segment + data[2:])
        with pytest.raises(ImageRejected, match="markup"):
            inspect_jpeg(path)
