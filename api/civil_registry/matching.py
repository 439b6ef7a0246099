"""Reconciliation: the register against the civil registry, set-based in SQL.

One statement does the NIK match for a region: the region's active members LEFT JOIN
the civil-registry persons on NIK, keeping only the rows that can be a finding — a
member whose NIK is unknown, a person dead or moved, on another KK, whose birth date or
name differs. Everything that agrees exactly never leaves the database. The same
statement decides the kind of every pair whose names agree by stored key (``sql_kind``:
died, moved out, KK changed, identity by birth date, or none); only pairs whose keys
differ need Python's spelling tolerance (``names.keys_agree``, rapidfuzz). A second,
small statement finds the recent births the register does not hold (an index range on
birth date); unknown NIKs are looked up by name key and birth date (the same person twice).
On PostgreSQL a region's candidate statement first leaves out, by a merge anti join on
(NIK, ``match_digest``), the members whose compared values equal their person's (the digest
is kept by triggers: migration ``…t06_00``).

Two paths write the same findings (``tests/civil_registry/test_sql_classification.py``):

* PostgreSQL, a whole region (``_reconcile_set_based``): the candidate rows go into a
  temporary table; Python streams back only what SQL cannot decide (the name agreement of
  pairs whose keys differ, a missing member key) and returns its answers as arrays; every
  finding — births from their side read, the same person twice by index probes from the
  table — is written by SQL into a temporary found set, stored with one INSERT … ON
  CONFLICT DO NOTHING, and the open findings no longer found are retired by one UPDATE …
  NOT EXISTS. Python never holds a finding.
* Otherwise (SQLite, a few households after an event batch, inside a caller's
  transaction): candidate rows are read into Python, SQL-decided findings already stored
  are only counted, and the rest are drafted and compared with the stored fingerprints.

Findings are keyed by fingerprint (kind, household, member, person row): a run inserts
only new ones and retires (``gone``) the open ones it no longer finds, so running it
again over the same data writes nothing.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from api import db
from api.audit.service import Actor, append_event
from api.civil_registry.kinds import FindingKind, FindingState
from api.civil_registry.names import keys_agree, name_key, similarity
from api.registry import bulk, changes

LOOKUP_BATCH = 500  # SQLite: bound parameters per statement stay well under its limit
LOOKUP_BATCH_POSTGRES = 100_000  # one array parameter: one plan, one pass


def _lookup_batch() -> int:
    return LOOKUP_BATCH_POSTGRES if db.is_postgres() else LOOKUP_BATCH


BIRTH_WINDOW_DAYS = 366
# Any person from an extract (events alone carry no content hash): until one is loaded, a
# NIK's absence says nothing.
EXTRACT_LOADED_SQL = "SELECT id FROM civil_registry_person WHERE content_hash <> '' LIMIT 1"
# The kinds as plain names: reading an Enum member off its class is a descriptor call, and
# a regency's run reads them ~100,000 times.
DIED, MOVED_OUT, KK_CHANGED = FindingKind.DIED, FindingKind.MOVED_OUT, FindingKind.KK_CHANGED
IDENTITY_MISMATCH, NIK_UNKNOWN = FindingKind.IDENTITY_MISMATCH, FindingKind.NIK_UNKNOWN
DUPLICATE_NIK, BIRTH = FindingKind.DUPLICATE_NIK, FindingKind.BIRTH
ACTIVE_PRESENCE_EXCLUDED = ("2", "3", "4", "6")  # died, moved, moved abroad, not found
DECIDED_NONE = "-"  # the candidate statement's word for "names agree, and no finding"


@dataclass
class Draft:
    kind: FindingKind
    household_id: int
    member_id: int | None
    region_code: str
    person_id: int
    evidence: str
    details: dict[str, Any] = field(default_factory=dict)
    # (kind, household, member, person): read several times per draft, so made once.
    fingerprint: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        kind = str.__str__(self.kind)  # the str value, without Enum's descriptor
        self.fingerprint = f"{kind}:{self.household_id}:{self.member_id or '-'}:{self.person_id}"


@dataclass
class ReconcileSummary:
    region_code: str
    candidates: int = 0
    found: dict[str, int] = field(default_factory=dict)
    new: int = 0
    gone: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "region_code": self.region_code,
            "candidates": self.candidates,
            "found": self.found,
            "new": self.new,
            "gone": self.gone,
        }


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Target:
    """What a run reconciles: a region (None: everywhere) or a few households."""

    region: str | None = None
    households: tuple[int, ...] | None = None

    @property
    def label(self) -> str:
        if self.households is not None:
            return f"{len(self.households)} households"
        return self.region or "all"


def _scope(column: str, region: str | None, index: int) -> tuple[str, list[Any]]:
    if region is None:
        return "1 = 1", []
    return f"({column} = ${index} OR {column} LIKE ${index + 1})", [region, region + ".%"]


def _target_scope(
    target: Target, id_column: str, region_column: str, index: int
) -> tuple[str, list[Any]]:
    if target.households is not None:
        return bulk.any_of(id_column, list(target.households), index)
    return _scope(region_column, target.region, index)


def _persons(target: Target, index: int) -> tuple[str, list[Any], str, list[Any]]:
    """The persons a run can meet (all, or by index for a few households), for the NIK
    match and for the births, with their bound values."""
    if target.households is None:
        return "civil_registry_person", [], "civil_registry_person", []
    ids = list(target.households)
    niks, nik_args = bulk.any_of("hm.household", ids, index)
    kks, kk_args = bulk.any_of("hk.id", ids, index + len(nik_args))
    # A UNION of two index lookups (an OR would scan every person).
    matched = (
        "(SELECT * FROM civil_registry_person WHERE nik IN "  # noqa: S608
        f"(SELECT hm.nik FROM household_member hm WHERE {niks}) UNION "
        "SELECT * FROM civil_registry_person WHERE kk_number IN "
        f"(SELECT hk.kk_number FROM household hk WHERE {kks}))"
    )
    births_kks, births_args = bulk.any_of("hk.id", ids, 2)
    births = (
        "(SELECT * FROM civil_registry_person WHERE kk_number IN "  # noqa: S608
        f"(SELECT hk.kk_number FROM household hk WHERE {births_kks}))"
    )
    return matched, [*nik_args, *kk_args], births, births_args


def _narrowed(target: Target) -> bool:
    """PostgreSQL, a region: the stored match digests (kept by triggers, migration of
    07 Dec 06:00) leave out the members whose compared values equal their person's."""
    return target.households is None and db.is_postgres()


