"""The newstag command line: each command parses its options and calls one function in ``nlp``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer

from nlp.config import Settings, settings_from_env
from nlp.console import progress_bar, setup_logging, stderr
from nlp.errors import NewstagError

app = typer.Typer(
    help="Turn news into structured, citable trade-policy events.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite database (default newstag.db or $NEWSTAG_DB)."),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model", help="spaCy pipeline name or path ($NEWSTAG_MODEL); 'blank' for rules only."
    ),
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Report every skipped record.")
]
WorkersOption = Annotated[
    int | None, typer.Option("--workers", min=1, help="Processes for the spaCy pipeline.")
]

MAX_SKIP_LINES = 20


def _settings(**overrides: object) -> Settings:
    return settings_from_env().with_overrides(**overrides)


@contextmanager
def _reported() -> Iterator[None]:
    """Turn newstag's named errors into one line on stderr and exit status 1."""
    try:
        yield
    except NewstagError as e:
        stderr.print(f"[red]error:[/red] {e}", highlight=False)
        raise typer.Exit(1) from e


def _open_db(settings: Settings):
    from nlp.store import open_db

    return open_db(settings.db_path)


def _pipeline(settings: Settings):
    from nlp.pipeline.build import build_pipeline

    return build_pipeline(settings.model, models_dir=settings.models_dir)


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders: .jsonl[.gz], .html, .txt, .warc[.gz], feeds."),
    ],
    db: DbOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Store the articles of archives on disk (deduplicated; safe to re-run)."""
    from nlp.ingest import ingest_paths

    setup_logging(verbose=verbose)
    settings = _settings(db_path=db)
    shown = 0

    def report_skip(skipped) -> None:
        nonlocal shown
        shown += 1
        if verbose or shown <= MAX_SKIP_LINES:
            stderr.print(f"{skipped.where}: {skipped.reason}", highlight=False, markup=False)

    with _reported():
        database = _open_db(settings)
        with progress_bar("ingesting") as advance:
            summary = ingest_paths(database, paths, on_skip=report_skip, progress=advance)
    if shown > MAX_SKIP_LINES and not verbose:
        stderr.print(f"... and {shown - MAX_SKIP_LINES:,} more skipped records", highlight=False)
    typer.echo(summary.line())


@app.command()
def extract(
    db: DbOption = None,
    model: ModelOption = None,
    reextract: Annotated[bool, typer.Option(help="Process every article again.")] = False,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many articles.")] = None,
    workers: WorkersOption = None,
    gate: Annotated[
        bool,
        typer.Option(
            "--gate/--no-gate", help="Send only trade-related sentences through the trained model."
        ),
    ] = True,
    verbose: VerboseOption = False,
) -> None:
    """Find mentions and events in stored articles not yet seen by this extractor version."""
    setup_logging(verbose=verbose)
    settings = _settings(db_path=db, model=model, workers=workers, gate=gate)
    with _reported():
        summary = _run_extract(settings, reextract=reextract, limit=limit)
    typer.echo(summary.line())


def _run_extract(settings: Settings, *, reextract: bool = False, limit: int | None = None):
    from nlp.extract import extract_articles, pending_count

    database = _open_db(settings)
    nlp = _pipeline(settings)
    total = pending_count(database, nlp, reextract=reextract, limit=limit)
    with progress_bar("extracting", total) as advance:
        return extract_articles(
            database,
            nlp,
            reextract=reextract,
            limit=limit,
            workers=settings.workers,
            progress=advance,
        )


@app.command()
def fetch(
    db: DbOption = None,
    feeds: Annotated[Path | None, typer.Option(help="Feed list (default feeds.yaml).")] = None,
    verbose: VerboseOption = False,
) -> None:
    """Read every enabled feed, download new articles and store their main text."""
    setup_logging(verbose=verbose)
    settings = _settings(db_path=db, feeds_path=feeds)
    with _reported():
        summary = _run_fetch(settings, verbose=verbose)
    typer.echo(summary.line())


def _run_fetch(settings: Settings, *, verbose: bool):
    from nlp.fetching import fetch_feeds
    from nlp.sources.feedlist import load_feeds

    feed_specs = load_feeds(settings.feeds_path)
    database = _open_db(settings)
    with progress_bar("fetching") as advance:
        summary = fetch_feeds(database, feed_specs, settings=settings, progress=advance)
    for error in summary.errors[: None if verbose else MAX_SKIP_LINES]:
        stderr.print(error, highlight=False, markup=False)
    return summary


@app.command()
def run(
    db: DbOption = None,
    feeds: Annotated[Path | None, typer.Option(help="Feed list (default feeds.yaml).")] = None,
    model: ModelOption = None,
    workers: WorkersOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Fetch every feed, then extract events from the new articles."""
    setup_logging(verbose=verbose)
    settings = _settings(db_path=db, feeds_path=feeds, model=model, workers=workers)
    with _reported():
        fetched = _run_fetch(settings, verbose=verbose)
        extracted = _run_extract(settings)
    typer.echo(f"{fetched.line()}; {extracted.line()}")


