"""The candidate statement decides in SQL the kind of every pair whose names agree by key;
Python's rules (``matching._pair_drafts``) must give the same kind for each such pair, and
a run that skips the stored ones must find exactly what an all-Python run found. Checked on
synthetic data (the demo's register generator and the civil registry derived from it), on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from api import db
from api.civil_registry import matching, synthetic
from api.civil_registry.importer import import_extract
from api.civil_registry.tables import Finding
from api.registry import bulk
from api.registry.baseline.importer import import_baseline
from api.registry.region_import import import_regions
from api.registry.synthetic import Village, write_csv
from tests.civil_registry.world import ACTOR, TODAY

REGENCY = matching.Target(region="17.06")
VILLAGES = [Village("17.06.01.2005", "Suka Pindah"), Village("17.06.05.2004", "Air Buluh")]


async def _synthetic_world(tmp_path: Path) -> None:
    await import_regions(ACTOR, only="17.06")
    register = tmp_path / "register.csv"
    write_csv(register, VILLAGES, 600, seed=11, today=TODAY)
    await import_baseline(ACTOR, register, today=TODAY)
    await synthetic.plant_duplicates("17.06", seed=14, share=0.01)
    extract = tmp_path / "extract.csv"
    await synthetic.write_extract(extract, "17.06", seed=14, today=TODAY)
    await import_extract(ACTOR, extract, today=TODAY)


async def test_sql_kinds_agree_with_the_python_rules(database: Any, tmp_path: Path) -> None:
    await _synthetic_world(tmp_path)
    sql, args = matching._candidate_sql(REGENCY)
    rows = await bulk.fetch(sql, *args)
    decided = [r for r in rows if r["sql_kind"] is not None]
    disagreeing = []
    for row in decided:
        draft = matching._pair_drafts(row)
        python_kind = str(draft.kind) if draft else matching.DECIDED_NONE
        if python_kind != row["sql_kind"]:
            disagreeing.append((row["member_id"], row["sql_kind"], python_kind))
    assert disagreeing == []
    kinds = Counter(r["sql_kind"] for r in decided)
    # the synthetic data gives SQL every kind it can decide
    assert {"died", "moved_out", "kk_changed", "identity_mismatch"} <= set(kinds)
    # pairs whose keys differ stay with Python (spelling tolerance)
    assert any(r["sql_kind"] is None and r["person_id"] is not None for r in rows)


async def test_skipping_stored_findings_finds_what_python_alone_found(
    database: Any, tmp_path: Path
) -> None:
    await _synthetic_world(tmp_path)
    # Nothing stored yet: every finding is drafted by Python's rules.
    first = await matching.reconcile(ACTOR, REGENCY, TODAY)
    stored = {r["fingerprint"] for r in await Finding.select(Finding.fingerprint)}
    assert first.new == len(stored) > 0
    # Now the pairs SQL decided and that are stored are only counted, not drafted.
    result = await matching.find(REGENCY, TODAY, existing=True)
    assert result.known, "SQL decided some stored findings"
    known = {fingerprint for _, fingerprint in result.known}
    drafted = {d.fingerprint for d in result.drafts}
    assert known.isdisjoint(drafted)
    assert known | drafted == stored
    again = await matching.reconcile(ACTOR, REGENCY, TODAY)
    assert (again.new, again.gone, again.found) == (0, 0, first.found)


async def _snapshot() -> dict[str, tuple[Any, ...]]:
    rows = await Finding.select().output(load_json=True)
    return {
        r["fingerprint"]: (
            r["kind"], r["household_id"], r["member_id"], r["region_code"], r["evidence"],
            r["details"], r["state"],
        )
        for r in rows
    }  # fmt: skip


async def test_the_set_based_path_writes_what_the_portable_path_writes(
    database: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """PostgreSQL writes a region's findings from SQL (``_reconcile_set_based``); SQLite and
    a few households take the portable path. Both must store the same findings."""
    await _synthetic_world(tmp_path)
    set_based = matching._set_based(REGENCY)
    assert set_based == db.is_postgres()
    monkeypatch.setattr(matching, "_set_based", lambda target: False)
    portable = await matching.reconcile(ACTOR, REGENCY, TODAY)
    written = await _snapshot()
    await Finding.delete(force=True)
    monkeypatch.setattr(matching, "_set_based", lambda target: set_based)
    summary = await matching.reconcile(ACTOR, REGENCY, TODAY)
    assert await _snapshot() == written
    assert (summary.found, summary.new, summary.candidates) == (
        portable.found,
        portable.new,
        portable.candidates,
    )
    # and again: nothing new, nothing gone; a finding no longer supported goes
    assert (await matching.reconcile(ACTOR, REGENCY, TODAY)).new == 0
    some = next(iter(written))
    await Finding.update({Finding.fingerprint: "stale:" + some[:100]}).where(
        Finding.fingerprint == some
    )
    after = await matching.reconcile(ACTOR, REGENCY, TODAY)
    assert (after.new, after.gone) == (1, 1)


async def _candidates(narrowed: bool, monkeypatch: Any) -> list[tuple[Any, ...]]:
    monkeypatch.setattr(matching, "_narrowed", lambda target: narrowed)
    sql, args = matching._candidate_sql(REGENCY)
    rows = await bulk.fetch(sql, *args)
    return sorted(tuple(r.values()) for r in rows)


async def test_the_match_digest_leaves_out_only_members_with_nothing_to_compare(
    database: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """PostgreSQL: the digests the triggers keep give the same candidate rows as the full
    comparison, also after writes that change a compared value on either side (a member's
    name key and birth date, a household's No. KK, a person's name and death)."""
    if not db.is_postgres():
        assert not matching._narrowed(REGENCY)  # SQLite has no digest
        return
    await _synthetic_world(tmp_path)
    full = await _candidates(False, monkeypatch)
    assert await _candidates(True, monkeypatch) == full
    members = await bulk.fetch(
        "SELECT m.id, m.household FROM household_member m JOIN civil_registry_person p "
        "ON p.nik = m.nik AND p.match_digest = m.match_digest ORDER BY m.id LIMIT 4"
    )
    assert len(members) == 4  # members with nothing to report, before the writes
    first, second, third, fourth = (r["id"] for r in members)
    await bulk.execute_count("UPDATE household_member SET name_key = 'zz' WHERE id = $1", first)
    await bulk.execute_count(
        "UPDATE household_member SET birth_date = birth_date + 1 WHERE id = $1", second
    )
    await bulk.execute_count(
        "UPDATE household SET kk_number = '9999999999999999' WHERE id = $1",
        members[2]["household"],
    )
    await bulk.execute_count(
        "UPDATE civil_registry_person SET death_date = $2 WHERE nik = "
        "(SELECT nik FROM household_member WHERE id = $1)",
        fourth,
        TODAY,
    )
    after = await _candidates(True, monkeypatch)
    assert after == await _candidates(False, monkeypatch)
    assert {first, second, third, fourth} <= {row[0] for row in after}
    assert len(after) > len(full)
