"""Resolve one time expression against a publication date: a pure function of text and anchor.

The words come from ``models/dates/lexicon.yaml``; this module holds only their meaning. A phrase
is read into a ``Frame`` (which month, which year, which relative word...) and the frame is then
turned into a calendar range. Rules, documented in ``models/README-dates.md``:

- a bare month or month-day is the nearest occurrence with a past bias (news reports the past):
  it points forward when it is at most ``NEAR_MONTHS`` months ahead (``FUTURE_MONTHS`` when its
  clause is in the future tense), otherwise to the latest occurrence at or before the anchor
  month; "last May" is the latest May before the anchor month, "next May" the first one after;
- a bare weekday is the latest one at or before the anchor (the next one after it in a
  sentence about the future); "last Friday" is strictly before, "next Friday" strictly after;
- early/mid/late split a month into days 1-10, 11-20, 21-end, a year into Jan-Apr, May-Aug,
  Sep-Dec, a decade into years 0-3, 4-6, 7-9 (precision ``range``);
- a week is Monday-Sunday of its ISO week (precision ``range``);
- no day is ever invented: a month stays a month.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

from nlp.errors import ModelError

NEAR_MONTHS = 2
FUTURE_MONTHS = 4
_WORD = re.compile(
    r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|'\d0s|\d{4}s|q[1-4]|[1-4]q|fy\d{2,4}"
    r"|\d+/\d+|\d+(?:\.\d+)?(?:st|nd|rd|th)?|[a-z]+"
)


@dataclass(frozen=True)
class DateLexicon:
    """The vocabulary of time expressions, as read from ``models/dates/lexicon.yaml``."""

    months: dict[str, int]
    weekdays: dict[str, int]
    seasons: dict[str, list[int]]
    parts: dict[str, str]
    part_bounds: dict[str, dict[str, list[int]]]
    relative: dict[str, int]
    stretch: list[str]
    deictic: dict[str, int]
    direction: dict[str, int]
    units: dict[str, str]
    plural_units: list[str]
    ordinals: dict[str, int]
    numbers: dict[str, int | None]
    fiscal: list[str]
    raw: dict = field(default_factory=dict, compare=False, repr=False)


def load_lexicon(models_dir: str | Path) -> DateLexicon:
    """Read the date vocabulary once; a missing or broken file is a ``ModelError``."""
    path = Path(models_dir) / "dates" / "lexicon.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ModelError(f"cannot read the date lexicon {path}: restore models/dates/") from e
    keys = DateLexicon.__dataclass_fields__.keys() - {"raw"}
    return DateLexicon(**{key: raw[key] for key in keys}, raw=raw)


@dataclass(frozen=True)
class Timex:
    """A resolved expression: a ``date`` with its range, or a ``duration`` in ISO 8601."""

    label: str
    date_start: str | None = None
    date_end: str | None = None
    date_precision: str | None = None
    iso_duration: str | None = None
    anaphoric: bool = False  # resolved through the reference period, so it never becomes one

    def fields(self) -> dict[str, str | None]:
        """The ``span._.newstag`` dict for this expression."""
        if self.label == "duration":
            return {"iso_duration": self.iso_duration}
        return {
            "date_start": self.date_start,
            "date_end": self.date_end,
            "date_precision": self.date_precision,
        }


@dataclass
class Frame:
    """What a phrase says, word by word, before any arithmetic."""

    iso: date | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    season: str | None = None
    part: str | None = None
    rel: int | None = None
    stretch: bool = False
    latest: bool = False
    fraction: bool = False
    that: bool = False
    whole: bool = False
    count: float | None = None
    unit: str | None = None
    plural: bool = False
    units: set[str] = field(default_factory=set)
    direction: int | None = None
    deictic: int | None = None
    ordinal: int | None = None
    quarter: int | None = None
    decade: int | None = None
    numbers: list[float] = field(default_factory=list)


# ---------------------------------------------------------------- reading a phrase into a frame


def read_frame(text: str, lex: DateLexicon) -> Frame:
    """Fill a frame from the words of ``text``; unknown words are ignored."""
    frame = Frame()
    text = _spelled_years(text.lower(), lex, frame)
    for word in _WORD.findall(text):
        if not _read_special(word, frame) and not _read_word(word, frame, lex):
            _read_number(word, frame, lex)
    if frame.month is not None:
        _numbers_as_day(frame)
    return frame


def _spelled_years(text: str, lex: DateLexicon, frame: Frame) -> str:
    """Read a year said in words ("nineteen ninety-six", "two thousand") and remove it from ``text``."""
    for pattern, value in _spelled_year_patterns(tuple(lex.numbers.items())):
        match = pattern.search(text)
        if match:
            frame.year = value(match)
            return text[: match.start()] + " " + text[match.end() :]
    return text


@cache
def _spelled_year_patterns(
    number_items: tuple[tuple[str, int | None], ...],
) -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], int]]]:
    numbers = {word: value for word, value in number_items if value is not None and len(word) > 2}
    tens = "|".join(word for word, value in numbers.items() if 10 <= value <= 90)
    units = "|".join(word for word, value in numbers.items() if 1 <= value <= 9)
    century = rf"\bnineteen[\s-]+(?P<tens>{tens})(?:[\s-]+(?P<unit>{units}))?\b"
    thousand = rf"\btwo thousand(?:[\s-]+(?:and[\s-]+)?(?P<unit>{units}|{tens}))?\b"

    def in_century(match: re.Match[str]) -> int:
        return 1900 + numbers[match["tens"]] + (numbers[match["unit"]] if match["unit"] else 0)

    def in_thousands(match: re.Match[str]) -> int:
        return 2000 + (numbers[match["unit"]] if match["unit"] else 0)

    return [(re.compile(century), in_century), (re.compile(thousand), in_thousands)]


def _read_special(word: str, frame: Frame) -> bool:
    """ISO dates, US numeric dates, decades, quarters, fiscal-year codes and fractions."""
    if re.fullmatch(r"\d+/\d+", word):
        frame.fraction = True
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        frame.iso = _safe_date(*map(int, word.split("-")))
    elif re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", word):
        month, day, year = map(int, word.split("/"))
        frame.iso = _safe_date(year, month, day)
    elif re.fullmatch(r"\d{4}s", word):
        frame.decade = int(word[:4]) // 10 * 10
    elif re.fullmatch(r"'\d0s", word):
        frame.decade = 1900 + int(word[1:3])
    elif re.fullmatch(r"q[1-4]|[1-4]q", word):
        frame.quarter = int(word.strip("q"))
    elif re.fullmatch(r"fy\d{2,4}", word):
        frame.year = _full_year(int(word[2:]))
    else:
        return False
    return True


def _read_word(word: str, frame: Frame, lex: DateLexicon) -> bool:
    """Lexicon words: months, weekdays, parts, relatives, units and the like."""
    tables = (
        (lex.months, "month"),
        (lex.weekdays, "weekday"),
        (lex.parts, "part"),
        (lex.relative, "rel"),
        (lex.deictic, "deictic"),
        (lex.direction, "direction"),
        (lex.ordinals, "ordinal"),
    )
    if word in lex.stretch:
        frame.stretch = True
    if word in lex.raw["latest"]:
        frame.latest = True
    if word in lex.raw["whole"]:
        frame.whole = True
    if word in lex.raw["that_words"]:
        frame.that = True
        return True
    for table, attr in tables:
        if word in table and getattr(frame, attr) is None:
            setattr(frame, attr, table[word])
            return True
    if word in lex.seasons:
        frame.season = word
    elif word in lex.units:
        frame.unit = lex.units[word]
        frame.units.add(frame.unit)
        frame.plural = frame.plural or word in lex.plural_units
    else:
        return word in lex.stretch or word in lex.raw["latest"] or word in lex.raw["whole"]
    return True


def _read_number(word: str, frame: Frame, lex: DateLexicon) -> None:
    """Digits and number words: a year when four digits, else a count or a day."""
    if word in lex.numbers:
        value = lex.numbers[word]
        frame.count = float(value) if value is not None else None
        return
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(st|nd|rd|th)?", word)
    if not match:
        return
    number = float(match.group(1))
    if re.fullmatch(r"\d{4}", match.group(1)) and 1000 <= number <= 2199:
        frame.year = int(number)
    else:
        frame.numbers.append(number)
        frame.count = number


def _numbers_as_day(frame: Frame) -> None:
    """With a month named, a number from 1 to 31 is its day, not a count."""
    days = [n for n in frame.numbers if n.is_integer() and 1 <= n <= 31]
    if days:
        frame.day = int(days[0])
        frame.count = None


# ---------------------------------------------------------------- from a frame to a range


def resolve(
    text: str,
    anchor: date | None,
    lex: DateLexicon,
    *,
    future: bool = False,
    reference: Timex | None = None,
    previous: Timex | None = None,
) -> Timex | None:
    """The calendar range or duration that ``text`` names, read against ``anchor``.

    ``previous`` is the date the text named last ("later that year" is its year).
    ``reference`` is the quarter the text last spoke of: "the latest quarter" is that quarter and
    "a year earlier" the same quarter a year before (as in results reports). Returns None when
    the phrase names no definite time ("recent months") or needs an anchor that is missing.
    """
    frame = read_frame(text, lex)
    duration = _duration(frame)
    if duration is not None:
        return duration
    if frame.that and previous is not None:
        found = _that_period(frame, previous)
        if found is not None:
            return found
    for rule in _RULES:
        found = rule(frame, anchor, future, lex, reference)
        if found is not None:
            return found
    if anchor is None and _is_temporal(frame):
        return Timex("date")
    return None


def _is_temporal(frame: Frame) -> bool:
    """Whether the phrase names a time at all (then, without an anchor, an unresolved date)."""
    named = (frame.month, frame.weekday, frame.deictic, frame.season, frame.quarter, frame.year)
    return any(value is not None for value in named) or (
        frame.unit is not None and not frame.plural
    )


def _duration(frame: Frame) -> Timex | None:
    """A count of units with no direction ("six months", "the past five years", "for a year")."""
    if frame.unit in (None, "H", "Q", "P") or frame.direction is not None or frame.fraction:
        return None
    if frame.ordinal is not None and frame.count is None:
        return None
    if frame.quarter or frame.month or frame.year or frame.weekday is not None or frame.season:
        return None
    if frame.count is None and (frame.plural or not frame.stretch or frame.rel is not None):
        return None
    if frame.count is None and frame.part is not None:
        return None
    count = 1.0 if frame.count is None else frame.count
    unit = {"F": "W", "X": "Y", "H": "M", "Q": "M"}.get(frame.unit, frame.unit)
    factor = {"F": 2, "X": 10, "H": 6, "Q": 3}.get(frame.unit, 1)
    amount = count * factor
    number = str(int(amount)) if amount.is_integer() else str(amount)
    return Timex("duration", iso_duration=f"P{number}{unit}")


def _day(value: date) -> Timex:
    return Timex("date", value.isoformat(), value.isoformat(), "day")


def _span(start: date, end: date, precision: str) -> Timex:
    return Timex("date", start.isoformat(), end.isoformat(), precision)


def _month_span(year: int, month: int, precision: str = "month") -> Timex:
    last = calendar.monthrange(year, month)[1]
    return _span(date(year, month, 1), date(year, month, last), precision)


def _months_span(year: int, first: int, last: int, precision: str) -> Timex:
    """From the first day of month ``first`` to the end of month ``last`` (which may wrap a year)."""
    end_year = year + (1 if last < first else 0)
    end_day = calendar.monthrange(end_year, last)[1]
    return _span(date(year, first, 1), date(end_year, last, end_day), precision)


def _rule_iso(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    return _day(frame.iso) if frame.iso else None


def _rule_deictic(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    if frame.deictic is None or anchor is None:
        return None
    return _day(anchor + timedelta(days=frame.deictic))


def _that_period(frame: Frame, previous: Timex) -> Timex | None:
    """ "that year", "later that month", "earlier that day": the period of the date named before."""
    if previous.date_start is None or frame.count is not None:
        return None
    start = date.fromisoformat(previous.date_start)
    finer = {"Y": ("day", "month", "year", "quarter"), "M": ("day", "month"), "D": ("day",)}
    if previous.date_precision not in finer.get(frame.unit or "", ()):
        return None
    if frame.unit == "Y":
        found = _span(date(start.year, 1, 1), date(start.year, 12, 31), "year")
    elif frame.unit == "M":
        found = _month_span(start.year, start.month)
    else:
        found = _day(start)
    return replace(found, anaphoric=True)


def _rule_reference(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    """ "the latest quarter", "the year-ago quarter", "a year earlier": the quarter under discussion."""
    if ref is None or ref.date_precision != "quarter" or ref.date_start is None:
        return None
    start = date.fromisoformat(ref.date_start)
    quarter = (start.month - 1) // 3 + 1
    shifted = frame.direction == -1 and frame.count in (None, 1.0) and "Y" in frame.units
    last_years = frame.rel == -1 and "Y" in frame.units and frame.units & {"Q", "P"}
    if shifted or last_years:
        return replace(
            _months_span(start.year - 1, 3 * quarter - 2, 3 * quarter, "quarter"), anaphoric=True
        )
    if _is_anaphor(frame):
        year = frame.year if frame.year is not None else start.year
        return replace(_months_span(year, 3 * quarter - 2, 3 * quarter, "quarter"), anaphoric=True)
    return None


def _is_anaphor(frame: Frame) -> bool:
    """ "the quarter", "the latest period", "the 1988 quarter": a period named only by its noun."""
    if not frame.units or not frame.units <= {"Q", "P"} or frame.plural:
        return False
    named = (frame.ordinal, frame.quarter, frame.count, frame.direction, frame.rel, frame.month)
    return all(value is None for value in named)


def _rule_latest_quarter(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    """ "the latest quarter" with no quarter named before: the last one completed before the anchor."""
    if anchor is None or not frame.latest or not _is_anaphor(frame) or "Q" not in frame.units:
        return None
    return _unit_period(anchor, "Q", -1)


def _rule_shifted(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    """ "two years ago", "a month later": the unit containing the anchor moved by the count."""
    if frame.direction is None or frame.unit is None or anchor is None:
        return None
    if frame.count is None and (frame.rel is not None or frame.unit != "Y" or frame.direction > 0):
        return None
    count = 1.0 if frame.count is None else frame.count
    if not float(count).is_integer():
        return None
    return _unit_period(anchor, frame.unit, int(count) * frame.direction, exact=True)


def _rule_quarter(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    number = frame.quarter or (frame.ordinal if frame.unit == "Q" else None)
    if frame.plural and frame.unit == "Q":
        return _first_quarters(frame, anchor)
    if number is None and not (frame.unit == "Q" and frame.rel is not None):
        return None
    if number is None:
        return _unit_period(anchor, "Q", frame.rel or 0) if anchor else None
    year = _year_of(frame, anchor)
    if year is None or not 1 <= number <= 4:
        return None
    return _months_span(year, 3 * number - 2, 3 * number, "quarter")


def _first_quarters(frame: Frame, anchor: date | None) -> Timex | None:
    """ "the first three quarters (of 2018)": January to the end of the last quarter counted."""
    year = _year_of(frame, anchor)
    count = frame.count
    if frame.ordinal != 1 or year is None or count is None or not 1 <= count <= 4:
        return None
    return _months_span(year, 1, 3 * int(count), "range")


def _rule_half(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    if frame.unit != "H" or frame.ordinal not in (1, 2):
        return None
    year = _year_of(frame, anchor)
    if year is None:
        return None
    return _months_span(year, 6 * frame.ordinal - 5, 6 * frame.ordinal, "range")


def _rule_season(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    if frame.season is None:
        return None
    year = _year_of(frame, anchor)
    if year is None:
        return None
    first, last = lex.seasons[frame.season]
    return _months_span(year, first, last, "range")


def _rule_decade(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    if frame.decade is None:
        return None
    first, last = 0, 9
    if frame.part:
        first, last = lex.part_bounds["decade"][frame.part]
    return _span(date(frame.decade + first, 1, 1), date(frame.decade + last, 12, 31), "range")


def _rule_month(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    if frame.month is None:
        return None
    year = frame.year if frame.year is not None else _month_year(frame, anchor, future)
    if year is None:
        return Timex("date")
    if frame.day is not None:
        value = _safe_date(year, frame.month, frame.day)
        return _day(value) if value else None
    if frame.part is not None:
        first, last = lex.part_bounds["month"][frame.part]
        last = min(last, calendar.monthrange(year, frame.month)[1])
        return _span(date(year, frame.month, first), date(year, frame.month, last), "range")
    return _month_span(year, frame.month)


def _rule_weekday(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    if frame.weekday is None:
        return None
    if anchor is None:
        return Timex("date")
    back = (anchor.weekday() - frame.weekday) % 7
    ahead = (frame.weekday - anchor.weekday()) % 7
    if frame.rel == -1:
        return _day(anchor - timedelta(days=back or 7))
    if frame.rel == 1:
        return _day(anchor + timedelta(days=ahead or 7))
    if future and frame.rel is None:
        return _day(anchor + timedelta(days=ahead))
    return _day(anchor - timedelta(days=back))


def _rule_relative_unit(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    """ "last week", "this year", "next month", "early next year", "the full year"."""
    rel = frame.rel
    if rel is None and frame.whole and frame.unit == "Y":
        rel = -1 if frame.latest else 0
    if frame.unit is None or frame.plural or rel is None:
        return None
    if anchor is None:
        return Timex("date")
    period = _unit_period(anchor, frame.unit, rel)
    if period is None or frame.part is None or frame.unit != "Y":
        return period
    first, last = lex.part_bounds["year"][frame.part]
    return _months_span(anchor.year + rel, first, last, "range")


def _rule_year(
    frame: Frame, anchor: date | None, future: bool, lex: DateLexicon, ref: Timex | None
) -> Timex | None:
    if frame.year is None:
        return None
    if frame.part is not None:
        first, last = lex.part_bounds["year"][frame.part]
        return _months_span(frame.year, first, last, "range")
    return _span(date(frame.year, 1, 1), date(frame.year, 12, 31), "year")


# ---------------------------------------------------------------- calendar helpers


def _unit_period(
    anchor: date | None, unit: str, shift: int, *, exact: bool = False
) -> Timex | None:
    """The day, week, month, quarter or year containing ``anchor``, moved by ``shift`` units."""
    if anchor is None:
        return None
    if unit == "D":
        return _day(anchor + timedelta(days=shift))
    if unit in ("W", "F"):
        monday = (
            anchor
            - timedelta(days=anchor.weekday())
            + timedelta(weeks=shift * (2 if unit == "F" else 1))
        )
        return _span(monday, monday + timedelta(days=6), "range")
    if unit == "M":
        year, month = divmod(anchor.year * 12 + anchor.month - 1 + shift, 12)
        return _month_span(year, month + 1)
    if unit == "Q":
        index = anchor.year * 4 + (anchor.month - 1) // 3 + shift
        year, quarter = divmod(index, 4)
        return _months_span(year, 3 * quarter + 1, 3 * quarter + 3, "quarter")
    if unit == "Y":
        year = anchor.year + shift
        return _span(date(year, 1, 1), date(year, 12, 31), "year")
    if unit == "X" and not exact:
        start = anchor.year // 10 * 10 + 10 * shift
        return _span(date(start, 1, 1), date(start + 9, 12, 31), "range")
    if unit == "X":
        year = anchor.year + 10 * shift
        return _span(date(year, 1, 1), date(year, 12, 31), "year")
    return None


def _year_of(frame: Frame, anchor: date | None) -> int | None:
    """The year a quarter, half or season belongs to: stated, else the anchor's (moved by rel)."""
    if frame.year is not None:
        return frame.year
    if anchor is None:
        return None
    return anchor.year + (frame.rel or 0)


