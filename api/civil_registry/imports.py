"""Extract uploads: a job row the admin screen polls while the import runs on.

The upload is spooled to disk first (never held in memory); the import then runs after
the answer (a background task) and writes its progress to the job row every batch: the
bytes (CSV) or rows (XLSX) read, and the counts so far (rows, imported, bad rows) in
``summary``, which the finished import replaces with its full summary (the first bad
rows by number and reason; never a NIK).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from anyio import to_thread

from api.audit.service import Actor
from api.civil_registry.importer import MissingColumns, file_sha256, import_extract
from api.civil_registry.schemas import ImportJobOut
from api.civil_registry.tables import ImportJob
from api.errors import NotFound
from api.registry.baseline.readers import UnreadableFile

log = logging.getLogger(__name__)


def _out(row: dict[str, Any]) -> ImportJobOut:
    return ImportJobOut(
        id=row["id"],
        file_name=row["file_name"],
        state=row["state"],
        progress=row["progress"],
        total=row["total"],
        unit=row["unit"],
        summary=row["summary"] or {},
        created_at=row["created_at"],
        finished_at=row["finished_at"],
    )


async def get_job(job_id: int) -> ImportJobOut:
    row = await ImportJob.select().where(ImportJob.id == job_id).output(load_json=True).first()
    if row is None:
        raise NotFound("No such import.", code="import_not_found")
    return _out(row)


LATEST = 20


async def latest_jobs(limit: int = LATEST) -> list[ImportJobOut]:
    """The latest uploads, newest first (the admin screen's list)."""
    rows = (
        await ImportJob.select()
        .order_by(ImportJob.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return [_out(row) for row in rows]


async def create_job(actor: Actor, path: Path, file_name: str) -> ImportJobOut:
    digest, size = await to_thread.run_sync(lambda: (file_sha256(path), path.stat().st_size))
    rows = await ImportJob.insert(
        ImportJob(
            file_name=file_name,
            file_sha256=digest,
            total=size,
            created_by=actor.ref,
        )
    ).returning(ImportJob.id)
    return await get_job(rows[0]["id"])


async def run_job(actor: Actor, job_id: int, path: Path) -> None:
    async def progress(done: int, total: int | None, unit: str, counts: dict[str, int]) -> None:
        await ImportJob.update(
            {
                ImportJob.progress: done,
                ImportJob.total: total,
                ImportJob.unit: unit,
                ImportJob.summary: counts,
            }
        ).where(ImportJob.id == job_id)

    job = await get_job(job_id)
    state, summary = "done", {}
    try:
        result = await import_extract(actor, path, on_progress=progress, file_name=job.file_name)
        summary = result.as_dict()
    except (UnreadableFile, MissingColumns) as error:
        state, summary = "failed", {"error": str(error)}
    except Exception:
        log.exception("civil-registry import %s failed", job_id)
        state, summary = "failed", {"error": "The import failed; see the server log."}
    finally:
        await to_thread.run_sync(lambda: path.unlink(missing_ok=True))
    await ImportJob.update(
        {
            ImportJob.state: state,
            ImportJob.summary: summary,
            ImportJob.finished_at: datetime.now(UTC),
        }
    ).where(ImportJob.id == job_id)
