"""The register: regions, households with their members, rounds, assignments.

Region codes are Kemendagri strings (``17.06.01.2005``); a household carries its village
code in ``region_code`` and every scoped query filters on it (``Principal.region_filter``).
On PostgreSQL the region-code columns also have ``text_pattern_ops`` indexes (see the
manual migration), so the prefix LIKE of a scope filter is an index range scan.

NIK and No. KK are personal data: they live in ``kk_number``, ``head_nik`` and
``HouseholdMember.nik`` only, and never in audit details, logs or URLs.
"""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    BigInt,
    BigSerial,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from auth.tables import User


class Region(Table, tablename="region"):
    """One node of the Kemendagri tree: province, regency, district or village."""

    code = Varchar(length=20, primary_key=True)
    name = Varchar(length=200)
    level = Varchar(length=10)  # province | regency | district | village
    parent_code = Varchar(length=20, null=True, default=None, index=True)
    # Villages: "kelurahan" (code 1xxx) or "desa" (2xxx); None above village level.
    village_kind = Varchar(length=10, null=True, default=None)
    bps_code = Varchar(length=20, null=True, default=None)


class Household(Table, tablename="household"):
    """A family (one No. KK) of the baseline register, in one village."""

    id = BigSerial(primary_key=True)
    kk_number = Varchar(length=16, unique=True)  # the upsert key of the baseline import
    region_code = Varchar(length=20, index=True)  # the village; what scoping filters on
    address = Varchar(length=500, default="")
    rt = Varchar(length=3, default="")  # zero-padded, "001"
    rw = Varchar(length=3, default="")
    head_name = Varchar(length=200, default="")
    head_nik = Varchar(length=16, null=True, default=None)
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    decile = SmallInt(null=True, default=None)
    # Answers keyed by the dtks_verval form's field names (baseline.<field>), members apart.
    baseline = JSONB(default={})
    member_count = SmallInt(default=0)
    status = Varchar(length=20, default="active", index=True)  # active | inactive | proposed
    # A proposed household: the approved new_household visit it comes from.
    proposed_by_visit = UUID(null=True, default=None, index=True)
    # SHA-256 of the normalised imported content: equal → a re-import changes nothing.
    content_hash = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ImportMark(Table, tablename="baseline_import_mark"):
    """The family cards one import run has met so far (No. KK → "run:first row").

    Lets the import recognise the same No. KK twice in one file without holding the
    file's cards in memory, and without rewriting unchanged households. A run deletes
    its marks when it ends.
    """

    kk_number = Varchar(length=16, primary_key=True)
    import_run = Varchar(length=40)


class HouseholdMember(Table, tablename="household_member"):
    id = BigSerial(primary_key=True)
    household = ForeignKey(references=Household, on_delete=OnDelete.cascade, index=True)
    position = SmallInt(default=0)  # order within the family card
    nik = Varchar(length=16, unique=True)
    name = Varchar(length=200)
    # civil_registry.names.name_key(name), written with the name: reconciliation compares
    # it with the extract's key in SQL ('' = not yet computed, always checked in Python).
    name_key = Varchar(length=200, default="")
    sex = Varchar(length=1, default="")  # form codes: 1 laki-laki, 2 perempuan
    birth_date = Date(null=True, default=None)
    relationship = Varchar(length=2, default="")  # 1 kepala keluarga … 8 lainnya
    marital_status = Varchar(length=2, null=True, default=None)
    # The other member.<key> pre-fill answers (disability, chronic_illness, working, …).
    answers = JSONB(default={})
    presence = Varchar(length=2, null=True, default=None)  # set by visits (later issues)


class Round(Table, tablename="verification_round"):
    """A verification round ("Verval Juni 2026"): groups assignments and visits."""

    id = Serial(primary_key=True)
    name = Varchar(length=200)
    region_code = Varchar(length=20, index=True)
    starts_on = Date()
    ends_on = Date()
    state = Varchar(length=10, default="open", index=True)  # planned | open | closed
    # The form version its visits are filled with (phones get it with each assignment).
    # Rounds created before forms were named per round used dtks_verval version 1.
    form_id = Varchar(length=64, default="dtks_verval")
    form_version = Integer(default=1)
    created_by = Varchar(length=80)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Assignment(Table, tablename="assignment"):
    """Household → enumerator within a round. (round, household) is unique (migration)."""

    id = BigSerial(primary_key=True)
    round = ForeignKey(references=Round, on_delete=OnDelete.cascade, index=True)
    household = ForeignKey(references=Household, on_delete=OnDelete.cascade, index=True)
    enumerator = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    region_code = Varchar(length=20, index=True)  # the household's village, for scoping
    state = Varchar(length=10, default="open", index=True)  # open|visited|returned|closed
    returned_comment = Text(null=True, default=None)  # the reviewer's comment on a return
    assigned_by = Varchar(length=80)
    assigned_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class AssignmentChange(Table, tablename="assignment_change"):
    """The per-enumerator change log behind ``GET /assignments?since=``.

    One row per (enumerator, assignment) touched by a write, in the write's own
    transaction. ``seq`` is taken under a transaction-scoped lock (see
    ``api.registry.changes``), so seq order is commit order and a reader's cursor never
    skips a change that commits late. No foreign keys: the log outlives deletions.
    """

    seq = BigSerial(primary_key=True)
    enumerator_id = Integer(index=True)
    assignment_id = BigInt()
    changed_at = Timestamptz(default=TimestamptzNow())
