"""Run a newstag pipeline over texts that carry their publication dates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from nlp.pipeline import extensions  # noqa: F401  (registers doc._.published)

T = TypeVar("T")


def prepare_doc(nlp: Language, text: str, published: str | None) -> Doc:
    """A tokenized doc with ``doc._.published`` set, ready for the components that need the date."""
    doc = nlp.make_doc(text)
    doc._.published = published
    return doc


def tag_text(nlp: Language, text: str, published: str | None = None) -> Doc:
    """Process one text published on ``published`` (``YYYY-MM-DD``) through the whole pipeline."""
    return nlp(prepare_doc(nlp, text, published))


def pipe_texts(
    nlp: Language,
    items: Iterable[tuple[str, str | None, T]],
    *,
    batch_size: int = 64,
    n_process: int = 1,
) -> Iterator[tuple[Doc, T]]:
    """Process ``(text, published, context)`` items in batches, yielding ``(doc, context)``."""
    docs_with_context = ((prepare_doc(nlp, text, published), ctx) for text, published, ctx in items)
    yield from nlp.pipe(
        docs_with_context, as_tuples=True, batch_size=batch_size, n_process=n_process
    )
