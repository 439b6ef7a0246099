"""SQL of visit intake and quality checks."""

from __future__ import annotations

import functools
import json
import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from piccolo.columns import JSON, JSONB, BigSerial, Column, Serial
from piccolo.table import Table
from piccolo.utils.encoding import dump_json
from piccolo.utils.sql_values import convert_to_sql_value

from api import db
from api.civil_registry import findings as civil_findings
from api.civil_registry.kinds import FindingState
from api.registry import changes
from api.registry.tables import Assignment, Household, HouseholdMember, Region, Round
from api.visits.quality import Point, PriorVisit, QualityThresholds, bounding_box
from api.visits.schemas import VisitSubmission
from api.visits.tables import Flag, Photo, PhotoHashBand, Visit


async def visit_row(visit_id: uuid.UUID) -> dict[str, Any] | None:
    return await Visit.select().where(Visit.id == visit_id).output(load_json=True).first()


async def photo_rows(visit_id: uuid.UUID) -> list[dict[str, Any]]:
    # Every column but the thumbnail's bytes (served by its own route).
    columns = [c for c in Photo._meta.columns if c._meta.name != Photo.thumbnail._meta.name]
    return await (
        Photo.select(*columns)
        .where(Photo.visit == visit_id)
        .order_by(Photo.captured_at)
        .output(load_json=True)
    )


async def missing_photo_ids(visit_id: uuid.UUID) -> list[uuid.UUID]:
    rows = (
        await Photo.select(Photo.id)
        .where((Photo.visit == visit_id) & Photo.stored_at.is_null())
        .order_by(Photo.captured_at, Photo.id)
    )
    return [row["id"] for row in rows]


