"""Review decisions: one row per decision, never updated or deleted.

A change of mind is a new decision; the visit's current state is the last decision's
``to_state`` (kept on ``visit.state`` for the queue). On PostgreSQL a trigger refuses
UPDATE and DELETE of these rows (see the review migrations); every decision is also an
audit event whose details carry the decision id and a digest of the comment.
"""

from __future__ import annotations

from piccolo.columns import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from api.visits.tables import Visit
from auth.tables import User


class Decision(Table, tablename="review_decision"):
    id = Serial(primary_key=True)
    visit = ForeignKey(references=Visit, on_delete=OnDelete.restrict, index=True)
    reviewer = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    decision = Varchar(length=10)  # approve | return | escalate
    comment = Text(null=True, default=None)
    from_state = Varchar(length=12)
    to_state = Varchar(length=12)
    created_at = Timestamptz()
