"""End to end through the CLI: ingest → extract → export, on real SQLite files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from nlp.export import unneutralize
from nlp.records import ARTICLE_COLUMNS, EVENT_COLUMNS, MENTION_COLUMNS
from nlp.store import iter_events, iter_mentions, open_db

runner = CliRunner()


def invoke(*args: str, input: str | None = None):
    result = runner.invoke(app, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture(scope="module")
def extracted_db(tmp_path_factory, data_dir: Path) -> Path:
    """Our fixture articles ingested and extracted once for the module."""
    db = tmp_path_factory.mktemp("cli") / "news.db"
    first = invoke("ingest", str(data_dir / "articles.jsonl"), "--db", str(db))
    assert first.exit_code == 0, first.output
    assert "5 ingested" in first.stdout and "2 skipped" in first.stdout
    extracted = invoke("extract", "--db", str(db))
    assert extracted.exit_code == 0, extracted.output
    return db


def test_second_ingest_adds_nothing(extracted_db: Path, data_dir: Path) -> None:
    again = invoke("ingest", str(data_dir / "articles.jsonl"), "--db", str(extracted_db))
    assert again.exit_code == 0
    assert "0 ingested, 5 already stored" in again.stdout


def test_unreadable_records_are_reported_with_file_and_line(tmp_path: Path, data_dir: Path) -> None:
    result = invoke("ingest", str(data_dir / "articles.jsonl"), "--db", str(tmp_path / "x.db"))
    assert "articles.jsonl:5:" in result.stderr
    assert "articles.jsonl:7:" in result.stderr


def test_second_extract_does_no_work(extracted_db: Path) -> None:
    result = invoke("extract", "--db", str(extracted_db))
    assert result.stdout.startswith("0 articles extracted")


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _as_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.mark.parametrize(
    ("what", "columns", "stored"),
    [("events", EVENT_COLUMNS, iter_events), ("mentions", MENTION_COLUMNS, iter_mentions)],
)
def test_csv_export_reads_back_as_stored(
    extracted_db: Path, tmp_path: Path, what, columns, stored
) -> None:
    out = tmp_path / f"{what}.csv"
    result = invoke("export", what, "--db", str(extracted_db), "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    header, rows = _read_csv(out)
    assert header == columns
    expected = list(stored(open_db(extracted_db)))
    assert len(rows) == len(expected) > 0
    for row, want in zip(rows, expected, strict=True):
        assert {k: unneutralize(v) for k, v in row.items()} == {
            k: _as_cell(v) for k, v in want.items()
        }


def test_jsonl_export_has_the_event_columns(extracted_db: Path) -> None:
    result = invoke("export", "events", "--db", str(extracted_db), "--format", "jsonl")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines and all(list(line) == EVENT_COLUMNS for line in lines)


def test_formula_in_title_is_inert_unless_raw(extracted_db: Path, tmp_path: Path) -> None:
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    invoke("export", "articles", "--db", str(extracted_db), "-o", str(safe))
    invoke("export", "articles", "--db", str(extracted_db), "-o", str(raw), "--raw")
    header, rows = _read_csv(safe)
    assert header == ARTICLE_COLUMNS
    titles = {row["id"]: row["title"] for row in rows}
    assert titles["own-002"].startswith("'=HYPERLINK(")
    raw_titles = {row["id"]: row["title"] for row in _read_csv(raw)[1]}
    assert raw_titles["own-002"].startswith("=HYPERLINK(")


def test_export_filters_by_country(extracted_db: Path) -> None:
    result = invoke(
        "export", "events", "--db", str(extracted_db), "--format", "jsonl", "--country", "CHN"
    )
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events, "the graphite article has Chinese events"
    assert all("CHN" in (e["actor"], e["target"]) for e in events)


def test_show_and_stats_run(extracted_db: Path) -> None:
    shown = invoke("show", "own-001", "--db", str(extracted_db))
    assert shown.exit_code == 0 and "graphite" in shown.stdout
    missing = invoke("show", "no-such-id", "--db", str(extracted_db))
    assert missing.exit_code == 1 and "no article" in missing.stderr
    stats = invoke("stats", "--db", str(extracted_db))
    assert stats.exit_code == 0 and "articles" in stats.stdout


def test_tag_prints_events_without_a_database(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(
        "tag",
        "-",
        "--published",
        "2025-12-22",
        input="China imposed export controls on gallium in July.",
    )
    data = json.loads(result.stdout)
    assert any(m["code"] == "CHN" for m in data["mentions"])
    assert any(e["event_type"] == "EXPORT_CONTROL" and e["actor"] == "CHN" for e in data["events"])
    assert not list(tmp_path.iterdir()), "tag must not create a database"


def test_bad_date_is_a_clear_error() -> None:
    result = runner.invoke(app, ["tag", "text", "--published", "not-a-date"])
    assert result.exit_code == 2 and "not a date" in result.output
