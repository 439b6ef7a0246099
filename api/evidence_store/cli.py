"""``verval media gc --dry-run``: objects in the store that no photo row references.

Photo bytes are written before their row (so nothing a phone sent is lost); a crash
between the two leaves an object no row points at. This lists them. It deletes
nothing: evidence is write-once (Object Lock on S3), and an orphan is harmless.
"""

from __future__ import annotations

import click

from api.cli_support import run_with_store
from api.visits.tables import Photo


async def unreferenced_objects(store, batch: int = 1000) -> list[str]:  # type: ignore[no-untyped-def]
    orphans: list[str] = []
    pending: list[str] = []

    async def flush() -> None:
        referenced: set[str] = set()
        for column in (Photo.storage_key, Photo.display_key, Photo.thumbnail_key):
            rows = await Photo.select(column).where(column.is_in(pending))
            referenced |= {row[column._meta.name] for row in rows}
        orphans.extend(key for key in pending if key not in referenced)
        pending.clear()

    # Thumbnails analysed since the in-row change have thumbnail_key IN_ROW_THUMBNAIL and
    # no object; older ones are still listed under derivatives/.
    for prefix in ("evidence/", "derivatives/"):
        async for key in store.list_keys(prefix):
            pending.append(key)
            if len(pending) >= batch:
                await flush()
    if pending:
        await flush()
    return sorted(orphans)


@click.group(help="The evidence object store.")
def media() -> None:
    pass


@media.command("gc", help="List stored objects that no photo references (deletes nothing).")
@click.option(
    "--dry-run",
    is_flag=True,
    required=True,
    help="Only list (the only mode: evidence is write-once).",
)
def gc(dry_run: bool) -> None:
    orphans = run_with_store(unreferenced_objects)
    for key in orphans:
        click.echo(key)
    click.echo(f"{len(orphans)} unreferenced objects (nothing deleted)", err=True)
