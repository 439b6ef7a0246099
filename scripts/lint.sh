#!/usr/bin/env bash
# Ruff and mypy over the Python packages; tsc over the PWA.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
if [ -f pwa/package.json ] && grep -q '"typecheck"' pwa/package.json; then
    (cd pwa && npm run --silent typecheck)
fi
