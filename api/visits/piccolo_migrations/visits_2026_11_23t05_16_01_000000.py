"""The near-duplicate lookup index, and the bands of the photos already stored.

photo_hash_band (district, band_key): the 8 band keys of a new photo's hash, in its
district, as one index range each. Photos stored before this migration get their bands
here, computed from visit_photo.perceptual_hash (16 hex digits, 2 per band).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from api import db

ID = "2026-11-23T05:16:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "photo_hash_band lookup index and backfill"

INDEX = "CREATE INDEX IF NOT EXISTS photo_hash_band_lookup ON photo_hash_band (district, band_key)"
BACKFILL = """
INSERT INTO photo_hash_band (photo, district, band_key)
SELECT p.id, substr(v.region_code, 1, 8), '{band}:' || substr(p.perceptual_hash, {start}, 2)
FROM visit_photo p JOIN visit v ON v.id = p.visit
WHERE p.perceptual_hash IS NOT NULL AND p.stored_at IS NOT NULL
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="visits", description=DESCRIPTION)

    async def run():
        engine = db.current_engine()
        await engine.run_ddl(INDEX)
        for band in range(8):
            await engine.run_ddl(BACKFILL.format(band=band, start=2 * band + 1))

    manager.add_raw(run)
    return manager
