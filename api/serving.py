"""Running the API in several worker processes, each with its own listening socket.

With one shared socket (uvicorn's ``--workers``) whichever process wakes first
accepts, and a busy process keeps winning: measured, one of two workers served
63-82 % of the requests, and each phone's keep-alive connection then stays there.
Here every worker binds the same address with ``SO_REUSEPORT``, so the kernel
hashes each new connection to one of the sockets: connections, and with them
requests, spread evenly (``bench/workers_spread.py`` measures the share).

The parent process only supervises: it restarts a worker that dies and stops them
all on SIGINT/SIGTERM.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import socket
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

APP = "api.app:create_app"
# Set by ``serve`` for the server processes it starts; the app's lifespan then tunes the
# garbage collector (``tune_gc``) once it has started.
SERVER_PROCESS_ENV = "VERVAL_SERVER_PROCESS"
# Young-generation threshold of a server process (CPython's default: 700). A request
# allocates thousands of short-lived containers; collecting every 700 of them traversed
# the survivors of requests still in flight over and over (~5 % of the API's CPU in a
# profile of #18). Most containers die by reference count before 50,000 accumulate.
GC_THRESHOLDS = (50_000, 20, 10)


def tune_gc() -> None:
    """In a server process, once the app has started: everything imported and built so far
    (modules, routes, the app, the pools) goes to the permanent generation, which the
    collector no longer traverses, and young collections become rarer. Idempotent."""
    if os.environ.get(SERVER_PROCESS_ENV) != "1":
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    workers: int
    reload: bool = False
    balance: str = "reuseport"  # "reuseport" | "shared" (uvicorn's own workers)


def _uvicorn_options() -> dict[str, Any]:
    from api.settings import load_settings

    return {
        "factory": True,
        "log_config": None,
        "access_log": False,
        "proxy_headers": True,
        # The same proxies the app trusts (api/request_guard.ForwardedClient).
        "forwarded_allow_ips": [str(n) for n in load_settings().trusted_proxy_networks],
        "timeout_graceful_shutdown": 10,
    }


def reuseport_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int) -> None:
    import uvicorn

    sock = reuseport_socket(host, port)
    config = uvicorn.Config(APP, **_uvicorn_options())
    uvicorn.Server(config).run(sockets=[sock])


def serve(options: ServeOptions) -> None:
    import uvicorn

    os.environ[SERVER_PROCESS_ENV] = "1"  # inherited by the worker processes

    reuseport = (
        options.balance == "reuseport"
        and options.workers > 1
        and not options.reload
        and hasattr(socket, "SO_REUSEPORT")
    )
    if not reuseport:
        uvicorn.run(
            APP,
            host=options.host,
            port=options.port,
            workers=options.workers,
            reload=options.reload,
            **_uvicorn_options(),
        )
        return
    _supervise(options)


def _supervise(options: ServeOptions) -> None:
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> BaseProcess:
        process = context.Process(target=_worker, args=(options.host, options.port), daemon=False)
        process.start()
        return process

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    processes = [start() for _ in range(options.workers)]
    started = [time.monotonic()] * len(processes)
    quick_deaths = 0
    try:
        while not stopping:
            time.sleep(0.5)
            for index, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    # A worker that dies at once (port taken, bad settings) would die again.
                    quick_deaths = quick_deaths + 1 if time.monotonic() - started[index] < 5 else 0
                    if quick_deaths > 2 * options.workers:
                        raise SystemExit("verval serve: workers keep failing at start-up")
                    processes[index] = start()  # a worker died: replace it
                    started[index] = time.monotonic()
    finally:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                process.terminate()
        for process in processes:
            process.join(timeout=15)
