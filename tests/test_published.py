"""normalize_published: every way sources write a publication date → YYYY-MM-DD or None."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timezone
from itertools import islice

import pytest

from nlp.sources.published import normalize_published


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-12-22", "2025-12-22"),
        ("2025-12-22T10:00:00Z", "2025-12-22"),
        ("2025-12-22T23:30:00-05:00", "2025-12-22"),  # the day as written, not shifted to UTC
        ("2025-12-22 08:00", "2025-12-22"),
        ("2025-3-7", "2025-03-07"),
        ("20251222", "2025-12-22"),
        ("Mon, 22 Dec 2025 10:00:00 GMT", "2025-12-22"),
        ("Tue, 1 Jul 2025 06:00:00 +0200", "2025-07-01"),
        ("22 Dec 2025 10:00 +0000", "2025-12-22"),
        ("26-FEB-1987 15:01:01.79", "1987-02-26"),
        ("     26-FEB-1987 15:01:01.79", "1987-02-26"),
        ("3-MAR-1987 09:00:00.00", "1987-03-03"),
        ("Dec 22, 2025", "2025-12-22"),
        ("December 22, 2025", "2025-12-22"),
        ("Sept. 3, 2025", "2025-09-03"),
        ("Monday, December 22, 2025", "2025-12-22"),
        ("Thursday 4 December 2025", "2025-12-04"),
        ("22nd December 2025", "2025-12-22"),
        (b"2020-01-02", "2020-01-02"),
    ],
)
def test_date_strings(value, expected):
    assert normalize_published(value) == expected


@pytest.mark.parametrize(
    "junk",
    [
        None,
        "",
        "   ",
        "junk",
        "2025-13-01",
        "2025-02-30",
        "Feb 30, 2025",
        "0001-01-01",
        "9999-12-31",
        "Mon, 99 Foo 2025",
        12,
        3.5,
        [],
        {},
        object(),
        b"\xff\xfe\x00",
        "Dec",
        "2025",
    ],
)
def test_junk_is_none_and_never_raises(junk):
    assert normalize_published(junk) is None


def test_date_objects_and_struct_time():
    assert normalize_published(date(2024, 2, 29)) == "2024-02-29"
    assert normalize_published(datetime(2025, 12, 22, 23, 0, tzinfo=timezone.utc)) == "2025-12-22"
    assert normalize_published(time.gmtime(86400 * 365)) == "1971-01-01"


def test_reuters_dates_from_corpus(corpus_dir):
    """Every dated Reuters-21578 record parses, and to the day its date string names."""
    months = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
    with open(corpus_dir / "reuters21578.jsonl", encoding="utf-8") as lines:
        for line in islice(lines, 300):
            raw = json.loads(line)["date"]
            day, month, year = raw.split()[0].split("-")
            expected = f"{year}-{months.index(month) + 1:02d}-{int(day):02d}"
            assert normalize_published(raw) == expected, raw