def _candidate_settings(target: Target) -> tuple[str, ...]:
    # Narrowed: no hash join anywhere — the anti join merges two NIK-ordered index-only
    # scans, and the ~6 % of members left probe the primary keys and the NIK index.
    return (
        (*CANDIDATE_SETTINGS, "SET LOCAL enable_hashjoin = off")
        if _narrowed(target)
        else CANDIDATE_SETTINGS
    )


def _candidate_sql(target: Target) -> tuple[str, list[Any]]:
    """The register's members LEFT JOIN the persons on NIK: only rows that can be a finding."""
    scope, args = _target_scope(target, "h.id", "h.region_code", 1)
    persons, person_args, _, _ = _persons(target, 1 + len(args))
    postgres = db.is_postgres()
    differs = "IS DISTINCT FROM" if postgres else "IS NOT"
    same = "IS NOT DISTINCT FROM" if postgres else "IS"
    excluded = ", ".join(f"'{p}'" for p in ACTIVE_PRESENCE_EXCLUDED)
    # The kind of a pair whose names agree by key (``_pair_drafts``' rules in SQL; NULL: no
    # finding). Pairs whose keys differ are left to Python's spelling tolerance.
    kind = f"""CASE
        WHEN p.id IS NULL OR NOT (p.name = '' OR (m.name_key <> '' AND m.name_key = p.name_key))
            THEN NULL
        WHEN NOT (p.birth_date IS NULL OR m.birth_date {same} p.birth_date)
            THEN CASE WHEN p.name = '' THEN NULL ELSE '{IDENTITY_MISMATCH.value}' END
        WHEN p.death_date IS NOT NULL THEN '{DIED.value}'
        WHEN p.moved_out_on IS NOT NULL THEN CASE
            WHEN coalesce(p.move_destination, '') = substr(h.region_code, 1, 5)
              OR coalesce(p.move_destination, '') LIKE substr(h.region_code, 1, 5) || '.%'
            THEN '{DECIDED_NONE}' ELSE '{MOVED_OUT.value}' END
        WHEN p.kk_number <> '' AND p.kk_number {differs} h.kk_number THEN '{KK_CHANGED.value}'
        ELSE '{DECIDED_NONE}' END"""
    members = "household_member m"
    if _narrowed(target):
        # Only members whose (NIK, digest) no person without a death or move shares: a merge
        # anti join of two index-only scans; the few left meet the full comparison below.
        members = (
            "(SELECT mm.id FROM household_member mm WHERE NOT EXISTS (SELECT 1 FROM "
            "civil_registry_person q WHERE q.nik = mm.nik AND q.match_digest = mm.match_digest)) "
            "differing JOIN household_member m ON m.id = differing.id"
        )
    # scope and the presence list are this module's constants; values are bound.
    sql = f"""
        SELECT m.id AS member_id, m.name AS m_name, m.name_key AS m_key, m.birth_date AS m_birth,
               h.id AS household_id, h.region_code, h.kk_number AS hh_kk,
               p.id AS person_id, p.name AS p_name, p.name_key,
               p.birth_date AS p_birth, p.death_date, p.moved_out_on, p.move_destination,
               p.kk_number AS p_kk, p.kk_changed_on, p.evidence, {kind} AS sql_kind
        FROM {members} JOIN household h ON h.id = m.household
        LEFT JOIN {persons} p ON p.nik = m.nik
        WHERE h.status = 'active' AND (m.presence IS NULL OR m.presence NOT IN ({excluded}))
          AND {scope}
          AND (p.id IS NULL OR p.death_date IS NOT NULL OR p.moved_out_on IS NOT NULL
               OR p.kk_number <> h.kk_number OR m.birth_date {differs} p.birth_date
               OR (p.name <> '' AND (m.name_key = '' OR m.name_key <> p.name_key)))
    """  # noqa: S608
    return sql, [*args, *person_args]


