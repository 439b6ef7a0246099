"""Run ``verval serve`` under cProfile (event-loop thread); stats go to the file in argv[1].

Used by ``VERVAL_BENCH_PROFILE=<file>`` in bench/fieldstack.py. uvicorn re-raises the
SIGTERM it caught after its graceful shutdown; a Python handler turns that into
SystemExit so the stats are written.
"""

import cProfile
import signal
import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

from api.cli import main  # noqa: E402

out = sys.argv.pop(1)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
profiler = cProfile.Profile()
profiler.enable()
try:
    main()
finally:
    profiler.disable()
    profiler.dump_stats(out)
