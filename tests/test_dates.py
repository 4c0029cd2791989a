"""Dates and durations: the pure resolver, the spaCy component, and the TempEval-3 floor."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest

from nlp.config import default_models_dir
from nlp.pipeline.extensions import DATES
from nlp.pipeline.process import tag_text
from nlp.pipeline.timex import load_lexicon, resolve

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(default_models_dir())


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("November", "2025-12-22", ("2025-11-01", "2025-11-30", "month")),
        ("November", "2026-01-05", ("2025-11-01", "2025-11-30", "month")),
        ("February", "2025-12-22", ("2026-02-01", "2026-02-28", "month")),
        ("August", "2025-12-22", ("2025-08-01", "2025-08-31", "month")),
        ("late October", "2025-12-22", ("2025-10-21", "2025-10-31", "range")),
        ("late-October", "2025-12-22", ("2025-10-21", "2025-10-31", "range")),
        ("mid-February", "2024-03-02", ("2024-02-11", "2024-02-20", "range")),
        ("the end of September", "2024-11-30", ("2024-09-21", "2024-09-30", "range")),
        ("last week", "2025-12-24", ("2025-12-15", "2025-12-21", "range")),
        ("this week", "2025-12-24", ("2025-12-22", "2025-12-28", "range")),
        ("next week", "2025-12-24", ("2025-12-29", "2026-01-04", "range")),
        ("this year", "2025-12-22", ("2025-01-01", "2025-12-31", "year")),
        ("last year", "2025-01-10", ("2024-01-01", "2024-12-31", "year")),
        ("next month", "2025-12-22", ("2026-01-01", "2026-01-31", "month")),
        ("earlier this month", "2019-04-17", ("2019-04-01", "2019-04-30", "month")),
        ("the first quarter", "2021-08-01", ("2021-01-01", "2021-03-31", "quarter")),
        ("the third quarter of 1986", "1987-03-01", ("1986-07-01", "1986-09-30", "quarter")),
        ("Q3 2019", "2020-01-01", ("2019-07-01", "2019-09-30", "quarter")),
        ("fourth-quarter", "1990-02-01", ("1990-10-01", "1990-12-31", "quarter")),
        ("last quarter", "2022-05-05", ("2022-01-01", "2022-03-31", "quarter")),
        ("mid-1987", "1987-03-01", ("1987-05-01", "1987-08-31", "range")),
        ("early next year", "2024-10-01", ("2025-01-01", "2025-04-30", "range")),
        ("the 1980s", "2001-01-01", ("1980-01-01", "1989-12-31", "range")),
        ("the late 1990s", "2001-01-01", ("1997-01-01", "1999-12-31", "range")),
        ("1987", "2025-12-22", ("1987-01-01", "1987-12-31", "year")),
        ("fiscal 1987", "1986-05-05", ("1987-01-01", "1987-12-31", "year")),
        ("March 3", "1987-03-20", ("1987-03-03", "1987-03-03", "day")),
        ("March 3, 1987", "2025-12-22", ("1987-03-03", "1987-03-03", "day")),
        ("3 March", "1987-04-20", ("1987-03-03", "1987-03-03", "day")),
        ("the 5th of May", "2011-05-09", ("2011-05-05", "2011-05-05", "day")),
        ("Dec 22, 2025", "2026-01-01", ("2025-12-22", "2025-12-22", "day")),
        ("Sept. 30", "1989-10-26", ("1989-09-30", "1989-09-30", "day")),
        ("2025-12-22", "2026-01-01", ("2025-12-22", "2025-12-22", "day")),
        ("yesterday", "2024-03-01", ("2024-02-29", "2024-02-29", "day")),
        ("today", "2024-03-01", ("2024-03-01", "2024-03-01", "day")),
        ("Monday", "2025-12-24", ("2025-12-22", "2025-12-22", "day")),
        ("Friday", "2025-12-24", ("2025-12-19", "2025-12-19", "day")),
        ("last Wednesday", "2025-12-24", ("2025-12-17", "2025-12-17", "day")),
        ("next Wednesday", "2025-12-24", ("2025-12-31", "2025-12-31", "day")),
        ("two years ago", "2025-06-30", ("2023-01-01", "2023-12-31", "year")),
        ("three months later", "2025-06-30", ("2025-09-01", "2025-09-30", "month")),
        ("in 2025", "2025-12-22", ("2025-01-01", "2025-12-31", "year")),
        ("the spring of 1987", "1990-01-01", ("1987-03-01", "1987-05-31", "range")),
        ("the first half of 2003", "2004-01-01", ("2003-01-01", "2003-06-30", "range")),
        ("last May", "2013-03-21", ("2012-05-01", "2012-05-31", "month")),
        ("July last year", "1998-02-19", ("1997-07-01", "1997-07-31", "month")),
    ],
)
def test_resolves_against_the_anchor(lexicon, text, anchor, expected):
    timex = resolve(text, date.fromisoformat(anchor), lexicon)
    assert timex is not None and timex.label == "date"
    assert (timex.date_start, timex.date_end, timex.date_precision) == expected


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("Monday", "2025-12-24", "2025-12-29"),
        ("Friday", "2025-12-24", "2025-12-26"),
        ("April", "2025-12-22", "2026-04-01"),
    ],
)
def test_future_tense_points_forward(lexicon, text, anchor, expected):
    timex = resolve(text, date.fromisoformat(anchor), lexicon, future=True)
    assert timex is not None and timex.date_start == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("for a year", "P1Y"),
        ("six months", "P6M"),
        ("two weeks", "P2W"),
        ("90 days", "P90D"),
        ("a three-year", "P3Y"),
        ("the past five years", "P5Y"),
        ("the past year", "P1Y"),
        ("1.5 years", "P1.5Y"),
        ("two decades", "P20Y"),
    ],
)
def test_durations(lexicon, text, expected):
    timex = resolve(text, date(2025, 12, 22), lexicon)
    assert timex is not None and timex.label == "duration"
    assert timex.fields() == {"iso_duration": expected}


@pytest.mark.parametrize(
    "text", ["recent months", "the coming weeks", "years", "the year-earlier period"]
)
def test_vague_phrases_name_no_date(lexicon, text):
    assert resolve(text, date(2025, 12, 22), lexicon) is None


@pytest.mark.parametrize(
    "text", ["November", "November 2025", "late November", "in May 1987", "last month"]
)
def test_never_invents_a_day(lexicon, text):
    timex = resolve(text, date(2025, 12, 22), lexicon)
    assert timex is not None and timex.date_precision != "day"
    assert timex.date_start != timex.date_end


def test_without_anchor_only_absolute_dates_resolve(lexicon):
    assert resolve("March 3, 1987", None, lexicon).date_start == "1987-03-03"
    assert resolve("1987", None, lexicon).date_precision == "year"
    unresolved = resolve("last week", None, lexicon)
    assert unresolved is not None and unresolved.label == "date" and unresolved.date_start is None
    assert resolve("Monday", None, lexicon).date_start is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nineteen ninety-six", ("1996-01-01", "1996-12-31", "year")),
        ("January nineteen eighty-seven", ("1987-01-01", "1987-01-31", "month")),
        ("the year two thousand", ("2000-01-01", "2000-12-31", "year")),
        ("the full year", ("2025-01-01", "2025-12-31", "year")),
        ("the latest fiscal year", ("2024-01-01", "2024-12-31", "year")),
        ("last Oct. 23", ("2025-10-23", "2025-10-23", "day")),
        ("February this year", ("2025-02-01", "2025-02-28", "month")),
        ("April next year", ("2026-04-01", "2026-04-30", "month")),
    ],
)
def test_spelled_years_and_named_periods(lexicon, text, expected):
    timex = resolve(text, date(2025, 12, 22), lexicon)
    assert timex is not None
    assert (timex.date_start, timex.date_end, timex.date_precision) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the latest quarter", ("2024-07-01", "2024-09-30")),
        ("a year earlier", ("2023-07-01", "2023-09-30")),
        ("the year-ago period", ("2023-07-01", "2023-09-30")),
        ("the 2022 quarter", ("2022-07-01", "2022-09-30")),
        ("last year", ("2023-01-01", "2023-12-31")),
    ],
)
def test_reference_quarter(lexicon, text, expected):
    reference = resolve("the third quarter", date(2024, 10, 30), lexicon)
    timex = resolve(text, date(2024, 10, 30), lexicon, reference=reference)
    assert (timex.date_start, timex.date_end) == expected


def test_latest_quarter_without_reference(lexicon):
    timex = resolve("the latest quarter", date(2024, 10, 30), lexicon)
    assert (timex.date_start, timex.date_end, timex.date_precision) == (
        "2024-07-01",
        "2024-09-30",
        "quarter",
    )


def _dates(nlp, text, published):
    doc = tag_text(nlp, text, published)
    return {(span.text, span.label_): span._.newstag for span in doc.spans[DATES]}


@pytest.mark.parametrize("pipeline", ["nlp", "blank_nlp"])
@pytest.mark.parametrize(
    ("text", "surface", "fields"),
    [
        (
            "Exports of the magnets fell by a tenth in November from a year before.",
            "November",
            {"date_start": "2025-11-01", "date_end": "2025-11-30", "date_precision": "month"},
        ),
        (
            "The two presidents held talks in late October in Busan.",
            "late October",
            {"date_start": "2025-10-21", "date_end": "2025-10-31", "date_precision": "range"},
        ),
        (
            "Beijing agreed to pause the new licensing rules for a year.",
            "a year",
            {"iso_duration": "P1Y"},
        ),
        (
            "The ministry published the figures on Dec 19, 2025, after markets closed.",
            "Dec 19, 2025",
            {"date_start": "2025-12-19", "date_end": "2025-12-19", "date_precision": "day"},
        ),
        (
            "Officials met in Geneva last week to discuss the quota.",
            "last week",
            {"date_start": "2025-12-15", "date_end": "2025-12-21", "date_precision": "range"},
        ),
        (
            "Sales recovered strongly in May after a weak spring.",
            "May",
            {"date_start": "2025-05-01", "date_end": "2025-05-31", "date_precision": "month"},
        ),
        (
            "The tariff schedule was first drafted in the 1980s.",
            "1980s",
            {"date_start": "1980-01-01", "date_end": "1989-12-31", "date_precision": "range"},
        ),
    ],
)
def test_component_tags_sentences(request, pipeline, text, surface, fields):
    nlp = request.getfixturevalue(pipeline)
    found = _dates(nlp, text, "2025-12-22")
    label = "duration" if "iso_duration" in fields else "date"
    assert found.get((surface, label)) == fields


@pytest.mark.parametrize("pipeline", ["nlp", "blank_nlp"])
@pytest.mark.parametrize(
    "text",
    [
        "Negotiators may march on without a deal, and prices could fall further.",
        "The port handled 2000 tonnes of ore and paid $1990 in fees.",
        "Analysts expect shipments to stay weak in recent months.",
        "The Sun reported that a 44-year-old trader bought a quarter of the stock.",
        "Three-quarters of the twenty six members voted.",
    ],
)
def test_component_leaves_non_dates(request, pipeline, text):
    nlp = request.getfixturevalue(pipeline)
    doc = tag_text(nlp, text, "2025-12-22")
    assert [span.text for span in doc.spans[DATES]] == []


def test_parse_tells_counts_from_years(nlp):
    doc = tag_text(nlp, "The port handled 1999 containers of parts in 1998.", "2025-12-22")
    assert [span.text for span in doc.spans[DATES]] == ["1998"]


@pytest.mark.parametrize("pipeline", ["nlp", "blank_nlp"])
def test_component_reference_quarter(request, pipeline):
    nlp = request.getfixturevalue(pipeline)
    text = (
        "The exporter said third-quarter profit rose 12%. Sales in the latest quarter reached "
        "$2 billion, up from $1.7 billion a year earlier. In the first nine months, profit rose "
        "8% from a year earlier."
    )
    doc = tag_text(nlp, text, "2024-10-30")
    found = [(span.text, span._.newstag.get("date_start")) for span in doc.spans[DATES]]
    assert ("latest quarter", "2024-07-01") in found
    assert found.count(("a year earlier", "2023-07-01")) == 1
    assert ("a year earlier", "2023-01-01") in found


@pytest.mark.parametrize("pipeline", ["nlp", "blank_nlp"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The minister will visit Seoul on Friday.", "2025-12-26"),
        ("The minister visited Seoul on Friday.", "2025-12-19"),
        ("The delegation could arrive as soon as Tuesday.", "2025-12-30"),
        ("The rules must be in place by February.", "2026-02-01"),
    ],
)
def test_component_reads_tense(request, pipeline, text, expected):
    nlp = request.getfixturevalue(pipeline)
    doc = tag_text(nlp, text, "2025-12-24")
    assert [span._.newstag["date_start"] for span in doc.spans[DATES]] == [expected]


@pytest.mark.parametrize("pipeline", ["nlp", "blank_nlp"])
@pytest.mark.parametrize(
    ("text", "surface", "expected"),
    [
        (
            "The firm moved to Chile in June 2011 and left later that year.",
            "later that year",
            "2011-01-01",
        ),
        ("Sales in the first three quarters fell.", "first three quarters", "2019-01-01"),
        ("Subsidies ended at the end of May last year.", "end of May last year", "2018-05-21"),
        (
            "The plant closed on Saturday, Sept. 28, 2013, after a fire.",
            "Saturday, Sept. 28, 2013",
            "2013-09-28",
        ),
        ("The tariff took effect on November 10, 2025.", "November 10, 2025", "2025-11-10"),
    ],
)
def test_component_spans(request, pipeline, text, surface, expected):
    nlp = request.getfixturevalue(pipeline)
    doc = tag_text(nlp, text, "2019-11-20")
    found = {span.text: span._.newstag.get("date_start") for span in doc.spans[DATES]}
    assert found.get(surface) == expected


def test_component_without_published_date(blank_nlp):
    found = _dates(blank_nlp, "The talks on Monday followed the accord of March 3, 1987.", None)
    assert found[("Monday", "date")]["date_start"] is None
    assert found[("March 3, 1987", "date")]["date_start"] == "1987-03-03"


def test_component_roundtrip_to_disk(tmp_path, blank_nlp):
    component = blank_nlp.get_pipe("newstag_dates")
    component.to_disk(tmp_path)
    component.from_disk(tmp_path)
    assert (tmp_path / "dates" / "patterns.jsonl").is_file()
    assert (
        _dates(blank_nlp, "It happened in late-October.", "2025-12-22")[("late-October", "date")][
            "date_start"
        ]
        == "2025-10-21"
    )


def _peer_module():
    spec = importlib.util.spec_from_file_location("peer_timex", PROJECT / "bench" / "peer_timex.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tempeval_platinum_floor(corpus_dir, nlp):
    peer = _peer_module()
    hits, total = peer.score(nlp, corpus_dir / "timex_gold.jsonl", subsets=("te3-platinum",))[
        "te3-platinum"
    ]
    assert total == 74
    assert hits / total >= 0.85


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1987", ("1987-01-01", "1987-12-31")),
        ("1987-02", ("1987-02-01", "1987-02-28")),
        ("1987-02-03", ("1987-02-03", "1987-02-03")),
        ("1989-Q4", ("1989-10-01", "1989-12-31")),
        ("1998-W12", ("1998-03-16", "1998-03-22")),
        ("PRESENT_REF", None),
        ("1998-SU", None),
    ],
)
def test_gold_value_ranges(value, expected):
    assert _peer_module().gold_range(value) == expected