def _births_sql(target: Target) -> tuple[str, list[Any]]:
    """Recent births the register does not hold, on the register household of their No. KK
    (few: an index range on birth date; it runs beside the candidate statement)."""
    _, _, persons, args = _persons(target, 2)
    scope, scope_args = _target_scope(target, "hb.id", "hb.region_code", 2 + len(args))
    sql = f"""
        SELECT p.id AS person_id, p.name AS p_name, p.birth_date AS p_birth, p.evidence,
               hb.id AS household_id, hb.region_code
        FROM {persons} p JOIN household hb ON hb.kk_number = p.kk_number
        WHERE p.birth_date >= $1 AND p.death_date IS NULL AND p.moved_out_on IS NULL
          AND hb.status = 'active' AND {scope}
          AND NOT EXISTS (SELECT 1 FROM household_member m WHERE m.nik = p.nik)
    """  # noqa: S608
    return sql, [*args, *scope_args]


def _member_key(row: dict[str, Any]) -> str:
    """The member's stored name key; computed here for a member written without one."""
    return str(row["m_key"] or name_key(row["m_name"]))


def _pair_drafts(row: dict[str, Any]) -> Draft | None:
    """The finding of a member matched by NIK, if any (name and birth date first)."""
    base = {
        "household_id": row["household_id"],
        "member_id": row["member_id"],
        "region_code": row["region_code"],
        "person_id": row["person_id"],
        "evidence": row["evidence"],
    }
    m_birth, p_birth = _as_date(row["m_birth"]), _as_date(row["p_birth"])
    # An event may carry no name or birth date: what it does not say cannot disagree.
    same_name = not row["p_name"] or keys_agree(
        _member_key(row), row["name_key"] or name_key(row["p_name"])
    )
    same_birth = p_birth is None or m_birth == p_birth
    if not same_name or not same_birth:
        # A death or a move is never claimed for someone who may be another person.
        return Draft(
            IDENTITY_MISMATCH,
            **base,
            details={
                "name_agrees": same_name,
                "name_similarity": round(similarity(row["m_name"], row["p_name"])),
                "birth_date_agrees": same_birth,
                "civil_name": row["p_name"],
                "civil_birth_date": p_birth.isoformat() if p_birth else None,
            },
        )
    if row["death_date"] is not None:
        died = _as_date(row["death_date"])
        return Draft(DIED, **base, details={"death_date": str(died)})
    if row["moved_out_on"] is not None:
        destination = str(row["move_destination"] or "")
        regency = str(row["region_code"])[:5]
        if not (destination == regency or destination.startswith(regency + ".")):
            moved = _as_date(row["moved_out_on"])
            return Draft(
                MOVED_OUT,
                **base,
                details={"moved_out_on": str(moved), "destination": destination[:200]},
            )
        return None
    if row["p_kk"] and row["p_kk"] != row["hh_kk"]:
        changed = _as_date(row["kk_changed_on"])
        return Draft(
            KK_CHANGED,
            **base,
            details={"kk_changed_on": changed.isoformat() if changed else None},
        )
    return None


