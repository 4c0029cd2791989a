"""The ``newstag_events`` component: action spans and mentions assembled into events.

For every action span it finds the actor and targets (``roles.py``), the product, amount,
percent and date of its clause (``attributes.py``), writes one event per actor–target pair,
and merges repeats of the same event (``dedupe.py``). The result is ``doc._.events``, a list
of plain dicts with the columns of ``Event`` the pipeline knows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.config import default_models_dir
from nlp.pipeline import attributes, clause
from nlp.pipeline.action_lexicon import ActionLexicon, copy_action_data, load_action_lexicon
from nlp.pipeline.dedupe import dedupe_events
from nlp.pipeline.extensions import ACTIONS, register_extensions
from nlp.pipeline.roles import Memory, Party, Roles, find_roles, party_index

CONFIDENCE = {
    "modifier": 0.85,
    "parse": 0.8,
    "carried": 0.6,
    "window": 0.5,
    "topic": 0.4,
    "none": 0.3,
}
FORWARD_DEALS = ("AGREEMENT",)


class EventAssembler:
    """Turn ``doc.spans["newstag_actions"]`` and the mention groups into ``doc._.events``."""

    def __init__(
        self, nlp: Language, name: str = "newstag_events", *, models_dir: str | None = None
    ) -> None:
        register_extensions()
        self.name = name
        self.models_dir = Path(models_dir) if models_dir else default_models_dir()
        self.lexicon: ActionLexicon = load_action_lexicon(self.models_dir / "actions")

    def __call__(self, doc: Doc) -> Doc:
        doc._.events = dedupe_events(self.assemble(doc))
        return doc

    def assemble(self, doc: Doc) -> list[dict[str, Any]]:
        """Every event of every action span, in text order, before merging repeats."""
        index = party_index(doc, self.lexicon.currency_words)
        memory = Memory()
        events: list[dict[str, Any]] = []
        spans = sorted(doc.spans[ACTIONS] if ACTIONS in doc.spans else [], key=lambda s: s.start)
        sentence_start = 0
        for span in spans:
            sent = attributes.sentence_of(span)
            if sent.start != sentence_start:
                remember(memory, index, sentence_start, sent.start)
                sentence_start = sent.start
            events += self.span_events(span, index, memory)
        return events

    def span_events(
        self, span: Span, index: dict[int, Party], memory: Memory
    ) -> list[dict[str, Any]]:
        """The events of one trigger: one per actor–target pair."""
        info = span._.newstag or {}
        action = str(info.get("action") or "impose")
        if span.label_ in FORWARD_DEALS and action == "threaten":
            return []
        context = clause.trigger_context(span)
        roles = find_roles(span, context, index, self.lexicon, memory)
        if not roles.actors:
            return []
        shared = self.shared_fields(span, context, action, info, roles, index)
        events = []
        for actor in roles.actors:
            for target in roles.targets or [None]:
                if target is None or target.code != actor.code:
                    events.append({**shared, **party_fields(actor, target)})
        memory.last_actor = roles.actors[0]
        if roles.targets:
            memory.last_pair = (roles.actors[0], roles.targets[0])
        return events

    def shared_fields(
        self,
        span: Span,
        context: clause.Context,
        action: str,
        info: dict[str, Any],
        roles: Roles,
        index: dict[int, Party],
    ) -> dict[str, Any]:
        """Everything the events of one trigger share: type, action, attributes, evidence."""
        sent = attributes.sentence_of(span)
        fields: dict[str, Any] = {
            "event_type": span.label_,
            "action": action,
            "product": attributes.product(span, context, set(index)),
            "negated": bool(info.get("negated")),
            "sentence": sent.text,
            "sentence_start": sent.start_char,
            "sentence_end": sent.end_char,
            "confidence": confidence(roles, info),
        }
        fields.update(attributes.amount_and_percent(span, context, self.lexicon, action))
        fields.update(attributes.event_date(span, context, self.lexicon))
        return fields

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        """Save the action data next to the pipeline, so it loads without ``models/``."""
        copy_action_data(self.models_dir, path)

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> EventAssembler:
        """Load the action data saved by ``to_disk``."""
        self.models_dir = Path(path)
        self.lexicon = load_action_lexicon(self.models_dir / "actions")
        return self


def remember(memory: Memory, index: dict[int, Party], start: int, end: int) -> None:
    """Add the parties named in tokens ``start:end`` (an earlier sentence) to the memory."""
    seen = -1
    for i in range(start, end):
        party = index.get(i)
        if party and party.start != seen:
            seen = party.start
            memory.codes.append(party)


def party_fields(actor: Party, target: Party | None) -> dict[str, Any]:
    """The actor and target columns of one event."""
    return {
        "actor": actor.code,
        "actor_text": actor.text,
        "target": target.code if target else None,
        "target_text": target.text if target else None,
    }


def confidence(roles: Roles, info: dict[str, Any]) -> float:
    """A 0..1 score: how the actor was found, whether a target was, whether it is asserted."""
    score = CONFIDENCE.get(roles.how, 0.3)
    score += 0.05 if roles.targets else 0.0
    score -= 0.1 if info.get("modality") == "threat" else 0.0
    return round(min(max(score, 0.05), 0.95), 2)


@Language.factory("newstag_events", default_config={"models_dir": None})
def make_events(nlp: Language, name: str, models_dir: str | None) -> EventAssembler:
    """Build the events component; ``models_dir=None`` reads the project's ``models/``."""
    return EventAssembler(nlp, name, models_dir=models_dir)
