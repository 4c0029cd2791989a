"""Scoring extracted events against a gold file (EVENTS.md §6), for ``newstag eval``.

An event matches a gold event when ``event_type`` and ``actor`` agree; a dyad match also needs
the same ``target``. Each gold event matches at most one prediction: candidate pairs are taken
greedily, best attribute agreement first, so that a duplicate prediction is a false positive
rather than a second hit. Only articles named in the gold are scored. Attributes are compared over
matched pairs, and only where the gold gives a value (the report says on how many pairs).
Codes and enums are compared case-insensitively after stripping; "" and null both mean empty.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nlp.errors import InputError

log = logging.getLogger(__name__)

Events = dict[str, list[dict[str, Any]]]

ATTRIBUTES = ("action", "amount", "percent", "date_start", "date_end")
AMOUNT_TOLERANCE = 0.01  # relative
PERCENT_TOLERANCE = 0.5  # absolute, in percent (points)
_TRUE = {"1", "true", "yes", "t", "y"}


# ---------------------------------------------------------------- reading


def _read_json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each non-blank line of a JSON Lines file as an object, with its line number."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from e
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{path}:{number}: not valid JSON ({e.msg})") from e
            if not isinstance(record, dict):
                raise InputError(f"{path}:{number}: expected a JSON object per line")
            yield number, record


def _article_events(path: Path, number: int, record: dict[str, Any]) -> tuple[str, list[dict]]:
    """The (article_id, events) of one ``{"article_id", "events"}`` line, checked."""
    article_id = str(record.get("article_id") or "").strip()
    events = record.get("events")
    if not article_id or not isinstance(events, list):
        raise InputError(f'{path}:{number}: expected {{"article_id": ..., "events": [...]}}')
    if not all(isinstance(event, dict) for event in events):
        raise InputError(f"{path}:{number}: every event must be a JSON object")
    return article_id, events


def load_gold(path: str | Path) -> Events:
    """Gold events by article id, from JSON Lines of ``{"article_id", "events": [...]}``.

    An article listed with no events stays in the result: predictions for it are false positives.
    """
    path = Path(path)
    gold: Events = {}
    for number, record in _read_json_lines(path):
        article_id, events = _article_events(path, number, record)
        gold.setdefault(article_id, []).extend(events)
    return gold


def load_predictions(path: str | Path) -> Events:
    """Predicted events by article id: event rows (JSON Lines or CSV export) or per-article lines."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return _group_rows(_read_csv_rows(path), path)
    predicted: Events = {}
    for number, record in _read_json_lines(path):
        if "events" in record:
            article_id, events = _article_events(path, number, record)
            predicted.setdefault(article_id, []).extend(events)
        elif record.get("article_id") and record.get("event_type"):
            predicted.setdefault(str(record["article_id"]).strip(), []).append(record)
        else:
            raise InputError(f"{path}:{number}: neither an event row nor an article's events")
    return predicted


def _read_csv_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of a CSV export of events (header = EVENTS.md §1 columns)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle)
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from e


def _group_rows(rows: Iterable[dict[str, Any]], path: Path) -> Events:
    """Event rows grouped by their ``article_id``."""
    grouped: Events = {}
    for number, row in enumerate(rows, start=2):
        if not row.get("article_id") or not row.get("event_type"):
            raise InputError(f"{path}:{number}: an event row needs article_id and event_type")
        grouped.setdefault(str(row["article_id"]).strip(), []).append(row)
    return grouped


# ---------------------------------------------------------------- comparing values


def norm_code(value: Any) -> str:
    """A code or enum for comparison: stripped, upper case, "" for empty."""
    return "" if value is None else str(value).strip().upper()


def norm_number(value: Any) -> float | None:
    """A number for comparison; None for empty or unreadable values."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        return None


def is_negated(event: Mapping[str, Any]) -> bool:
    """Whether an event says it did not happen (bool, 0/1 or a string from a CSV)."""
    value = event.get("negated")
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


def _month(value: Any) -> str:
    """The YYYY-MM of an ISO date (or the year alone when that is all there is)."""
    text = "" if value is None else str(value).strip()
    return text[:7]


def _same_amount(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> bool:
    g, p = norm_number(gold.get("amount")), norm_number(pred.get("amount"))
    if g is None or p is None:
        return False
    if norm_code(gold.get("amount_unit")) != norm_code(pred.get("amount_unit")):
        return False
    return abs(p - g) <= AMOUNT_TOLERANCE * abs(g)


def _same_percent(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> bool:
    g, p = norm_number(gold.get("percent")), norm_number(pred.get("percent"))
    return g is not None and p is not None and abs(p - g) <= PERCENT_TOLERANCE


def _same_month(name: str) -> Callable[[Mapping[str, Any], Mapping[str, Any]], bool]:
    def same(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> bool:
        return bool(_month(gold.get(name))) and _month(gold.get(name)) == _month(pred.get(name))

    return same


def _same_action(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> bool:
    return norm_code(gold.get("action")) == norm_code(pred.get("action"))


_AGREES: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], bool]] = {
    "action": _same_action,
    "amount": _same_amount,
    "percent": _same_percent,
    "date_start": _same_month("date_start"),
    "date_end": _same_month("date_end"),
}


def has_value(event: Mapping[str, Any], attribute: str) -> bool:
    """Whether an event gives a value for an attribute (the scored side of agreement)."""
    if attribute in ("amount", "percent"):
        return norm_number(event.get(attribute)) is not None
    return bool(norm_code(event.get(attribute)))


def agreement(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> int:
    """How many of the gold's attributes the prediction gets right (ranks candidate pairs)."""
    return sum(1 for name in ATTRIBUTES if has_value(gold, name) and _AGREES[name](gold, pred))