async def _duplicates(unknown: list[dict[str, Any]]) -> list[Draft]:
    """Unknown-NIK members who are, by name key and birth date, a person whose NIK another
    register household holds: the same person registered twice."""
    drafts: list[Draft] = []
    size = _lookup_batch()
    unknown = sorted(unknown, key=lambda r: r["member_id"])  # the same drafts in every run
    for start in range(0, len(unknown), size):
        batch = unknown[start : start + size]
        # Every unknown member of a (name key, birth date), in member order: two unknown
        # members may share them, and both are then the holder's possible double (keeping
        # one, as before, kept whichever the join returned last: a different one per run).
        keyed: dict[tuple[str, date | None], list[Any]] = {}
        for r in batch:
            if r["m_birth"]:
                keyed.setdefault((_member_key(r), _as_date(r["m_birth"])), []).append(r)
        if not keyed:
            continue
        columns = (
            "SELECT p.id AS person_id, p.name_key, p.birth_date, p.evidence, "
            "m.id AS other_member, h.id AS other_household, h.region_code AS other_region "
        )
        joins = (
            "JOIN household_member m ON m.nik = p.nik JOIN household h ON h.id = m.household "
            "WHERE h.status = 'active'"
        )
        if db.is_postgres():
            # The exact (name key, birth date) pairs, one index lookup each (the LIMIT
            # keeps the LATERAL a nested loop; a plain join hashes every person); then the
            # members holding those NIKs, by the NIK index (two steps keep both indexed); a
            # NIK several members hold keeps the highest member id (as the set-based path).
            pairs = sorted((k, d) for k, d in keyed if d is not None)
            persons = await _read(
                "SELECT p.id AS person_id, p.nik, p.name_key, p.birth_date, p.evidence "
                "FROM unnest($1::text[], $2::date[]) AS u(name_key, birth_date) "
                "CROSS JOIN LATERAL (SELECT id, nik, name_key, birth_date, evidence "
                "FROM civil_registry_person WHERE birth_date = u.birth_date "
                "AND name_key = u.name_key LIMIT 1000) p",
                [[k for k, _ in pairs], [d for _, d in pairs]],
            )
            holders = (
                {
                    r["nik"]: r
                    for r in await _read(
                        "SELECT m.nik, m.id AS other_member, h.id AS other_household, "
                        "h.region_code AS other_region FROM household_member m "
                        "JOIN household h ON h.id = m.household "
                        "WHERE m.nik = ANY($1) AND h.status = 'active' ORDER BY m.id",
                        [[p["nik"] for p in persons]],
                    )
                }
                if persons
                else {}
            )
            found = [
                {**dict(person), **dict(holders[person["nik"]])}
                for person in persons
                if person["nik"] in holders
            ]
        else:
            keys_clause, key_args = bulk.any_of("p.name_key", sorted({k for k, _ in keyed}), 1)
            dates = sorted({d for _, d in keyed if d is not None})
            dates_clause, date_args = bulk.any_of("p.birth_date", dates, 1 + len(key_args))
            found = await _read(
                columns + "FROM civil_registry_person p "
                f"{joins} AND {keys_clause} AND {dates_clause}",
                [*key_args, *date_args],
            )
        for hit in found:
            for row in keyed.get((hit["name_key"], _as_date(hit["birth_date"])), ()):
                if row["household_id"] != hit["other_household"]:
                    drafts += _duplicate_pair(row, hit)
    return drafts


def _duplicate_pair(row: Any, hit: Any) -> list[Draft]:
    """The unknown-NIK member and the NIK's holder, each pointing at the other's household."""
    return [
        Draft(
            DUPLICATE_NIK,
            row["household_id"],
            row["member_id"],
            row["region_code"],
            hit["person_id"],
            hit["evidence"],
            {"other_household_id": hit["other_household"]},
        ),
        Draft(
            DUPLICATE_NIK,
            hit["other_household"],
            hit["other_member"],
            hit["other_region"],
            hit["person_id"],
            hit["evidence"],
            {"other_household_id": row["household_id"]},
        ),
    ]


def _births(rows: list[Any]) -> list[Draft]:
    return [
        Draft(
            BIRTH,
            row["household_id"],
            None,
            row["region_code"],
            row["person_id"],
            row["evidence"],
            {"birth_date": str(_as_date(row["p_birth"])), "civil_name": row["p_name"]},
        )
        for row in rows
    ]


# The candidate statement's own planner settings (PostgreSQL, this statement only). The
# planner cannot know that only a few percent of the joined rows differ, so it prices
# gathering "a million" result rows from parallel workers too high and joins serially;
# a cheaper tuple transfer lets it use the parallel hash join the bare count gets. JIT
# compiles the filter for ~0.1 s and saves less than that.
CANDIDATE_SETTINGS = ("SET LOCAL parallel_tuple_cost = 0.001", "SET LOCAL jit = off")
# The births statement's: a few thousand recent persons, each probing the member NIK index
# (anti join) and the household No. KK index. Left to itself the planner hashes every
# member in parallel workers (0.5 s and three processes at a million members, competing
# with the candidate join beside it on two cores); the index probes take one process.
BIRTHS_SETTINGS = (
    "SET LOCAL enable_hashjoin = off",
    "SET LOCAL enable_mergejoin = off",
    "SET LOCAL max_parallel_workers_per_gather = 0",
    "SET LOCAL jit = off",
)


def _side_by_side() -> Any | None:
    """The pool that gives each read a connection of its own (PostgreSQL, outside a
    transaction); None where reads run in turn on the one connection (SQLite, a transaction)."""
    engine = db.current_engine()
    pool = getattr(engine, "pool", None)
    if not db.is_postgres(engine) or pool is None or engine.current_transaction.get() is not None:
        return None
    return pool


@asynccontextmanager
async def _side_connection() -> AsyncIterator[Any | None]:
    pool = _side_by_side()
    if pool is None:
        yield None
        return
    async with pool.acquire() as connection:
        yield connection


async def _read(sql: str, args: Sequence[Any], settings: Sequence[str] = ()) -> list[Any]:
    """Rows of one read: asyncpg records on a side connection (no copy into dicts), else
    ``bulk.fetch``'s dicts. Both are read by column name."""
    async with _side_connection() as connection:
        if connection is None:
            return await bulk.fetch(sql, *args)
        db.note_statement(sql)
        async with connection.transaction(readonly=True):
            for setting in settings:
                await connection.execute(setting)
            return list(await connection.fetch(sql, *args))


