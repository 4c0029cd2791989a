"""Human-readable views for the terminal: tagged text, database statistics, one article."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from nlp.records import Article

console = Console(soft_wrap=True)
if not console.is_terminal:  # piped or logged: wide tables rather than cut cells
    console = Console(soft_wrap=True, width=220)

EVENT_SUMMARY = (
    "event_type",
    "action",
    "actor",
    "target",
    "product",
    "amount",
    "amount_unit",
    "percent",
    "date_start",
    "date_end",
)


def _events_table(events: Sequence[dict[str, Any]], title: str = "events") -> Table:
    table = Table(title=title, show_lines=False)
    for name in EVENT_SUMMARY + ("negated",):
        table.add_column(name)
    for event in events:
        table.add_row(
            *(
                "" if event.get(n) is None else str(event.get(n))
                for n in EVENT_SUMMARY + ("negated",)
            )
        )
    return table


MENTION_SUMMARY = (
    "kind",
    "text",
    "start",
    "end",
    "code",
    "value",
    "unit",
    "date_start",
    "date_end",
    "iso_duration",
)


def _cells(row: dict[str, Any], names: Sequence[str]) -> list[str]:
    """A row's values as table cells, empty for None."""
    return ["" if row.get(n) is None else str(row.get(n)) for n in names]


def render_tagged(result: dict[str, Any]) -> None:
    """Tables of the mentions and events of one tagged text."""
    mentions = Table(title="mentions")
    for name in MENTION_SUMMARY:
        mentions.add_column(name)
    for mention in result["mentions"]:
        mentions.add_row(*_cells(mention, MENTION_SUMMARY))
    console.print(mentions)
    console.print(_events_table(result["events"]))


def render_stats(stats: dict[str, Any]) -> None:
    """Counts, then events by type, actor and month, then the last runs."""
    totals = ", ".join(
        f"{stats.get(k, 0):,} {k}" for k in ("articles", "extracted", "mentions", "events")
    )
    console.print(totals)
    for key, label in (("by_type", "event type"), ("by_actor", "actor"), ("by_month", "month")):
        table = Table(title=f"events by {label}")
        table.add_column(label)
        table.add_column("events", justify="right")
        for name, count in stats.get(key, []):
            table.add_row(str(name or "(none)"), f"{count:,}")
        console.print(table)
    runs = Table(title="last runs")
    for name in ("command", "started", "finished", "status", "counts", "errors"):
        runs.add_column(name)
    for run in stats.get("runs", []):
        runs.add_row(
            *(
                str(run.get(n, "") or "")
                for n in ("command", "started", "finished", "status", "counts", "errors")
            )
        )
    console.print(runs)


def render_article(article: Article, events: Sequence[dict[str, Any]]) -> None:
    """The article's metadata and text with each event's evidence sentence highlighted."""
    console.print(f"[bold]{article.title or '(no title)'}[/bold]", highlight=False)
    console.print(
        f"id {article.id} · {article.published or 'no date'} · {article.url or 'no url'}",
        highlight=False,
    )
    text = Text(article.text)
    for event in events:
        style = "dim strike" if event.get("negated") else "bold yellow"
        text.stylize(style, int(event["sentence_start"]), int(event["sentence_end"]))
    console.print(text)
    console.print(_events_table(events))
