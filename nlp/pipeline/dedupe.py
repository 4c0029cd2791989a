"""One row per real event: merge repeats of the same event within an article.

Two rows are the same event when type, actor and action agree (impose and tighten count as
one against the same named partner), their targets agree (or one
has none), and their numbers and dates do not contradict each other. The clearest row is kept
(most fields, highest confidence) and the other's missing fields fill it.
"""

from __future__ import annotations

from typing import Any

FILLED = (
    "target",
    "target_text",
    "product",
    "amount",
    "amount_unit",
    "amount_text",
    "percent",
    "percent_text",
    "date_start",
    "date_end",
    "date_text",
    "date_precision",
)
NUMBERS = ("amount", "percent")
SYMMETRIC = ("AGREEMENT", "NEGOTIATION")
MEETINGS = ("NEGOTIATION",)
RAISING = frozenset({"impose", "tighten"})


def compatible(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same type, parties, action and negation; no contradiction in numbers or month (in day
    for talks: meetings on two days of one month are two rounds).

    Within one sentence numbers do not split an event: a measure that lists several rates is one
    event with the first rate (ANNOTATION.md, unified conventions).
    Talks and deals are symmetric: "Japan and the US" and "the US and Japan" are one pair.
    """
    if any(a.get(key) != b.get(key) for key in ("event_type", "negated")):
        return False
    if not same_action(a, b):
        return False
    if not same_parties(a, b):
        return False
    if a.get("sentence_start") is not None and a.get("sentence_start") == b.get("sentence_start"):
        return True
    for key in NUMBERS:
        if a.get(key) is not None and b.get(key) is not None and not close(a[key], b[key]):
            return False
    width = 10 if a.get("event_type") in MEETINGS else 7
    starts = [str(e.get("date_start") or "")[:width] for e in (a, b)]
    return not (all(starts) and starts[0] != starts[1])


def same_action(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same action; "imposed" and "raised" tariffs on the same named partner are one measure
    told twice (the later mention often calls it a hike), so they merge too."""
    if a.get("action") == b.get("action"):
        return True
    actions = {a.get("action"), b.get("action")}
    return actions <= RAISING and bool(a.get("target")) and a.get("target") == b.get("target")


def same_parties(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same actor and no contradicting target; either order for talks and deals."""
    if a.get("event_type") in SYMMETRIC and a.get("target") and b.get("target"):
        return {a.get("actor"), a.get("target")} == {b.get("actor"), b.get("target")}
    if a.get("actor") != b.get("actor"):
        return False
    return not (a.get("target") and b.get("target") and a["target"] != b["target"])


def close(x: Any, y: Any) -> bool:
    """Two numbers within 1% of each other."""
    return abs(float(x) - float(y)) <= 0.01 * max(abs(float(x)), 1e-9)


def richness(event: dict[str, Any]) -> tuple[int, float]:
    """How clear an evidence row is: filled fields first, then confidence."""
    return sum(1 for key in FILLED if event.get(key) not in (None, "")), float(
        event.get("confidence") or 0
    )


def merge(kept: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """The clearer of two rows, its empty fields filled from the other."""
    best, rest = (kept, other) if richness(kept) >= richness(other) else (other, kept)
    merged = dict(best)
    for key in FILLED:
        if merged.get(key) in (None, "") and rest.get(key) not in (None, ""):
            if key.startswith("target") and merged.get("target"):
                continue
            merged[key] = rest[key]
    merged["confidence"] = max(
        float(best.get("confidence") or 0), float(rest.get("confidence") or 0)
    )
    return merged


def dedupe_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge repeats of the same event; the order of first mention is kept."""
    kept: list[dict[str, Any]] = []
    for event in events:
        for i, other in enumerate(kept):
            if compatible(other, event):
                kept[i] = merge(other, event)
                break
        else:
            kept.append(event)
    return kept