async def _gather(*reads: Any) -> list[Any]:
    """Independent reads side by side when each can have its own connection, else in turn."""
    if _side_by_side() is not None:
        return list(await asyncio.gather(*reads))
    return [await read for read in reads]


@dataclass
class Found:
    """What a run found: drafts to compare with the stored findings, and the findings SQL
    decided that are already stored (kind, fingerprint), which need no draft."""

    drafts: list[Draft]
    known: list[tuple[str, str]]
    candidates: int
    stored: dict[str, tuple[int, str, int]]


async def find(target: Target, today: date, *, existing: bool = False) -> Found:
    """Every finding for the target's households, how many rows were candidates, and
    (if asked) the target's stored findings, read beside the candidates."""
    sql, args = _candidate_sql(target)
    births_sql, births_args = _births_sql(target)
    births_args = [today - timedelta(days=BIRTH_WINDOW_DAYS), *births_args]

    async def stored() -> dict[str, tuple[int, str, int]]:
        return await _existing(target) if existing else {}

    rows, births, loaded, stored_findings = await _gather(
        _read(sql, args, _candidate_settings(target)),
        _read(births_sql, births_args, BIRTHS_SETTINGS),
        _read(EXTRACT_LOADED_SQL, []),
        stored(),
    )
    extract_loaded = bool(loaded)
    drafts: list[Draft] = []
    known: list[tuple[str, str]] = []
    unknown: list[dict[str, Any]] = []
    for row in rows:
        sql_kind = row["sql_kind"]
        if sql_kind is not None:
            # Decided in SQL (names agree by key). A finding already stored is only counted:
            # its draft would be identical and write nothing.
            if sql_kind == DECIDED_NONE:
                continue
            fingerprint = f"{sql_kind}:{row['household_id']}:{row['member_id']}:{row['person_id']}"
            if fingerprint in stored_findings:
                known.append((sql_kind, fingerprint))
                continue
        if row["person_id"] is None:
            if not extract_loaded:
                continue  # only events so far: absence from them says nothing
            unknown.append(row)
            drafts.append(
                Draft(
                    NIK_UNKNOWN,
                    row["household_id"],
                    row["member_id"],
                    row["region_code"],
                    0,
                    "extract: NIK absent",
                )
            )
        else:
            draft = _pair_drafts(row)
            if draft is not None:
                drafts.append(draft)
    drafts += _births(births)
    drafts += await _duplicates(unknown)
    return Found(drafts, known, len(rows), stored_findings)


def _unique(drafts: Iterable[Draft]) -> list[Draft]:
    return list({d.fingerprint: d for d in drafts}.values())


async def _existing(target: Target) -> dict[str, tuple[int, str, int]]:
    """Fingerprint → (id, state, household) of the target's findings: few, beside its members."""
    scope, args = _target_scope(target, "household_id", "region_code", 1)
    rows = await _read(
        "SELECT id, fingerprint, state, household_id FROM civil_registry_finding "  # noqa: S608
        f"WHERE {scope}",
        args,
    )
    return {r["fingerprint"]: (int(r["id"]), r["state"], int(r["household_id"])) for r in rows}


async def _insert(drafts: list[Draft], run: str, now: datetime) -> None:
    cast = "$7::jsonb" if db.is_postgres() else "$7"
    sql = (
        "INSERT INTO civil_registry_finding (fingerprint, kind, household_id, member_id, "  # noqa: S608
        "region_code, evidence, details, state, opened_at, seen_run) VALUES "
        f"($1, $2, $3, $4, $5, $6, {cast}, 'open', $8, $9) "
        "ON CONFLICT (fingerprint) DO NOTHING"
    )
    await bulk.executemany(
        sql,
        [
            (
                d.fingerprint,
                d.kind.value,
                d.household_id,
                d.member_id,
                d.region_code,
                d.evidence[:120],
                json.dumps(d.details, ensure_ascii=False),
                now,
                run,
            )
            for d in drafts
        ],
    )


# The set-based path (PostgreSQL, a whole region). The candidate rows go into a temporary
# table (CREATE TABLE AS keeps the parallel join) and every finding is written from SQL:
# Python reads back only what SQL cannot decide — the name agreement of the pairs whose
# keys differ (rapidfuzz), and the key of a member stored without one — and sends back
# its answers as arrays; the births come from their own read beside the join as arrays;
# the same-person-twice lookups are index probes from the table.
_FOUND_TABLE = """CREATE TEMP TABLE cr_found (fingerprint text, kind text, household_id bigint,
    member_id bigint, region_code text, evidence text, details jsonb) ON COMMIT DROP"""
# What Python decides: a member stored without a name key (keyed here, rare), and the pairs
# whose keys differ (``keys_agree``), with the birth dates (an identity mismatch's
# similarity is only worked out for a mismatch).
PYTHON_ROWS_SQL = """SELECT member_id, person_id, m_name, m_key, m_birth, p_name, name_key, p_birth
    FROM cr_candidate WHERE sql_kind IS NULL AND (person_id IS NOT NULL OR m_key = '')"""
