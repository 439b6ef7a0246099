"""What the public may see of a household: a masked name and an opaque token."""

from __future__ import annotations

import base64
import hashlib
import hmac

MASK = "*"


def mask_word(word: str) -> str:
    if len(word) <= 1:
        return word
    if len(word) == 2:
        return word[0] + MASK
    return word[0] + MASK * (len(word) - 2) + word[-1]


def mask_name(name: str) -> str:
    """'Sugiarti Wibowo' → 'S******i W****o': first and last letter of each word only."""
    return " ".join(mask_word(word) for word in name.split())


def entry_token(key: bytes, review_id: int, household_id: int) -> str:
    """The public handle of one published entry: an HMAC, so it cannot be guessed from
    ids and one token says nothing about any other."""
    digest = hmac.new(
        key, f"verval-public-entry:{review_id}:{household_id}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest[:15]).decode().lower()


def client_key(key: bytes, address: str) -> str:
    """A keyed hash of the client's address: enough to count its objections, never the
    address itself."""
    return hmac.new(key, f"verval-public-client:{address}".encode(), hashlib.sha256).hexdigest()