# ---------------------------------------------------------------- matching


def _key(event: Mapping[str, Any], *, dyad: bool) -> tuple[str, ...]:
    key = (norm_code(event.get("event_type")), norm_code(event.get("actor")))
    return (*key, norm_code(event.get("target"))) if dyad else key


def match_events(
    gold: Sequence[Mapping[str, Any]], predicted: Sequence[Mapping[str, Any]], *, dyad: bool = False
) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs (gold index, predicted index) with equal keys, best agreement first.

    Ties go to the same target, then to document order, so the result does not depend on chance.
    """
    candidates = []
    for g, gold_event in enumerate(gold):
        for p, pred_event in enumerate(predicted):
            if _key(gold_event, dyad=dyad) == _key(pred_event, dyad=dyad):
                same_target = norm_code(gold_event.get("target")) == norm_code(
                    pred_event.get("target")
                )
                candidates.append((-same_target, -agreement(gold_event, pred_event), g, p))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for *_, g, p in candidates:
        if g not in used_gold and p not in used_pred:
            used_gold.add(g)
            used_pred.add(p)
            pairs.append((g, p))
    return sorted(pairs)


# ---------------------------------------------------------------- the report


@dataclass
class Counts:
    """Gold, predicted and matched counts, with precision, recall and F1."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, *, gold: int, predicted: int, matched: int) -> None:
        self.gold += gold
        self.predicted += predicted
        self.matched += matched

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass
class Agreement:
    """Attribute agreement over matched pairs where the gold has a value (``n``).

    ``unscored`` counts matched pairs where only the prediction gives a value: not an error in
    the score, but worth a look.
    """

    n: int = 0
    agree: int = 0
    unscored: int = 0

    @property
    def rate(self) -> float:
        return self.agree / self.n if self.n else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rate": self.rate}


def _brief(article_id: str, event: Mapping[str, Any]) -> dict[str, str]:
    """The identifying fields of an unmatched event, for the error list."""
    names = ("event_type", "action", "actor", "target")
    return {"article_id": article_id, **{name: norm_code(event.get(name)) for name in names}}


@dataclass
class ScoreReport:
    """Everything ``newstag eval`` reports; ``to_dict`` is the ``--json`` output."""

    articles: int = 0
    articles_predicted: int = 0
    events: Counts = field(default_factory=Counts)
    dyads: Counts = field(default_factory=Counts)
    by_type: dict[str, Counts] = field(default_factory=dict)
    dyads_by_type: dict[str, Counts] = field(default_factory=dict)
    attributes: dict[str, Agreement] = field(
        default_factory=lambda: {name: Agreement() for name in ATTRIBUTES}
    )
    missed: list[dict[str, str]] = field(default_factory=list)
    spurious: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (rates included)."""
        return {
            "articles": self.articles,
            "articles_predicted": self.articles_predicted,
            "events": self.events.to_dict(),
            "dyads": self.dyads.to_dict(),
            "by_type": {
                name: {"events": counts.to_dict(), "dyads": self.dyads_by_type[name].to_dict()}
                for name, counts in sorted(self.by_type.items())
            },
            "attributes": {name: agree.to_dict() for name, agree in self.attributes.items()},
            "missed": self.missed,
            "spurious": self.spurious,
        }


def _count_by_type(
    table: dict[str, Counts], gold: Sequence[Mapping], pred: Sequence[Mapping], pairs: list
) -> None:
    """Add one article's gold, predicted and matched events to a per-type table."""
    for event in gold:
        table.setdefault(norm_code(event.get("event_type")), Counts()).gold += 1
    for event in pred:
        table.setdefault(norm_code(event.get("event_type")), Counts()).predicted += 1
    for g, _ in pairs:
        table[norm_code(gold[g].get("event_type"))].matched += 1