_KEYED_HERE = """UPDATE cr_candidate c SET m_key = k.key
    FROM unnest($1::bigint[], $2::text[]) AS k(member_id, key) WHERE c.member_id = k.member_id"""
# Every finding of a candidate row, as ``_pair_drafts`` and ``find`` draft it: the kind SQL
# decided (names agree by key: an identity mismatch has similarity 100 and a birth date
# that disagrees), else, for a pair Python judged, its name agreement ($1 to $3) and the
# same rules; an unknown NIK once an extract is loaded ($4). Joined by hash, never by a
# nested loop over the unnest (planned without statistics).
_SQL_FOUND = f"""INSERT INTO cr_found
    SELECT kind || ':' || household_id || ':' || member_id || ':' || coalesce(person_id, 0),
           kind, household_id, member_id, region_code,
           CASE WHEN person_id IS NULL THEN 'extract: NIK absent' ELSE left(evidence, 120) END,
           CASE kind
               WHEN '{DIED.value}' THEN jsonb_build_object('death_date', death_date::text)
               WHEN '{MOVED_OUT.value}' THEN jsonb_build_object(
                   'moved_out_on', moved_out_on::text,
                   'destination', left(coalesce(move_destination, ''), 200))
               WHEN '{KK_CHANGED.value}' THEN jsonb_build_object('kk_changed_on', kk_changed_on::text)
               WHEN '{IDENTITY_MISMATCH.value}' THEN jsonb_build_object(
                   'name_agrees', name_agrees, 'name_similarity', name_similarity,
                   'birth_date_agrees', p_birth IS NULL OR m_birth IS NOT DISTINCT FROM p_birth,
                   'civil_name', p_name, 'civil_birth_date', p_birth::text)
               ELSE '{{}}'::jsonb
           END
    FROM (SELECT c.*, coalesce(py.agrees, true) AS name_agrees,
                 coalesce(py.similarity, 100) AS name_similarity,
                 CASE WHEN c.person_id IS NULL THEN CASE WHEN $4 THEN '{NIK_UNKNOWN.value}' END
                      WHEN c.sql_kind IS NOT NULL THEN c.sql_kind
                      WHEN NOT py.agrees
                        OR NOT (c.p_birth IS NULL OR c.m_birth IS NOT DISTINCT FROM c.p_birth)
                        THEN '{IDENTITY_MISMATCH.value}'
                      WHEN c.death_date IS NOT NULL THEN '{DIED.value}'
                      WHEN c.moved_out_on IS NOT NULL THEN CASE
                          WHEN coalesce(c.move_destination, '') = substr(c.region_code, 1, 5)
                            OR coalesce(c.move_destination, '')
                               LIKE substr(c.region_code, 1, 5) || '.%'
                          THEN '{DECIDED_NONE}' ELSE '{MOVED_OUT.value}' END
                      WHEN c.p_kk <> '' AND c.p_kk IS DISTINCT FROM c.hh_kk
                        THEN '{KK_CHANGED.value}'
                      ELSE '{DECIDED_NONE}' END AS kind
          FROM cr_candidate c
          LEFT JOIN unnest($1::bigint[], $2::bool[], $3::int[]) AS py(member_id, agrees, similarity)
            ON py.member_id = c.member_id) decided
    WHERE kind IS NOT NULL AND kind <> '{DECIDED_NONE}'"""  # noqa: S608 (constants only)
# Births (``_births``), from the side read's columns.
_BIRTHS_FOUND = f"""INSERT INTO cr_found
    SELECT '{BIRTH.value}:' || household_id || ':-:' || person_id, '{BIRTH.value}', household_id,
           NULL, region_code, left(evidence, 120),
           jsonb_build_object('birth_date', born::text, 'civil_name', name)
    FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::date[], $6::text[])
        AS b(person_id, household_id, region_code, name, born, evidence)"""  # noqa: S608
# The same person twice (``_duplicates``): an unknown-NIK member whose (name key, birth date)
# a person shares, whose NIK a member of another active household holds (the highest
# member id if several do). Both get a finding, each naming the other's household; a
# holder met by several unknown members names the last of them in member order. Every
# join is an index probe per row (LATERAL … LIMIT): no plan depends on the temporary
# table's missing statistics.
_DUPLICATES_FOUND = f"""INSERT INTO cr_found
    WITH hit AS MATERIALIZED (
        SELECT u.member_id, u.household_id, u.region_code, p.id AS person_id,
               left(p.evidence, 120) AS evidence, hd.other_member, hd.other_household,
               hd.other_region
        FROM cr_candidate u
        CROSS JOIN LATERAL (SELECT q.id, q.nik, q.evidence FROM civil_registry_person q
            WHERE q.birth_date = u.m_birth AND q.name_key = u.m_key LIMIT 1000) p
        CROSS JOIN LATERAL (SELECT m.id AS other_member, h.id AS other_household,
                h.region_code AS other_region
            FROM household_member m JOIN household h ON h.id = m.household
            WHERE m.nik = p.nik AND h.status = 'active' ORDER BY m.id DESC LIMIT 1) hd
        WHERE u.person_id IS NULL AND u.m_birth IS NOT NULL
          AND u.household_id <> hd.other_household)
    SELECT '{DUPLICATE_NIK.value}:' || household_id || ':' || member_id || ':' || person_id,
           '{DUPLICATE_NIK.value}', household_id, member_id, region_code, evidence,
           jsonb_build_object('other_household_id', other_household)
    FROM hit
    UNION ALL
    SELECT * FROM (
        SELECT DISTINCT ON (other_household, other_member, person_id)
               '{DUPLICATE_NIK.value}:' || other_household || ':' || other_member || ':'
                   || person_id,
               '{DUPLICATE_NIK.value}', other_household, other_member, other_region, evidence,
               jsonb_build_object('other_household_id', household_id)
        FROM hit ORDER BY other_household, other_member, person_id, member_id DESC) holders
"""  # noqa: S608 (constants only)


