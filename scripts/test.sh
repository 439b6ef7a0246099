#!/usr/bin/env bash
# Runs every test: the PWA's (Vitest) and the server's (pytest on SQLite and PostgreSQL,
# the local store and a real SeaweedFS). Installs what is missing and starts PostgreSQL
# when it is installed but down. Arguments, if any, go to pytest alone (no Vitest):
#   make test ARGS="tests/api -x"   or   bash scripts/test.sh tests/api -x
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev

# PostgreSQL: the tests create (and drop) their own database on 127.0.0.1:5432.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    fi
fi

# The browser tests drive Debian's Chromium (never Playwright's own downloads).
command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)

if [ "$#" -gt 0 ]; then
    exec .venv/bin/pytest "$@"
fi
if [ -f pwa/package.json ]; then
    (cd pwa && npm test --silent)
fi
# Browser tests run in their own process: Playwright's sync driver keeps an event loop
# in the main thread, which the asyncio tests of the main suite cannot share.
.venv/bin/pytest tests/e2e
# The main suite in parallel processes (pytest-xdist), one per CPU up to 4, each with its
# own databases and SeaweedFS server: much of a test's time is spent waiting on servers,
# so two processes on two CPUs took ~10 minutes where one took ~17.
workers=$(nproc 2>/dev/null || echo 2)
[ "$workers" -gt 4 ] && workers=4
exec .venv/bin/pytest tests --ignore=tests/e2e -n "$workers"
