"""The civil registry (Dukcapil) as Verval knows it, and what reconciling it found.

``civil_registry_person`` holds one row per NIK: the latest extract row, updated by the
life events pushed since. ``evidence`` names where the row's content came from (an
extract file and row, or an event id), so a finding can cite it without the NIK.
NIKs and No. KK live only in ``nik``/``kk_number`` here, never in findings, audit
details, logs or URLs.
"""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    BigInt,
    BigSerial,
    Date,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class CivilPerson(Table, tablename="civil_registry_person"):
    id = BigSerial(primary_key=True)
    nik = Varchar(length=16, unique=True)
    kk_number = Varchar(length=16, default="", index=True)
    name = Varchar(length=200, default="")
    name_key = Varchar(length=200, default="")  # names.name_key(name): compared in SQL first
    sex = Varchar(length=1, default="")
    birth_place = Varchar(length=100, default="")
    birth_date = Date(null=True, default=None)
    relationship = Varchar(length=2, default="")
    region_code = Varchar(length=20, default="")  # domicile village when known
    death_date = Date(null=True, default=None)
    moved_out_on = Date(null=True, default=None)
    move_destination = Varchar(length=200, default="")
    kk_changed_on = Date(null=True, default=None)
    content_hash = Varchar(length=64, default="")
    evidence = Varchar(length=120, default="")  # "extract 1a2b3c4d5e6f row 17" | "event ID"
    import_run = Varchar(length=40, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class CivilEvent(Table, tablename="civil_registry_event"):
    """A life event as pushed; ``event_id`` is the sender's own id (a repeat is a no-op)."""

    id = BigSerial(primary_key=True)
    event_id = Varchar(length=64, unique=True)
    kind = Varchar(length=12)  # death | birth | move_out | move_in | kk_split | kk_merge
    region_code = Varchar(length=20, index=True)
    occurred_on = Date()
    content_hash = Varchar(length=64)
    payload = JSONB(default={})  # holds NIKs: never copied to logs or audit details
    credential_id = Integer()
    received_at = Timestamptz(default=TimestamptzNow())


class CivilCredential(Table, tablename="civil_registry_credential"):
    """An API key of the ``civil_registry`` service role; only its SHA-256 is kept."""

    id = Serial(primary_key=True)
    name = Varchar(length=120)
    region_code = Varchar(length=20)  # the regency (or province) whose events it may push
    key_prefix = Varchar(length=16)  # shown in lists, so an admin can tell keys apart
    key_hash = Varchar(length=64, unique=True)
    created_by = Varchar(length=80)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)


class ImportJob(Table, tablename="civil_registry_import"):
    """An extract upload and its progress (the admin screen polls it)."""

    id = Serial(primary_key=True)
    file_name = Varchar(length=200)
    file_sha256 = Varchar(length=64)
    state = Varchar(length=10, default="running")  # running | done | failed
    progress = BigInt(default=0)
    total = BigInt(null=True, default=None)
    unit = Varchar(length=8, default="bytes")
    summary = JSONB(default={})
    created_by = Varchar(length=80)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class Finding(Table, tablename="civil_registry_finding"):
    """One disagreement between the register and the civil registry, on a household.

    ``fingerprint`` (kind, household, member, subject) makes reconciliation idempotent:
    running it again finds the same rows and changes nothing.
    """

    id = BigSerial(primary_key=True)
    fingerprint = Varchar(length=120, unique=True)
    kind = Varchar(length=20, index=True)
    household_id = BigInt(index=True)
    member_id = BigInt(null=True, default=None)
    region_code = Varchar(length=20, index=True)
    evidence = Varchar(length=120)
    details = JSONB(default={})  # dates, similarity; never a NIK or No. KK
    state = Varchar(length=14, default="open", index=True)  # open|confirmed|contradicted|gone
    opened_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)
    closed_by_visit = UUID(null=True, default=None)
    seen_run = Varchar(length=40, default="")  # the reconciliation run that opened it
