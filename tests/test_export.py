"""Exports: CSV and JSON Lines read back give the stored values; formula cells come out inert."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from nlp.errors import InputError
from nlp.export import export, neutralize, unneutralize, write_rows
from nlp.records import ARTICLE_COLUMNS, EVENT_COLUMNS, MENTION_COLUMNS, Event, Mention
from nlp.sources.articles import make_article
from nlp.store import (
    iter_article_rows,
    iter_events,
    iter_mentions,
    open_db,
    save_articles,
    save_extractions,
)

INTEGER = {"sentence_start", "sentence_end", "start", "end"}
REAL = {"amount", "percent", "confidence", "value"}

# Our own sentences; some values are chosen to be hard for a CSV round trip.
SENTENCES = [
    'Washington raised duties on steel, aluminium and "other" metals by 0.1%.',
    "Exports of rare-earth magnets fell 11% to about 582 tonnes in November.",
    "Seoul said:\n- quotas stay;\r\n- licences are eased.",
    "Brüssel und Paris einigten sich über Zölle – 25 % auf 3,5 Mrd. €.",
]


def typed(column: str, cell: str):
    """A CSV cell back to its stored type, as the codebook says (empty is None)."""
    if cell == "":
        return None
    if column == "negated":
        return {"true": True, "false": False}[cell]
    if column in INTEGER:
        return int(cell)
    if column in REAL:
        return float(cell)
    return cell


def make_events(article_id: str, text: str) -> list[Event]:
    """One event per sentence, with awkward numbers, signs and empty cells."""
    events = []
    start = 0
    for n, sentence in enumerate(SENTENCES):
        start = text.index(sentence, start)
        events.append(
            Event(
                event_id=f"{article_id}-{n}",
                article_id=article_id,
                url=None,
                published="2025-12-22",
                event_type="TRADE_FLOW",
                action="fall",
                actor="CHN",
                actor_text="China",
                target=None if n % 2 else "USA",
                target_text=None,
                product="rare-earth magnets",
                amount=[582.0, 3.5e9, 0.1 + 0.2, None][n],
                amount_unit="t",
                amount_text="about 582 tonnes",
                percent=[-11.0, 25.0, None, 1e-7][n],
                percent_text="-11%" if n == 0 else None,
                date_start="2025-11-01",
                date_end="2025-11-30",
                date_text="November",
                date_precision="month",
                negated=n == 2,
                sentence=sentence,
                sentence_start=start,
                sentence_end=start + len(sentence),
                confidence=[0.5, 1.0, 0.0, 0.333][n],
                extractor="newstag 0.1.0 / test",
            )  # fmt: skip
        )
    return events


@pytest.fixture
def db(db_path):
    db = open_db(db_path)
    text = "\n\n".join(SENTENCES)
    article = make_article(id="own-1", title='=HYPERLINK("http://x.test","open")', body=text)
    save_articles(db, [article])
    mentions = [Mention("own-1", "quantity", "11%", 0, 3, value=-11.0, unit="%")]
    save_extractions(db, [("own-1", "test 1", mentions, make_events("own-1", article.text))])
    return db


def read_csv(text: str, *, raw: bool) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    undo = (lambda v: v) if raw else unneutralize
    return [{k: typed(k, undo(v)) for k, v in row.items()} for row in rows]


@pytest.mark.parametrize("raw", [False, True])
def test_events_csv_reads_back_as_stored(db, raw):
    out = io.StringIO(newline="")
    count = export(db, "events", out, include_negated=True, raw=raw)
    stored = list(iter_events(db, include_negated=True))
    assert count == len(stored) == len(SENTENCES)
    assert out.getvalue().splitlines()[0] == ",".join(EVENT_COLUMNS)
    back = read_csv(out.getvalue(), raw=raw)
    assert back == stored
    assert back[0]["percent"] == -11.0 and back[0]["percent_text"] == "-11%"


def test_plain_values_need_no_unneutralize(db):
    out = io.StringIO(newline="")
    export(db, "events", out)
    for row in csv.DictReader(io.StringIO(out.getvalue(), newline="")):
        assert row["percent"] in {"-11.0", "25.0", "1e-07", ""}  # numbers are never prefixed
        assert row["sentence"] in SENTENCES


def test_jsonl_reads_back_exactly(db):
    out = io.StringIO()
    assert export(db, "events", out, fmt="jsonl", include_negated=True) == len(SENTENCES)
    back = [json.loads(line) for line in out.getvalue().splitlines()]
    assert back == list(iter_events(db, include_negated=True))
    assert [list(row) for row in back] == [EVENT_COLUMNS] * len(SENTENCES)
    assert {row["negated"] for row in back} == {True, False}


@pytest.mark.parametrize(
    "title",
    ['=HYPERLINK("http://evil.test","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd", "-2+3",
     "\t=1+1", "\r=1+1", "'=1+1"],
)  # fmt: skip
def test_formula_titles_come_out_inert_unless_raw(db_path, title):
    db = open_db(db_path)
    save_articles(db, [make_article(id="t", title=title, body="Quotas on beef were eased.")])
    safe, raw = io.StringIO(newline=""), io.StringIO(newline="")
    export(db, "articles", safe)
    export(db, "articles", raw, raw=True)
    safe_title = next(csv.DictReader(io.StringIO(safe.getvalue(), newline="")))["title"]
    raw_title = next(csv.DictReader(io.StringIO(raw.getvalue(), newline="")))["title"]
    stored = title.strip()  # make_article strips titles; tab and CR are covered below
    assert safe_title == "'" + stored
    assert unneutralize(safe_title) == raw_title == stored


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-11%", "'-11%"),
        ("@cell", "'@cell"),
        ("\tindent", "'\tindent"),
        ("\rreturn", "'\rreturn"),
        ("''=x", "'''=x"),
        ("Tariffs = taxes", "Tariffs = taxes"),
        ("'quoted'", "'quoted'"),
        ("", ""),
        (-11.0, -11.0),
        (25, 25),
        (None, None),
        (False, False),
    ],
)
def test_neutralize_and_its_inverse(value, expected):
    assert neutralize(value) == expected
    assert unneutralize(neutralize(value)) == value


def test_corpus_articles_and_mentions_round_trip(db_path, corpus_dir):
    records = []
    with open(corpus_dir / "reuters21578.jsonl", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if (record.get("body") or "").strip():
                records.append(record)
            if len(records) == 15:
                break
    db = open_db(db_path)
    articles = [make_article(id=r["id"], title=r["title"], body=r["body"]) for r in records]
    save_articles(db, articles)
    words = [(a.id, a.text.split()[0]) for a in articles]
    save_extractions(
        db, [(i, "test 1", [Mention(i, "organisation", w, 0, len(w))], []) for i, w in words]
    )
    for what, columns, rows in [
        ("articles", ARTICLE_COLUMNS, iter_article_rows(db)),
        ("mentions", MENTION_COLUMNS, iter_mentions(db)),
    ]:
        out = io.StringIO(newline="")
        export(db, what, out)
        back = read_csv(out.getvalue(), raw=False)
        assert list(back[0]) == columns
        assert back == list(rows)  # real text: newlines, quotes, plus signs, long bodies


def test_export_to_a_file_on_disk(db, tmp_path: Path):
    path = tmp_path / "events.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        export(db, "events", out, include_negated=True)
    with open(path, encoding="utf-8", newline="") as back:
        rows = [{k: typed(k, unneutralize(v)) for k, v in r.items()} for r in csv.DictReader(back)]
    assert rows == list(iter_events(db, include_negated=True))
    # rows end in \n; the only carriage returns are the ones inside the stored sentences
    assert path.read_bytes().count(b"\r") == sum(s.count("\r") for s in SENTENCES)


@pytest.mark.parametrize(
    ("what", "options", "message"),
    [
        ("evnts", {}, "cannot export 'evnts'"),
        ("events", {"fmt": "xlsx"}, "unknown export format 'xlsx'"),
        ("articles", {"actor": "USA"}, "--actor cannot filter articles"),
        ("mentions", {"target": "USA"}, "--target cannot filter mentions"),
    ],
)
def test_bad_requests_are_input_errors_and_write_nothing(db, what, options, message):
    out = io.StringIO()
    with pytest.raises(InputError, match=message):
        export(db, what, out, **options)
    assert out.getvalue() == ""


def test_filters_reach_the_store(db):
    out = io.StringIO(newline="")
    assert export(db, "events", out, target="usa", include_negated=True) == 2
    assert export(db, "mentions", io.StringIO(), types=["date"]) == 0
    assert export(db, "mentions", io.StringIO(), types=["quantity"]) == 1


def test_write_rows_keeps_column_order_and_fills_missing():
    out = io.StringIO(newline="")
    rows = [{"b": 2.5, "a": "x", "extra": "dropped"}, {"a": None}]
    assert write_rows(rows, ["a", "b"], out, fmt="csv") == 2
    assert out.getvalue() == "a,b\nx,2.5\n,\n"
