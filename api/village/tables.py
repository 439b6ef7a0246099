"""The village's part of a round: proposals, deliberations, public review, objections.

Rows here point at the register (households, rounds, visits) by id, without foreign keys
across apps: the register never deletes a household (it changes its status), and these
records are evidence that must outlive any later cleanup. Decisions and status changes
are append-only: a later change is a new row and a new audit event, never an edit.
"""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    BigInt,
    BigSerial,
    Boolean,
    Bytea,
    Date,
    DoublePrecision,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class VillageProposal(Table, tablename="village_proposal"):
    """A proposal brought to the village office: a new household or a removal."""

    id = BigSerial(primary_key=True)
    round_id = Integer(index=True)
    region_code = Varchar(length=20, index=True)  # the village
    kind = Varchar(length=10)  # addition | removal
    # removal: the register's household; addition: the proposed household it created
    household_id = BigInt(index=True)
    reason = Varchar(length=20)  # removal reason, or "new_household"
    evidence_text = Text(default="")
    source = Varchar(length=20)  # village_office | rt_rw
    created_by = Varchar(length=80)
    created_at = Timestamptz()


class VillageEvidence(Table, tablename="village_evidence"):
    """A sealed JPEG (SHA-256 key in the evidence store): minutes pages, proposal evidence,
    an objection's photo."""

    id = UUID(primary_key=True)
    kind = Varchar(length=20)  # minutes | evidence | objection
    owner_type = Varchar(length=20)  # deliberation | proposal | objection
    owner_id = BigInt(index=True)
    region_code = Varchar(length=20, index=True)
    sha256 = Varchar(length=64, index=True)
    size = BigInt()
    width = Integer()
    height = Integer()
    storage_key = Varchar(length=200)
    stored_by = Varchar(length=80)
    stored_at = Timestamptz()


class Deliberation(Table, tablename="deliberation"):
    """The musdes/muskel of one village in one round. (round_id, region_code) is unique."""

    id = BigSerial(primary_key=True)
    round_id = Integer(index=True)
    region_code = Varchar(length=20, index=True)
    held_on = Date()
    place = Varchar(length=200)
    attendance = JSONB(default=[])  # [{"name": …, "position": …}]
    state = Varchar(length=10, default="draft")  # draft | final (signed minutes attached)
    minutes_sha256 = Varchar(length=64, default="")  # the last minutes PDF's fingerprint
    finalised_at = Timestamptz(null=True, default=None)
    created_by = Varchar(length=80)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class DeliberationDecision(Table, tablename="deliberation_decision"):
    """One decision on one agenda item; the newest per item counts. Never updated."""

    id = BigSerial(primary_key=True)
    deliberation_id = BigInt(index=True)
    item_key = Varchar(length=60)  # visit:<uuid> | proposal:<id>
    decision = Varchar(length=10)  # agreed | rejected | deferred
    reason = Text(default="")
    amends_final = Boolean(default=False)  # made after the signed minutes
    decided_by = Varchar(length=80)
    decided_at = Timestamptz()


class PublicReview(Table, tablename="public_review"):
    """A village's result list published for the public review window (uji publik)."""

    id = BigSerial(primary_key=True)
    round_id = Integer(index=True)
    region_code = Varchar(length=20, index=True)
    deliberation_id = BigInt()
    opens_at = Timestamptz()
    closes_at = Timestamptz()
    state = Varchar(length=10, default="open")  # open | ratified
    # Bumped in the same transaction as anything that changes what the public page shows
    # (an objection received or resolved): the key of the pre-rendered page (PublicRender).
    version = Integer(default=0)
    published_by = Varchar(length=80)
    ratified_by = Varchar(length=80, null=True, default=None)
    ratified_at = Timestamptz(null=True, default=None)


class PublicEntry(Table, tablename="public_entry"):
    """One line of a published list, masked when published: no NIK, No. KK, full name."""

    id = BigSerial(primary_key=True)
    review_id = BigInt(index=True)
    token = Varchar(length=32, unique=True)  # HMAC of the entry: the only public handle
    household_id = BigInt()
    position = Integer()
    rt = Varchar(length=3, default="")
    rw = Varchar(length=3, default="")
    masked_name = Varchar(length=200)
    change = Varchar(length=10)  # added | removed | unchanged
    reason = Varchar(length=20, default="")


class PublicRender(Table, tablename="public_render"):
    """A review's public list rendered once per version: the HTML page and the JSON, each
    stored gzip'd (what phones accept). ``fmt`` fingerprints the rendering code, so a new
    release re-renders instead of serving an old layout. Only the newest row per review is
    kept; rows are a cache, rebuilt from the snapshot whenever missing."""

    id = BigSerial(primary_key=True)
    review_id = BigInt(index=True)
    version = Integer()
    fmt = Varchar(length=16)
    html_gzip = Bytea()
    json_gzip = Bytea()
    html_bytes = Integer()  # uncompressed sizes, for Content-Length of identity answers
    json_bytes = Integer()
    built_at = Timestamptz()


class PublicObjection(Table, tablename="public_objection"):
    """An objection (sanggahan) to an entry, or a household the list misses."""

    id = BigSerial(primary_key=True)
    review_id = BigInt(index=True)
    region_code = Varchar(length=20, index=True)
    entry_id = BigInt(null=True, default=None)  # None: a missing household
    kind = Varchar(length=20)  # objection | missing_household
    category = Varchar(length=30)
    text = Text()
    rt = Varchar(length=3, default="")
    rw = Varchar(length=3, default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    contact = Varchar(length=200, null=True, default=None)  # for the supervisor only
    client_hash = Varchar(length=64, index=True)  # keyed hash of the address, for limits
    state = Varchar(length=10, default="open")  # open | accepted | rejected
    resolution_reason = Text(null=True, default=None)
    resolved_by = Varchar(length=80, null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    revisit_assignment_id = BigInt(null=True, default=None)
    created_at = Timestamptz(index=True)


class HouseholdStatusChange(Table, tablename="household_status_change"):
    """A register state change made by ratification: added (proposed → active) or removed
    (active → inactive), with its reason. Households are never deleted."""

    id = BigSerial(primary_key=True)
    household_id = BigInt(index=True)
    region_code = Varchar(length=20, index=True)
    from_status = Varchar(length=20)
    to_status = Varchar(length=20)
    reason = Varchar(length=20)
    review_id = BigInt()
    changed_by = Varchar(length=80)
    changed_at = Timestamptz()
