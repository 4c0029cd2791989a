"""Turn a processed doc into the records the store keeps: mentions and events with provenance."""

from __future__ import annotations

import hashlib
from typing import Any

from spacy.tokens import Doc

from nlp.pipeline.mentions import doc_mentions
from nlp.records import EVENT_COLUMNS, Event, Mention

_PIPELINE_FIELDS = [
    name
    for name in EVENT_COLUMNS
    if name not in {"event_id", "article_id", "url", "published", "extractor"}
]


def event_id(article_id: str, fields: dict[str, Any]) -> str:
    """Stable id (EVENTS.md §1): article, sentence offsets, event type, actor and target."""
    key = "|".join(
        str(part or "")
        for part in (
            article_id,
            fields.get("sentence_start"),
            fields.get("sentence_end"),
            fields.get("event_type"),
            fields.get("actor"),
            fields.get("target"),
        )
    )
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def doc_events(
    doc: Doc, *, article_id: str, url: str | None, published: str | None, extractor: str
) -> list[Event]:
    """The events the pipeline assembled for ``doc``, one per id (the most confident kept)."""
    best: dict[str, Event] = {}
    for fields in doc._.events or []:
        values = {name: fields.get(name) for name in _PIPELINE_FIELDS}
        values["negated"] = bool(values["negated"])
        values["confidence"] = float(values["confidence"] or 0.0)
        event = Event(
            event_id=event_id(article_id, fields),
            article_id=article_id,
            url=url,
            published=published,
            extractor=extractor,
            **values,
        )
        kept = best.get(event.event_id)
        if kept is None or event.confidence > kept.confidence:
            best[event.event_id] = event
    return sorted(best.values(), key=lambda e: (e.sentence_start, e.event_type, e.actor or ""))


def doc_records(
    doc: Doc, *, article_id: str, url: str | None, published: str | None, extractor: str
) -> tuple[list[Mention], list[Event]]:
    """Mentions and events of one processed article."""
    mentions = list(doc_mentions(doc, article_id))
    events = doc_events(
        doc, article_id=article_id, url=url, published=published, extractor=extractor
    )
    return mentions, events
