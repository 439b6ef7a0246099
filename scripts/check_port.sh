#!/usr/bin/env bash
# Exits 1 with advice when HOST:PORT is already taken (checked before make run sets anything up).
set -euo pipefail
host="$1"
port="$2"
if ! python3 - "$host" "$port" <<'PY'
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
    try:
        probe.bind((host, port))
    except OSError:
        sys.exit(1)
PY
then
    echo "Port $port on $host is already in use (another Verval, or another program)." >&2
    echo "Choose another port: VERVAL_PORT=8001 make run" >&2
    exit 1
fi
