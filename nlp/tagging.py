"""``newstag tag``: one text through the pipeline, mentions and events as plain data."""

from __future__ import annotations

from typing import Any

from spacy.language import Language

from nlp.pipeline.build import extractor_version
from nlp.pipeline.process import tag_text
from nlp.records import to_row
from nlp.results import doc_records

TAGGED_ID = "-"


def tag_one(nlp: Language, text: str, *, published: str | None = None) -> dict[str, Any]:
    """Mentions and events of ``text`` as dicts (the rows an export would hold), no database."""
    doc = tag_text(nlp, text, published)
    mentions, events = doc_records(
        doc, article_id=TAGGED_ID, url=None, published=published, extractor=extractor_version(nlp)
    )
    return {
        "published": published,
        "extractor": extractor_version(nlp),
        "mentions": [to_row(m) for m in mentions],
        "events": [to_row(e) for e in events],
    }
