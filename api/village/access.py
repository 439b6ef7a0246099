"""Who may act for which village.

Village operators hold one or more villages; supervisors their district or regency;
admins everything. A village outside the caller's scope answers 404, as if it did not
exist; a region that is not a village is 404 too (these records are per village).
"""

from __future__ import annotations

from typing import Any

from api.errors import NotFound
from api.registry.rounds import visible_round
from api.registry.tables import Region
from auth.roles import Principal, Role, is_village_code

# Proposals and the deliberation: the village operator and the office.
VILLAGE_STAFF = (Role.VILLAGE_OPERATOR, Role.SUPERVISOR, Role.ADMIN)
# Publishing, objections, ratification: the office only.
OFFICE = (Role.SUPERVISOR, Role.ADMIN)


async def village_in_scope(principal: Principal, village: str) -> dict[str, Any]:
    """The village's region row, or 404 when it is not a village the caller covers."""
    if not is_village_code(village) or not principal.covers(village):
        raise NotFound("No such village in your scope.", code="village_not_found")
    row = await Region.select().where(Region.code == village).first()
    if row is None or row["level"] != "village":
        raise NotFound("No such village in your scope.", code="village_not_found")
    return row  # type: ignore[no-any-return]


async def round_for_village(principal: Principal, round_id: int, village: str) -> dict[str, Any]:
    """The round, visible to the caller and covering the village (404 otherwise)."""
    row = await visible_round(principal, round_id)
    code = row["region_code"]
    if not (village == code or village.startswith(code + ".")):
        raise NotFound("The round does not cover this village.", code="round_not_found")
    return row
