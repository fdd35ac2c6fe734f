"""contraband's settings, in one place: every command and service reads the same object.

Each setting comes from a command-line option where one is given, else from the environment
(`CONTRABAND_DATABASE_URL`, `CONTRABAND_POLICY_DIR`, `CONTRABAND_CACHE_DIR`,
`CONTRABAND_API_RATE_PER_SECOND`), else from the
default below. The default policy pack is bundled with the package, so every command works
from any working directory.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def bundled_pack() -> Path:
    """The default policy pack shipped inside the package."""
    return Path(str(resources.files("contraband").joinpath("packs/default")))


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "contraband"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONTRABAND_", extra="ignore", frozen=True)

    #: The ledger database: sqlite:///FILE (embedded) or postgresql+psycopg://... (production).
    database_url: str = "sqlite:///contraband.db"
    #: The policy pack directory.
    policy_dir: Path = Field(default_factory=bundled_pack)
    #: Where compiled term indexes are kept; empty (None) turns the cache off.
    cache_dir: Path | None = Field(default_factory=default_cache_dir)

    #: A category model file (`contraband category train`) the service screens with, if any.
    category_model: Path | None = None
    #: An item model file (`contraband item train`) the service screens with, if any.
    item_model: Path | None = None

    #: Requests a second each API token may make (bursts of twice that); over it: 429.
    api_rate_per_second: float = Field(default=200.0, gt=0)

    @field_validator("cache_dir", "category_model", "item_model", mode="before")
    @classmethod
    def _empty_means_off(cls, value: Any) -> Any:
        return None if value == "" else value


def settings(**overrides: Any) -> Settings:
    """The settings now (environment read afresh), with explicit values (e.g. command-line
    options) taking precedence; None overrides are ignored."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
