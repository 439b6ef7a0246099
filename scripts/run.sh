#!/usr/bin/env bash
# Runs Verval on the embedded default (SQLite + local media under ./var) with the demo loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
# A busy port is found first, before minutes of set-up, and said in words.
bash scripts/check_port.sh "${VERVAL_HOST:-127.0.0.1}" "${VERVAL_PORT:-8000}"
bash scripts/setup.sh runtime
if [ -f pwa/package.json ] && grep -q '"build"' pwa/package.json; then
    (cd pwa && npm run --silent build)
fi
.venv/bin/verval migrate
.venv/bin/verval demo
exec .venv/bin/verval serve "$@"
