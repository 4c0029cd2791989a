"""The ``newstag_actions`` component: trade-policy triggers with their action, modality, negation.

Triggers (``models/actions/triggers.yaml``) are matched on lower-case tokens; word-sense guards
drop a "feed-in tariff" or a "sanction" in sport; the trigger's grammatical context
(``clause.py``) gives the action ("lowered its tariffs": ``ease``), the modality (threats,
plans and proposals become ``threaten``) and negation. Hypotheticals, requests to another
party and trade-flow words without a level or change are dropped. The result is
``doc.spans["newstag_actions"]``: label = event type, ``span._.newstag`` =
``{"action", "negated", "modality", "trigger"}``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from nlp.config import default_models_dir
from nlp.pipeline import boundaries, clause  # noqa: F401  (boundaries registers its factory)
from nlp.pipeline.action_lexicon import (
    ActionLexicon,
    copy_action_data,
    load_action_lexicon,
    phrase_of,
)
from nlp.pipeline.attributes import candidates
from nlp.pipeline.extensions import ACTIONS, COUNTRIES, QUANTITIES, register_extensions

log = logging.getLogger(__name__)

FLOW = "TRADE_FLOW"
RESTRICTED_FLOW = {
    "export": "EXPORT_CONTROL",
    "shipment": "EXPORT_CONTROL",
    "import": "IMPORT_RESTRICTION",
}
# Event types that a "talks on tariffs" kind of trigger sits inside without being an event itself.
CONTAINERS = ("NEGOTIATION", "TRADE_DISPUTE", "INVESTIGATION")


class ActionTagger:
    """Find trade-policy triggers and describe their action, modality and negation."""

    def __init__(
        self, nlp: Language, name: str = "newstag_actions", *, models_dir: str | None = None
    ) -> None:
        register_extensions()
        self.name = name
        self.vocab = nlp.vocab
        self.make_doc = nlp.make_doc
        self.models_dir = Path(models_dir) if models_dir else default_models_dir()
        self._load(self.models_dir)

    def _load(self, models_dir: Path) -> None:
        self.lexicon: ActionLexicon = load_action_lexicon(models_dir / "actions")
        self.matcher = Matcher(self.vocab)
        self.defaults: dict[str, str] = {}
        self.allowed: dict[str, frozenset[str]] = {}
        self.needs_action: set[str] = set()
        for trigger in self.lexicon.triggers:
            key = f"{trigger.event_type}|{trigger.phrase}"
            self.defaults[key] = trigger.default_action
            self.allowed[key] = trigger.actions
            if trigger.needs_action:
                self.needs_action.add(trigger.event_type)
            self.matcher.add(key, [self.phrase_pattern(trigger.phrase)])
        self.names = Matcher(self.vocab)
        self.names.add(
            "NAME", [self.phrase_pattern(name) for name in sorted(self.lexicon.name_phrases)]
        )

    def phrase_pattern(self, phrase: str) -> list[dict[str, object]]:
        """Token patterns for a phrase that may be broken by a line break ("trade\nsurplus")."""
        pattern: list[dict[str, object]] = []
        for token in self.make_doc(phrase):
            if pattern:
                pattern.append({"IS_SPACE": True, "OP": "*"})
            pattern.append({"LOWER": token.lower_})
        return pattern

    def __call__(self, doc: Doc) -> Doc:
        names = name_tokens(doc) | {
            i for _, start, end in self.names(doc) for i in range(start, end)
        }
        spans = [
            span
            for span in self.candidate_spans(doc)
            if not self.guarded(span) and not in_headline(span) and span.start not in names
        ]
        spans = drop_nested(spans)
        kept = []
        for span in spans:
            info = self.describe(span)
            if info is not None:
                span._.newstag = info
                kept.append(span)
        doc.spans[ACTIONS] = kept
        return doc

    def candidate_spans(self, doc: Doc) -> list[Span]:
        """Every trigger match, the longest winning where two overlap."""
        spans = []
        for match_id, start, end in self.matcher(doc):
            key = self.vocab.strings[match_id]
            event_type = key.partition("|")[0]
            spans.append(Span(doc, start, end, label=event_type, kb_id=key))
        return [span for span in filter_spans(spans) if self.right_part_of_speech(span)]

    def right_part_of_speech(self, span: Span) -> bool:
        """Noun-only triggers ("deal", "call") are dropped when the tagger says they are verbs."""
        if " " in phrase_of(span) or phrase_of(span) not in self.lexicon.noun_only:
            return True
        return not span.doc.has_annotation("POS") or span.root.pos_ in ("NOUN", "PROPN", "X")

    def guarded(self, span: Span) -> bool:
        """A word-sense guard applies: e.g. "tariff" in a sentence about electricity prices."""
        phrase = phrase_of(span)
        for guard in self.lexicon.guards:
            if phrase not in guard.triggers:
                continue
            words, text = phrase_words(span) if guard.phrase_only else sentence_words(span)
            if mentions_any(guard.block, words, text) and not mentions_any(
                guard.unless, words, text
            ):
                return True
        return False

    def describe(self, span: Span) -> dict[str, object] | None:
        """Action, modality and negation of one trigger; None when it is no event."""
        lexicon = self.lexicon
        if clause.is_hypothetical(span, lexicon) or self.part_of_name(span):
            return None
        context = clause.trigger_context(span)
        if span.label_ == FLOW:
            return self.describe_flow(span, context)
        if span.label_ == "NEGOTIATION" and is_venue(span, lexicon):
            return None
        if span.label_ == "AGREEMENT" and complied_with(context, lexicon):
            return info("agree", False, "asserted", span)
        lemmas = {clause.lemma_of(t, lexicon) for t in clause.context_words(context)}
        if clause.has_parse(span.root) and lemmas & (lexicon.request_words | lexicon.prevent_words):
            return None
        if (
            span.label_ in self.needs_action
            and not clause.has_action_word(context, lexicon)
            and not owned_by_party(span)
        ):
            return None
        default = self.defaults.get(span.kb_id_, "impose")
        action = clause.policy_action(context, lexicon, default)
        if action not in self.allowed.get(span.kb_id_, frozenset()):
            action = default
        mode = clause.modality(context, lexicon)
        if mode == "threat" and span.label_ not in ("NEGOTIATION",):
            action = "threaten"
        return info(action, clause.is_negated(context, lexicon), mode, span)

    def describe_flow(self, span: Span, context: clause.Context) -> dict[str, object] | None:
        """A trade flow, or a restriction when a verb like "ban" governs it ("banned exports")."""
        lexicon = self.lexicon
        verb = context.verbs[0] if context.verbs else None
        if (
            verb is not None
            and not context.subject_path
            and clause.lemma_of(verb, lexicon) in lexicon.restrict_verbs
        ):
            return self.describe_restricted_flow(span, context)
        if any(t.lower_ in lexicon.flow_blocking_preps and t.dep_ == "prep" for t in context.path):
            return None
        level = stated_level(span, lexicon)
        if level:
            return info(level, False, "asserted", span)
        first = (
            [t for t in context.verbs if t.i == verb.i or t.head.i == verb.i]
            if verb is not None
            else []
        )
        if any(clause.lemma_of(t, lexicon) in lexicon.forecast_words for t in first):
            return None
        action = clause.flow_action(context, lexicon)
        if action == "report" and not self.states_level(span, context):
            return None
        return info(action, clause.is_negated(context, lexicon), "asserted", span)

    def describe_restricted_flow(self, span: Span, context: clause.Context) -> dict[str, object]:
        """ "Curbed exports of chips": an export control (or import restriction) imposed."""
        lexicon = self.lexicon
        noun = clause.lemma_of(span.root, lexicon).rstrip("s")
        span.label_ = RESTRICTED_FLOW.get(noun, "EXPORT_CONTROL")
        mode = clause.modality(context, lexicon)
        action = "threaten" if mode == "threat" else "impose"
        return info(action, clause.is_negated(context, lexicon), mode, span)

    def part_of_name(self, span: Span) -> bool:
        """The trigger modifies a name head: "the Tariff Act", "the Trade Commission"."""
        root = span.root
        return root.dep_ in ("compound", "amod") and root.head.lower_ in self.lexicon.name_heads

    def states_level(self, span: Span, context: clause.Context) -> bool:
        """A flow word is an event when it is a trade surplus/deficit, a surplus "with" a
        partner, or when a quantity is in its clause."""
        phrase = phrase_of(span)
        if phrase in self.lexicon.level_triggers and (
            " " in phrase or any(t.lower_ == "with" for t in next_words(span))
        ):
            return True
        not_amounts = self.lexicon.not_amount_units
        quantities = candidates(span, context, QUANTITIES, self.lexicon)
        return any(
            (q._.newstag or {}).get("unit") not in (None, "", *not_amounts) for q in quantities
        )

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        """Save the action data next to the pipeline, so it loads without ``models/``."""
        copy_action_data(self.models_dir, path)

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> ActionTagger:
        """Load the action data saved by ``to_disk``."""
        self.models_dir = Path(path)
        self._load(self.models_dir)
        return self


def next_words(span: Span) -> list[Token]:
    """The trigger's dependents with a parse, else the word right after it."""
    if span.doc.has_annotation("DEP"):
        return list(span.root.children)
    return list(span.doc[span.end : span.end + 1])


