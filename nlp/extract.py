"""``newstag extract``: stored articles → mentions and events, written in batched transactions.

Articles are read a batch at a time; each batch is processed whole (in this process, or in one of
``workers`` forked processes that share the loaded pipeline) and written as one transaction.
With the gate (the default) only articles that could hold an event go through the trained
pipeline; the others get their mentions from the rule components alone (``nlp/gate.py``). The
events are the same either way, so the extractor version is too.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult

from spacy.language import Language
from spacy.tokens import Doc
from sqlite_utils import Database

from nlp.gate import ArticleGate, RulesOnly
from nlp.pipeline.build import extractor_version
from nlp.pipeline.process import prepare_doc
from nlp.records import Article, Event, Mention
from nlp.results import doc_records
from nlp.store import count_articles, finish_run, iter_articles, save_extractions, start_run

log = logging.getLogger(__name__)

Extraction = tuple[str, str, list[Mention], list[Event]]
Context = tuple[str, str | None, str | None]
Chunk = list[tuple[str, str, str | None, str | None]]
# Batches queued per worker process: enough to keep it busy while the main process writes.
QUEUED_PER_WORKER = 2


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
    gate: bool = True,
    batch_size: int = 64,
    write_every: int = 128,
    progress: Callable[[int], None] | None = None,
) -> ExtractSummary:
    """Run the pipeline over the articles the current extractor has not seen yet and store the results.

    Each written batch is one transaction that replaces the articles' old mentions and events and
    marks them done, so an interrupted run resumes where it stopped and ends in the same database.
    ``gate=False`` sends every article through the trained pipeline (same events, slower).
    """
    summary = ExtractSummary(extractor=extractor_version(nlp))
    started = time.monotonic()
    run_id = start_run(db, "extract", args={"reextract": reextract, "limit": limit, "gate": gate})
    status = "interrupted"
    try:
        articles = iter_articles(
            db, pending_for=summary.extractor, reextract=reextract, limit=limit
        )
        chunks = _chunks(articles, write_every)
        router = Router(nlp, summary.extractor, gate=gate, batch_size=batch_size)
        for batch in _processed(router, chunks, workers):
            _write(db, batch, summary, progress)
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


def _write(
    db: Database,
    batch: list[Extraction],
    summary: ExtractSummary,
    progress: Callable[[int], None] | None,
) -> None:
    """Store one batch in one transaction and count it."""
    save_extractions(db, batch)
    summary.articles += len(batch)
    summary.mentions += sum(len(m) for _, _, m, _ in batch)
    summary.events += sum(len(e) for _, _, _, e in batch)
    if progress:
        progress(len(batch))


def _chunks(articles: Iterable[Article], size: int) -> Iterator[Chunk]:
    """The articles as plain tuples (cheap to send to a worker), ``size`` at a time."""
    chunk: Chunk = []
    for article in articles:
        chunk.append((article.id, article.text, article.url, article.published))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Router:
    """Process a batch of articles: the gate's choice through the trained pipeline, the rest
    through the rule components only; ``gate=False`` sends everything through the pipeline."""

    def __init__(self, nlp: Language, extractor: str, *, gate: bool, batch_size: int) -> None:
        self.nlp = nlp
        self.extractor = extractor
        self.batch_size = batch_size
        self.gate = ArticleGate(nlp) if gate else None
        self.rules = RulesOnly(nlp)

    def __call__(self, chunk: Chunk) -> list[Extraction]:
        """The records of every article of ``chunk`` (admitted ones last)."""
        admitted: list[tuple[Doc, Context]] = []
        results = []
        for article_id, text, url, published in chunk:
            doc = prepare_doc(self.nlp, text, published)
            if self.gate is None or self.gate.admits(doc):
                admitted.append((doc, (article_id, url, published)))
            else:
                results.append(self.records(self.rules(doc), (article_id, url, published)))
        docs = self.nlp.pipe(admitted, as_tuples=True, batch_size=self.batch_size)
        results += [self.records(doc, context) for doc, context in docs]
        return results

    def records(self, doc: Doc, context: Context) -> Extraction:
        """One processed article's mentions and events, ready to store."""
        article_id, url, published = context
        mentions, events = doc_records(
            doc, article_id=article_id, url=url, published=published, extractor=self.extractor
        )
        return article_id, self.extractor, mentions, events


def _processed(router: Router, chunks: Iterator[Chunk], workers: int) -> Iterator[list[Extraction]]:
    """Each chunk's results, in order: in this process, or in ``workers`` forked processes."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(router, chunks)
        return
    yield from _in_workers(router, chunks, workers)


_ROUTER: Router | None = None  # the forked workers' router, inherited from the parent


def _work(chunk: Chunk) -> list[Extraction]:
    """Run in a worker: process one chunk with the inherited router."""
    assert _ROUTER is not None
    return _ROUTER(chunk)


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: leave when the parent is gone, so a killed extract leaves no workers."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _in_workers(
    router: Router, chunks: Iterator[Chunk], workers: int
) -> Iterator[list[Extraction]]:
    """Fan chunks out to forked workers that share the loaded pipeline (nothing is pickled but
    the texts and the records); at most a few chunks per worker are in flight, so memory stays
    bounded and the database is read only from this thread."""
    global _ROUTER
    _ROUTER = router
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, _exit_with_parent, (os.getpid(),)) as pool:
            queued: deque[AsyncResult] = deque()
            for chunk in chunks:
                queued.append(pool.apply_async(_work, (chunk,)))
                if len(queued) > QUEUED_PER_WORKER * workers:
                    yield queued.popleft().get()
            while queued:
                yield queued.popleft().get()
    finally:
        _ROUTER = None
