"""Print the server's OpenAPI schema as JSON (for `npm run gen:api`).

Builds the Litestar app exactly as `verval serve` does, with a throwaway var dir so
nothing on disk is touched, and writes the schema to stdout with sorted keys so the
generated TypeScript is stable.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["VERVAL_VAR_DIR"] = tmp
        os.environ.setdefault("VERVAL_SECRET_KEY", "x" * 48)
        os.environ["VERVAL_PWA_DIST"] = str(Path(tmp) / "no-pwa")
        os.environ["VERVAL_LOG_LEVEL"] = "ERROR"
        from api.app import create_app

        app = create_app()
        schema = app.openapi_schema.to_schema()
    json.dump(schema, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
