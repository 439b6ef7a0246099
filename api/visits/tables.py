"""Visits, their declared photos, and the quality flags computed on arrival."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    BigInt,
    BigSerial,
    Boolean,
    Bytea,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class Visit(Table, tablename="visit"):
    id = UUID(primary_key=True)  # made by the phone
    household_id = Integer(null=True, default=None, index=True)
    round_id = Integer(index=True)
    region_code = Varchar(length=20, index=True)  # the village: what scoping filters on
    proposed_household = Boolean(default=False)
    enumerator_id = Integer(index=True)
    form_id = Varchar(length=64)
    form_version = Integer()
    outcome = Varchar(length=20)
    eligibility = Varchar(length=20, null=True, default=None)
    answers = JSONB(default={})
    started_at = Timestamptz()
    ended_at = Timestamptz()
    gps_lat = DoublePrecision(null=True, default=None)
    gps_lon = DoublePrecision(null=True, default=None)
    gps_accuracy_m = DoublePrecision(null=True, default=None)
    gps_altitude_m = DoublePrecision(null=True, default=None)
    gps_fixed_at = Timestamptz(null=True, default=None)
    gps_poor_fix_reason = Varchar(length=200, null=True, default=None)
    device_id = Varchar(length=100)
    app_version = Varchar(length=40)
    revisit_of = UUID(null=True, default=None)
    note = Text(null=True, default=None)
    # SHA-256 of the canonical submission: the same PUT again must match it exactly.
    content_hash = Varchar(length=64)
    state = Varchar(length=12, index=True)  # submitted | complete | approved | returned | escalated
    received_at = Timestamptz(index=True)
    completed_at = Timestamptz(null=True, default=None)
    photos_declared = Integer(default=0)
    photos_stored = Integer(default=0)
    # Stored photos whose analysis job finished; complete = all declared analysed.
    photos_analysed = Integer(default=0)
    flag_count = Integer(default=0)


class Photo(Table, tablename="visit_photo"):
    id = UUID(primary_key=True)  # made by the phone
    visit = ForeignKey(references=Visit, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20)
    sha256 = Varchar(length=64, index=True)
    size = BigInt()
    captured_at = Timestamptz()
    gps_lat = DoublePrecision(null=True, default=None)
    gps_lon = DoublePrecision(null=True, default=None)
    gps_accuracy_m = DoublePrecision(null=True, default=None)
    declared_width = Integer(null=True, default=None)
    declared_height = Integer(null=True, default=None)
    # Filled when the bytes arrive and pass every check:
    stored_at = Timestamptz(null=True, default=None)
    storage_key = Varchar(length=200, null=True, default=None)
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)
    exif = JSONB(default={})
    perceptual_hash = Varchar(length=16, null=True, default=None, index=True)
    display_key = Varchar(length=200, null=True, default=None)
    thumbnail_key = Varchar(length=200, null=True, default=None)
    # The review thumbnail's JPEG itself (a derivative, 13-18 KB): kept here instead of an
    # object-store PUT per photo; ``thumbnail_key`` is then IN_ROW_THUMBNAIL.
    thumbnail = Bytea(null=True, default=None)
    # Set once by the analysis job (media.images.analyse_jpeg, api.visits.analysis).
    analysed_at = Timestamptz(null=True, default=None)


class PhotoHashBand(Table, tablename="photo_hash_band"):
    """A stored photo's 64-bit perceptual hash cut into 8 bands of 8 bits, one row each.

    Two hashes at most 7 bits apart share at least one band exactly (pigeonhole), so the
    near-duplicate check looks up the 8 bands of a new photo in one index instead of
    comparing it with every photo of the district. ``band_key`` is "<band>:<2 hex digits>".
    """

    id = BigSerial(primary_key=True)
    photo = ForeignKey(references=Photo, on_delete=OnDelete.restrict)
    district = Varchar(length=8)  # the visit's district code, e.g. 17.06.01
    band_key = Varchar(length=4)


class Flag(Table, tablename="visit_flag"):
    id = Serial(primary_key=True)
    visit = ForeignKey(references=Visit, on_delete=OnDelete.restrict, index=True)
    photo_id = UUID(null=True, default=None)
    code = Varchar(length=40, index=True)
    severity = Varchar(length=10)  # info | warning | critical
    evidence = JSONB(default={})  # the numbers behind the flag
    created_at = Timestamptz()
