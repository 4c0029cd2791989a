"""The grammatical context of a trigger: its governing verb, action words, modality, negation.

With a dependency parse the context is the path from the trigger up to the verb that governs it
(and the ``xcomp`` chain above: "plans to impose"); on a blank pipeline it is a small window of
words before the trigger, which is what a reader scans too.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from nlp.pipeline.action_lexicon import ActionLexicon

VERB_TAGS = ("VERB", "AUX")
MODIFIER_DEPS = ("amod", "compound", "nmod", "advmod", "npadvmod", "poss")
WINDOW = 6


@dataclass(frozen=True)
class Context:
    """The words around a trigger that decide its action, modality and negation."""

    modifiers: tuple[Token, ...]
    path: tuple[Token, ...]
    verbs: tuple[Token, ...]
    subject_path: bool


def lemma_of(token: Token, lexicon: ActionLexicon) -> str:
    """The lemma the action data is written in, with or without a lemmatizer."""
    lower = token.lower_
    return lexicon.forms.get(lower) or token.lemma_.lower() or lower


def has_parse(token: Token) -> bool:
    """Whether the doc carries a dependency parse (a blank pipeline does not)."""
    return token.doc.has_annotation("DEP")


def governing_verb(token: Token) -> tuple[Token | None, list[Token], bool]:
    """The first verb above ``token``, the nouns and prepositions on the way, and whether the
    way up passes through a subject (``exports ... fell``)."""
    path: list[Token] = []
    subject = False
    current = token
    while current.head.i != current.i:
        subject = subject or current.dep_ in ("nsubj", "nsubjpass")
        current = current.head
        if current.pos_ in VERB_TAGS:
            return current, path, subject
        path.append(current)
    return None, path, subject


def verb_chain(verb: Token | None) -> list[Token]:
    """The governing verb and the verbs it complements ("plans to impose": impose, plans)."""
    chain: list[Token] = []
    while verb is not None:
        chain.append(verb)
        if verb.dep_ in ("xcomp", "ccomp", "conj", "pcomp") and verb.head.pos_ in VERB_TAGS:
            if verb.dep_ == "ccomp" and verb.head.lemma_ in ("say", "tell", "report", "show"):
                break
            verb = verb.head if verb.head.i != verb.i else None
        else:
            break
    return chain


def parsed_context(span: Span) -> Context:
    """The context of a trigger read from the dependency parse."""
    root = span.root
    modifiers = [child for child in root.children if child.dep_ in MODIFIER_DEPS + ("det", "neg")]
    modifiers = [root, *modifiers, *(t for t in span if t.i != root.i)]
    if root.dep_ in ("compound", "amod") and root.head.pos_ in ("NOUN", "PROPN"):
        modifiers.append(root.head)
    verb, path, subject = governing_verb(root)
    verbs = verb_chain(verb)
    for token in list(verbs):
        verbs += [
            c for c in token.children if c.dep_ in ("aux", "auxpass", "neg", "advmod", "mark")
        ]
    return Context(tuple(modifiers), tuple(path), tuple(verbs), subject)


def window_context(span: Span) -> Context:
    """The context of a trigger on a blank pipeline: the words shortly before it."""
    doc = span.doc
    sent_start = span.sent.start if doc.has_annotation("SENT_START") else 0
    start = max(sent_start, span.start - WINDOW)
    before = [t for t in doc[start : span.start] if not t.is_punct]
    after = [t for t in doc[span.end : min(span.end + 3, len(doc))] if not t.is_punct]
    return Context((span.root, *before[-2:]), tuple(after), tuple(reversed(before)), True)


def trigger_context(span: Span) -> Context:
    """The context of a trigger, from the parse when there is one."""
    return parsed_context(span) if has_parse(span.root) else window_context(span)


def context_words(context: Context) -> list[Token]:
    """Every word of a context, nearest to the trigger first."""
    return [*context.modifiers, *context.path, *context.verbs]


def policy_action(context: Context, lexicon: ActionLexicon, default: str) -> str:
    """The action a policy trigger's context names; a specific action beats a plain ``impose``."""
    found = [lexicon.policy_actions.get(lemma_of(t, lexicon)) for t in context_words(context)]
    specific = [a for a in found if a and a not in ("impose", "threaten", "meet", "agree", "file")]
    if specific:
        return specific[0]
    return default


def has_action_word(context: Context, lexicon: ActionLexicon) -> bool:
    """Some word around the trigger (not the trigger itself) names an action."""
    words = context_words(context)[1:] if context.modifiers else context_words(context)
    return any(lemma_of(t, lexicon) in lexicon.policy_actions for t in words)


def flow_action(context: Context, lexicon: ActionLexicon) -> str:
    """``rise``/``fall`` when the flow is the subject of a change verb or noun, else ``report``."""
    for token in (*context.modifiers, *context.path):
        action = lexicon.flow_actions.get(lemma_of(token, lexicon))
        if action in ("rise", "fall"):
            return action
    if context.subject_path and context.verbs and has_parse(context.verbs[0]):
        verb = context.verbs[0]
        objects = [c for c in verb.children if c.dep_ in ("dobj", "attr", "acomp", "advmod", "prt")]
        for token in (verb, *objects):
            action = lexicon.flow_actions.get(lemma_of(token, lexicon))
            if action in ("rise", "fall"):
                return action
    return "report"


def is_negated(context: Context, lexicon: ActionLexicon) -> bool:
    """The clause says the measure did not happen ("did not impose", "no tariffs")."""
    verbs = list(context.verbs)
    if context.subject_path and verbs:
        lemma = lemma_of(verbs[0], lexicon)
        if lemma not in lexicon.policy_actions and lemma not in lexicon.flow_actions:
            verbs = []
    for token in [*context.modifiers, *context.path, *verbs]:
        following = token.doc[token.i + 1].lower_ if token.i + 1 < len(token.doc) else ""
        if token.lower_ == "not" and following == "only":
            continue
        if token.dep_ == "neg" or lemma_of(token, lexicon) in lexicon.negation_words:
            return True
    return False


def modality(context: Context, lexicon: ActionLexicon) -> str:
    """``threat`` for threats, plans, proposals and forecasts; ``commitment``; else ``asserted``."""
    lemmas = [lemma_of(t, lexicon) for t in context_words(context)]
    if any(lemma in lexicon.threat_words for lemma in lemmas):
        return "threat"
    if any(lemma in lexicon.commitment_words for lemma in lemmas):
        return "commitment"
    return "asserted"


def is_hypothetical(span: Span, lexicon: ActionLexicon) -> bool:
    """The trigger sits in an "if"/"unless" clause, or under one."""
    if not has_parse(span.root):
        sent_start = span.sent.start if span.doc.has_annotation("SENT_START") else 0
        words = [t.lower_ for t in span.doc[sent_start : span.start]]
        cut = max((i for i, w in enumerate(words) if w in (",", ";")), default=-1)
        return any(w in lexicon.hypothetical_marks for w in words[cut + 1 :])
    current = span.root
    while True:
        if any(
            c.dep_ == "mark" and c.lower_ in lexicon.hypothetical_marks for c in current.children
        ):
            return True
        if current.head.i == current.i:
            return False
        current = current.head
