"""Who may have which report of which region and round, and the audit record of each.

A report names a region the caller covers (404 otherwise: a region outside your scope
does not exist for you) and a round the caller can see that overlaps the region.
Every download is an audit event, written before the first byte leaves, with no
personal data in its details.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from api import db
from api.audit.service import append_event
from api.errors import Forbidden, NotFound, Unprocessable
from api.registry.codes import is_region_code
from api.registry.queries import actor_of
from api.registry.rounds import visible_round
from api.reports import queries
from auth.roles import Principal, Role, region_covers

# Supervisors and admins: everything. Auditors: read-only, masked identity numbers.
READERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)


class Identity(StrEnum):
    """How NIK and No. KK appear in an export."""

    MASKED = "masked"  # 1706••••••••0003: the default, for everyone who may export
    FULL = "full"  # all 16 digits: only supervisors and admins of the region


# Why full numbers for these two roles only: the SIKS-NG operator re-enters the results
# against the family-card number and the NIKs, which a masked file cannot do. Supervisors
# run the round and hand the file over; admins run the deployment and the imports. Both
# may already reveal a household's numbers one at a time (an audited read). Auditors
# check the trail and never re-enter data, so they keep masked numbers.
FULL_IDENTITY_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class ReportScope:
    region_code: str
    round_id: int
    round_name: str
    round_region: str
    round_row: dict[str, Any]


async def resolve(principal: Principal, region: str, round_id: int) -> ReportScope:
    if not is_region_code(region) or not principal.covers(region):
        raise NotFound("No such region in your scope.", code="region_not_found")
    if await queries.region_row(region) is None:
        raise NotFound("No such region.", code="region_not_found")
    row = await visible_round(principal, round_id)
    round_region = row["region_code"]
    if not (region_covers(round_region, region) or region_covers(region, round_region)):
        raise Unprocessable("The round does not cover this region.", code="round_outside_region")
    return ReportScope(
        region_code=region,
        round_id=row["id"],
        round_name=row["name"],
        round_region=round_region,
        round_row=row,
    )


def check_identity(principal: Principal, identity: Identity) -> None:
    if identity is Identity.FULL and principal.role not in FULL_IDENTITY_ROLES:
        raise Forbidden(
            "Full NIK and No. KK are exported only for supervisors and admins.",
            code="identity_forbidden",
        )


async def record_download(
    principal: Principal,
    action: str,
    scope: ReportScope,
    object_id: str,
    details: dict[str, Any],
) -> None:
    """One audit event per download. ``details`` never carries names, NIKs or No. KK."""
    async with db.write_transaction():
        await append_event(
            actor_of(principal),
            action,
            "report",
            object_id,
            region_code=scope.region_code,
            details={"round_id": scope.round_id, **details},
        )
