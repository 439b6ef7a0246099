"""Who may do what in review: one place for the role rules of this module.

Region scope is never decided here after the fact: every query of this module puts
``Principal.region_filter`` inside its WHERE clause, so an object outside the caller's
regions is simply not found (404). These rules only say what a caller who *can* see a
visit may do with it or see of it.
"""

from __future__ import annotations

from api.visits.schemas import SENSITIVE_PHOTO_KINDS, PhotoKind
from auth.roles import Principal, Role

# The review queue, its counts and a household's trail.
READERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
# Decisions. Auditors are read-only everywhere; enumerators review nothing.
DECIDERS = (Role.SUPERVISOR, Role.ADMIN)

# Family-card and ID photos (SPEC §5): the staff who review or audit the region.
_SENSITIVE_PHOTO_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN})

# Full NIKs / No. KK in the review detail: supervisors and auditors of the region.
# Why them: a supervisor reads the typed NIKs against the family-card photo and decides
# whether a member_new_nik / member_nik_in_other_household flag needs a Dukcapil check;
# an auditor verifies that the record matches the evidence. Both already see the family
# card photo, on which every NIK is printed, so masking the text beside it would protect
# nothing from them. Admins administer accounts, imports and forms, not households: they
# get masked numbers (and never need them). Enumerators get masked numbers too: the
# detail may be opened on a shared or lost phone, and the phone keeps its own copy of
# what it sent. Lists (the queue, the trail) never carry NIKs at all.
_IDENTITY_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR})


def may_see_identity(principal: Principal, region_code: str) -> bool:
    return principal.role in _IDENTITY_ROLES and principal.covers(region_code)


def may_link_photo(principal: Principal, region_code: str, kind: str) -> bool:
    """A short-lived link to the photo's bytes; sensitive kinds only for regional staff.

    Callers get here only for visits they may see at all (their own, for an enumerator),
    so ordinary photos are linked for everyone who reaches them.
    """
    if kind in {k.value for k in SENSITIVE_PHOTO_KINDS}:
        return principal.role in _SENSITIVE_PHOTO_ROLES and principal.covers(region_code)
    return True


def may_decide(principal: Principal, region_code: str) -> bool:
    return principal.role in DECIDERS and principal.covers(region_code)


def is_sensitive(kind: str) -> bool:
    return PhotoKind(kind) in SENSITIVE_PHOTO_KINDS
