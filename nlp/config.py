"""Settings: defaults in one frozen dataclass, environment on top, CLI flags last.

Built once by the CLI and passed down; no other module reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from nlp.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_models_dir() -> Path:
    """The folder of lexicons and patterns: ``models/`` in a checkout, the installed copy otherwise."""
    local = PROJECT_ROOT / "models"
    if local.is_dir():
        return local
    return Path(__file__).resolve().parent / "_models"


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know that is not its own input."""

    db_path: Path = Path("newstag.db")
    model: str | None = None
    feeds_path: Path = Path("feeds.yaml")
    models_dir: Path = default_models_dir()
    workers: int = 1
    gate: bool = True
    user_agent: str = "newstag/0.1 (+https://github.com/newstag/newstag; research crawler)"

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with the given non-None values replaced (CLI flags)."""
        given = {key: value for key, value in overrides.items() if value is not None}
        return replace(self, **given)  # type: ignore[arg-type]


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Defaults with ``NEWSTAG_DB``, ``NEWSTAG_MODEL``, ``NEWSTAG_FEEDS``, ``NEWSTAG_WORKERS`` applied."""
    env = os.environ if env is None else env
    settings = Settings()
    if env.get("NEWSTAG_DB"):
        settings = replace(settings, db_path=Path(env["NEWSTAG_DB"]))
    if env.get("NEWSTAG_MODEL"):
        settings = replace(settings, model=env["NEWSTAG_MODEL"])
    if env.get("NEWSTAG_FEEDS"):
        settings = replace(settings, feeds_path=Path(env["NEWSTAG_FEEDS"]))
    if env.get("NEWSTAG_WORKERS"):
        try:
            settings = replace(settings, workers=int(env["NEWSTAG_WORKERS"]))
        except ValueError as e:
            raise ConfigError(
                f"NEWSTAG_WORKERS must be a whole number, not {env['NEWSTAG_WORKERS']!r}"
            ) from e
    return settings