async def existing_photo_ids(photo_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    if not photo_ids:
        return set()
    rows = await Photo.select(Photo.id).where(Photo.id.is_in(photo_ids))
    return {row["id"] for row in rows}


async def assignment_for(
    enumerator_id: int, household_id: int, round_id: int
) -> dict[str, Any] | None:
    return await (
        Assignment.select(
            Assignment.id,
            Assignment.state,
            Assignment.region_code,
            Assignment.household.latitude.as_alias("latitude"),
            Assignment.household.longitude.as_alias("longitude"),
        )
        .where(
            (Assignment.enumerator == enumerator_id)
            & (Assignment.household == household_id)
            & (Assignment.round == round_id)
        )
        .first()
    )


async def baseline_niks(household_id: int) -> set[str]:
    rows = await HouseholdMember.select(HouseholdMember.nik).where(
        HouseholdMember.household == household_id
    )
    return {row["nik"] for row in rows}


async def households_holding_niks(niks: list[str], except_household: int | None) -> dict[str, int]:
    if not niks:
        return {}
    query = HouseholdMember.select(HouseholdMember.nik, HouseholdMember.household).where(
        HouseholdMember.nik.is_in(niks)
    )
    if except_household is not None:
        query = query.where(HouseholdMember.household != except_household)
    return {row["nik"]: row["household"] for row in await query}


async def neighbouring_visits(
    enumerator_id: int, visit_id: uuid.UUID, started_at: datetime, ended_at: datetime
) -> list[PriorVisit]:
    """The enumerator's nearest visits before and after this one, with a location."""
    located = (
        (Visit.enumerator_id == enumerator_id)
        & (Visit.id != visit_id)
        & Visit.gps_lat.is_not_null()
    )
    before = await (
        Visit.select(
            Visit.id,
            Visit.household_id,
            Visit.started_at,
            Visit.ended_at,
            Visit.gps_lat,
            Visit.gps_lon,
        )
        .where(located & (Visit.ended_at <= started_at))
        .order_by(Visit.ended_at, ascending=False)
        .first()
    )
    after = await (
        Visit.select(
            Visit.id,
            Visit.household_id,
            Visit.started_at,
            Visit.ended_at,
            Visit.gps_lat,
            Visit.gps_lon,
        )
        .where(located & (Visit.started_at >= ended_at))
        .order_by(Visit.started_at)
        .first()
    )
    return [
        PriorVisit(
            visit_id=str(row["id"]),
            household_id=row["household_id"],
            started_at=row["started_at"],
            ended_at=row["ended_at"],
            location=Point(row["gps_lat"], row["gps_lon"]),
        )
        for row in (before, after)
        if row is not None
    ]


async def households_visited_near(
    enumerator_id: int,
    visit_id: uuid.UUID,
    center: Point,
    radius_m: float,
    around: datetime,
    window: timedelta,
) -> set[int]:
    min_lat, max_lat, min_lon, max_lon = bounding_box(center, radius_m)
    rows = await Visit.select(Visit.household_id).where(
        (Visit.enumerator_id == enumerator_id)
        & (Visit.id != visit_id)
        & Visit.household_id.is_not_null()
        & (Visit.gps_lat >= min_lat)
        & (Visit.gps_lat <= max_lat)
        & (Visit.gps_lon >= min_lon)
        & (Visit.gps_lon <= max_lon)
        & (Visit.started_at >= around - window)
        & (Visit.started_at <= around + window)
    )
    return {row["household_id"] for row in rows}


async def visits_with_same_photo(sha256s: list[str], visit_id: uuid.UUID) -> list[dict[str, Any]]:
    if not sha256s:
        return []
    return await Photo.select(
        Photo.sha256,
        Photo.visit.id.as_alias("visit_id"),
        Photo.visit.household_id.as_alias("household_id"),
    ).where(Photo.sha256.is_in(sha256s) & (Photo.visit != visit_id))


HASH_BANDS = 8  # of 8 bits each: hashes up to 7 bits apart share one band exactly


def hash_band_keys(perceptual_hash: str) -> list[str]:
    """The band keys of a 64-bit hash as 16 hex digits: "0:ab", "1:cd", …"""
    return [f"{band}:{perceptual_hash[2 * band : 2 * band + 2]}" for band in range(HASH_BANDS)]


async def add_hash_bands(photo_id: uuid.UUID, district: str, perceptual_hash: str) -> None:
    await PhotoHashBand.insert(
        *[
            PhotoHashBand(photo=photo_id, district=district, band_key=key)
            for key in hash_band_keys(perceptual_hash)
        ]
    )


# Piccolo's raw placeholders; the band keys are HASH_BANDS (8) values.
_CANDIDATES = (
    "SELECT p.id, p.perceptual_hash, v.id AS visit_id, v.household_id "
    "FROM visit_photo p JOIN visit v ON v.id = p.visit "
    "WHERE p.id IN ("
    " SELECT photo FROM photo_hash_band"
    " WHERE district = {} AND band_key IN ({}, {}, {}, {}, {}, {}, {}, {})"
    " GROUP BY photo HAVING count(*) >= {}"
    ") AND v.id <> {}"
)


async def near_duplicate_candidates(
    district: str,
    perceptual_hash: str,
    max_bits: int,
    household_id: int | None,
    visit_id: uuid.UUID,
) -> list[dict[str, Any]]:
    """Stored photos of other households in the district whose hash may be within
    ``max_bits`` (< 8) of this one: d differing bits touch at most d of the 8 bands, so a
    match shares at least 8 - d bands exactly. One query; the band index does the work."""
    args: list[Any] = [district, *hash_band_keys(perceptual_hash), HASH_BANDS - max_bits]
    if household_id is None:
        return await PhotoHashBand.raw(_CANDIDATES, *args, visit_id)  # type: ignore[no-any-return]
    return await PhotoHashBand.raw(  # type: ignore[no-any-return]
        _CANDIDATES + " AND v.household_id <> {}", *args, visit_id, household_id
    )


# Several hashes at once (a visit's photos): each (band key, photo index) pair is looked
# up in the band index; a candidate is a (photo index, stored photo) pair sharing enough
# bands with that photo's hash.
_CANDIDATES_OF_MANY = (
    "SELECT c.photo_index, p.id, p.perceptual_hash, v.id AS visit_id, v.household_id "
    "FROM (SELECT k.photo_index, b.photo"
    " FROM unnest(CAST({} AS varchar[]), CAST({} AS int[])) AS k(band_key, photo_index)"
    " JOIN photo_hash_band b ON b.district = {} AND b.band_key = k.band_key"
    " GROUP BY k.photo_index, b.photo HAVING count(*) >= {}"
    ") AS c JOIN visit_photo p ON p.id = c.photo JOIN visit v ON v.id = p.visit "
    "WHERE v.id <> {}"
)


async def near_duplicate_candidates_of_many(
    district: str,
    perceptual_hashes: list[str],
    max_bits: int,
    household_id: int | None,
    visit_id: uuid.UUID,
) -> list[list[dict[str, Any]]]:
    """:func:`near_duplicate_candidates` for several hashes, one list each, in one query
    on PostgreSQL (SQLite, the embedded default, asks once per hash)."""
    if not db.is_postgres():
        return [
            await near_duplicate_candidates(district, h, max_bits, household_id, visit_id)
            for h in perceptual_hashes
        ]
    band_keys: list[str] = []
    indexes: list[int] = []
    for index, perceptual_hash in enumerate(perceptual_hashes):
        keys = hash_band_keys(perceptual_hash)
        band_keys += keys
        indexes += [index] * len(keys)
    args: list[Any] = [band_keys, indexes, district, HASH_BANDS - max_bits, visit_id]
    sql = _CANDIDATES_OF_MANY
    if household_id is not None:
        sql += " AND v.household_id <> {}"
        args.append(household_id)
    found: list[list[dict[str, Any]]] = [[] for _ in perceptual_hashes]
    for row in await PhotoHashBand.raw(sql, *args):
        found[row.pop("photo_index")].append(row)
    return found


async def stored_hashes_of_other_households(
    household_id: int | None, visit_id: uuid.UUID, region_prefix: str
) -> list[dict[str, Any]]:
    """Perceptual hashes of every stored photo of other households in the same district
    (the near-duplicate check for thresholds the band index cannot serve)."""
    query = Photo.select(
        Photo.id,
        Photo.perceptual_hash,
        Photo.visit.id.as_alias("visit_id"),
        Photo.visit.household_id.as_alias("household_id"),
    ).where(
        Photo.perceptual_hash.is_not_null()
        & (Photo.visit != visit_id)
        & Photo.visit.region_code.like(region_prefix + "%")
    )
    if household_id is not None:
        query = query.where(Photo.visit.household_id != household_id)
    return await query


async def household_location(household_id: int) -> Point | None:
    row = (
        await Household.select(Household.latitude, Household.longitude)
        .where(Household.id == household_id)
        .first()
    )
    if row is None or row["latitude"] is None or row["longitude"] is None:
        return None
    return Point(row["latitude"], row["longitude"])


async def flags_of(visit_id: uuid.UUID) -> list[dict[str, Any]]:
    return (
        await Flag.select().where(Flag.visit == visit_id).order_by(Flag.id).output(load_json=True)
    )


def intake_reads(
    enumerator_id: int,
    visit_id: uuid.UUID,
    submission: VisitSubmission,
    cleaned: dict[str, Any],
    limits: QualityThresholds,
) -> dict[str, Any]:
    """Every read a visit PUT needs, as queries for ``db.fetch_together`` (one round trip
    on PostgreSQL): the stored visit (a repeat), the assignment, the round, photo ids in
    use, and the facts the quality checks compare with."""
    photo_ids = [p.id for p in submission.photos]
    reads: dict[str, Any] = {
        "existing": Visit.select(
            Visit.id, Visit.enumerator_id, Visit.content_hash, Visit.state, Visit.received_at
        )
        .where(Visit.id == visit_id)
        .limit(1),
        "missing": Photo.select(Photo.id)
        .where((Photo.visit == visit_id) & Photo.stored_at.is_null())
        .order_by(Photo.captured_at, Photo.id),
        "round": Round.select(
            Round.id,
            Round.region_code,
            Round.state,
            Round.starts_on,
            Round.ends_on,
            Round.form_id,
            Round.form_version,
        )
        .where(Round.id == submission.round_id)
        .limit(1),
    }
    if submission.household_id is not None:
        reads["assignment"] = (
            Assignment.select(
                Assignment.id,
                Assignment.state,
                Assignment.region_code,
                Assignment.household.latitude.as_alias("latitude"),
                Assignment.household.longitude.as_alias("longitude"),
            )
            .where(
                (Assignment.enumerator == enumerator_id)
                & (Assignment.household == submission.household_id)
                & (Assignment.round == submission.round_id)
            )
            .limit(1)
        )
        reads["civil_findings"] = civil_findings.open_findings(submission.household_id)
    if photo_ids:
        reads["taken"] = Photo.select(Photo.id).where(Photo.id.is_in(photo_ids))
        reads["same_photo"] = Photo.select(
            Photo.sha256,
            Photo.visit.id.as_alias("visit_id"),
            Photo.visit.household_id.as_alias("household_id"),
        ).where(
            Photo.sha256.is_in([p.sha256 for p in submission.photos]) & (Photo.visit != visit_id)
        )
    located = (
        (Visit.enumerator_id == enumerator_id)
        & (Visit.id != visit_id)
        & Visit.gps_lat.is_not_null()
    )
    columns = (
        Visit.id,
        Visit.household_id,
        Visit.started_at,
        Visit.ended_at,
        Visit.gps_lat,
        Visit.gps_lon,
    )
    reads["before"] = (
        Visit.select(*columns)
        .where(located & (Visit.ended_at <= submission.started_at))
        .order_by(Visit.ended_at, ascending=False)
        .limit(1)
    )
    reads["after"] = (
        Visit.select(*columns)
        .where(located & (Visit.started_at >= submission.ended_at))
        .order_by(Visit.started_at)
        .limit(1)
    )
    if submission.gps is not None:
        center = Point(submission.gps.lat, submission.gps.lon)
        min_lat, max_lat, min_lon, max_lon = bounding_box(center, limits.same_spot_radius_m)
        window = timedelta(hours=limits.same_spot_window_hours)
        reads["near"] = Visit.select(Visit.household_id).where(
            (Visit.enumerator_id == enumerator_id)
            & (Visit.id != visit_id)
            & Visit.household_id.is_not_null()
            & (Visit.gps_lat >= min_lat)
            & (Visit.gps_lat <= max_lat)
            & (Visit.gps_lon >= min_lon)
            & (Visit.gps_lon <= max_lon)
            & (Visit.started_at >= submission.started_at - window)
            & (Visit.started_at <= submission.started_at + window)
        )
    members = cleaned.get("members") or []
    members = [m for m in members if isinstance(m, dict)] if isinstance(members, list) else []
    niks = [str(m["nik"]) for m in members if m.get("nik")]
    if niks and submission.household_id is not None:
        reads["baseline_niks"] = HouseholdMember.select(HouseholdMember.nik).where(
            HouseholdMember.household == submission.household_id
        )
    if niks:
        elsewhere = HouseholdMember.select(HouseholdMember.nik, HouseholdMember.household).where(
            HouseholdMember.nik.is_in(niks)
        )
        if submission.household_id is not None:
            elsewhere = elsewhere.where(HouseholdMember.household != submission.household_id)
        reads["niks_elsewhere"] = elsewhere
    destinations = sorted(
        {str(m["move_destination_region"]) for m in members if m.get("move_destination_region")}
    )
    if destinations:
        reads["regions"] = Region.select(Region.code).where(Region.code.is_in(destinations))
    return reads


# The reads of ``intake_reads`` as PostgreSQL text, built once per shape (which reads a
# visit needs) instead of as ~12 Piccolo queries built, bundled and compiled per request
# (issue 18: a large share of the API's CPU per photo). Same rows, same column names,
# same single round trip; ``:name`` marks a parameter, numbered by ``_intake_reads_sql``.
# Lists are bound as arrays (``= ANY``), so their length does not change the text.
_VISIT_NEIGHBOUR = (
    "SELECT id, household_id, started_at, ended_at, gps_lat, gps_lon FROM visit"
    " WHERE enumerator_id = :enumerator AND id <> :visit AND gps_lat IS NOT NULL AND "
)
_INTAKE_READS: dict[str, str] = {
    "existing": "SELECT id, enumerator_id, content_hash, state, received_at FROM visit"
    " WHERE id = :visit LIMIT 1",
    "missing": "SELECT id FROM visit_photo WHERE visit = :visit AND stored_at IS NULL"
    " ORDER BY captured_at, id",
    "round": "SELECT id, region_code, state, starts_on, ends_on, form_id, form_version"
    " FROM verification_round WHERE id = :round LIMIT 1",
    "assignment": "SELECT a.id, a.state, a.region_code, h.latitude, h.longitude"
    " FROM assignment a LEFT JOIN household h ON a.household = h.id"
    " WHERE a.enumerator = :enumerator AND a.household = :household AND a.round = :round"
    " LIMIT 1",
    "civil_findings": "SELECT id, kind, member_id, details FROM civil_registry_finding"
    " WHERE household_id = :household AND state = :finding_open",
    "taken": "SELECT id FROM visit_photo WHERE id = ANY(:photo_ids)",
    "same_photo": "SELECT p.sha256, v.id AS visit_id, v.household_id"
    " FROM visit_photo p LEFT JOIN visit v ON p.visit = v.id"
    " WHERE p.sha256 = ANY(:sha256s) AND p.visit <> :visit",
    "before": _VISIT_NEIGHBOUR + "ended_at <= :started ORDER BY ended_at DESC LIMIT 1",
    "after": _VISIT_NEIGHBOUR + "started_at >= :ended ORDER BY started_at LIMIT 1",
    "near": "SELECT household_id FROM visit"
    " WHERE enumerator_id = :enumerator AND id <> :visit AND household_id IS NOT NULL"
    " AND gps_lat >= :min_lat AND gps_lat <= :max_lat"
    " AND gps_lon >= :min_lon AND gps_lon <= :max_lon"
    " AND started_at >= :near_from AND started_at <= :near_to",
    "baseline_niks": "SELECT nik FROM household_member WHERE household = :household",
    "niks_elsewhere": "SELECT nik, household FROM household_member WHERE nik = ANY(:niks)",
    "niks_elsewhere_other": "SELECT nik, household FROM household_member"
    " WHERE nik = ANY(:niks) AND household <> :household",
    "regions": "SELECT code FROM region WHERE code = ANY(:destinations)",
}
# Each parameter's type (a parameter used twice keeps its $n).
_READ_PARAMETER_TYPES = {
    "visit": "uuid",
    "enumerator": "integer",
    "round": "integer",
    "household": "bigint",
    "finding_open": "varchar",
    "photo_ids": "uuid[]",
    "sha256s": "varchar[]",
    "started": "timestamptz",
    "ended": "timestamptz",
    "min_lat": "double precision",
    "max_lat": "double precision",
    "min_lon": "double precision",
    "max_lon": "double precision",
    "near_from": "timestamptz",
    "near_to": "timestamptz",
    "niks": "varchar[]",
    "destinations": "varchar[]",
}
_PARAMETER = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")  # not "::json"


@functools.lru_cache(maxsize=64)
def _intake_reads_sql(names: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """One SELECT returning each named read as a JSON array (as ``db.fetch_together``
    does), and the parameter names in $n order."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in order:
            order.append(name)
        return f"CAST(${order.index(name) + 1} AS {_READ_PARAMETER_TYPES[name]})"

    # Only our own constant texts go into the statement; every value is a parameter.
    parts = [
        f"(SELECT coalesce(json_agg(t), '[]'::json) FROM ({_INTAKE_READS[name]}) AS t) AS q{i}"  # noqa: S608
        for i, name in enumerate(names)
    ]
    sql = _PARAMETER.sub(number, "SELECT " + ", ".join(parts))
    return sql, tuple(order)


async def fetch_intake_reads(
    enumerator_id: int,
    visit_id: uuid.UUID,
    submission: VisitSubmission,
    cleaned: dict[str, Any],
    limits: QualityThresholds,
) -> dict[str, list[dict[str, Any]]]:
    """Every read a visit PUT needs (see :func:`intake_reads`), in one round trip. On
    PostgreSQL as text built once per shape; on SQLite through ``db.fetch_together``."""
    if not db.is_postgres():
        return await db.fetch_together(
            intake_reads(enumerator_id, visit_id, submission, cleaned, limits)
        )
    values: dict[str, Any] = {
        "visit": visit_id,
        "enumerator": enumerator_id,
        "round": submission.round_id,
        "started": submission.started_at,
        "ended": submission.ended_at,
    }
    names = ["existing", "missing", "round"]
    household_id = submission.household_id
    if household_id is not None:
        names += ["assignment", "civil_findings"]
        values["household"] = household_id
        values["finding_open"] = FindingState.OPEN.value
    if submission.photos:
        names += ["taken", "same_photo"]
        values["photo_ids"] = [p.id for p in submission.photos]
        values["sha256s"] = [p.sha256 for p in submission.photos]
    names += ["before", "after"]
    if submission.gps is not None:
        center = Point(submission.gps.lat, submission.gps.lon)
        min_lat, max_lat, min_lon, max_lon = bounding_box(center, limits.same_spot_radius_m)
        window = timedelta(hours=limits.same_spot_window_hours)
        names.append("near")
        values.update(
            min_lat=min_lat,
            max_lat=max_lat,
            min_lon=min_lon,
            max_lon=max_lon,
            near_from=submission.started_at - window,
            near_to=submission.started_at + window,
        )
    members = cleaned.get("members") or []
    members = [m for m in members if isinstance(m, dict)] if isinstance(members, list) else []
    niks = [str(m["nik"]) for m in members if m.get("nik")]
    if niks:
        values["niks"] = niks
        if household_id is not None:
            names += ["baseline_niks", "niks_elsewhere_other"]
        else:
            names.append("niks_elsewhere")
    destinations = sorted(
        {str(m["move_destination_region"]) for m in members if m.get("move_destination_region")}
    )
    if destinations:
        names.append("regions")
        values["destinations"] = destinations
    sql, order = _intake_reads_sql(tuple(names))
    row = (await db.run_sql(sql, *(values[name] for name in order)))[0]
    return {
        "niks_elsewhere" if name == "niks_elsewhere_other" else name: json.loads(row[f"q{i}"])
        for i, name in enumerate(names)
    }


_STORE_ASSIGNED_VISIT = """
WITH visit_row AS ({}), photo_rows AS ({}), flag_rows AS ({}),
assignment_row AS (
    UPDATE assignment SET state = 'visited', returned_comment = NULL,
        updated_at = CAST({} AS timestamptz)
    FROM (SELECT pg_advisory_xact_lock(CAST({} AS bigint))) AS change_lock
    WHERE assignment.id = {} AND assignment.enumerator = {} AND assignment.state <> 'closed'
    RETURNING assignment.id
),
change_row AS (
    INSERT INTO assignment_change (enumerator_id, assignment_id, changed_at)
    SELECT {}, assignment_row.id, CAST({} AS timestamptz) FROM assignment_row
    RETURNING seq
)
SELECT (SELECT count(*) FROM assignment_row) AS assignments
"""


def _inserted_columns(table: type[Table]) -> list[Column]:
    # Serial keys are left to the database (Piccolo writes DEFAULT for them).
    return [c for c in table._meta.columns if not isinstance(c, (Serial, BigSerial))]


# Values Piccolo passes through unchanged (bool is an int; Enum subclasses of str/int
# are not exact types, so they are not in here and take the general path).
_PLAIN = (str, int, float, uuid.UUID, datetime, Decimal)


def _insert_sql(table: type[Table], rows: int, first: int) -> tuple[str, int]:
    """``INSERT INTO table (columns) VALUES ($first, ...), ...`` for ``rows`` rows, and the
    next free parameter number; or a no-op SELECT when there are no rows."""
    if rows == 0:
        return "SELECT 1 WHERE false", first
    columns = _inserted_columns(table)
    names = ", ".join(f'"{c._meta.db_column_name}"' for c in columns)
    values = []
    for row in range(rows):
        start = first + row * len(columns)
        values.append("(" + ", ".join(f"${start + i}" for i in range(len(columns))) + ")")
    # Only our own table and column names and parameter numbers go into the text.
    table_name = table._meta.get_formatted_tablename()
    sql = f"INSERT INTO {table_name} ({names}) VALUES {', '.join(values)}"  # noqa: S608
    return sql, first + rows * len(columns)


@functools.cache
def _insert_plan(table: type[Table]) -> tuple[tuple[str, bool, Column], ...]:
    """Per inserted column: its attribute name, whether it holds JSON, the column."""
    return tuple(
        (column._meta.name, isinstance(column, (JSON, JSONB)), column)
        for column in _inserted_columns(table)
    )


def _insert_values(table: type[Table], rows: list[Any]) -> list[Any]:
    """The rows' values in ``_insert_sql``'s order, as Piccolo's ``convert_to_sql_value``
    gives them, without its per-value imports and checks for the plain values that most
    columns hold (issue 18: a few % of the API's CPU per visit)."""
    values: list[Any] = []
    append = values.append
    for row in rows:
        for name, is_json, column in _insert_plan(table):
            value = getattr(row, name)
            if is_json:
                append(value if value is None or isinstance(value, str) else dump_json(value))
            elif value is None or isinstance(value, _PLAIN):
                append(value)
            else:
                append(convert_to_sql_value(value=value, column=column))
    return values


@functools.lru_cache(maxsize=64)
def _store_assigned_visit_sql(photos: int, flags: int) -> str:
    """The visit PUT's write as PostgreSQL text with $n parameters, built once per number
    of photos and flags (issue 18: Piccolo built and bundled these query objects on every
    request, a large share of the API's CPU per photo)."""
    visit_sql, next_parameter = _insert_sql(Visit, 1, 1)
    photo_sql, next_parameter = _insert_sql(Photo, photos, next_parameter)
    flag_sql, next_parameter = _insert_sql(Flag, flags, next_parameter)
    tail = [f"${next_parameter + i}" for i in range(6)]
    return _STORE_ASSIGNED_VISIT.replace("{}", "%s") % (visit_sql, photo_sql, flag_sql, *tail)


async def store_visit(
    visit: Visit,
    photos: list[Photo],
    flags: list[Flag],
    *,
    assignment_id: int | None,
    enumerator_id: int,
    at: datetime,
) -> bool:
    """Write a new visit, its declared photos and flags, and mark its assignment visited
    with a change-log row; False if the assignment is no longer open and this
    enumerator's. On PostgreSQL one statement, which takes the change-log lock before the
    assignment row (the lock order of every registry write). Call inside the transaction."""
    if db.is_postgres() and assignment_id is not None:
        rows = await db.run_sql(
            _store_assigned_visit_sql(len(photos), len(flags)),
            *_insert_values(Visit, [visit]),
            *_insert_values(Photo, photos),
            *_insert_values(Flag, flags),
            at,
            changes.CHANGE_LOCK_ID,
            assignment_id,
            enumerator_id,
            enumerator_id,
            at,
        )
        return bool(rows[0]["assignments"])
    await Visit.insert(visit)
    if photos:
        await Photo.insert(*photos)
    if flags:
        await Flag.insert(*flags)
    if assignment_id is None:
        return True
    updated = (
        await Assignment.update(
            {
                Assignment.state: "visited",
                Assignment.returned_comment: None,
                Assignment.updated_at: at,
            }
        )
        .where(
            (Assignment.id == assignment_id)
            & (Assignment.enumerator == enumerator_id)
            & (Assignment.state != "closed")
        )
        .returning(Assignment.id)
    )
    if not updated:
        return False
    await changes.record([(enumerator_id, assignment_id)])
    return True
