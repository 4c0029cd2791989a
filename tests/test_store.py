"""The SQLite store on real files: schema, dedup, extraction writes, filters, crash safety."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from nlp import store
from nlp.errors import StoreError
from nlp.records import ARTICLE_COLUMNS, EVENT_COLUMNS, MENTION_COLUMNS, Event, Mention
from nlp.sources.articles import make_article
from nlp.store import (
    SCHEMA_VERSION,
    count_articles,
    finish_run,
    get_article,
    get_failed_fetch,
    get_feed_state,
    iter_article_rows,
    iter_articles,
    iter_events,
    iter_mentions,
    iter_runs,
    open_db,
    save_articles,
    save_extractions,
    save_failed_fetch,
    save_feed_state,
    start_run,
    stats,
    stored_urls,
)

PROJECT = Path(__file__).resolve().parent.parent


def read_corpus(corpus_dir: Path, n: int) -> list[dict]:
    """The first ``n`` Reuters records that have a body, read at run time."""
    records = []
    with open(corpus_dir / "reuters21578.jsonl", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if (record.get("body") or "").strip():
                records.append(record)
            if len(records) == n:
                break
    return records


def corpus_article(record: dict, **overrides):
    """An Article from a Reuters record, as the ingest path builds it."""
    fields = {"body": record["body"], "title": record.get("title"), "id": record["id"]}
    return make_article(**{**fields, **overrides})


@pytest.fixture
def db(db_path):
    return open_db(db_path)


@pytest.fixture
def corpus_records(corpus_dir):
    return read_corpus(corpus_dir, 12)


# --------------------------------------------------------------------------- schema


def test_open_db_creates_schema_in_wal_mode(db_path):
    db = open_db(db_path)
    assert db.journal_mode == "wal"
    assert store.schema_version(db) == SCHEMA_VERSION
    assert {"articles", "mentions", "events", "feeds", "runs", "schema"} <= set(db.table_names())
    assert db.table("articles").detect_fts() == "articles_fts"
    assert [c.name for c in db.table("events").columns] == EVENT_COLUMNS
    assert [c.name for c in db.table("mentions").columns] == ["id", *MENTION_COLUMNS]
    assert [c.name for c in db.table("articles").columns] == ARTICLE_COLUMNS
    indexed = {tuple(index.columns) for index in db.table("events").indexes}
    assert {("event_type",), ("actor",), ("target",), ("date_start",), ("article_id",)} <= indexed
    db.close()
    again = open_db(db_path)  # reopening is a no-op
    assert again.execute("SELECT COUNT(*) FROM schema").fetchone()[0] == SCHEMA_VERSION


def test_open_db_creates_parent_folder(tmp_path):
    open_db(tmp_path / "deep" / "er" / "news.db")
    assert (tmp_path / "deep" / "er" / "news.db").is_file()


@pytest.mark.parametrize(
    "content",
    [b"this is a plain text file, not a database\n" * 100, bytes(range(256)) * 20],
)
def test_non_database_file_is_a_store_error(tmp_path, content):
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="cannot open"):
        open_db(path)


def test_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError, match="not a newstag database"):
        open_db(path)


def test_newer_schema_is_refused(db_path):
    db = open_db(db_path)
    db.execute("INSERT INTO schema (version, applied_at) VALUES (?, 'later')", [SCHEMA_VERSION + 1])
    db.close()
    with pytest.raises(StoreError, match="upgrade newstag"):
        open_db(db_path)


def test_migration_steps_apply_in_order_and_keep_data(db_path, monkeypatch):
    db = open_db(db_path)
    save_articles(db, [make_article(body="Ottawa cut its lumber duty.", title="Lumber")])
    db.close()

    def add_region(db):
        db.table("articles").add_column("region", str)

    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS, add_region])
    db = open_db(db_path)
    assert store.schema_version(db) == SCHEMA_VERSION + 1
    assert "region" in db.table("articles").columns_dict
    assert db.table("articles").count == 1


def test_failing_migration_leaves_previous_version(db_path, monkeypatch):
    open_db(db_path).close()

    def broken(db):
        db.table("articles").add_column("region", str)
        raise sqlite3.OperationalError("simulated failure half-way")

    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS, broken])
    with pytest.raises(StoreError):
        open_db(db_path)
    monkeypatch.undo()
    db = open_db(db_path)
    assert store.schema_version(db) == SCHEMA_VERSION
    assert "region" not in db.table("articles").columns_dict


# --------------------------------------------------------------------------- articles


def test_corpus_articles_round_trip(db, corpus_records):
    articles = [corpus_article(r) for r in corpus_records]
    result = save_articles(db, articles)
    assert (result.added, result.duplicates) == (len(articles), 0)
    for article in articles:
        stored = get_article(db, article.id)
        assert stored is not None
        assert stored.text == article.text  # stored exactly, offsets stay valid
        assert stored.text_hash == article.text_hash
    assert get_article(db, "no such id") is None


def _variant(kind: str, record: dict):
    """A second copy of a corpus story that must be recognised as the same article."""
    base = corpus_article(record, url=f"https://news.example.org/story/{record['id']}")
    if kind == "same id":
        return base, corpus_article(record, body=record["body"] + "\nCorrection appended.")
    if kind == "same canonical url":
        other = corpus_article(
            record, id="other", body="Different words.", url=base.url + "?utm_source=x#top"
        )
        return base, other
    if kind == "same text, other whitespace and case":
        body = "  " + " ".join(record["body"].split()).upper()
        return base, corpus_article(record, id="copy", body=body, url=None)
    raise AssertionError(kind)


DUPLICATE_KINDS = ["same id", "same canonical url", "same text, other whitespace and case"]


@pytest.mark.parametrize("kind", DUPLICATE_KINDS)
def test_duplicates_across_batches_are_skipped_and_never_overwrite(db, corpus_records, kind):
    first, second = _variant(kind, corpus_records[0])
    assert save_articles(db, [first]).added == 1
    result = save_articles(db, [second])
    assert (result.added, result.duplicates) == (0, 1)
    assert db.table("articles").count == 1
    assert get_article(db, first.id).text == first.text


@pytest.mark.parametrize("kind", DUPLICATE_KINDS)
def test_duplicates_within_one_batch_are_skipped(db, corpus_records, kind):
    first, second = _variant(kind, corpus_records[1])
    result = save_articles(db, [first, second, corpus_article(corpus_records[2])])
    assert (result.added, result.duplicates) == (2, 1)
    assert [a.id for a in iter_articles(db)] == [first.id, str(corpus_records[2]["id"])]


def test_resaving_is_idempotent_and_fts_stays_in_sync(db, corpus_records):
    articles = [corpus_article(r) for r in corpus_records]
    save_articles(db, articles)
    assert save_articles(db, articles).added == 0
    fts_rows = db.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0]
    assert fts_rows == len(articles)
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def test_missing_dedup_keys_are_filled(db):
    bare = make_article(body="Seoul lifted its quota on beef.", url="HTTPS://Example.COM/a?gclid=1")
    bare = replace(bare, canonical_url=None, text_hash=None)
    save_articles(db, [bare])
    stored = get_article(db, bare.id)
    assert stored.canonical_url == "https://example.com/a"
    assert stored.text_hash
    assert get_article(db, "https://example.com/a?utm_medium=mail").id == bare.id
    assert stored_urls(db, ["https://example.com/a", "https://example.com/b"]) == {
        "https://example.com/a"
    }


def test_extraction_state_is_not_taken_from_saved_articles(db):
    article = replace(make_article(body="Canberra signed a pact."), extractor="someone else")
    save_articles(db, [article])
    assert count_articles(db, pending_for="newstag 9") == 1


# --------------------------------------------------------------------------- extraction writes


def quantity_mentions(article) -> list[Mention]:
    """Every number in the text as a quantity mention (a stand-in for the pipeline)."""
    import re

    return [
        Mention(article.id, "quantity", m.group(), m.start(), m.end(), value=float(len(m.group())))
        for m in re.finditer(r"\d[\d.,]*\d|\d", article.text)
    ]


def make_event(article_id: str, n: int, **fields) -> Event:
    values = dict(
        event_id=f"{article_id}-{n}", article_id=article_id, url=None, published=None,
        event_type="TARIFF", action="impose", actor="USA", actor_text="Washington",
        target="JPN", target_text="Tokyo", product=None, amount=None, amount_unit=None,
        amount_text=None, percent=None, percent_text=None, date_start=None, date_end=None,
        date_text=None, date_precision=None, negated=False, sentence="", sentence_start=n,
        sentence_end=n + 1, confidence=0.5, extractor="test 1",
    )  # fmt: skip
    values.update(fields)
    return Event(**values)


def test_save_extractions_replaces_and_is_idempotent(db, corpus_records):
    articles = [corpus_article(r) for r in corpus_records[:3]]
    save_articles(db, articles)
    first = [(a.id, "test 1", quantity_mentions(a), [make_event(a.id, 0)]) for a in articles]
    assert save_extractions(db, first) == 3
    assert save_extractions(db, first) == 3  # same again: same rows
    expected = sum(len(item[2]) for item in first)
    assert db.table("mentions").count == expected > 0
    assert db.table("events").count == 3

    target = articles[0]
    newer = [make_event(target.id, 5, event_type="SANCTION"), make_event(target.id, 7)]
    save_extractions(db, [(target.id, "test 2", [], newer)])
    rows = list(iter_events(db, article_id=target.id))
    assert [r["event_id"] for r in rows] == [f"{target.id}-5", f"{target.id}-7"]
    assert list(iter_mentions(db, article_id=target.id)) == []
    assert get_article(db, target.id).extractor == "test 2"
    assert get_article(db, target.id).extracted_at
    assert db.table("mentions").count == expected - len(first[0][2])
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    assert [r["id"] for r in iter_article_rows(db, query=articles[1].title)] == [articles[1].id]


def test_empty_strings_are_stored_as_missing(db):
    save_articles(db, [make_article(id="e", published="2025-12-22", body="Quotas were eased.")])
    event = make_event("e", 0, product="", date_start="", actor="", published="2025-12-22")
    mention = Mention("e", "date", "", 0, 0, code="", unit="")
    save_extractions(db, [("e", "test 1", [mention], [event])])
    (row,) = iter_events(db, since="2025-12-01")  # no date_start: the published date is used
    assert (row["product"], row["date_start"], row["actor"]) == (None, None, None)
    assert row["sentence"] == ""  # a required text column keeps its value
    (stored,) = iter_mentions(db)
    assert (stored["code"], stored["unit"], stored["text"]) == (None, None, "")


def test_extractions_for_unknown_articles_roll_back(db, corpus_records):
    article = corpus_article(corpus_records[0])
    save_articles(db, [article])
    batch = [
        (article.id, "test 1", quantity_mentions(article), [make_event(article.id, 0)]),
        ("never-stored", "test 1", [], [make_event("never-stored", 0)]),
    ]
    with pytest.raises(StoreError, match="never-stored"):
        save_extractions(db, batch)
    assert db.table("mentions").count == db.table("events").count == 0
    assert get_article(db, article.id).extractor is None


def test_pending_reextract_limit_and_ids(db, corpus_records):
    articles = [corpus_article(r) for r in corpus_records]
    save_articles(db, articles)
    done = articles[::3]
    save_extractions(db, [(a.id, "newstag 1", [], []) for a in done])
    pending = [a.id for a in articles if a not in done]
    assert [a.id for a in iter_articles(db, pending_for="newstag 1")] == pending
    assert count_articles(db, pending_for="newstag 1") == len(pending)
    assert count_articles(db, pending_for="newstag 2") == len(articles)
    assert count_articles(db, pending_for="newstag 1", reextract=True) == len(articles)
    assert len(list(iter_articles(db, pending_for="newstag 1", reextract=True))) == len(articles)
    assert [a.id for a in iter_articles(db, pending_for="newstag 1", limit=2)] == pending[:2]
    wanted = [articles[5].id, articles[1].id, "unknown"]
    assert [a.id for a in iter_articles(db, ids=wanted)] == [articles[1].id, articles[5].id]


def test_iter_articles_pages_while_the_caller_writes(db, corpus_records, monkeypatch):
    monkeypatch.setattr(store, "PAGE_SIZE", 3)
    save_articles(db, [corpus_article(r) for r in corpus_records])
    seen = []
    for article in iter_articles(db, pending_for="newstag 1"):
        seen.append(article.id)
        save_extractions(db, [(article.id, "newstag 1", quantity_mentions(article), [])])
    assert seen == [str(r["id"]) for r in corpus_records]
    assert count_articles(db, pending_for="newstag 1") == 0


# --------------------------------------------------------------------------- filters

# Our own short articles: (id, published, title, body).
FILTER_ARTICLES = [
    ("a1", "2025-11-03", "Tariff news", "Washington raised tariffs on Japanese cars to 25%."),
    ("a2", "2025-12-22", "Rare earths", "Beijing suspended rare-earth export controls for a year."),
    ("a3", "2026-01-15", "Talks", "Ottawa did not impose duties on Mexican steel."),
]
FILTER_EVENTS = [
    ("a1", dict(event_type="TARIFF", actor="USA", target="JPN", percent=25.0)),
    ("a2", dict(event_type="EXPORT_CONTROL", actor="CHN", target=None, date_start="2025-11-01")),
    ("a2", dict(event_type="TRADE_FLOW", actor="CHN", target="USA", amount=582.0)),
    ("a3", dict(event_type="TARIFF", actor="CAN", target="MEX", negated=True)),
]


@pytest.fixture
def filter_db(db):
    save_articles(
        db,
        [make_article(id=i, published=p, title=t, body=b) for i, p, t, b in FILTER_ARTICLES],
    )
    by_article: dict[str, list[Event]] = {}
    for n, (article_id, fields) in enumerate(FILTER_EVENTS):
        published = next(p for i, p, _, _ in FILTER_ARTICLES if i == article_id)
        event = make_event(article_id, n, published=published, **fields)
        by_article.setdefault(article_id, []).append(event)
    save_extractions(db, [(i, "test 1", [], events) for i, events in by_article.items()])
    return db


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, ["a1-0", "a2-1", "a2-2"]),
        ({"include_negated": True}, ["a1-0", "a2-1", "a2-2", "a3-3"]),
        ({"types": ["tariff"], "include_negated": True}, ["a1-0", "a3-3"]),
        ({"types": ["TRADE_FLOW", "EXPORT_CONTROL"]}, ["a2-1", "a2-2"]),
        ({"actor": "chn"}, ["a2-1", "a2-2"]),
        ({"target": "USA"}, ["a2-2"]),
        ({"country": "USA"}, ["a1-0", "a2-2"]),
        ({"country": "MEX"}, []),
        ({"since": "2025-12-01"}, ["a2-2"]),  # a2-1 is dated 2025-11-01 by its text
        ({"until": "2025-11"}, ["a1-0", "a2-1"]),  # a month bound covers the whole month
        ({"since": "2025-11-03", "until": "2025-11-03"}, ["a1-0"]),
        ({"query": "rare-earth"}, ["a2-1", "a2-2"]),
        ({"query": "tariff"}, ["a1-0"]),  # porter stemming: "tariffs" in the body
        ({"query": "japanese OR mexican", "include_negated": True}, ["a1-0", "a3-3"]),
        ({"article_id": "a2", "actor": "CHN", "target": "USA"}, ["a2-2"]),
    ],
)
def test_iter_events_filters(filter_db, options, expected):
    assert [row["event_id"] for row in iter_events(filter_db, **options)] == expected


def test_iter_events_row_shape_and_types(filter_db):
    rows = list(iter_events(filter_db, include_negated=True))
    assert all(list(row) == EVENT_COLUMNS for row in rows)
    negated = {row["event_id"]: row["negated"] for row in rows}
    assert negated == {"a1-0": False, "a2-1": False, "a2-2": False, "a3-3": True}
    assert all(isinstance(value, bool) for value in negated.values())
    first = rows[0]
    assert isinstance(first["percent"], float) and first["percent"] == 25.0
    assert first["amount"] is None
    assert isinstance(first["sentence_start"], int)


def test_iter_mentions_filters(filter_db):
    mentions = [
        Mention("a1", "country", "Washington", 0, 10, code="USA"),
        Mention("a1", "quantity", "25%", 47, 50, value=25.0, unit="%"),
        Mention("a3", "country", "Ottawa", 0, 6, code="CAN"),
    ]
    save_extractions(
        filter_db, [("a1", "test 1", mentions[:2], []), ("a3", "test 1", mentions[2:], [])]
    )
    assert [list(row) for row in iter_mentions(filter_db)] == [MENTION_COLUMNS] * 3
    assert [m["text"] for m in iter_mentions(filter_db, kinds=["country"])] == [
        "Washington",
        "Ottawa",
    ]
    assert [m["text"] for m in iter_mentions(filter_db, country="can")] == ["Ottawa"]
    assert [m["value"] for m in iter_mentions(filter_db, kinds=["quantity"])] == [25.0]
    assert [m["text"] for m in iter_mentions(filter_db, since="2026")] == ["Ottawa"]
    assert [m["text"] for m in iter_mentions(filter_db, query="steel")] == ["Ottawa"]


def test_iter_article_rows_filters(filter_db):
    rows = list(iter_article_rows(filter_db))
    assert [list(row) for row in rows] == [ARTICLE_COLUMNS] * 3
    assert [r["id"] for r in iter_article_rows(filter_db, until="2025-12")] == ["a1", "a2"]
    assert [r["id"] for r in iter_article_rows(filter_db, query="talks")] == ["a3"]
    assert [r["id"] for r in iter_article_rows(filter_db, query='"export controls"')] == ["a2"]


def test_fts_query_on_real_text(db, corpus_records):
    save_articles(db, [corpus_article(r) for r in corpus_records])
    record = corpus_records[0]
    word = max(record["body"].split(), key=len).strip(".,()\"'")
    ids = [row["id"] for row in iter_article_rows(db, query=word)]
    assert str(record["id"]) in ids
    assert len(ids) < len(corpus_records)


# --------------------------------------------------------------------------- runs, feeds, stats


def test_runs_are_recorded_newest_first(db):
    first = start_run(db, "ingest", args={"paths": ["a.jsonl"]})
    second = start_run(db, "extract")
    finish_run(db, first, counts={"added": 3, "skipped": 1}, errors=1)
    runs = list(iter_runs(db))
    assert [r["id"] for r in runs] == [second, first]
    assert runs[0]["status"] == "running" and runs[0]["finished"] is None
    assert runs[1]["counts"] == {"added": 3, "skipped": 1}
    assert runs[1]["args"] == {"paths": ["a.jsonl"]}
    assert (runs[1]["status"], runs[1]["errors"]) == ("ok", 1)
    assert len(list(iter_runs(db, limit=1))) == 1


def test_feed_state_updates_only_given_fields(db):
    url = "https://feeds.example.org/trade.xml"
    assert get_feed_state(db, url) is None
    save_feed_state(db, url, name="Trade", etag='"abc"', last_status="200")
    save_feed_state(db, url, last_status="304")
    state = get_feed_state(db, url)
    assert (state["name"], state["etag"], state["last_status"]) == ("Trade", '"abc"', "304")
    with pytest.raises(StoreError, match="unknown feed fields"):
        save_feed_state(db, url, colour="blue")


def test_failed_fetch_is_not_an_article_and_clears_on_success(db):
    url = "https://news.example.org/story?id=7&utm_campaign=x"
    save_failed_fetch(db, url, feed="Trade", error="timed out", status="timeout")
    save_failed_fetch(db, url, feed="Trade", error="HTTP 503", status="503")
    failure = get_failed_fetch(db, url)
    assert (failure["attempts"], failure["status"]) == (2, "503")
    assert count_articles(db, pending_for="newstag 1") == 0
    assert list(iter_articles(db)) == []
    save_articles(db, [make_article(body="Brasilia eased quotas.", url=url)])
    assert get_failed_fetch(db, url) is None


def test_stats_counts(filter_db):
    run = start_run(filter_db, "extract")
    finish_run(filter_db, run, counts={"events": 4}, errors=0)
    result = stats(filter_db)
    assert (result["articles"], result["extracted"], result["events"]) == (3, 3, 4)
    assert result["by_type"] == [("TARIFF", 2), ("EXPORT_CONTROL", 1), ("TRADE_FLOW", 1)]
    assert result["by_actor"][0] == ("CHN", 2)
    assert result["by_month"] == [("2025-11", 2), ("2025-12", 1), ("2026-01", 1)]
    assert result["runs"][0]["command"] == "extract"


# --------------------------------------------------------------------------- crash safety

# A child process that ingests and extracts corpus articles in small batches, and kills itself
# with SIGKILL at the n-th execution of a chosen statement (inside an open transaction).
CHILD = """
import json, os, re, signal, sys
from nlp.records import Event, Mention
from nlp.sources.articles import make_article
from nlp.store import iter_articles, open_db, save_articles, save_extractions