# The write step, one statement: the found set FULL JOIN the region's stored findings on
# fingerprint gives what is new (inserted; ON CONFLICT still catches a fingerprint stored
# under another region or by a concurrent run) and the open findings no longer found
# (retired). A FULL JOIN can only be a hash or a merge join: no plan can probe one side
# per row of the other, whatever the statistics (a NOT EXISTS before the insert became a
# nested loop on a first run: twentyfold). RETURNING: (new, household) per row written.
def _store_sql(region: str | None) -> tuple[str, list[Any]]:
    scope, args = _scope("f.region_code", region, 5)
    sql = f"""
    WITH diff AS MATERIALIZED (
        SELECT c.fingerprint, c.kind, c.household_id, c.member_id, c.region_code, c.evidence,
               c.details, s.id AS stored_id
        FROM cr_found c FULL JOIN (SELECT f.id, f.fingerprint, f.state
                                   FROM civil_registry_finding f WHERE {scope}) s
          ON s.fingerprint = c.fingerprint
        WHERE s.id IS NULL OR (c.fingerprint IS NULL AND s.state = 'open')),
    inserted AS (
        INSERT INTO civil_registry_finding (fingerprint, kind, household_id, member_id,
            region_code, evidence, details, state, opened_at, seen_run)
        SELECT fingerprint, kind, household_id, member_id, region_code, evidence, details,
               'open', $1, $2
        FROM diff WHERE stored_id IS NULL
        ON CONFLICT (fingerprint) DO NOTHING RETURNING household_id),
    retired AS (
        UPDATE civil_registry_finding f SET state = $3, closed_at = $1
        FROM diff WHERE diff.fingerprint IS NULL AND f.id = diff.stored_id AND f.state = $4
        RETURNING f.household_id)
    SELECT true AS new, household_id FROM inserted
    UNION ALL SELECT false AS new, household_id FROM retired"""  # noqa: S608 (scope: constants)
    return sql, args


def _set_based(target: Target) -> bool:
    return target.households is None and _side_by_side() is not None


