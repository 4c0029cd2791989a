"""Shared fixtures: the real corpus (skipped when absent), databases on disk, the pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Our own fixtures in tests/data/."""
    return DATA


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared real-text corpus; tests that need it skip when it is absent."""
    path = SHARED / "corpus"
    if not path.is_dir():
        pytest.skip("../shared/corpus is absent")
    return path


@pytest.fixture(scope="session")
def gold_dir() -> Path:
    """The shared dev gold set; skipped when absent."""
    path = SHARED / "gold"
    if not path.is_dir():
        pytest.skip("../shared/gold is absent")
    return path


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The Angel One article the project started from (read in place, never copied)."""
    path = SHARED / "seed" / "angelone-rare-earth-2025-12-22.txt"
    if not path.is_file():
        pytest.skip("../shared/seed is absent")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A path for a fresh SQLite file."""
    return tmp_path / "test.db"


@pytest.fixture(scope="session")
def nlp():
    """The full newstag pipeline on the installed trained English model (loaded once)."""
    from nlp.pipeline.build import build_pipeline

    return build_pipeline()


@pytest.fixture(scope="session")
def blank_nlp():
    """The newstag components on a blank English pipeline (no trained model)."""
    from nlp.pipeline.build import build_pipeline

    return build_pipeline("blank:en")
