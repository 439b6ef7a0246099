"""Name agreement between the register and the civil registry (pure).

Names are compared after normalisation (``name_key``): lower case, no accents or
punctuation, academic and religious titles dropped, old Indonesian spellings mapped to
the current ones (dj→j, tj→c, oe→u, sj→sy, nj→ny), Muhammad's many spellings to one,
doubled letters collapsed ("Muhamad"/"Muhammad"). SQL compares the keys for equality
first; only pairs whose keys differ reach :func:`names_agree`, which uses rapidfuzz.

Thresholds, chosen on ``tests/civil_registry/test_names.py``: a similarity of 90 (of
100) between keys, or a shortened name whose words are, in order, prefixes of the
other's words ("Siti Nur" / "Siti Nurhaliza"). "Ahmad Fauzi" / "Ahmad Fauzan" (87) and
"Siti Nurhaliza" / "Siti Nurjanah" (74) stay different people.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

SIMILARITY_THRESHOLD = 90.0
_TITLES = {
    "h", "hj", "hi", "dr", "drs", "dra", "ir", "prof", "st", "sh", "se", "spd", "sag",
    "skm", "amd", "mpd", "alm", "almh", "bin", "binti",
}  # fmt: skip
_OLD_SPELLINGS = (("dj", "j"), ("tj", "c"), ("oe", "u"), ("sj", "sy"), ("nj", "ny"), ("ch", "kh"))
_MUHAMMAD = {"muhammad", "muhamad", "mohammad", "mohamad", "mohamed", "muhammed", "moh", "muh"}
_NOT_LETTERS = re.compile(r"[^a-z ]+")
_DOUBLES = re.compile(r"([a-z])\1+")


def _word(word: str) -> str:
    if word in _MUHAMMAD:
        return "muhamad"
    for old, new in _OLD_SPELLINGS:
        word = word.replace(old, new)
    return _DOUBLES.sub(r"\1", word)


def name_key(name: str | None) -> str:
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = _NOT_LETTERS.sub(" ", text.replace(".", " ").replace(",", " "))
    words = [w for w in text.split() if w not in _TITLES]
    return " ".join(_word(w) for w in words)[:200]


def _shortened(short: list[str], long: list[str]) -> bool:
    """Word by word, in order, one name's word begins the other's ("Nur" / "Nurhaliza")."""
    if len(short) < 2 or len(short) > len(long):
        return False
    return all(
        min(len(s), len(w)) >= 3 and (w.startswith(s) or s.startswith(w))
        for s, w in zip(short, long, strict=False)
    )


def similarity(a: str, b: str) -> float:
    return float(fuzz.ratio(name_key(a), name_key(b)))


def names_agree(a: str | None, b: str | None) -> bool:
    return keys_agree(name_key(a), name_key(b))


def keys_agree(key_a: str, key_b: str) -> bool:
    """``names_agree`` on keys already made (reconciliation has both sides' stored keys)."""
    if not key_a or not key_b:
        return False
    if key_a == key_b or fuzz.ratio(key_a, key_b) >= SIMILARITY_THRESHOLD:
        return True
    words_a, words_b = key_a.split(), key_b.split()
    if len(words_a) > len(words_b):
        words_a, words_b = words_b, words_a
    return _shortened(words_a, words_b)