db_path, corpus, prefix, kill_at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
db = open_db(db_path)
seen = 0
def trace(sql):
    global seen
    if sql.startswith(prefix):
        seen += 1
        if seen == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
db.conn.set_trace_callback(trace)
records = [json.loads(line) for line in open(corpus, encoding="utf-8")]
articles = [make_article(body=r["body"], title=r["title"], id=r["id"]) for r in records]
for start in range(0, len(articles), 7):
    save_articles(db, articles[start:start + 7])
batch = []
for article in iter_articles(db, pending_for="child 1"):
    found = list(re.finditer(r"[0-9][0-9.,]*", article.text))
    mentions = [Mention(article.id, "quantity", m.group(), m.start(), m.end()) for m in found]
    events = [
        Event(f"{article.id}-{m.start()}", article.id, None, None, "TRADE_FLOW", "report",
              None, None, None, None, None, float(len(m.group())), None, m.group(), None, None,
              None, None, None, None, False, article.text[m.start():m.end()], m.start(), m.end(),
              0.5, "child 1")
        for m in found[:4]
    ]
    batch.append((article.id, "child 1", mentions, events))
    if len(batch) == 5:
        save_extractions(db, batch)
        batch = []
save_extractions(db, batch)
"""


def run_child(db_path: Path, corpus: Path, prefix: str = "-", kill_at: int = 0) -> int:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    args = [sys.executable, "-c", CHILD, str(db_path), str(corpus), prefix, str(kill_at)]
    return subprocess.run(args, env=env, timeout=120, check=False).returncode


def snapshot(db_path: Path) -> dict[str, list]:
    """Everything stored, minus clock times and surrogate row ids."""
    db = open_db(db_path)
    volatile = {"fetched_at", "extracted_at", "id"}
    mention_cols = [c for c in MENTION_COLUMNS if c not in volatile]
    return {
        "articles": sorted(
            tuple(v for k, v in row.items() if k not in {"fetched_at", "extracted_at"})
            for row in iter_article_rows(db)
        ),
        "mentions": sorted(tuple(row[c] for c in mention_cols) for row in iter_mentions(db)),
        "events": sorted(tuple(row.values()) for row in iter_events(db, include_negated=True)),
    }


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory, corpus_dir):
    """A few corpus records in a file, and the snapshot of an uninterrupted run over them."""
    folder = tmp_path_factory.mktemp("crash")
    corpus = folder / "few.jsonl"
    records = read_corpus(corpus_dir, 24)
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert run_child(folder / "clean.db", corpus) == 0
    return corpus, snapshot(folder / "clean.db")


def assert_no_half_extraction(db_path: Path) -> None:
    """Mentions and events exist exactly for the articles marked as extracted."""
    db = open_db(db_path)
    marked = {a.id for a in iter_articles(db) if a.extractor}
    assert {m["article_id"] for m in iter_mentions(db)} <= marked
    assert {e["article_id"] for e in iter_events(db, include_negated=True)} <= marked
    assert count_articles(db, pending_for="child 1") == db.table("articles").count - len(marked)


@pytest.mark.parametrize(
    ("prefix", "kill_at"),
    [
        ("INSERT OR IGNORE INTO articles", 10),  # in the middle of the second ingest batch
        ("INSERT INTO mentions", 60),  # after the deletes, before the events and the mark
        ("INSERT OR REPLACE INTO events", 30),  # a later batch, events half written
        ("UPDATE articles SET extractor", 3),  # events written, marks half set
    ],
)
def test_sigkill_then_rerun_ends_in_the_same_database(tmp_path, clean_run, prefix, kill_at):
    corpus, clean = clean_run
    killed = tmp_path / "killed.db"
    assert run_child(killed, corpus, prefix, kill_at) == -signal.SIGKILL
    assert snapshot(killed) != clean  # the kill did land mid-way
    assert_no_half_extraction(killed)
    assert run_child(killed, corpus) == 0
    assert snapshot(killed) == clean
