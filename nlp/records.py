"""The plain records that flow between stages: articles, mentions and events.

Each stage takes and returns these dataclasses, so it can be tested and replaced alone.
Field names are the column names of the store and of the exports (EVENTS.md §1, §1b).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Article:
    """One article as stored: its text is what all mention and event offsets point into."""

    id: str
    text: str
    url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    published: str | None = None
    source: str | None = None
    feed: str | None = None
    text_hash: str | None = None
    language: str | None = None
    fetched_at: str | None = None
    status: str = "ok"
    error: str | None = None
    extracted_at: str | None = None
    extractor: str | None = None


MENTION_KINDS = ("country", "organisation", "person", "quantity", "date", "duration")


@dataclass(frozen=True)
class Mention:
    """A country, organisation, person, quantity, date or duration found in an article."""

    article_id: str
    kind: str
    text: str
    start: int
    end: int
    code: str | None = None
    value: float | None = None
    unit: str | None = None
    date_start: str | None = None
    date_end: str | None = None
    date_precision: str | None = None
    iso_duration: str | None = None


@dataclass(frozen=True)
class Event:
    """One trade-policy event: the columns of EVENTS.md §1, in order."""

    event_id: str
    article_id: str
    url: str | None
    published: str | None
    event_type: str
    action: str
    actor: str | None
    actor_text: str | None
    target: str | None
    target_text: str | None
    product: str | None
    amount: float | None
    amount_unit: str | None
    amount_text: str | None
    percent: float | None
    percent_text: str | None
    date_start: str | None
    date_end: str | None
    date_text: str | None
    date_precision: str | None
    negated: bool
    sentence: str
    sentence_start: int
    sentence_end: int
    confidence: float
    extractor: str


def column_names(record_type: type) -> list[str]:
    """The columns of a record type, in declaration order (the CSV header)."""
    return [f.name for f in fields(record_type)]


MENTION_COLUMNS = column_names(Mention)
EVENT_COLUMNS = column_names(Event)
ARTICLE_COLUMNS = column_names(Article)


def to_row(record: Any) -> dict[str, Any]:
    """A record as a plain dict, ready for the store or an exporter."""
    return asdict(record)
