"""``newstag ingest``: archives on disk → stored articles, streamed in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from nlp.records import Article
from nlp.sources.archive import Skipped, iter_archive
from nlp.store import finish_run, save_articles, start_run


@dataclass
class IngestSummary:
    """What an ingest did, for the one-line summary and the ``runs`` table."""

    read: int = 0
    added: int = 0
    duplicates: int = 0
    skipped: int = 0
    skips: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The closing one-line summary."""
        text = (
            f"{self.added:,} ingested, {self.duplicates:,} already stored, {self.skipped:,} skipped"
        )
        return text + (" (see --verbose)" if self.skipped else "")


def ingest_paths(
    db: Database,
    paths: Sequence[Path | str],
    *,
    batch_size: int = 500,
    on_skip: Callable[[Skipped], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Store every article found under ``paths``; unreadable records are reported and skipped."""
    summary = IngestSummary()
    run_id = start_run(db, "ingest", args={"paths": [str(p) for p in paths]})
    status = "interrupted"
    try:
        for batch in _batches(iter_archive(paths), batch_size, summary, on_skip):
            result = save_articles(db, batch)
            summary.added += result.added
            summary.duplicates += result.duplicates
            if progress:
                progress(len(batch))
        status = "ok"
    finally:
        finish_run(db, run_id, counts=_counts(summary), errors=summary.skipped, status=status)
    return summary


def _batches(
    items: Iterable[Article | Skipped],
    size: int,
    summary: IngestSummary,
    on_skip: Callable[[Skipped], None] | None,
) -> Iterable[list[Article]]:
    """Group articles into batches, counting and reporting skipped records on the way."""
    batch: list[Article] = []
    for item in items:
        if isinstance(item, Skipped):
            summary.skipped += 1
            if on_skip:
                on_skip(item)
            continue
        summary.read += 1
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _counts(summary: IngestSummary) -> dict[str, int]:
    return {
        "read": summary.read,
        "added": summary.added,
        "duplicates": summary.duplicates,
        "skipped": summary.skipped,
    }