def _score_attributes(report: ScoreReport, gold: Sequence[Mapping], pred: Sequence[Mapping], pairs):
    """Attribute agreement over the event-matched pairs of one article."""
    for g, p in pairs:
        for name, tally in report.attributes.items():
            if has_value(gold[g], name):
                tally.n += 1
                tally.agree += _AGREES[name](gold[g], pred[p])
            elif has_value(pred[p], name):
                tally.unscored += 1


def _score_article(report: ScoreReport, article_id: str, gold: list, pred: list) -> None:
    """Add one article's matches to the report."""
    pairs = match_events(gold, pred)
    dyad_pairs = match_events(gold, pred, dyad=True)
    report.events.add(gold=len(gold), predicted=len(pred), matched=len(pairs))
    report.dyads.add(gold=len(gold), predicted=len(pred), matched=len(dyad_pairs))
    _count_by_type(report.by_type, gold, pred, pairs)
    _count_by_type(report.dyads_by_type, gold, pred, dyad_pairs)
    for name in report.by_type:
        report.dyads_by_type.setdefault(name, Counts())
    _score_attributes(report, gold, pred, pairs)
    matched_gold = {g for g, _ in pairs}
    matched_pred = {p for _, p in pairs}
    report.missed += [_brief(article_id, e) for i, e in enumerate(gold) if i not in matched_gold]
    report.spurious += [_brief(article_id, e) for i, e in enumerate(pred) if i not in matched_pred]


def score(
    gold: Mapping[str, Sequence[Mapping]], predicted: Mapping[str, Sequence[Mapping]]
) -> ScoreReport:
    """Score predictions against gold over the gold's articles (EVENTS.md §6).

    Negated events are dropped on both sides; predictions for articles not in the gold are ignored.
    """
    report = ScoreReport(articles=len(gold))
    for article_id in sorted(gold):
        gold_events = [e for e in gold[article_id] if not is_negated(e)]
        pred_events = [e for e in predicted.get(article_id, ()) if not is_negated(e)]
        report.articles_predicted += bool(pred_events)
        _score_article(report, article_id, gold_events, pred_events)
    ignored = len(set(predicted) - set(gold))
    if ignored:
        log.info("ignored predictions for %d articles that are not in the gold", ignored)
    return report


def evaluate_files(gold_path: str | Path, predictions_path: str | Path) -> ScoreReport:
    """Score a predictions file (``newstag eval --pred``) against a gold file."""
    return score(load_gold(gold_path), load_predictions(predictions_path))


def evaluate_db(db: Any, gold_path: str | Path) -> ScoreReport:
    """Score the events stored in ``db`` for the gold's articles against the gold file."""
    from nlp.store import iter_events  # the store is only needed for this entry point

    gold = load_gold(gold_path)
    predicted = {article_id: list(iter_events(db, article_id=article_id)) for article_id in gold}
    return score(gold, predicted)


def below_floors(
    report: ScoreReport, *, event_f1: float | None = None, dyad_f1: float | None = None
) -> list[str]:
    """The pinned floors a report falls below, as messages (empty when all hold)."""
    failures = []
    if event_f1 is not None and report.events.f1 < event_f1:
        failures.append(f"event F1 {report.events.f1:.3f} is below the floor {event_f1:.3f}")
    if dyad_f1 is not None and report.dyads.f1 < dyad_f1:
        failures.append(f"dyad F1 {report.dyads.f1:.3f} is below the floor {dyad_f1:.3f}")
    return failures


# ---------------------------------------------------------------- the table


def _counts_line(name: str, counts: Counts) -> str:
    return (
        f"{name:<20}{counts.gold:>6}{counts.predicted:>6}{counts.matched:>7}"
        f"{counts.precision:>8.3f}{counts.recall:>8.3f}{counts.f1:>8.3f}"
    )


def format_table(report: ScoreReport) -> str:
    """The report as plain text for the terminal."""
    header = f"{'':<20}{'gold':>6}{'pred':>6}{'match':>7}{'P':>8}{'R':>8}{'F1':>8}"
    lines = [
        f"{report.articles} gold articles, {report.articles_predicted} with predicted events",
        "",
        header,
        _counts_line("events", report.events),
        _counts_line("dyads", report.dyads),
        "",
        "events by type",
        header,
    ]
    lines += [_counts_line(name or "(none)", c) for name, c in sorted(report.by_type.items())]
    lines += ["", "dyads by type", header]
    lines += [_counts_line(name or "(none)", c) for name, c in sorted(report.dyads_by_type.items())]
    lines += ["", "attributes over matched events (n = pairs where the gold has a value)"]
    lines += [
        f"{name:<20}n={tally.n:<6}agree={tally.agree:<6}{tally.rate:>7.3f}"
        for name, tally in report.attributes.items()
    ]
    return "\n".join(lines)
