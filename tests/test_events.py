"""Events assembled by the full pipeline: golden cases in our own words, and the seed article."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nlp.pipeline.boundaries import SentenceBoundaries
from nlp.pipeline.dedupe import dedupe_events
from nlp.pipeline.process import tag_text

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
CASES = sorted(GOLDEN.glob("*.json"))


def matches(event: dict[str, Any], pattern: dict[str, Any]) -> bool:
    """Every field the pattern names has that value in the event (``negated`` defaults to false)."""
    wanted = {"negated": False, **pattern}
    return all(
        (bool(event.get(key)) if key == "negated" else event.get(key)) == value
        for key, value in wanted.items()
    )


def describe(events: list[dict[str, Any]]) -> list[tuple]:
    """Short view of events for assertion messages."""
    keys = ("event_type", "action", "actor", "target", "negated", "percent", "amount", "date_start")
    return [tuple(e.get(k) for k in keys) for e in events]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_case(nlp, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    events = tag_text(nlp, case["text"], case["published"])._.events
    for pattern in case["expected"]:
        assert any(matches(e, pattern) for e in events), (pattern, describe(events))
    for pattern in case["absent"]:
        assert not any(matches(e, pattern) for e in events), (pattern, describe(events))


def test_golden_cases_cover_every_type() -> None:
    types = set()
    for path in CASES:
        case = json.loads(path.read_text(encoding="utf-8"))
        types |= {e["event_type"] for e in case["expected"] + case["absent"]}
    assert len(types) == 12, sorted(types)


def test_events_carry_sentence_offsets(nlp) -> None:
    text = "Stocks were calm. Norway imposed duties on salmon feed from Chile."
    doc = tag_text(nlp, text, "2024-01-10")
    event = next(e for e in doc._.events if e["event_type"] == "TARIFF")
    assert text[event["sentence_start"] : event["sentence_end"]] == event["sentence"]
    assert event["sentence"].startswith("Norway")
    assert 0.0 < event["confidence"] <= 1.0


def test_blank_pipeline_finds_roles_by_position(blank_nlp) -> None:
    doc = tag_text(blank_nlp, "Japan imposed tariffs on steel from Korea.", "2024-01-10")
    assert any(
        e["event_type"] == "TARIFF" and e["actor"] == "JPN" and e["target"] == "KOR"
        for e in doc._.events
    ), describe(doc._.events)


def test_dedupe_merges_repeats_and_keeps_distinct_numbers() -> None:
    base = {
        "event_type": "TRADE_FLOW",
        "actor": "HKG",
        "action": "fall",
        "negated": False,
        "confidence": 0.5,
    }
    first = {**base, "target": None, "percent": -11.0}
    repeat = {**base, "target": "USA", "percent": -11.0, "date_start": "1987-02-01"}
    other = {**base, "percent": -28.9}
    merged = dedupe_events([first, repeat, other])
    assert len(merged) == 2
    assert merged[0]["target"] == "USA" and merged[0]["date_start"] == "1987-02-01"


# The events of EVENTS.md §7 for the seed article: (type, action, actor, target or None = any).
SEED_EVENTS = [
    ("TRADE_FLOW", "fall", "CHN", "USA"),
    ("TRADE_FLOW", "rise", "CHN", None),
    ("AGREEMENT", "agree", {"USA", "CHN"}, {"USA", "CHN"}),
    ("NEGOTIATION", "meet", "USA", "CHN"),
    ("EXPORT_CONTROL", "impose", "CHN", "USA"),
    ("EXPORT_CONTROL", "suspend", "CHN", None),
    ("TARIFF", "impose", "USA", "CHN"),
    ("EXPORT_LICENCE", "ease", "CHN", None),
    ("TRADE_DISPUTE", "file", "CHN", "IND"),
]


def agrees(value: Any, wanted: Any) -> bool:
    """``wanted`` None accepts anything; a set accepts any member."""
    if wanted is None:
        return True
    return value in wanted if isinstance(wanted, set) else value == wanted


@pytest.fixture(scope="module")
def seed_events(nlp, seed_text: str) -> list[dict[str, Any]]:
    return [e for e in tag_text(nlp, seed_text, "2025-12-22")._.events if not e["negated"]]


@pytest.mark.parametrize("wanted", SEED_EVENTS, ids=[f"{w[0]}-{w[1]}" for w in SEED_EVENTS])
def test_seed_article_event(seed_events, wanted) -> None:
    event_type, action, actor, target = wanted
    found = [
        e
        for e in seed_events
        if e["event_type"] == event_type and e["action"] == action and agrees(e["actor"], actor)
    ]
    assert found, describe(seed_events)
    assert any(agrees(e["target"], target) and e["actor"] != e["target"] for e in found)


def test_seed_article_has_nothing_else(seed_events) -> None:
    kinds = {(t, a) for t, a, _, _ in SEED_EVENTS}
    extra = [e for e in seed_events if (e["event_type"], e["action"]) not in kinds]
    assert not extra, describe(extra)
    assert len(seed_events) <= len(SEED_EVENTS) + 1, describe(seed_events)


def test_seed_flow_attributes(seed_events) -> None:
    flow = next(e for e in seed_events if e["event_type"] == "TRADE_FLOW" and e["action"] == "fall")
    assert (flow["amount"], flow["amount_unit"], flow["percent"]) == (582.0, "t", -11.0)
    assert flow["date_start"] == "2025-11-01"
    assert "magnet" in (flow["product"] or "")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_blank_pipeline_reads_every_golden_text(blank_nlp, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    events = tag_text(blank_nlp, case["text"], case["published"])._.events
    assert all(e["actor"] and e["actor"] != e["target"] for e in events), describe(events)


def test_blank_pipeline_reads_a_flow(blank_nlp) -> None:
    doc = tag_text(blank_nlp, "Irish exports to Britain rose 4% in May.", "2024-06-10")
    assert any(
        e["event_type"] == "TRADE_FLOW" and e["action"] == "rise" and e["actor"] == "IRL"
        for e in doc._.events
    ), describe(doc._.events)


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("PERU CUTS DUTIES\n\nPeru cut its duties on wheat.", "Peru", True),
        ("Its surplus with the U.S. Rose to 3 billion dlrs.", "Rose", False),
        ("Talks ended in the U.S. Canada left early.", "Canada", None),
    ],
)
def test_boundaries_fix_headlines_and_capitals_after_us(
    nlp, text: str, start: str, expected: bool | None
) -> None:
    component = SentenceBoundaries(nlp)
    doc = component(nlp.make_doc(text))
    token = next(t for t in doc if t.text == start)
    assert token.is_sent_start is expected


def test_parser_keeps_the_headline_apart(nlp) -> None:
    text = "PERU DENIES PLAN TO CUT DUTIES\n\nPeru cut its duties on Chilean wheat on Monday."
    doc = SentenceBoundaries(nlp)(nlp.make_doc(text))
    doc._.published = "2024-05-02"
    for _, component in nlp.pipeline:
        doc = component(doc)
    peru = next(t for t in doc if t.text == "Peru")
    assert peru.is_sent_start
    assert any(
        e["event_type"] == "TARIFF" and e["actor"] == "PER" and not e["negated"]
        for e in doc._.events
    ), describe(doc._.events)


@pytest.mark.parametrize(
    ("first", "second", "rows"),
    [
        ("2024-03-04", "2024-03-12", 2),
        ("2024-03-04", "2024-03-04", 1),
        ("2024-03-04", "", 1),
    ],
)
def test_dedupe_keeps_talks_on_different_days_apart(first: str, second: str, rows: int) -> None:
    base = {"event_type": "NEGOTIATION", "action": "meet", "actor": "PER", "target": "CHL"}
    events = [
        {**base, "date_start": first, "sentence_start": 0},
        {**base, "date_start": second, "sentence_start": 40},
    ]
    assert len(dedupe_events(events)) == rows


@pytest.mark.parametrize(
    ("first", "second", "rows"),
    [(("impose", "CHN"), ("tighten", "CHN"), 1), (("impose", None), ("tighten", None), 2)],
)
def test_dedupe_merges_imposed_and_raised_against_one_partner(
    first: tuple, second: tuple, rows: int
) -> None:
    events = [
        {
            "event_type": "TARIFF",
            "action": action,
            "actor": "USA",
            "target": target,
            "sentence_start": start,
        }
        for (action, target), start in ((first, 0), (second, 50))
    ]
    assert len(dedupe_events(events)) == rows
