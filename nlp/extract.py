"""``newstag extract``: stored articles → mentions and events, written in batched transactions."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from sqlite_utils import Database

from nlp.pipeline.build import extractor_version
from nlp.pipeline.process import pipe_texts
from nlp.records import Event, Mention
from nlp.results import doc_records
from nlp.store import count_articles, finish_run, iter_articles, save_extractions, start_run

log = logging.getLogger(__name__)

Extraction = tuple[str, str, list[Mention], list[Event]]


@dataclass
class ExtractSummary:
    """What an extract did."""

    articles: int = 0
    mentions: int = 0
    events: int = 0
    seconds: float = 0.0
    extractor: str = ""

    def line(self) -> str:
        """The closing one-line summary."""
        return (
            f"{self.articles:,} articles extracted, {self.events:,} events, "
            f"{self.mentions:,} mentions in {self.seconds:.1f}s ({self.extractor})"
        )


def pending_count(db: Database, nlp: Language, *, reextract: bool, limit: int | None) -> int:
    """How many articles an extract would process (for the progress bar)."""
    total = count_articles(db, pending_for=extractor_version(nlp), reextract=reextract)
    return min(total, limit) if limit is not None else total


def extract_articles(
    db: Database,
    nlp: Language,
    *,
    reextract: bool = False,
    limit: int | None = None,
    workers: int = 1,
    batch_size: int = 64,
    write_every: int = 128,
    progress: Callable[[int], None] | None = None,
) -> ExtractSummary:
    """Run the pipeline over the articles the current extractor has not seen yet and store the results.

    Each written batch is one transaction that replaces the articles' old mentions and events and
    marks them done, so an interrupted run resumes where it stopped and ends in the same database.
    """
    summary = ExtractSummary(extractor=extractor_version(nlp))
    started = time.monotonic()
    run_id = start_run(db, "extract", args={"reextract": reextract, "limit": limit})
    status = "interrupted"
    try:
        for batch in _extractions(
            db, nlp, summary.extractor, reextract, limit, workers, batch_size, write_every
        ):
            save_extractions(db, batch)
            summary.articles += len(batch)
            summary.mentions += sum(len(m) for _, _, m, _ in batch)
            summary.events += sum(len(e) for _, _, _, e in batch)
            if progress:
                progress(len(batch))
        status = "ok"
    finally:
        summary.seconds = time.monotonic() - started
        counts = {
            "articles": summary.articles,
            "events": summary.events,
            "mentions": summary.mentions,
        }
        finish_run(db, run_id, counts=counts, errors=0, status=status)
    return summary


def _extractions(
    db: Database,
    nlp: Language,
    extractor: str,
    reextract: bool,
    limit: int | None,
    workers: int,
    batch_size: int,
    write_every: int,
) -> Iterator[list[Extraction]]:
    """Process pending articles and yield their results in groups of ``write_every``."""
    articles = iter_articles(db, pending_for=extractor, reextract=reextract, limit=limit)
    items = ((a.text, a.published, (a.id, a.url, a.published)) for a in articles)
    batch: list[Extraction] = []
    for doc, (article_id, url, published) in pipe_texts(
        nlp, items, batch_size=batch_size, n_process=workers
    ):
        mentions, events = doc_records(
            doc, article_id=article_id, url=url, published=published, extractor=extractor
        )
        batch.append((article_id, extractor, mentions, events))
        if len(batch) >= write_every:
            yield batch
            batch = []
    if batch:
        yield batch
