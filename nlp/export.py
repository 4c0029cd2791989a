"""CSV and JSON Lines exports of events, mentions and articles (columns of EVENTS.md §1, §1b).

CSV cells are written so that a spreadsheet shows them as text: a string that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (unless ``raw``), so a
headline such as ``=HYPERLINK(...)`` cannot run as a formula. The prefix is reversible with
``unneutralize``. Numbers are never touched. See docs/codebook.md, "Reading the files".
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

import sqlite_utils

from nlp.errors import InputError
from nlp.records import ARTICLE_COLUMNS, EVENT_COLUMNS, MENTION_COLUMNS
from nlp.store import iter_article_rows, iter_events, iter_mentions

FORMATS = ("csv", "jsonl")
TABLES = ("events", "mentions", "articles")

# Any run of quotes before a trigger character is prefixed too, so that the prefix can be
# removed again without ambiguity (a stored "'=x" is written "''=x" and read back as "'=x").
_TRIGGER = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALIZED = re.compile(r"'+[=+\-@\t\r]")


def neutralize(value: Any) -> Any:
    """A string cell that a spreadsheet would read as a formula, made inert with a leading ``'``."""
    if isinstance(value, str) and _TRIGGER.match(value):
        return "'" + value
    return value


def unneutralize(value: Any) -> Any:
    """The exact inverse of ``neutralize``, for reading a non-raw CSV back."""
    if isinstance(value, str) and _NEUTRALIZED.match(value):
        return value[1:]
    return value


def _csv_cell(value: Any, *, raw: bool) -> Any:
    """One CSV cell: None as empty, booleans as true/false, floats in full precision."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return value if raw else neutralize(value)


def _write_csv(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO, *, raw: bool
) -> int:
    """CSV with a header; newlines inside cells are quoted, rows end in ``\\n``."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(row.get(name), raw=raw) for name in columns])
        count += 1
    return count


def _write_jsonl(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO) -> int:
    """One JSON object a line, keys in column order, UTF-8 text kept as is."""
    count = 0
    for row in rows:
        out.write(json.dumps({name: row.get(name) for name in columns}, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def write_rows(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str],
    out: TextIO,
    *,
    fmt: str,
    raw: bool = False,
) -> int:
    """Write rows in ``fmt`` (csv or jsonl) with exactly ``columns``; returns the rows written.

    Open ``out`` with ``newline=""`` so the csv module controls line ends. JSON Lines is not
    neutralized: it is not opened by spreadsheets, and its values stay exactly as stored.
    """
    if fmt == "csv":
        return _write_csv(rows, columns, out, raw=raw)
    if fmt == "jsonl":
        return _write_jsonl(rows, columns, out)
    raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _reject(what: str, **options: Any) -> None:
    """Refuse filters that do not apply to this table rather than silently ignoring them."""
    given = [name for name, value in options.items() if value]
    if given:
        flags = ", ".join("--" + name for name in given)
        raise InputError(f"{flags} cannot filter {what}; it applies to events only")


def select_rows(
    db: sqlite_utils.Database,
    what: str,
    *,
    since: str | None = None,
    until: str | None = None,
    types: Sequence[str] = (),
    actor: str | None = None,
    target: str | None = None,
    country: str | None = None,
    query: str | None = None,
    include_negated: bool = False,
) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """The columns and the filtered rows of one table; for mentions, ``types`` are mention kinds."""
    if what == "events":
        rows = iter_events(
            db, since=since, until=until, types=types, actor=actor, target=target,
            country=country, query=query, include_negated=include_negated,
        )  # fmt: skip
        return list(EVENT_COLUMNS), rows
    if what == "mentions":
        _reject(what, actor=actor, target=target)
        rows = iter_mentions(
            db, kinds=types, query=query, since=since, until=until, country=country
        )
        return list(MENTION_COLUMNS), rows
    if what == "articles":
        _reject(what, type=types, actor=actor, target=target, country=country)
        return list(ARTICLE_COLUMNS), iter_article_rows(db, query=query, since=since, until=until)
    raise InputError(f"cannot export {what!r}; choose one of {', '.join(TABLES)}")


def export(
    db: sqlite_utils.Database,
    what: str,
    out: TextIO,
    *,
    fmt: str = "csv",
    raw: bool = False,
    **filters: Any,
) -> int:
    """Write events, mentions or articles to ``out``; returns the number of rows written.

    ``filters`` are those of ``select_rows`` (dates, types, codes, full-text query, negated).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    columns, rows = select_rows(db, what, **filters)
    return write_rows(rows, columns, out, fmt=fmt, raw=raw)
