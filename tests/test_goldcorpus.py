"""Our dev gold (gold/) and the loader that rebuilds its articles from the shared corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pycountry
import pytest

from nlp.errors import InputError
from nlp.evaluate import load_gold, score
from nlp.goldcorpus import (
    gold_articles,
    gold_ids,
    rebuild_articles,
    reuters_body,
    reuters_date,
    write_gold_articles,
)

GOLD = Path(__file__).resolve().parent.parent / "gold" / "newstag_dev_events.jsonl"
# The contract of EVENTS.md §2–4, spelled out here so that a typo in the gold fails loudly.
EVENT_TYPES = {
    "TARIFF", "TRADE_DEFENCE", "EXPORT_CONTROL", "EXPORT_LICENCE", "IMPORT_RESTRICTION",
    "SANCTION", "SUBSIDY", "INVESTIGATION", "TRADE_DISPUTE", "AGREEMENT", "NEGOTIATION",
    "TRADE_FLOW",
}  # fmt: skip
ACTIONS = {
    "impose", "tighten", "ease", "suspend", "lift", "extend", "threaten", "file", "rule",
    "agree", "meet", "rise", "fall", "report",
}  # fmt: skip
ORGANISATIONS = {
    "EU", "WTO", "GATT", "UN", "OPEC", "ASEAN", "G7", "G20", "IMF", "WORLD_BANK", "OECD",
    "NATO", "APEC", "MERCOSUR", "USMCA",
}  # fmt: skip
SCORED = ("event_type", "action", "actor", "target", "amount", "amount_unit", "percent")


def known_code(code: str) -> bool:
    """An ISO 3166-1 alpha-3 code (current or historical) or an organisation code of §4."""
    if code in ORGANISATIONS:
        return True
    return bool(
        pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(alpha_3=code)
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Tariffs rose.\n Reuter\n\x03", "Tariffs rose."),
        ("Tariffs rose.\n Reuter\x03", "Tariffs rose."),
        ("Tariffs rose.\n REUTER\n\x03", "Tariffs rose.\n REUTER"),
        ("Tariffs rose.\x03", "Tariffs rose."),
        ("Reuters said tariffs rose.", "Reuters said tariffs rose."),
    ],
)
def test_reuters_body(body, expected):
    assert reuters_body(body) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("26-FEB-1987 15:01:01.79", "1987-02-26"), (" 5-MAR-1987 05:44:34.81", "1987-03-05")],
)
def test_reuters_date(value, expected):
    assert reuters_date(value) == expected


@pytest.fixture(scope="module")
def our_articles(corpus_dir) -> dict[str, dict[str, str]]:
    return {article["id"]: article for article in gold_articles(GOLD, corpus_dir)}


def test_rebuilt_articles_equal_the_shared_ones(corpus_dir, gold_dir):
    """The loader makes articles exactly as the shared dev_articles.jsonl was made."""
    with (gold_dir / "dev_articles.jsonl").open(encoding="utf-8") as handle:
        shared = [json.loads(line) for line in handle]
    rebuilt = list(rebuild_articles([article["id"] for article in shared], corpus_dir))
    assert [a["id"] for a in rebuilt] == [a["id"] for a in shared]
    for mine, theirs in zip(rebuilt, shared, strict=True):
        assert mine == theirs, mine["id"]


def test_unknown_ids_raise_input_error(corpus_dir):
    with pytest.raises(InputError, match="reu-99999999"):
        list(rebuild_articles(["mtn-001", "reu-99999999"], corpus_dir))


def test_write_gold_articles(tmp_path, corpus_dir):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"article_id": "mtn-001", "events": []}\n', encoding="utf-8")
    out = tmp_path / "articles.jsonl"
    assert write_gold_articles(gold, corpus_dir, out) == 1
    record = json.loads(out.read_text(encoding="utf-8"))
    assert set(record) == {"id", "title", "published", "text"} and record["id"] == "mtn-001"


def test_gold_size_and_independence(gold_dir):
    ids = gold_ids(GOLD)
    assert len(ids) >= 60 and len(set(ids)) == len(ids)
    shared = set(gold_ids(gold_dir / "dev_events.jsonl"))
    assert not shared & set(ids)
    assert all(i.startswith(("reu-", "mtn-")) for i in ids)


def test_gold_events_follow_the_contract():
    for article_id, events in load_gold(GOLD).items():
        for event in events:
            assert "evidence" not in event, "the gold keeps offsets, never corpus text"
            assert set(SCORED) <= set(event), article_id
            assert event["event_type"] in EVENT_TYPES, (article_id, event)
            assert event["action"] in ACTIONS, (article_id, event)
            assert known_code(event["actor"]), (article_id, event)
            assert event["target"] == "" or known_code(event["target"]), (article_id, event)
            assert (event["amount"] is None) == (event["amount_unit"] == ""), (article_id, event)
            assert event["date_start"] <= event["date_end"] or not event["date_end"], article_id
            assert len(event["product"]) < 120


def test_gold_evidence_offsets_point_into_the_rebuilt_text(our_articles):
    for article_id, events in load_gold(GOLD).items():
        text = our_articles[article_id]["text"]
        for event in events:
            start, end = event["evidence_offsets"]
            assert 0 <= start < end <= len(text), (article_id, event)
            assert not text[start].isspace() and not text[end - 1].isspace(), (article_id, event)


def test_gold_scores_perfectly_against_itself():
    gold = load_gold(GOLD)
    report = score(gold, gold)
    assert report.events.f1 == 1.0 and report.dyads.f1 == 1.0
    assert report.events.gold >= 200


@pytest.mark.corpus
@pytest.mark.slow
def test_extractor_stays_above_the_pinned_floors(nlp, our_articles, tmp_path):
    """Ingest, extract and score our dev gold as ``newstag eval`` does; floors in gold/floors.json."""
    from nlp.evaluate import below_floors, evaluate_db
    from nlp.extract import extract_articles
    from nlp.sources.articles import make_article
    from nlp.store import open_db, save_articles

    floors = json.loads((GOLD.parent / "floors.json").read_text(encoding="utf-8"))[GOLD.name]
    db = open_db(tmp_path / "dev.db")
    articles = [
        make_article(id=a["id"], title=a["title"], body=a["text"], published=a["published"])
        for a in our_articles.values()
    ]
    assert save_articles(db, articles).added == len(articles)
    extract_articles(db, nlp)
    report = evaluate_db(db, GOLD)
    assert below_floors(report, **floors) == []