@app.command()
def tag(
    text: Annotated[str, typer.Argument(help="The text to tag, or '-' to read standard input.")],
    published: Annotated[
        str | None,
        typer.Option(help="Publication date YYYY-MM-DD that relative dates resolve against."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or table.")] = "json",
    model: ModelOption = None,
) -> None:
    """Print the mentions and events of one text, without a database."""
    from nlp.report import render_tagged
    from nlp.tagging import tag_one

    if fmt not in ("json", "table"):
        raise typer.BadParameter("use json or table", param_hint="--format")
    if text == "-":
        text = sys.stdin.read()
    settings = _settings(model=model)
    with _reported():
        result = tag_one(_pipeline(settings), text, published=_checked_date(published))
    if fmt == "json":
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        render_tagged(result)


def _checked_date(value: str | None) -> str | None:
    from nlp.sources.published import normalize_published

    if value is None:
        return None
    normalized = normalize_published(value)
    if normalized is None:
        raise typer.BadParameter(
            f"not a date: {value!r} (use YYYY-MM-DD)", param_hint="--published"
        )
    return normalized


@app.command()
def export(
    what: Annotated[str, typer.Argument(help="events, mentions or articles.")],
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or jsonl.")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Events on or after this date (YYYY-MM-DD).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Events on or before this date.")] = None,
    event_type: Annotated[
        list[str], typer.Option("--type", help="Event type; repeat for several.")
    ] = [],  # noqa: B006
    actor: Annotated[str | None, typer.Option(help="Actor code, e.g. CHN.")] = None,
    target: Annotated[str | None, typer.Option(help="Target code.")] = None,
    country: Annotated[str | None, typer.Option(help="Actor or target code.")] = None,
    query: Annotated[str | None, typer.Option(help="Full-text search on the articles.")] = None,
    raw: Annotated[
        bool, typer.Option(help="Do not neutralize spreadsheet formulas in CSV cells.")
    ] = False,
    include_negated: Annotated[bool, typer.Option(help="Also export negated events.")] = False,
) -> None:
    """Write events, mentions or articles as CSV or JSON Lines."""
    from nlp.export import export as export_rows

    if what not in ("events", "mentions", "articles"):
        raise typer.BadParameter("use events, mentions or articles", param_hint="WHAT")
    if fmt not in ("csv", "jsonl"):
        raise typer.BadParameter("use csv or jsonl", param_hint="--format")
    settings = _settings(db_path=db)
    filters = dict(
        since=_checked_date(since),
        until=_checked_date(until),
        types=[t.upper() for t in event_type],
        actor=actor.upper() if actor else None,
        target=target.upper() if target else None,
        country=country.upper() if country else None,
        query=query,
        include_negated=include_negated,
    )
    with _reported(), _output(output) as out:
        count = export_rows(_open_db(settings), what, out, fmt=fmt, raw=raw, **filters)
    stderr.print(
        f"{count:,} {what} exported" + (f" to {output}" if output else ""), highlight=False
    )


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        yield handle


@app.command()
def stats(db: DbOption = None) -> None:
    """Counts of articles, events by type, actor and month, and the last runs."""
    from nlp.report import render_stats
    from nlp.store import stats as store_stats

    settings = _settings(db_path=db)
    with _reported():
        render_stats(store_stats(_open_db(settings)))


@app.command()
def show(
    article: Annotated[str, typer.Argument(help="Article id (see `newstag export articles`).")],
    db: DbOption = None,
) -> None:
    """Show one article with its events and their evidence sentences highlighted."""
    from nlp.errors import InputError
    from nlp.report import render_article
    from nlp.store import get_article, iter_events

    settings = _settings(db_path=db)
    with _reported():
        database = _open_db(settings)
        found = get_article(database, article)
        if found is None:
            raise InputError(f"no article {article!r} in {settings.db_path}")
        render_article(
            found, list(iter_events(database, article_id=found.id, include_negated=True))
        )


@app.command(name="eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold events, JSON Lines (EVENTS.md §6).")],
    db: DbOption = None,
    pred: Annotated[
        Path | None, typer.Option(help="Score this predictions file instead of the database.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    min_event_f1: Annotated[
        float | None, typer.Option(help="Exit 1 when event F1 is below this.")
    ] = None,
    min_dyad_f1: Annotated[
        float | None, typer.Option(help="Exit 1 when dyad F1 is below this.")
    ] = None,
) -> None:
    """Score the stored (or given) events against a gold file: precision, recall, F1."""
    from nlp.evaluate import (
        below_floors,
        evaluate_db,
        format_table,
        load_gold,
        load_predictions,
        score,
    )

    settings = _settings(db_path=db)
    with _reported():
        if pred is not None:
            report = score(load_gold(gold), load_predictions(pred))
        else:
            report = evaluate_db(_open_db(settings), gold)
    typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else format_table(report))
    failures = below_floors(report, event_f1=min_event_f1, dyad_f1=min_dyad_f1)
    for line in failures:
        stderr.print(line, highlight=False, markup=False)
    if failures:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