def _month_year(frame: Frame, anchor: date | None, future: bool) -> int | None:
    """The year of a month named without one (see the module docstring for the rule)."""
    month = frame.month
    if anchor is None or month is None:
        return None
    if frame.unit == "Y" and frame.rel is not None:
        return anchor.year + frame.rel
    if frame.rel == 0:
        return anchor.year
    if frame.rel == -1:
        return anchor.year if month < anchor.month else anchor.year - 1
    if frame.rel == 1:
        return anchor.year if month > anchor.month else anchor.year + 1
    ahead = (month - anchor.month) % 12
    if 0 < ahead <= (FUTURE_MONTHS if future else NEAR_MONTHS):
        return anchor.year + (1 if month < anchor.month else 0)
    return anchor.year if month <= anchor.month else anchor.year - 1


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _full_year(number: int) -> int:
    """Two-digit years: 50-99 are the 1900s, 00-49 the 2000s."""
    if number >= 100:
        return number
    return 1900 + number if number >= 50 else 2000 + number


_RULES = (
    _rule_iso,
    _rule_deictic,
    _rule_reference,
    _rule_latest_quarter,
    _rule_shifted,
    _rule_quarter,
    _rule_half,
    _rule_season,
    _rule_decade,
    _rule_month,
    _rule_weekday,
    _rule_relative_unit,
    _rule_year,
)
