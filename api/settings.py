"""Configuration from ``VERVAL_*`` environment variables, validated once at start-up.

Nothing set means the embedded default: a SQLite file and a local media directory
under ``./var/``, and a signing secret generated once and kept in ``./var/`` so that
tokens survive restarts and are shared by every worker on the machine.
"""

from __future__ import annotations

import os
import secrets
import sys
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VERVAL_", extra="ignore", frozen=True)

    # Where the embedded default keeps its state (database, media, secret).
    var_dir: Path = Path("var")
    # sqlite:///path/to/file.sqlite3 or postgresql://user:pass@host:port/db
    database_url: str = ""
    database_pool_max: int = Field(default=10, ge=1, le=200)

    # Object store: a local directory unless an S3 endpoint is configured.
    media_dir: Path | None = None
    s3_endpoint: str | None = None  # host:port, no scheme
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    s3_secure: bool = True
    s3_region: str | None = None
    s3_evidence_bucket: str = "verval-evidence"
    s3_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    object_lock_retention_days: int = Field(default=3650, ge=1, le=36500)

    # HMAC key for tokens and signed local media URLs. Generated once into var/ if unset.
    secret_key: SecretStr | None = None
    jwt_issuer: str = "verval"
    jwt_audience: str = "verval-api"
    access_token_minutes: int = Field(default=15, ge=1, le=60)
    # How long this process trusts a session check (0: ask the database every request).
    session_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    public_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"

    # Photos are at most 10 MB; everything else the API takes is small JSON.
    max_photo_bytes: int = Field(default=10 * MB, ge=MB, le=100 * MB)
    max_json_bytes: int = Field(default=2 * MB, ge=64 * 1024, le=50 * MB)

    # Automatic quality checks (SPEC §6): thresholds behind the flags reviewers see.
    qc_gps_accuracy_m: float = Field(default=30.0, gt=0)
    qc_household_distance_m: float = Field(default=150.0, gt=0)
    qc_photo_distance_m: float = Field(default=100.0, gt=0)
    qc_photo_time_window_min: float = Field(default=10.0, ge=0)
    qc_min_visit_minutes: float = Field(default=3.0, ge=0)
    qc_max_speed_kmh: float = Field(default=80.0, gt=0)
    qc_same_spot_radius_m: float = Field(default=25.0, gt=0)
    qc_same_spot_households: int = Field(default=4, ge=2)
    qc_near_duplicate_bits: int = Field(default=6, ge=0, le=32)

    # Map tiles for the review screens ({z}/{x}/{y} template; empty: points without tiles).
    map_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_attribution: str = "© OpenStreetMap contributors"
    map_max_zoom: int = Field(default=19, ge=1, le=22)

    # Where photo analysis runs: "inline" (in the API process, after the photo's
    # transaction; the embedded default) or "queue" (jobs on PostgreSQL for `verval worker`
    # processes). Unset: inline on SQLite, queue on PostgreSQL.
    analysis_runner: Literal["inline", "queue"] | None = None

    # Built PWA to serve at "/".
    pwa_dist: Path = Path("pwa/dist")

    @field_validator("database_url")
    @classmethod
    def _known_database_scheme(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @field_validator("s3_endpoint")
    @classmethod
    def _endpoint_without_scheme(cls, value: str | None) -> str | None:
        if value and "://" in value:
            raise ValueError("give host:port without a scheme; use VERVAL_S3_SECURE for TLS")
        return value or None

    @model_validator(mode="after")
    def _s3_needs_keys(self) -> Settings:
        if self.s3_endpoint and not (self.s3_access_key and self.s3_secret_key):
            raise ValueError(
                "VERVAL_S3_ENDPOINT is set, so VERVAL_S3_ACCESS_KEY and "
                "VERVAL_S3_SECRET_KEY are required"
            )
        return self

    @model_validator(mode="after")
    def _queue_needs_postgres(self) -> Settings:
        if self.analysis_runner == "queue" and not self.is_postgres:
            raise ValueError(
                "VERVAL_ANALYSIS_RUNNER=queue needs PostgreSQL (VERVAL_DATABASE_URL); "
                "on SQLite analysis runs inline"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'verval.sqlite3'}"

    @property
    def is_postgres(self) -> bool:
        return self.effective_database_url.startswith(("postgresql://", "postgres://"))

    @property
    def effective_analysis_runner(self) -> Literal["inline", "queue"]:
        if self.analysis_runner is not None:
            return self.analysis_runner
        return "queue" if self.is_postgres else "inline"

    @property
    def effective_media_dir(self) -> Path:
        return self.media_dir or self.var_dir / "media"

    @property
    def spool_dir(self) -> Path:
        """Where photo uploads are spooled while they are checked (made at start-up)."""
        return self.var_dir / "tmp"

    @property
    def uses_s3(self) -> bool:
        return self.s3_endpoint is not None

    @cached_property
    def signing_key(self) -> bytes:
        """The configured secret, or the one kept in ``var/secret.key`` (created once, 0600)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        return load_or_create_secret(self.var_dir / "secret.key")


def load_or_create_secret(path: Path) -> bytes:
    """Read the persistent secret, creating it atomically if it doesn't exist.

    The secret is written to a private temporary file and hard-linked into place:
    the link fails if another worker got there first, so concurrent first starts
    agree on one secret and nobody ever reads a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
        finally:
            temporary.unlink(missing_ok=True)
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise RuntimeError(f"{path} holds a secret that is too short; delete it to regenerate")
    return secret.encode()


def describe_validation_error(error: ValidationError) -> str:
    lines = ["Invalid configuration:"]
    for problem in error.errors():
        location = [str(part) for part in problem.get("loc", ())]
        variable = "VERVAL_" + location[0].upper() if location else "VERVAL_* (combination)"
        lines.append(f"  {variable}: {problem['msg']}")
    return "\n".join(lines)


def load_settings() -> Settings:
    """Settings for a process that is starting: exit with a readable message when invalid."""
    try:
        return Settings()
    except ValidationError as error:
        print(describe_validation_error(error), file=sys.stderr)
        raise SystemExit(2) from None
