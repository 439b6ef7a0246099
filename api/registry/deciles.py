"""Deciles (desil): the register's welfare ranking of a household, set by BPS.

A household's ``decile`` (1 = poorest tenth … 10) comes only from the register baseline
(``verval baseline import``, column ``decile``/``desil``); no staff endpoint writes it.
Screens show it beside each household and filter by it; the poorest 40 % (deciles 1-4)
is the band most programmes target, so it has a selection of its own.

A selection is what a ``?decile=`` parameter carries: one decile (``"3"``), a band
(``"1-4"`` the poorest 40 %, ``"5-10"`` the rest) or ``"unknown"`` (no decile in the
register). Bands are what progress counts by: ``band(decile)``.
"""

from __future__ import annotations

from typing import Any, Literal

POOREST_40 = "1-4"
UPPER_60 = "5-10"
UNKNOWN = "unknown"
SELECTION_PATTERN = r"^(10|[1-9]|1-4|5-10|unknown)$"
SELECTION_DESCRIPTION = (
    'A decile (desil) "1"…"10", "1-4" (the poorest 40 %), "5-10", or "unknown" '
    "(no decile in the register)."
)

Band = Literal["1-4", "5-10", "unknown"]
BANDS: tuple[Band, ...] = ("1-4", "5-10", "unknown")


def band(decile: int | None) -> Band:
    """The progress band of a decile: the poorest 40 %, the rest, or unknown."""
    if decile is None or not 1 <= decile <= 10:
        return "unknown"
    return "1-4" if decile <= 4 else "5-10"


def bounds(selection: str) -> tuple[int, int] | None:
    """(lowest, highest) decile of a selection; None for ``unknown``."""
    if selection == UNKNOWN:
        return None
    if "-" in selection:
        low, high = selection.split("-")
        return int(low), int(high)
    return int(selection), int(selection)


def clause(column: Any, selection: str) -> Any:
    """A WHERE clause on a decile column (Piccolo) for a selection."""
    limits = bounds(selection)
    if limits is None:
        return column.is_null()
    low, high = limits
    if low == high:
        return column == low
    return (column >= low) & (column <= high)