def stated_level(span: Span, lexicon: ActionLexicon) -> str | None:
    """The action of a relative clause that states the flow ("a deficit which hit 58 bln dlrs")."""
    if not span.doc.has_annotation("DEP"):
        return None
    for child in span.root.children:
        if child.dep_ in ("relcl", "acl") and child.i > span.root.i:
            action = lexicon.flow_actions.get(clause.lemma_of(child, lexicon))
            if action:
                return action
    return None


def name_tokens(doc: Doc) -> set[int]:
    """Tokens inside a multi-word name of a country or organisation ("General Agreement on
    Tariffs and Trade"): a trigger word there is part of a name, not an event."""
    spans = doc.spans[COUNTRIES] if COUNTRIES in doc.spans else []
    return {i for span in spans if len(span) > 2 for i in range(span.start, span.end)}


def in_headline(span: Span) -> bool:
    """The trigger ends an all-capitals headline ("U.S. SETS TARIFFS ON JAPAN"): such lines
    repeat the story's lead in a form the parser reads badly, so the lead is used instead."""
    doc = span.doc
    window = doc[max(0, span.start - 4) : span.end]
    words = [t.text for t in window if t.is_alpha and len(t) > 1]
    return len(words) >= 3 and all(word.isupper() for word in words)


def info(action: str, negated: bool, mode: str, span: Span) -> dict[str, object]:
    """The ``span._.newstag`` dict of an action span."""
    return {"action": action, "negated": negated, "modality": mode, "trigger": phrase_of(span)}


