"""Turn any date-ish value a source gives us into the one form the store keeps: ``YYYY-MM-DD``.

Feeds, archives and pages spell publication dates in many ways (ISO 8601, RFC 822, Reuters-21578,
"Dec 22, 2025", ``time.struct_time``). Callers want a day or nothing; a bad date must never lose
an article, so this module never raises.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

log = logging.getLogger(__name__)

# Plausible publication years: anything outside is a parsing accident (e.g. "0001-01-01").
MIN_YEAR = 1800
MAX_YEAR = 2200

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s_])")
_ISO_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:$|T)")
# Reuters-21578: " 26-FEB-1987 15:01:01.79"; also "26 Feb 1987", "22nd December 2025".
_DAY_MONTH_YEAR = re.compile(
    r"^\s*(\d{1,2})(?:st|nd|rd|th)?[-\s/.]([A-Za-z]{3,9})\.?[-\s/.,]+(\d{4})\b"
)
# "Dec 22, 2025", "December 22 2025".
_MONTH_DAY_YEAR = re.compile(r"^\s*([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_WEEKDAY = re.compile(
    r"^\s*(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?,?\s+",
    re.IGNORECASE,
)

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def _day(year: int, month: int, day: int) -> str | None:
    """The ISO day, or None when the numbers are not a real, plausible date."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _month_number(name: str) -> int | None:
    """1-12 for an English month name or abbreviation, else None."""
    return _MONTHS.get(name.lower().rstrip("."))


def _from_struct(value: time.struct_time) -> str | None:
    """feedparser's ``*_parsed`` fields are UTC ``struct_time``s."""
    return _day(value.tm_year, value.tm_mon, value.tm_mday)


def _from_iso(text: str) -> str | None:
    """ISO dates and datetimes, keeping the day as written (its own time zone)."""
    match = _ISO.match(text) or _ISO_COMPACT.match(text)
    if not match:
        return None
    return _day(int(match[1]), int(match[2]), int(match[3]))


def _from_rfc822(text: str) -> str | None:
    """RFC 822/2822 dates as used by RSS (``Mon, 22 Dec 2025 10:00:00 GMT``)."""
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return _day(parsed.year, parsed.month, parsed.day)


def _from_words(text: str) -> str | None:
    """Dates with a month name: ``26-FEB-1987 ...``, ``22 Dec 2025``, ``Dec 22, 2025``."""
    text = _WEEKDAY.sub("", text, count=1)
    match = _DAY_MONTH_YEAR.match(text)
    if match and (month := _month_number(match[2])):
        return _day(int(match[3]), month, int(match[1]))
    match = _MONTH_DAY_YEAR.match(text)
    if match and (month := _month_number(match[1])):
        return _day(int(match[3]), month, int(match[2]))
    return None


def _from_text(text: str) -> str | None:
    """Try each written form, the strictest first."""
    text = text.strip()
    if not text:
        return None
    return _from_iso(text) or _from_words(text) or _from_rfc822(text)


def normalize_published(value: Any) -> str | None:
    """``YYYY-MM-DD`` for any date-ish value (str, bytes, date, datetime, struct_time), else None.

    The day is kept as the source wrote it (no time-zone shift): the publication day a reader saw.
    Never raises: an unreadable date is logged at debug level and dropped.
    """
    try:
        if value is None:
            return None
        if isinstance(value, datetime | date):
            return _day(value.year, value.month, value.day)
        if isinstance(value, time.struct_time):
            return _from_struct(value)
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        if isinstance(value, str):
            return _from_text(value)
    except Exception as e:  # a date is never worth losing an article over
        log.debug("unreadable date %r: %s", value, e)
    return None
