"""Each kind of finding, with a true and a false match, on the world of ``world.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api.civil_registry import matching
from api.civil_registry.importer import import_extract
from api.civil_registry.names import name_key
from api.civil_registry.piccolo_migrations import civil_registry_2026_12_07t03_30_00_000000
from api.civil_registry.tables import Finding
from api.registry.tables import HouseholdMember
from tests.civil_registry.world import (
    ACTOR,
    TODAY,
    VILLAGE,
    build_register,
    extract_rows,
    nik,
    write_extract,
)

REGENCY = matching.Target(region="17.06")


async def _reconciled(
    tmp_path: Path, rows: list[list[Any]] | None = None, *, name_keys: bool = True
) -> Any:
    world = await build_register(name_keys=name_keys)
    await import_extract(ACTOR, write_extract(tmp_path / "e.csv", rows), today=TODAY)
    summary = await matching.reconcile(ACTOR, REGENCY, TODAY)
    return world, summary


async def _findings() -> dict[tuple[str, int | None, int], dict[str, Any]]:
    rows = await Finding.select().output(load_json=True)
    return {(r["kind"], r["member_id"], r["household_id"]): r for r in rows}


def _kinds_of(found: dict, member_id: int) -> set[str]:
    return {kind for kind, member, _ in found if member == member_id}


async def test_each_finding_true_and_false(database, tmp_path: Path) -> None:
    world, summary = await _reconciled(tmp_path)
    found = await _findings()
    m, h = world.members, world.households

    # died: a spelling variant of the same person is her; a similar name is someone else
    died = found[("died", m["rizki"], h["deaths"])]
    assert died["details"] == {"death_date": "2026-03-04"}
    assert died["evidence"].endswith("row 2")
    assert _kinds_of(found, m["nurhaliza"]) == {"identity_mismatch"}  # never "died"
    # identity: birth date disagrees; a shortened name with the same birth date agrees
    hamdan = found[("identity_mismatch", m["hamdan"], h["deaths"])]
    assert hamdan["details"]["birth_date_agrees"] is False
    assert _kinds_of(found, m["nur"]) == set()
    assert _kinds_of(found, m["fauzi"]) == set()
    # unknown NIK
    assert ("nik_unknown", m["budi"], h["moves"]) in found
    assert found[("nik_unknown", m["budi"], h["moves"])]["evidence"] == "extract: NIK absent"
    # moved out of the regency; a move inside it is not
    moved = found[("moved_out", m["wahyuni"], h["moves"])]
    assert moved["details"]["destination"] == "17.71.01.1001"
    assert _kinds_of(found, m["lestari"]) == set()
    # KK changed; the member still on the card is not
    assert found[("kk_changed", m["hartono"], h["cards"])]["details"] == {
        "kk_changed_on": "2026-04-20"
    }
    assert _kinds_of(found, m["rina"]) == set()
    # a birth on the card in the last year; an older child missing from the register is not
    births = [r for (kind, _, hh), r in found.items() if kind == "birth"]
    assert len(births) == 1 and births[0]["household_id"] == h["cards"]
    assert births[0]["details"] == {"birth_date": "2026-04-01", "civil_name": "Putri Hartono"}
    # the same person in two households (mistyped NIK, old spelling); a namesake born
    # a year apart is not
    assert ("duplicate_nik", m["joko_copy"], h["twice"]) in found
    assert ("duplicate_nik", m["joko"], h["original"]) in found
    assert _kinds_of(found, m["andi"]) == {"nik_unknown"}
    assert _kinds_of(found, m["andi_other"]) == set()
    # every finding names its evidence, never a NIK
    for row in found.values():
        assert row["evidence"]
        assert not any(nik(n) in str(row["details"]) for n in range(100))
    assert summary.found == {
        "died": 1, "identity_mismatch": 2, "nik_unknown": 3, "moved_out": 1,
        "kk_changed": 1, "birth": 1, "duplicate_nik": 2,
    }  # fmt: skip


async def test_reconciling_again_changes_nothing(database, tmp_path: Path) -> None:
    await _reconciled(tmp_path)
    before = await Finding.select(Finding.id, Finding.state, Finding.fingerprint).order_by(
        Finding.id
    )
    again = await matching.reconcile(ACTOR, REGENCY, TODAY)
    assert (again.new, again.gone) == (0, 0)
    after = await Finding.select(Finding.id, Finding.state, Finding.fingerprint).order_by(
        Finding.id
    )
    assert after == before


async def test_a_finding_the_civil_registry_no_longer_supports_is_gone(
    database, tmp_path: Path
) -> None:
    await _reconciled(tmp_path)
    rows = extract_rows()
    rows[0][7] = ""  # the newer extract: Muhammad Rizki is alive after all
    await import_extract(ACTOR, write_extract(tmp_path / "newer.csv", rows), today=TODAY)
    summary = await matching.reconcile(ACTOR, matching.Target(region=VILLAGE), TODAY)
    assert summary.gone == 1
    row = await Finding.select().where(Finding.kind == "died").first()
    assert row["state"] == "gone"


async def test_a_region_reconciles_only_its_households(database, tmp_path: Path) -> None:
    world = await build_register()
    rows = extract_rows()
    rows[-1][7] = "2026-05-05"  # the Ipuh member died
    await import_extract(ACTOR, write_extract(tmp_path / "e.csv", rows), today=TODAY)
    await matching.reconcile(ACTOR, matching.Target(region=VILLAGE), TODAY)
    assert not await Finding.exists().where(Finding.household_id == world.households["foreign"])
    await matching.reconcile(ACTOR, matching.Target(region="17.06.05"), TODAY)
    assert await Finding.exists().where(Finding.household_id == world.households["foreign"])


async def test_members_without_a_stored_name_key_get_the_same_findings(
    database, tmp_path: Path
) -> None:
    """Members written before household_member.name_key (key '') are checked in Python;
    the migration's backfill then stores their keys, and the findings do not change."""
    await _reconciled(tmp_path, name_keys=False)
    without = set(await _findings())
    assert without  # the world has findings of every kind
    backfill = civil_registry_2026_12_07t03_30_00_000000.backfill
    assert await backfill() == await HouseholdMember.count()
    for member in await HouseholdMember.select(HouseholdMember.name, HouseholdMember.name_key):
        assert member["name_key"] == name_key(member["name"])
    again = await matching.reconcile(ACTOR, REGENCY, TODAY)
    assert (again.new, again.gone) == (0, 0)
    assert set(await _findings()) == without


async def test_names_whose_keys_agree_never_leave_the_database(database, tmp_path: Path) -> None:
    """A spelling variant with the same key is decided in SQL: fewer candidate rows than
    when every member's key is missing, and the same findings."""
    await _reconciled(tmp_path, name_keys=False)
    unkeyed = await matching.reconcile(ACTOR, REGENCY, TODAY)
    await civil_registry_2026_12_07t03_30_00_000000.backfill()
    keyed = await matching.reconcile(ACTOR, REGENCY, TODAY)
    assert keyed.candidates < unkeyed.candidates
    assert keyed.found == unkeyed.found
