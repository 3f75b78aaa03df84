"""One settings object, read from ``RECOMMENDER_*`` environment variables.

Reach it through :func:`get_settings` (cached); tests replace it by clearing the cache
after changing the environment, or by passing a ``Settings`` explicitly.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Runtime configuration. Unsafe values are refused at start-up, not at first use."""

    model_config = SettingsConfigDict(env_prefix="RECOMMENDER_", extra="ignore")

    var_dir: Path = PROJECT_ROOT / "var"
    models_dir: Path = PROJECT_ROOT / "models"
    database_url: str = ""  # empty: SQLite file under var_dir
    # HMAC key for model manifests. Empty: read from signing_key_file, or from
    # var_dir/signing.key, created (mode 0600) on first use; versions are always signed.
    signing_key: str = Field(default="", repr=False)
    signing_key_file: Path | None = None
    max_batch: int = Field(default=1000, ge=1, le=10_000)
    max_body_bytes: int = Field(default=5_000_000, ge=1_000)
    rate_limit_per_minute: int = Field(default=600, ge=1)
    # cost of a request: profiles x programmes scored + rows explained + ineligible rows
    max_request_cost: int = Field(default=100_000, ge=1_000)  # one request, refused above
    cost_budget_per_minute: int = Field(default=1_000_000, ge=1_000)  # per key
    auth_failures_per_minute: int = Field(default=10, ge=1)  # per client address
    trusted_proxies: list[str] = Field(default_factory=list)  # IPs/CIDRs; none by default
    cors_origins: list[str] = Field(default_factory=list)
    log_level: str = "INFO"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    num_threads: int = Field(default=1, ge=0, le=64)  # LightGBM threads per process at serve time
    champion_poll_seconds: float = Field(default=2.0, gt=0)
    model_trial_timeout_seconds: float = Field(default=60.0, gt=0, le=3600)
    readiness_probe_seconds: float = Field(default=5.0, ge=0, le=3600)
    # promotion gate: refuse a candidate lowering a region's or size band's estimated
    # value of the top pick by more than this (grade points, 0-3 scale)
    gate_group_margin: float = Field(default=0.10, ge=0, le=3)
    # who answers for the model, named in every version's transparency record
    model_owner: str = "the support agency's programme analytics team"
    # a staff page sign-in (/staff) lasts this long, then the key must be typed again
    staff_session_hours: float = Field(default=8.0, gt=0, le=7 * 24)

    @field_validator("signing_key")
    @classmethod
    def _long_enough_key(cls, value: str) -> str:
        if value and len(value) < 16:
            raise ValueError("signing_key must be at least 16 characters (or empty: a key file)")
        return value

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard_cors(cls, value: list[str]) -> list[str]:
        if "*" in value:
            raise ValueError("cors_origins may not contain '*': name the partner origins")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"trusted_proxies: {item!r} is not an IP address or CIDR network"
                ) from None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError(f"log_level must be DEBUG, INFO, WARNING or ERROR, not {value!r}")
        return level

    @model_validator(mode="after")
    def _cap_within_budget(self) -> Settings:
        if self.max_request_cost > self.cost_budget_per_minute:
            raise ValueError(
                f"max_request_cost ({self.max_request_cost}) may not exceed "
                f"cost_budget_per_minute ({self.cost_budget_per_minute})"
            )
        return self

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL in force: the configured one or SQLite under ``var_dir``."""
        return self.database_url or f"sqlite:///{self.var_dir / 'recommender.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