def sentence_words(span: Span) -> tuple[set[str], str]:
    """Lower-case words and lemmas of the trigger's sentence, and its lower-case text."""
    sent = span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]
    return word_set(list(sent)), sent.text.lower()


def phrase_words(span: Span) -> tuple[set[str], str]:
    """Words of the trigger's own noun phrase (its subtree, else three words either side)."""
    doc = span.doc
    if doc.has_annotation("DEP"):
        tokens = [t for t in span.root.subtree if t.dep_ not in ("relcl", "acl")]
    else:
        tokens = list(doc[max(0, span.start - 3) : min(len(doc), span.end + 3)])
    return word_set(tokens), " ".join(t.lower_ for t in tokens)


def word_set(tokens: list[Token]) -> set[str]:
    """Lower-case forms and lemmas of ``tokens``."""
    return {t.lower_ for t in tokens} | {t.lemma_.lower() for t in tokens if t.lemma_}


def mentions_any(terms: frozenset[str], words: set[str], text: str) -> bool:
    """Whether a one-word term is among ``words`` or a longer term occurs in ``text``."""
    return any((term in text) if " " in term else (term in words) for term in terms)


def drop_nested(spans: list[Span]) -> list[Span]:
    """Drop flows inside another trigger ("tariffs on Chinese imports") and measures inside talks."""
    if not spans or not spans[0].doc.has_annotation("DEP"):
        return spans
    roots = {span.root.i: span for span in spans}
    kept = []
    for span in spans:
        _verb, path, _subject = clause.governing_verb(span.root)
        outer = [roots[t.i] for t in path if t.i in roots and roots[t.i] is not span]
        if outer and (span.label_ == FLOW or any(o.label_ in CONTAINERS for o in outer)):
            continue
        kept.append(span)
    return kept


@Language.factory("newstag_actions", default_config={"models_dir": None})
def make_actions(nlp: Language, name: str, models_dir: str | None) -> ActionTagger:
    """Build the actions component; ``models_dir=None`` reads the project's ``models/``."""
    return ActionTagger(nlp, name, models_dir=models_dir)


def owned_by_party(span: Span) -> bool:
    """ "Japanese import quotas", "Japan's ban": a measure its owner is named on is stated as in
    force, so it needs no action word."""
    if not span.doc.has_annotation("DEP") or COUNTRIES not in span.doc.spans:
        return False
    owners = {
        t.i
        for child in span.root.children
        if child.dep_ in ("poss", "amod", "compound", "nmod") and child.i < span.root.i
        for t in child.subtree
    }
    return any(
        owners & set(range(m.start, m.end))
        for m in span.doc.spans[COUNTRIES]
        if m.label_ != "person"
    )


def is_venue(span: Span, lexicon: ActionLexicon) -> bool:
    """ "agreed on the sidelines of the G20 summit": the summit only places another event."""
    head = span.root
    for _ in range(4):
        if head.head.i == head.i:
            return False
        head = head.head
        if head.lower_ in lexicon.venue_words:
            return True
    return False


def complied_with(context: clause.Context, lexicon: ActionLexicon) -> bool:
    """ "failed to implement the chip agreement", "Japan violated the pact": a deal that is
    kept or broken was made; whether it is honoured does not negate it."""
    verbs = context.verbs[:1] if context.verbs else ()
    return any(clause.lemma_of(verb, lexicon) in lexicon.compliance_verbs for verb in verbs)