async def _reconcile_set_based(
    actor: Actor, target: Target, today: date, summary: ReconcileSummary, *, audit: bool
) -> None:
    """Find, store and retire the region's findings in one transaction (PostgreSQL);
    fills ``summary``."""
    run = uuid.uuid4().hex
    now = datetime.now(UTC)
    sql, args = _candidate_sql(target)
    births_sql, births_args = _births_sql(target)
    births_args = [today - timedelta(days=BIRTH_WINDOW_DAYS), *births_args]
    # Beside the candidate join, on connections of their own (started outside the
    # transaction: inside it, every read uses the transaction's connection).
    births_read = asyncio.create_task(_read(births_sql, births_args, BIRTHS_SETTINGS))
    loaded_read = asyncio.create_task(_read(EXTRACT_LOADED_SQL, []))
    try:
        async with db.write_transaction():
            for setting in _candidate_settings(target):
                await bulk.execute_count(setting)
            summary.candidates = await bulk.execute_count(
                f"CREATE TEMP TABLE cr_candidate ON COMMIT DROP AS {sql}", *args
            )
            if _narrowed(target):  # the found set's statements below may hash
                await bulk.execute_count("SET LOCAL enable_hashjoin = on")
            loaded = bool(await loaded_read)
            # Streamed (a cursor in the transaction): Python keeps only its answers.
            transaction = db.current_engine().current_transaction.get()
            assert transaction is not None  # inside write_transaction
            connection = transaction.connection
            keyed: tuple[list[int], list[str]] = ([], [])
            judged: tuple[list[int], list[bool], list[int | None]] = ([], [], [])
            async for row in connection.cursor(PYTHON_ROWS_SQL, prefetch=5000):
                key = row["m_key"]
                if not key:
                    key = name_key(row["m_name"])
                    if key:
                        keyed[0].append(row["member_id"])
                        keyed[1].append(key)
                if row["person_id"] is None:
                    continue
                # ``_pair_drafts``' name and birth-date agreement
                p_name, p_birth = row["p_name"], _as_date(row["p_birth"])
                same_name = not p_name or keys_agree(key, row["name_key"] or name_key(p_name))
                same_birth = p_birth is None or _as_date(row["m_birth"]) == p_birth
                judged[0].append(row["member_id"])
                judged[1].append(same_name)
                judged[2].append(
                    None if same_name and same_birth else round(similarity(row["m_name"], p_name))
                )
            if keyed[0]:
                await bulk.execute_count(_KEYED_HERE, *keyed)
            births = await births_read
            await bulk.execute_count(_FOUND_TABLE)
            # Neither side has statistics: hash the unnest (never a nested loop rescanning
            # it, nor a merge join sorting the wide candidate rows on disk).
            await bulk.execute_count("SET LOCAL work_mem = '32MB'")
            for setting in ("enable_nestloop", "enable_mergejoin"):
                await bulk.execute_count(f"SET LOCAL {setting} = off")
            await bulk.execute_count(_SQL_FOUND, *judged, loaded)
            for setting in ("enable_nestloop", "enable_mergejoin"):
                await bulk.execute_count(f"SET LOCAL {setting} = on")
            await bulk.execute_count(
                _BIRTHS_FOUND,
                [r["person_id"] for r in births],
                [r["household_id"] for r in births],
                [r["region_code"] for r in births],
                [r["p_name"] for r in births],
                [_as_date(r["p_birth"]) for r in births],
                [r["evidence"] for r in births],
            )
            if loaded:
                await bulk.execute_count(_DUPLICATES_FOUND)
            for count in await bulk.fetch("SELECT kind, count(*) AS n FROM cr_found GROUP BY kind"):
                summary.found[count["kind"]] = int(count["n"])
            # (work_mem 32 MB: the found set is wide, its hash side may need more than 4 MB.)
            store_sql, scope_args = _store_sql(target.region)
            written = await bulk.fetch(
                store_sql, now, run, FindingState.GONE.value, FindingState.OPEN.value, *scope_args
            )
            new = [r for r in written if r["new"]]
            gone = [r for r in written if not r["new"]]
            summary.new, summary.gone = len(new), len(gone)
            touched = sorted({r["household_id"] for r in new} | {r["household_id"] for r in gone})
            for start in range(0, len(touched), 5000):
                await changes.record_for_households(touched[start : start + 5000])
            if audit:
                await _audit(actor, target, summary)
    finally:
        for task in (births_read, loaded_read):
            if not task.done():
                task.cancel()


async def _audit(actor: Actor, target: Target, summary: ReconcileSummary) -> None:
    await append_event(
        actor,
        "civil_registry.reconciled",
        "region",
        target.label,
        region_code=target.region,
        details=summary.as_dict(),
    )


async def reconcile(
    actor: Actor, target: Target, today: date | None = None, *, audit: bool = True
) -> ReconcileSummary:
    """Find, store and retire findings for the target, in one transaction."""
    today = today or date.today()
    summary = ReconcileSummary(region_code=target.label)
    if not await bulk.fetch("SELECT id FROM civil_registry_person LIMIT 1"):
        return summary  # no extract yet: every NIK would look unknown
    if _set_based(target):
        await _reconcile_set_based(actor, target, today, summary, audit=audit)
        return summary
    # The stored findings are read beside the candidates, before the write transaction;
    # the retiring UPDATE re-checks that a finding is still open when it writes.
    result = await find(target, today, existing=True)
    drafts, existing, summary.candidates = _unique(result.drafts), result.stored, result.candidates
    for draft in drafts:
        kind = str.__str__(draft.kind)
        summary.found[kind] = summary.found.get(kind, 0) + 1
    for kind, _ in result.known:
        summary.found[kind] = summary.found.get(kind, 0) + 1
    run = uuid.uuid4().hex
    now = datetime.now(UTC)
    OPEN = FindingState.OPEN.value
    async with db.write_transaction():
        # Only what changed is written: a second run over the same data writes nothing.
        new = [d for d in drafts if d.fingerprint not in existing]
        found = {d.fingerprint for d in drafts} | {fingerprint for _, fingerprint in result.known}
        retired = [
            (finding_id, household)
            for fingerprint, (finding_id, state, household) in existing.items()
            if state == OPEN and fingerprint not in found
        ]
        gone = [(FindingState.GONE.value, now, finding_id) for finding_id, _ in retired]
        await _insert(new, run, now)
        await bulk.executemany(
            "UPDATE civil_registry_finding SET state = $1, closed_at = $2 "
            "WHERE id = $3 AND state = 'open'",
            gone,
        )
        summary.new, summary.gone = len(new), len(gone)
        touched = sorted({d.household_id for d in new} | {h for _, h in retired})
        # The phones of open-round assignments re-download these households' hints.
        for start in range(0, len(touched), 5000):
            await changes.record_for_households(touched[start : start + 5000])
        if audit:
            await _audit(actor, target, summary)
    return summary
