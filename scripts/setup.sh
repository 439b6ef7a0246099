#!/usr/bin/env bash
# Creates .venv and installs Verval into it (with the test tools when given "dev"),
# then installs the PWA's npm packages. Safe to run again: it only does what's missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
    .venv/bin/pip install --quiet --upgrade pip
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${1:-runtime}"
if [ ! -f "$stamp" ]; then
    if [ "${1:-}" = "dev" ]; then
        .venv/bin/pip install --quiet -e '.[dev]'
    else
        .venv/bin/pip install --quiet -e .
    fi
    touch "$stamp"
fi

if [ -f pwa/package.json ]; then
    lock_stamp="pwa/node_modules/.installed-$(sha256sum pwa/package-lock.json | cut -c1-16)"
    if [ ! -f "$lock_stamp" ]; then
        (cd pwa && npm ci --no-audit --no-fund --loglevel=error)
        touch "$lock_stamp"
    fi
fi
