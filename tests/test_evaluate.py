"""Scoring against gold (EVENTS.md §6): matching, duplicates, negation, missing articles, attributes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from nlp.errors import InputError
from nlp.evaluate import (
    below_floors,
    evaluate_db,
    evaluate_files,
    format_table,
    load_gold,
    load_predictions,
    match_events,
    score,
)
from nlp.records import EVENT_COLUMNS


def ev(event_type="TARIFF", actor="USA", target="CHN", action="impose", **more):
    """A small event dict; the rest of the columns are left out, as gold files do."""
    return {"event_type": event_type, "actor": actor, "target": target, "action": action, **more}


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# ---------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("gold", "pred", "events", "dyads"),
    [
        ([ev()], [ev()], 1, 1),
        ([ev()], [ev(target="JPN")], 1, 0),
        ([ev()], [ev(actor="CHN")], 0, 0),
        ([ev()], [ev(event_type="TRADE_DEFENCE")], 0, 0),
        ([ev()], [ev(actor=" usa ", target="chn", event_type="tariff")], 1, 1),
        ([ev(target="")], [ev(target=None)], 1, 1),
        ([ev()], [], 0, 0),
        ([], [ev()], 0, 0),
        # a duplicate prediction matches once; the copy is a false positive
        ([ev()], [ev(), ev()], 1, 1),
        # one actor, two targets: each gold event finds its own dyad
        ([ev(target="CAN"), ev(target="MEX")], [ev(target="MEX"), ev(target="CAN")], 2, 2),
    ],
)
def test_event_and_dyad_matches(gold, pred, events, dyads):
    report = score({"a1": gold}, {"a1": pred})
    assert report.events.matched == events
    assert report.dyads.matched == dyads
    assert report.events.gold == len(gold)
    assert report.events.predicted == len(pred)


def test_greedy_pairs_best_attribute_agreement_first():
    gold = [ev(percent=25, action="impose"), ev(percent=10, action="tighten")]
    pred = [ev(percent=10, action="tighten"), ev(percent=25, action="impose")]
    assert match_events(gold, pred) == [(0, 1), (1, 0)]
    report = score({"a": gold}, {"a": pred})
    assert report.attributes["percent"].agree == 2
    assert report.attributes["action"].agree == 2


def test_event_match_prefers_the_same_target_over_attribute_agreement():
    gold = [ev(target="CAN", percent=25)]
    pred = [ev(target="MEX", percent=25), ev(target="CAN")]
    assert match_events(gold, pred) == [(0, 1)]


def test_negated_predictions_are_not_counted():
    report = score({"a": [ev()]}, {"a": [ev(negated=True), ev(actor="JPN", negated="1")]})
    assert report.events.predicted == 0
    assert report.events.matched == 0
    assert report.events.recall == 0.0


def test_predictions_for_articles_not_in_gold_are_ignored():
    report = score({"a": [ev()]}, {"a": [ev()], "b": [ev(), ev(actor="JPN")]})
    assert report.events.predicted == 1
    assert report.events.precision == 1.0


def test_gold_article_without_predictions_counts_its_misses():
    report = score({"a": [ev()], "b": [ev(), ev(actor="EU")]}, {"a": [ev()]})
    assert (report.events.gold, report.events.matched) == (3, 1)
    assert report.events.recall == pytest.approx(1 / 3)
    assert report.events.precision == 1.0
    assert report.articles == 2 and report.articles_predicted == 1
    assert {m["article_id"] for m in report.missed} == {"b"}


def test_precision_recall_f1():
    gold = {"a": [ev(), ev(actor="JPN"), ev(actor="EU"), ev(actor="KOR")]}
    pred = {"a": [ev(), ev(actor="JPN"), ev(actor="CAN")]}
    report = score(gold, pred)
    assert report.events.precision == pytest.approx(2 / 3)
    assert report.events.recall == pytest.approx(2 / 4)
    assert report.events.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert [s["actor"] for s in report.spurious] == ["CAN"]


def test_per_type_table():
    gold = {"a": [ev(), ev("TRADE_FLOW", "JPN", "USA", "rise")]}
    pred = {"a": [ev(), ev("TRADE_FLOW", "JPN", "", "rise"), ev("SANCTION")]}
    report = score(gold, pred)
    assert report.by_type["TARIFF"].matched == 1
    assert report.by_type["TRADE_FLOW"].matched == 1
    assert report.dyads_by_type["TRADE_FLOW"].matched == 0
    assert (report.by_type["SANCTION"].gold, report.by_type["SANCTION"].predicted) == (0, 1)


# ---------------------------------------------------------------- attributes


@pytest.mark.parametrize(
    ("name", "gold", "pred", "agree"),
    [
        ("action", {"action": "impose"}, {"action": "IMPOSE "}, 1),
        ("action", {"action": "impose"}, {"action": "threaten"}, 0),
        ("amount", {"amount": 1000, "amount_unit": "t"}, {"amount": 1009, "amount_unit": "t"}, 1),
        ("amount", {"amount": 1000, "amount_unit": "t"}, {"amount": 1011, "amount_unit": "t"}, 0),
        (
            "amount",
            {"amount": 1000, "amount_unit": "USD"},
            {"amount": 1000, "amount_unit": "JPY"},
            0,
        ),
        (
            "amount",
            {"amount": "5e9", "amount_unit": "usd"},
            {"amount": 5e9, "amount_unit": "USD"},
            1,
        ),
        ("amount", {"amount": 1000, "amount_unit": "t"}, {"amount": None, "amount_unit": ""}, 0),
        ("percent", {"percent": 25}, {"percent": 25.4}, 1),
        ("percent", {"percent": 25}, {"percent": 25.6}, 0),
        ("percent", {"percent": -11}, {"percent": 11}, 0),
        ("date_start", {"date_start": "2025-11-01"}, {"date_start": "2025-11-30"}, 1),
        ("date_start", {"date_start": "2025-11-01"}, {"date_start": "2025-10-31"}, 0),
        ("date_start", {"date_start": "2025-11-01"}, {"date_start": ""}, 0),
        ("date_end", {"date_end": "1987-12-31"}, {"date_end": "1987-12-01"}, 1),
    ],
)
def test_attribute_agreement(name, gold, pred, agree):
    report = score({"a": [ev(**gold)]}, {"a": [ev(**pred)]})
    tally = report.attributes[name]
    assert (tally.n, tally.agree) == (1, agree)


@pytest.mark.parametrize("empty", ["", None])
def test_attributes_are_scored_only_where_gold_has_a_value(empty):
    gold = ev(amount=empty, amount_unit=empty, percent=empty, date_start=empty)
    pred = ev(amount=5, amount_unit="t", percent=3, date_start="2020-01-01")
    report = score({"a": [gold]}, {"a": [pred]})
    for name in ("amount", "percent", "date_start"):
        assert report.attributes[name].n == 0
        assert report.attributes[name].unscored == 1
    assert report.attributes["action"].n == 1


def test_attributes_use_event_matches_not_unmatched_events():
    report = score({"a": [ev(percent=25)]}, {"a": [ev(actor="JPN", percent=25)]})
    assert report.attributes["percent"].n == 0


# ---------------------------------------------------------------- files and output


def test_load_gold_and_both_prediction_layouts(tmp_path):
    gold_path = write_jsonl(
        tmp_path / "gold.jsonl",
        [{"article_id": "a", "events": [ev()]}, {"article_id": "b", "events": []}],
    )
    rows = write_jsonl(
        tmp_path / "rows.jsonl", [dict(ev(), article_id="a"), dict(ev(), article_id="c")]
    )
    grouped = write_jsonl(tmp_path / "grouped.jsonl", [{"article_id": "a", "events": [ev()]}])
    assert load_gold(gold_path) == {"a": [ev()], "b": []}
    assert set(load_predictions(rows)) == {"a", "c"}
    assert load_predictions(grouped) == {"a": [ev()]}
    assert evaluate_files(gold_path, rows).events.f1 == 1.0


def test_predictions_from_a_csv_export(tmp_path):
    path = tmp_path / "events.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=EVENT_COLUMNS)
        writer.writeheader()
        row = {name: "" for name in EVENT_COLUMNS}
        writer.writerow({**row, **ev(percent="25.0"), "article_id": "a", "negated": "0"})
        writer.writerow({**row, **ev(actor="JPN"), "article_id": "a", "negated": "1"})
    predicted = load_predictions(path)
    report = score({"a": [ev(percent=25)]}, predicted)
    assert (report.events.predicted, report.events.matched) == (1, 1)
    assert report.attributes["percent"].agree == 1


@pytest.mark.parametrize(
    "line",
    ['{"article_id": "a", "events": [', '["a"]', '{"events": []}', '{"article_id": "a"}'],
)
def test_bad_gold_lines_raise_input_error_with_line_number(tmp_path, line):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"article_id": "x", "events": []}) + "\n" + line + "\n")
    with pytest.raises(InputError, match=r"gold\.jsonl:2"):
        load_gold(path)


def test_missing_file_raises_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_gold(tmp_path / "absent.jsonl")


def test_report_dict_and_table():
    report = score({"a": [ev(), ev(actor="JPN")]}, {"a": [ev()]})
    data = json.loads(json.dumps(report.to_dict()))
    assert data["events"]["recall"] == 0.5
    assert data["by_type"]["TARIFF"]["dyads"]["matched"] == 1
    table = format_table(report)
    assert "TARIFF" in table and "0.500" in table


def test_floors():
    report = score({"a": [ev(), ev(actor="JPN")]}, {"a": [ev()]})
    assert below_floors(report, event_f1=0.6) == []
    assert len(below_floors(report, event_f1=0.7, dyad_f1=0.7)) == 2


def test_shared_gold_scores_perfectly_against_itself(gold_dir):
    gold = load_gold(gold_dir / "dev_events.jsonl")
    report = score(gold, gold)
    assert report.events.f1 == 1.0 and report.dyads.f1 == 1.0
    assert report.events.gold > 200


def test_evaluate_db_reads_stored_events(tmp_path):
    store = pytest.importorskip("nlp.store")
    from nlp.records import Event
    from nlp.sources.articles import make_article

    db = store.open_db(tmp_path / "eval.db")
    article = make_article(id="a", body="The US imposed tariffs on Chinese steel.", title="Steel")
    store.save_articles(db, [article])
    base = {name: None for name in EVENT_COLUMNS}
    base.update(article_id="a", event_type="TARIFF", action="impose", actor="USA", target="CHN")
    base.update(sentence="", sentence_start=0, sentence_end=1, confidence=0.9, extractor="x")
    events = [
        Event(**{**base, "event_id": "e1", "negated": False}),
        Event(**{**base, "event_id": "e2", "negated": True, "actor": "JPN"}),
    ]
    store.save_extractions(db, [("a", "x", [], events)])
    gold_path = write_jsonl(
        tmp_path / "gold.jsonl", [{"article_id": "a", "events": [ev(), ev("AGREEMENT")]}]
    )
    report = evaluate_db(db, gold_path)
    assert (report.events.gold, report.events.predicted, report.events.matched) == (2, 1, 1)
