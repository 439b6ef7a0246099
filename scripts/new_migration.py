"""Generate a Piccolo auto-migration for one app: ``.venv/bin/python scripts/new_migration.py APP "what changed"``.

Piccolo's own CLI needs an engine to import its configuration; this binds a scratch
SQLite engine (nothing is connected) so the migration is computed from the tables alone.
"""

import asyncio
import sys
import tempfile
from pathlib import Path

from api import db

db.bind_engine(
    db.make_engine(f"sqlite:///{Path(tempfile.mkdtemp()) / 'scratch.sqlite3'}"), tables=[]
)

from piccolo.apps.migrations.commands.new import new  # noqa: E402

asyncio.run(new(app_name=sys.argv[1], auto=True, desc=sys.argv[2] if len(sys.argv) > 2 else ""))
