"""Configuration: validated at start-up, and a secret that survives restarts."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from api.settings import Settings, load_or_create_secret, load_settings


def test_embedded_default_lives_under_var(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("VERVAL_"):
            monkeypatch.delenv(key)
    settings = Settings()
    assert settings.effective_database_url == "sqlite:///var/verval.sqlite3"
    assert settings.effective_media_dir == Path("var/media")
    assert not settings.uses_s3


def test_secret_is_generated_once_private_and_survives_restart(tmp_path):
    first = Settings(var_dir=tmp_path / "var").signing_key
    path = tmp_path / "var" / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(var_dir=tmp_path / "var").signing_key == first  # a "restart"
    assert len(first) >= 32


def test_concurrent_first_starts_agree_on_one_secret(tmp_path):
    path = tmp_path / "var" / "secret.key"
    with ThreadPoolExecutor(8) as pool:
        secrets = set(pool.map(lambda _: load_or_create_secret(path), range(16)))
    assert len(secrets) == 1


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("VERVAL_PORT", "not-a-port"),
        ("VERVAL_DATABASE_URL", "mysql://x"),
        ("VERVAL_S3_ENDPOINT", "https://s3.example.org"),
        ("VERVAL_LOG_LEVEL", "LOUD"),
    ],
)
def test_a_wrong_value_stops_the_process_naming_the_variable(monkeypatch, capsys, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit) as stopped:
        load_settings()
    assert stopped.value.code == 2
    assert variable in capsys.readouterr().err


def test_s3_endpoint_without_keys_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("VERVAL_S3_ENDPOINT", "127.0.0.1:8333")
    with pytest.raises(SystemExit):
        load_settings()
    assert "VERVAL_S3_ACCESS_KEY" in capsys.readouterr().err


def test_cli_refuses_to_start_with_bad_configuration(tmp_path):
    env = {**os.environ, "VERVAL_PORT": "99999", "VERVAL_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "VERVAL_PORT" in result.stderr
