"""A run killed with SIGKILL and run again ends with the same database as an uninterrupted run."""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ARTICLE_FIELDS = "id, url, canonical_url, title, published, text, text_hash"


def newstag(*args: str) -> subprocess.Popen:
    """Start the real command in its own process, as a user would."""
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parent.parent,
    )


def count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute(sql).fetchone()[0]
    except sqlite3.Error:
        return 0


def kill_when(db: Path, sql: str, at_least: int, process: subprocess.Popen) -> bool:
    """SIGKILL ``process`` once ``sql`` counts ``at_least``; False if it finished first."""
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if count(db, sql) >= at_least:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.02)
    process.wait()
    return False


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(sql).fetchall(), key=repr)


@pytest.fixture(scope="module")
def reuters_slice(corpus_dir: Path, tmp_path_factory) -> Path:
    """The first 4,000 Reuters-21578 records, read from the shared corpus at run time."""
    path = tmp_path_factory.mktemp("slice") / "reuters.jsonl"
    with (
        (corpus_dir / "reuters21578.jsonl").open(encoding="utf-8") as src,
        path.open("w", encoding="utf-8") as dst,
    ):
        dst.writelines(itertools.islice(src, 4000))
    return path


def test_killed_ingest_resumes_to_the_same_database(reuters_slice: Path, tmp_path: Path) -> None:
    reference, killed = tmp_path / "reference.db", tmp_path / "killed.db"
    assert newstag("ingest", str(reuters_slice), "--db", str(reference)).wait() == 0
    was_killed = kill_when(
        killed,
        "select count(*) from articles",
        500,
        newstag("ingest", str(reuters_slice), "--db", str(killed)),
    )
    assert was_killed, "the ingest finished before it could be killed"
    assert count(killed, "select count(*) from articles") < count(
        reference, "select count(*) from articles"
    )
    assert newstag("ingest", str(reuters_slice), "--db", str(killed)).wait() == 0
    query = f"select {ARTICLE_FIELDS} from articles"
    assert rows(killed, query) == rows(reference, query)


def test_killed_extract_resumes_to_the_same_database(reuters_slice: Path, tmp_path: Path) -> None:
    reference, killed = tmp_path / "reference.db", tmp_path / "killed.db"
    for db in (reference, killed):
        assert newstag("ingest", str(reuters_slice), "--db", str(db)).wait() == 0
    limit = ("--limit", "300")
    assert newstag("extract", "--db", str(reference), *limit).wait() == 0
    process = newstag("extract", "--db", str(killed), *limit)
    assert kill_when(
        killed, "select count(*) from articles where extractor is not null", 1, process
    )
    done = count(killed, "select count(*) from articles where extractor is not null")
    assert 0 < done < 300
    assert newstag("extract", "--db", str(killed), "--limit", str(300 - done)).wait() == 0
    for query in (
        "select * from events",
        "select article_id, kind, text, start, end, code, value, unit, date_start, date_end, date_precision, iso_duration from mentions",
        "select id, extractor from articles",
    ):
        assert rows(killed, query) == rows(reference, query)
