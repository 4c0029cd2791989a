"""Turn the mention span groups of a processed doc into ``Mention`` records."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc

from nlp.pipeline.extensions import MENTION_GROUPS
from nlp.records import Mention

_FIELDS = ("code", "value", "unit", "date_start", "date_end", "date_precision", "iso_duration")


def doc_mentions(doc: Doc, article_id: str) -> Iterator[Mention]:
    """Yield every mention in ``doc`` in text order, with offsets into ``doc.text``."""
    spans = [span for group in MENTION_GROUPS if group in doc.spans for span in doc.spans[group]]
    for span in sorted(spans, key=lambda s: (s.start_char, s.end_char)):
        norm = span._.newstag or {}
        # Span extension values are keyed by character offsets, so a later component's span over
        # the same words replaces the dict; the code also lives in ``kb_id_`` for that case.
        code = norm.get("code") or span.kb_id_ or None
        yield Mention(
            article_id=article_id,
            kind=span.label_,
            text=span.text,
            start=span.start_char,
            end=span.end_char,
            code=code,
            **{key: norm.get(key) for key in _FIELDS if key != "code"},
        )
