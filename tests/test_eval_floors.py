"""The shared dev gold scored through the CLI as a researcher would; a drop below the floors fails CI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app

FLOORS = Path(__file__).resolve().parent.parent / "gold" / "floors.json"


def test_shared_dev_gold_stays_above_the_pinned_floors(gold_dir: Path, tmp_path: Path) -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))["shared/gold/dev_events.jsonl"]
    db = str(tmp_path / "dev.db")
    runner = CliRunner()
    assert (
        runner.invoke(app, ["ingest", str(gold_dir / "dev_articles.jsonl"), "--db", db]).exit_code
        == 0
    )
    assert runner.invoke(app, ["extract", "--db", db]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "eval",
            str(gold_dir / "dev_events.jsonl"),
            "--db",
            db,
            "--json",
            "--min-event-f1",
            str(floors["event_f1"]),
            "--min-dyad-f1",
            str(floors["dyad_f1"]),
        ],
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["events"]["f1"] >= floors["event_f1"]
