"""The extraction gate: it keeps every article that could hold an event, and extraction with it
stores exactly the events a run without it stores."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path

import pytest

from nlp.extract import extract_articles
from nlp.gate import ArticleGate, RulesOnly, rules_pipeline
from nlp.pipeline.build import build_pipeline
from nlp.pipeline.mentions import doc_mentions
from nlp.pipeline.process import prepare_doc
from nlp.sources.articles import make_article
from nlp.store import open_db, save_articles

# Our own sentences: (text, whether an event is possible: a trigger and a coded name).
OWN_TEXTS = [
    ("The United States imposed new tariffs on Canadian steel on Tuesday.", True),
    ("Japan and the United States held trade\ntalks in Tokyo last week.", True),
    ("The European Union opened an anti-dumping\ninvestigation into bicycles from China.", True),
    ("China said it would cut import duties on soybeans from Brazil next month.", True),
    ("Canada's trade surplus with the United States widened in March.", True),
    ("The company reported 12 pct higher profits on Monday and raised its dividend.", False),
    ("Shares of the bank rose 3 pct after the talks with its creditors ended.", False),
    ("Brazil's coffee harvest was hit by an early frost, growers said.", False),
    ("Heavy rain delayed the cocoa harvest in Ghana this week.", False),
]
REUTERS_STORIES = 200


@pytest.fixture(scope="module")
def gate(nlp) -> ArticleGate:
    return ArticleGate(nlp)


@pytest.mark.parametrize(("text", "possible"), OWN_TEXTS)
def test_gate_keeps_trigger_with_name_and_drops_the_rest(gate, text, possible):
    assert gate.admits_text(text) is possible


def test_line_break_inside_a_phrase_still_counts(gate):
    """Neither "state" nor "aid" is a trigger alone; "state aid" is, even across a line break."""
    assert gate.has_trigger(gate.make_doc("Brussels cleared the state\naid for the shipyard."))
    assert not gate.has_trigger(gate.make_doc("The state of the\naid budget was unclear."))


def test_gate_is_off_without_the_components_it_reads():
    bare = build_pipeline("blank:en", components=("newstag_countries",))
    gate = ArticleGate(bare)
    assert not gate.active
    assert gate.admits_text("Nothing here about trade policy at all.")


def mention_rows(doc) -> list[tuple]:
    return sorted(
        (m.kind, m.start, m.end, m.code, m.value, m.unit, m.date_start, m.date_end)
        for m in doc_mentions(doc, "a")
    )


@pytest.fixture(scope="module")
def blank(nlp):
    return rules_pipeline(nlp)


@pytest.mark.parametrize("text", [text for text, _ in OWN_TEXTS])
def test_rules_only_path_gives_the_blank_pipelines_mentions(nlp, blank, text):
    """The gated-out path reuses the loaded components; it must read like a blank pipeline."""
    expected = mention_rows(blank(prepare_doc(blank, text, "2024-05-02")))
    assert expected, "each of our texts names a country, a quantity or a date"
    got = RulesOnly(nlp)(prepare_doc(nlp, text, "2024-05-02"))
    assert mention_rows(got) == expected
    assert not got.has_annotation("DEP")


def reuters_articles(corpus_dir: Path, n: int) -> list:
    """The first ``n`` Reuters-21578 stories with a body, as articles (read at run time)."""
    articles = []
    with (corpus_dir / "reuters21578.jsonl").open(encoding="utf-8") as src:
        for line in itertools.islice(src, n * 2):
            record = json.loads(line)
            if (record.get("body") or "").strip() and len(articles) < n:
                articles.append(
                    make_article(
                        body=record["body"], title=record.get("title"), id=str(record["id"])
                    )
                )
    return articles


def own_articles() -> list:
    return [
        make_article(body=text, title=None, id=f"own-{i}", published="2024-05-02")
        for i, (text, _) in enumerate(OWN_TEXTS)
    ]


def extracted(db_path: Path, nlp, articles: list, *, gate: bool, workers: int = 1) -> list:
    """Extract ``articles`` into a fresh database; its events, every column."""
    db = open_db(db_path)
    save_articles(db, articles)
    summary = extract_articles(db, nlp, gate=gate, workers=workers, write_every=16)
    assert summary.articles == db["articles"].count  # Reuters repeats a few stories
    with sqlite3.connect(db_path) as conn:
        events = conn.execute("SELECT * FROM events ORDER BY event_id").fetchall()
        pending = conn.execute("SELECT COUNT(*) FROM articles WHERE extractor IS NULL").fetchone()
    assert pending[0] == 0
    return events


@pytest.fixture(scope="module")
def both_runs(nlp, corpus_dir, tmp_path_factory):
    articles = own_articles() + reuters_articles(corpus_dir, REUTERS_STORIES)
    folder = tmp_path_factory.mktemp("gate")
    full = extracted(folder / "full.db", nlp, articles, gate=False)
    gated = extracted(folder / "gate.db", nlp, articles, gate=True, workers=2)
    return articles, full, gated, folder


def test_gate_and_full_extraction_store_identical_events(both_runs):
    _, full_events, gate_events, _ = both_runs
    assert full_events, "the sample should hold events, or the comparison proves nothing"
    assert gate_events == full_events


def test_gate_keeps_every_article_with_an_event(both_runs, gate):
    articles, full_events, _, _ = both_runs
    by_id = {a.id: a for a in articles}
    with_events = {event[1] for event in full_events}
    assert {"own-0", "own-2"} <= with_events
    assert all(gate.admits_text(by_id[i].text) for i in with_events)


def test_gated_out_articles_still_get_mentions(both_runs, gate):
    articles, _, _, folder = both_runs
    turned_away = [a.id for a in articles if not gate.admits_text(a.text)]
    assert len(turned_away) > len(articles) // 3, "Reuters is mostly not about trade policy"
    with sqlite3.connect(folder / "gate.db") as conn:
        marks = ",".join("?" * len(turned_away))
        sql = f"SELECT COUNT(DISTINCT article_id) FROM mentions WHERE article_id IN ({marks})"
        with_mentions = conn.execute(sql, turned_away).fetchone()[0]
    assert with_mentions > len(turned_away) // 2
