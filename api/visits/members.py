"""Rules about the people in a visit that the form's own expressions cannot check.

The form (``dtks_verval`` v2) checks each member change's details itself: dates, required
answers, the newborn's age. What needs the database or the rest of the visit is here:

- a move's destination region exists in the region tree;
- a death certificate photo names a photo of kind ``death_certificate`` declared in the visit;
- a NIK whose region prefix is not in the region tree is a warning (SPEC §3), so it becomes
  a flag the reviewer reads instead of a refusal;
- a proposed household whose No. KK or NIK is already in the register is flagged.

Flag evidence names members by their position, never by NIK or No. KK.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from api.errors import Unprocessable
from api.registry import queries as registry_queries
from api.visits.quality import FlagDraft
from api.visits.schemas import PhotoKind, VisitSubmission
from survey_forms import check_nik


def _members(cleaned: dict[str, Any]) -> list[dict[str, Any]]:
    members = cleaned.get("members")
    if not isinstance(members, list):
        return []
    return [m if isinstance(m, dict) else {} for m in members]


def _problem(path: str, code: str, indonesian: str, english: str) -> dict[str, Any]:
    return {"path": path, "code": code, "message": {"id": indonesian, "en": english}}


async def check_details(
    submission: VisitSubmission,
    cleaned: dict[str, Any],
    *,
    known_regions: set[str] | None = None,
) -> None:
    """422 listing every member detail that refers to something that does not exist.

    ``known_regions``: the destinations that exist, when the caller read them already.
    """
    problems: list[dict[str, Any]] = []
    members = _members(cleaned)
    destinations = {
        str(m["move_destination_region"]) for m in members if m.get("move_destination_region")
    }
    known = (
        known_regions
        if known_regions is not None
        else await registry_queries.existing_region_codes(destinations)
    )
    certificates = {str(p.id) for p in submission.photos if p.kind is PhotoKind.DEATH_CERTIFICATE}
    for index, member in enumerate(members):
        code = member.get("move_destination_region")
        if code and code not in known:
            problems.append(
                _problem(
                    f"answers.members[{index}].move_destination_region",
                    "region_unknown",
                    f"Kode wilayah {code} tidak ada dalam daftar wilayah Kemendagri",
                    f"Region code {code} is not in the Kemendagri region list",
                )
            )
        photo = member.get("death_certificate_photo")
        if photo and str(photo) not in certificates:
            problems.append(
                _problem(
                    f"answers.members[{index}].death_certificate_photo",
                    "photo_not_declared",
                    "Foto akta kematian tidak ada di antara foto kunjungan ini",
                    "The death certificate photo is not among this visit's death "
                    "certificate photos",
                )
            )
    if problems:
        raise Unprocessable(
            "The visit has problems; nothing was stored.",
            code="invalid_visit",
            extra={"errors": problems},
        )


def _niks(cleaned: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """(where in the answers, NIK) of every NIK answered: the proposal's head, the members."""
    head = cleaned.get("head_nik")
    if isinstance(head, str) and head:
        yield {"field": "head_nik"}, head
    for index, member in enumerate(_members(cleaned)):
        nik = member.get("nik")
        if isinstance(nik, str) and nik:
            yield {"member_index": index}, nik


async def unknown_region_flags(
    cleaned: dict[str, Any], known_districts: frozenset[str] | None = None
) -> list[FlagDraft]:
    """A NIK whose district prefix is not in the region tree: warn the reviewer.

    Asks the region table about just these districts, so a tree imported a minute ago
    counts; with no district loaded at all there is nothing to compare with. A caller
    holding the cached district codes passes them; a code missing from the cache is
    still asked about, so only a removal (never done) could be missed.
    """
    districts = []
    for where, nik in _niks(cleaned):
        check = check_nik(nik)
        if check.valid and check.region_code:
            districts.append((where, check.region_code))
    if known_districts and all(code in known_districts for _, code in districts):
        return []
    known = await registry_queries.existing_region_codes({code for _, code in districts})
    if all(code in known for _, code in districts) or not await registry_queries.has_districts():
        return []
    return [
        FlagDraft("nik_unknown_region", "warning", {**where, "district": code})
        for where, code in districts
        if code not in known
    ]


async def proposal_flags(submission: VisitSubmission, cleaned: dict[str, Any]) -> list[FlagDraft]:
    """A proposed household whose No. KK or NIKs the register already holds."""
    if submission.proposal is None:
        return []
    flags = []
    kk = cleaned.get("kk_number")
    if isinstance(kk, str) and kk:
        holder = (await registry_queries.households_with_kk([kk])).get(kk)
        if holder is not None:
            flags.append(
                FlagDraft("proposal_kk_in_register", "critical", {"other_household_id": holder})
            )
    niks = list(_niks(cleaned))
    holders = await registry_queries.households_with_niks([nik for _, nik in niks])
    for where, nik in niks:
        if nik in holders:
            flags.append(
                FlagDraft(
                    "proposal_nik_in_register",
                    "critical",
                    {**where, "other_household_id": holders[nik]},
                )
            )
    return flags


async def arrival_flags(
    submission: VisitSubmission,
    cleaned: dict[str, Any],
    *,
    known_districts: frozenset[str] | None = None,
) -> list[FlagDraft]:
    return [
        *await unknown_region_flags(cleaned, known_districts),
        *await proposal_flags(submission, cleaned),
    ]
