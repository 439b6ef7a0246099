"""The other side of a duplicate-photo flag, so a reviewer can compare the two photos.

A ``photo_reused`` flag (the same bytes) or ``photo_near_duplicate`` flag (nearly the same
picture) names another visit and household by id. The reviewer needs the household's name
and the other photo beside this one. The other visit may lie outside the caller's regions
(the check runs across a district): then only the fact is shown, no name and no photo.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from api.registry.queries import region_names
from api.registry.tables import Household
from api.review import access
from api.review.queries import user_names
from api.review.schemas import RelatedPhoto
from api.visits.tables import Photo, Visit
from auth.roles import Principal
from media.store import ObjectStore

DUPLICATE_CODES = ("photo_reused", "photo_near_duplicate")


async def _other_photo(evidence: dict[str, Any]) -> dict[str, Any] | None:
    columns = (
        Photo.id,
        Photo.kind,
        Photo.captured_at,
        Photo.storage_key,
        Photo.display_key,
        Photo.thumbnail_key,
        Photo.visit.id.as_alias("visit_id"),
        Photo.visit.region_code.as_alias("region_code"),
        Photo.visit.household_id.as_alias("household_id"),
        Photo.visit.enumerator_id.as_alias("enumerator_id"),
    )
    if evidence.get("other_photo"):
        query = Photo.select(*columns).where(Photo.id == uuid.UUID(str(evidence["other_photo"])))
    elif evidence.get("other_visit") and evidence.get("sha256"):
        query = Photo.select(*columns).where(
            (Photo.visit == uuid.UUID(str(evidence["other_visit"])))
            & (Photo.sha256 == str(evidence["sha256"]))
        )
    else:
        return None
    row: dict[str, Any] | None = await query.first()
    return row


async def related_photos(
    principal: Principal,
    flags: list[dict[str, Any]],
    store: ObjectStore,
    links: Any,
    expires_at: datetime,
) -> list[RelatedPhoto]:
    """The other side of each duplicate-photo flag among ``flags`` (as the detail lists them).

    ``links(store, photo_row, expires_at)`` makes the presigned links, as for this visit's
    own photos, so both sides expire together.
    """
    result: list[RelatedPhoto] = []
    for flag in flags:
        evidence = flag.get("evidence") or {}
        if flag.get("code") not in DUPLICATE_CODES or not evidence.get("other_visit"):
            continue
        if not evidence.get("photo_id"):
            continue
        other = await _other_photo(evidence)
        region = other["region_code"] if other else None
        if region is None:
            row = (
                await Visit.select(Visit.region_code)
                .where(Visit.id == uuid.UUID(str(evidence["other_visit"])))
                .first()
            )
            region = row["region_code"] if row else None
        # Staff and auditors of that region only: an enumerator opening their own visit
        # learns that a photo was reused, not whose household it was.
        visible = (
            region is not None and principal.role in access.READERS and principal.covers(region)
        )
        item = RelatedPhoto(
            flag_code=str(flag["code"]),
            photo_id=uuid.UUID(str(evidence["photo_id"])),
            other_visit_id=uuid.UUID(str(evidence["other_visit"])),
            other_photo_id=other["id"] if other and visible else None,
            in_scope=visible,
            other_household_id=None,
            other_head_name=None,
            other_rt=None,
            other_rw=None,
            other_village_name=None,
            other_enumerator_name=None,
            other_kind=None,
            other_captured_at=None,
            other_links=None,
        )
        if visible and other is not None:
            household = None
            if other["household_id"] is not None:
                household = (
                    await Household.select(Household.head_name, Household.rt, Household.rw)
                    .where(Household.id == other["household_id"])
                    .first()
                )
            villages = await region_names({other["region_code"]})
            enumerators = await user_names({other["enumerator_id"]})
            item.other_household_id = other["household_id"]
            item.other_head_name = household["head_name"] if household else None
            item.other_rt = household["rt"] if household else None
            item.other_rw = household["rw"] if household else None
            item.other_village_name = villages.get(other["region_code"])
            item.other_enumerator_name = enumerators.get(other["enumerator_id"])
            item.other_kind = other["kind"]
            item.other_captured_at = other["captured_at"]
            if other["storage_key"] and access.may_link_photo(
                principal, other["region_code"], other["kind"]
            ):
                item.other_links = await links(store, other, expires_at)
        result.append(item)
    return result


__all__ = ["RelatedPhoto", "related_photos"]
