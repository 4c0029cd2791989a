"""What, how much and when: product, amount, percent and date of a trigger, from its clause.

Quantities and dates come from the mention span groups. A number or date belongs to the event
when it sits in the trigger's clause (the subtree of its verb) and not under a preposition that
marks an earlier or compared value ("rose to 5 bln from 4 bln"); on a blank pipeline, when it is
in the sentence, nearest to the trigger.
"""

from __future__ import annotations

from datetime import date

from spacy.tokens import Span, Token

from nlp.pipeline.action_lexicon import ActionLexicon
from nlp.pipeline.clause import Context, has_parse
from nlp.pipeline.extensions import ACTIONS, DATES, QUANTITIES

PERCENT_UNITS = ("%", "pp")
PRODUCT_DEPS = (
    "det",
    "poss",
    "case",
    "nummod",
    "predet",
    "prep",
    "relcl",
    "acl",
    "punct",
    "cc",
    "conj",
    "appos",
)
PRODUCT_PREPS = ("on", "of", "in", "for")
MAX_PRODUCT_WORDS = 8


def sentence_of(span: Span) -> Span:
    """The sentence of a span, or the whole doc when sentences are not set."""
    return span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]


def group_in(span: Span, group: str) -> list[Span]:
    """The spans of ``group`` inside the sentence of ``span``."""
    sent = sentence_of(span)
    spans = span.doc.spans[group] if group in span.doc.spans else []
    return [s for s in spans if sent.start <= s.start and s.end <= sent.end]


def clause_top(span: Span, context: Context) -> Token:
    """The highest verb of the trigger's chain, or the trigger itself without a verb."""
    verbs = [
        t for t in context.verbs if t.pos_ in ("VERB", "AUX") and t.dep_ not in ("aux", "auxpass")
    ]
    return verbs[-1] if verbs else span.root


def under_previous_value(token: Token, top: Token, lexicon: ActionLexicon) -> bool:
    """The token hangs under "from", "against", "compared with" ... before reaching ``top``."""
    current = token
    while current.head.i != current.i and current.i != top.i:
        if (
            current.dep_ in ("prep", "advcl", "pcomp")
            and current.lower_ in lexicon.previous_value_preps
        ):
            return True
        current = current.head
    return False


def in_clause(token: Token, top: Token) -> bool:
    """The token is in ``top``'s subtree."""
    current = token
    while current.head.i != current.i:
        if current.i == top.i:
            return True
        current = current.head
    return current.i == top.i


def under_other_trigger(token: Token, span: Span) -> bool:
    """The token belongs to another trigger's phrase ("a late-October meeting")."""
    roots = {s.root.i for s in span.doc.spans.get(ACTIONS, []) if s.root.i != span.root.i}
    current = token
    while current.head.i != current.i and current.pos_ not in ("VERB", "AUX"):
        if current.i in roots:
            return True
        current = current.head
    return current.i in roots


def candidates(span: Span, context: Context, group: str, lexicon: ActionLexicon) -> list[Span]:
    """Mentions of ``group`` that belong to the trigger's clause, nearest first."""
    found = group_in(span, group)
    if has_parse(span.root):
        top = clause_top(span, context)
        own = [s for s in found if in_clause(s.root, top) and not under_other_trigger(s.root, span)]
        current = [s for s in own if not under_previous_value(s.root, top, lexicon)]
        found = current or own
    return sorted(found, key=lambda s: abs(s.start - span.start))


def amount_and_percent(
    span: Span, context: Context, lexicon: ActionLexicon, action: str
) -> dict[str, object]:
    """The event's main quantity and its percent, signed for trade-flow changes."""
    values: dict[str, object] = {}
    for quantity in candidates(span, context, QUANTITIES, lexicon):
        norm = quantity._.newstag or {}
        unit, value = norm.get("unit"), norm.get("value")
        if value is None or not unit:
            continue
        if unit in PERCENT_UNITS and "percent" not in values:
            if action == "fall":
                value = -abs(float(value))
            values.update(percent=float(value), percent_text=quantity.text)
        elif (
            unit not in PERCENT_UNITS
            and unit not in lexicon.not_amount_units
            and "amount" not in values
        ):
            values.update(amount=float(value), amount_unit=unit, amount_text=quantity.text)
    return values


def event_date(span: Span, context: Context, lexicon: ActionLexicon) -> dict[str, object]:
    """The date of the event from its clause; "for a year" gives the end from a known start."""
    found = candidates(span, context, DATES, lexicon)
    dates = [d for d in found if d.label_ == "date" and (d._.newstag or {}).get("date_start")]
    if not dates:
        return {}
    chosen = dates[0]
    norm = chosen._.newstag or {}
    values: dict[str, object] = {
        "date_start": norm.get("date_start"),
        "date_end": norm.get("date_end"),
        "date_text": chosen.text,
        "date_precision": norm.get("date_precision"),
    }
    durations = [
        d for d in found if d.label_ == "duration" and (d._.newstag or {}).get("iso_duration")
    ]
    if durations and values["date_start"]:
        values["date_end"] = add_duration(
            str(values["date_start"]), durations[0]._.newstag["iso_duration"]
        )
    return values


def add_duration(start: str, iso: str) -> str | None:
    """``start`` plus a simple ISO duration (``P1Y``, ``P6M``, ``P90D``)."""
    try:
        day = date.fromisoformat(start)
        amount, unit = int(iso[1:-1]), iso[-1]
    except ValueError:
        return None
    if unit == "Y":
        return day.replace(year=day.year + amount).isoformat()
    if unit == "M":
        month = day.month - 1 + amount
        return day.replace(
            year=day.year + month // 12, month=month % 12 + 1, day=min(day.day, 28)
        ).isoformat()
    if unit == "D":
        return date.fromordinal(day.toordinal() + amount).isoformat()
    return None


def product(span: Span, context: Context, index_codes: set[int]) -> str:
    """A short noun phrase for the goods: "tariffs on steel", "exports of rare-earth magnets"."""
    if not has_parse(span.root):
        return ""
    holders = [
        (span.root, PRODUCT_PREPS),
        *((t, ("on",)) for t in context.verbs[:1] if t.pos_ == "VERB"),
    ]
    for holder, preps in holders:
        for prep in holder.children:
            if prep.dep_ == "prep" and prep.lower_ in preps:
                objects = [
                    c for c in prep.children if c.dep_ == "pobj" and is_goods(c, index_codes)
                ]
                if objects:
                    return noun_phrase(objects[0])
    return ""


def is_goods(token: Token, index_codes: set[int]) -> bool:
    """A noun that can name goods: not a country, a date, a number or a pronoun."""
    return (
        token.pos_ in ("NOUN", "PROPN")
        and token.i not in index_codes
        and token.ent_type_ not in ("DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "QUANTITY")
    )


def noun_phrase(head: Token) -> str:
    """The head noun with its modifiers (no determiners, possessives or clauses), kept short."""
    words = sorted(collect_modifiers(head), key=lambda t: t.i)
    if len(words) > MAX_PRODUCT_WORDS:
        words = words[-MAX_PRODUCT_WORDS:]
    text = head.doc[words[0].i : words[-1].i + 1].text
    return text.replace("\n", " ").strip()


def collect_modifiers(token: Token) -> list[Token]:
    """The token and the modifiers to its left, recursively."""
    words = [token]
    for child in token.lefts:
        if child.dep_ not in PRODUCT_DEPS and child.lower_ not in ("many", "some", "all", "most"):
            words += collect_modifiers(child)
    return words
