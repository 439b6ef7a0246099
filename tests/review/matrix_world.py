"""Review's objects for the authorisation matrix, on top of the register's world
(``tests/registry/matrix_world.py``: village, household, round and enumerator per side).

- ``visit``: a complete visit of the side's household, for the detail.
- ``decide``: visits the decision row acts on, one per role that may decide (each role's
  request must find its visit in the same state: complete, so escalate is allowed),
  resolved per role with ``{decide:{role}}``.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.review.support import insert_visit


class PerRole(dict[str, uuid.UUID]):
    """A world value that differs per caller: ``"{decide:{role}}"`` formats to its role's."""

    def __format__(self, role: str) -> str:
        return str(self.get(role, next(iter(self.values()))))


async def add_review_world(world: dict[str, Any]) -> None:
    for side in ("own", "foreign"):

        async def visit(side: str = side) -> uuid.UUID:
            return await insert_visit(
                household_id=world[f"household.{side}"],
                round_id=world[f"round.{side}"],
                region_code=world[f"village.{side}"],
                enumerator_id=world[f"enumerator.{side}"],
                state="complete",
                flags=[("gps_poor_accuracy", "warning")],
            )

        world[f"visit.{side}"] = await visit()
        deciders = ("admin", "supervisor") if side == "own" else ("admin",)
        world[f"decide.{side}"] = PerRole({role: await visit() for role in deciders})
