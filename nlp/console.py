"""Terminal output for long work: a rich progress bar on a terminal, plain lines when piped."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

stderr = Console(stderr=True, soft_wrap=True)


def setup_logging(*, verbose: bool) -> None:
    """One-line log messages on stderr: warnings by default, everything with --verbose."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="newstag: %(message)s",
        stream=sys.stderr,
        force=True,
    )


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Yield an ``advance(n)`` callable that draws a bar on a terminal and prints lines otherwise."""
    if stderr.is_terminal:
        columns = [
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
        ]
        columns += [TimeElapsedColumn(), TimeRemainingColumn()]
        with Progress(*columns, console=stderr, transient=True) as progress:
            task = progress.add_task(description, total=total)
            yield lambda n: progress.advance(task, n)
        return
    yield _plain_reporter(description, total)


def _plain_reporter(description: str, total: int | None) -> Callable[[int], None]:
    """Print a progress line at most every ten seconds (for logs and pipes)."""
    state = {"done": 0, "last": time.monotonic()}

    def advance(n: int) -> None:
        state["done"] += n
        now = time.monotonic()
        if now - state["last"] >= 10:
            state["last"] = now
            of = f"/{total:,}" if total else ""
            print(f"{description}: {state['done']:,}{of}", file=sys.stderr, flush=True)

    return advance
