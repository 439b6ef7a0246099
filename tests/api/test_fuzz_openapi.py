"""Property-based fuzzing of the published OpenAPI (schemathesis) against a real server with
the demo loaded, as an enumerator and as a supervisor: no server error, and no response that
contradicts the schema (status codes, content types, bodies).

Operations that end the fuzzer's own session are left out (logout, password change, signing
devices out, deactivating users), or every later request would be a 401.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.demo import DEMO_PASSWORD

VERVAL = Path(sys.executable).parent / "verval"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SESSION_ENDING = [
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/me/password"),
    ("DELETE", "/api/v1/me/sessions/{session_id}"),
    ("DELETE", "/api/v1/users/{user_id}/sessions/{session_id}"),
    ("PATCH", "/api/v1/users/{user_id}"),
]
EXAMPLES_PER_OPERATION = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _login(url: str, username: str) -> str:
    request = urllib.request.Request(
        url + "/api/v1/auth/login",
        data=json.dumps({"username": username, "password": DEMO_PASSWORD}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.loads(response.read())["access_token"])


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    var_dir = tmp_path_factory.mktemp("verval-fuzz")
    env = {
        **os.environ,
        "VERVAL_VAR_DIR": str(var_dir),
        "VERVAL_PWA_DIST": str(var_dir / "no-pwa"),
        "VERVAL_LOG_LEVEL": "WARNING",
    }
    env.pop("VERVAL_DATABASE_URL", None)
    env.pop("VERVAL_S3_ENDPOINT", None)
    subprocess.run([VERVAL, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([VERVAL, "demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    log_path = var_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [VERVAL, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("verval serve did not start:\n" + log_path.read_text())
            time.sleep(0.2)
    try:
        yield {
            "url": url,
            "tokens": {
                role: _login(url, username)
                for role, username in (("enumerator", "enumerator"), ("supervisor", "supervisor"))
            },
            "log": log_path,
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def published_schema(fuzz_server: dict[str, Any]) -> Any:
    schema = schemathesis.openapi.from_url(fuzz_server["url"] + "/schema/openapi.json")
    for method, path in SESSION_ENDING:
        schema = schema.exclude(method=method, path=path)
    return schema


def _fuzz(published_schema: Any, fuzz_server: dict[str, Any], role: str) -> None:
    headers = {"Authorization": f"Bearer {fuzz_server['tokens'][role]}"}
    failures: list[str] = []
    operations = 0
    for result in published_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            case.call_and_validate(base_url=fuzz_server["url"], headers=headers, checks=CHECKS)

        try:
            run()
        except (
            Exception,
            ExceptionGroup,
        ) as failure:  # every operation is fuzzed; all failures are reported
            failures.append(f"{operation.label}: {str(failure)[:1500]}")
    assert operations > 40
    assert not failures, "\n\n".join(failures)


def test_fuzz_as_an_enumerator(published_schema: Any, fuzz_server: dict[str, Any]) -> None:
    _fuzz(published_schema, fuzz_server, "enumerator")


def test_fuzz_as_a_supervisor(published_schema: Any, fuzz_server: dict[str, Any]) -> None:
    _fuzz(published_schema, fuzz_server, "supervisor")
