"""match_digest (PostgreSQL only): a 64-bit hash over what the reconciliation compares
(NIK, name key, birth date, No. KK), the same formula on both sides, so that the members
with nothing to report are found by a narrow merge anti join of two index-only scans on
(nik, match_digest) instead of hashing the persons with their compared columns.

Kept by triggers, so every writer keeps it (register import, proposals, visits, any SQL,
COPY; extract import, events): a member's digest takes its household's No. KK, and a
household's No. KK change re-digests its members. NULL where an agreement could not be
decided from equal values (a member without a name key; a person without a name, dead or
moved out): such rows always meet the full comparison. SQLite has no digest: its path
never reads one.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from api import db

ID = "2026-12-07T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "match_digest on household_member and civil_registry_person (PostgreSQL)"

# Days since 1900 rather than a formatted date: independent of DateStyle, so IMMUTABLE.
DIGEST_FUNCTION = """
CREATE OR REPLACE FUNCTION verval_match_digest(nik text, name_key text, birth date, kk text)
RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN name_key = '' THEN NULL ELSE hashtextextended(
        nik || '|' || name_key || '|' || coalesce((birth - DATE '1900-01-01')::text, '')
        || '|' || coalesce(kk, ''), 0) END
$$"""
PERSON_TRIGGER = (
    """
CREATE OR REPLACE FUNCTION verval_person_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.match_digest := CASE
        WHEN NEW.name = '' OR NEW.death_date IS NOT NULL OR NEW.moved_out_on IS NOT NULL
        THEN NULL
        ELSE verval_match_digest(NEW.nik, NEW.name_key, NEW.birth_date, NEW.kk_number) END;
    RETURN NEW;
END $$""",
    """CREATE TRIGGER civil_registry_person_digest BEFORE INSERT OR UPDATE ON civil_registry_person
    FOR EACH ROW EXECUTE FUNCTION verval_person_digest()""",
)
MEMBER_TRIGGER = (
    """
CREATE OR REPLACE FUNCTION verval_member_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.match_digest := verval_match_digest(NEW.nik, NEW.name_key, NEW.birth_date,
        (SELECT kk_number FROM household WHERE id = NEW.household));
    RETURN NEW;
END $$""",
    """CREATE TRIGGER household_member_digest
    BEFORE INSERT OR UPDATE OF nik, name_key, birth_date, household ON household_member
    FOR EACH ROW EXECUTE FUNCTION verval_member_digest()""",
    """CREATE OR REPLACE FUNCTION verval_household_kk_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE household_member
        SET match_digest = verval_match_digest(nik, name_key, birth_date, NEW.kk_number)
        WHERE household = NEW.id;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER household_kk_digest AFTER UPDATE OF kk_number ON household
    FOR EACH ROW WHEN (OLD.kk_number IS DISTINCT FROM NEW.kk_number)
    EXECUTE FUNCTION verval_household_kk_digest()""",
)
BACKFILL = (
    """UPDATE household_member m SET match_digest =
    verval_match_digest(m.nik, m.name_key, m.birth_date, h.kk_number)
    FROM household h WHERE h.id = m.household""",
    "UPDATE civil_registry_person SET nik = nik",  # the trigger computes it
)
# Ordered by NIK with the digest (and the member id) inside: the merge anti join reads
# both without touching a table row.
INDEXES = (
    "CREATE INDEX household_member_nik_digest ON household_member (nik) "
    "INCLUDE (match_digest, id)",
    "CREATE INDEX civil_registry_person_nik_digest ON civil_registry_person (nik) "
    "INCLUDE (match_digest)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="civil_registry", description=DESCRIPTION)

    async def run():
        if not db.is_postgres():
            return
        engine = db.current_engine()
        await engine.run_ddl("ALTER TABLE household_member ADD COLUMN match_digest BIGINT")
        await engine.run_ddl("ALTER TABLE civil_registry_person ADD COLUMN match_digest BIGINT")
        for statement in (DIGEST_FUNCTION, *PERSON_TRIGGER, *MEMBER_TRIGGER, *BACKFILL, *INDEXES):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
