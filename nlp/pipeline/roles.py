"""Who acts and who is acted upon: actor and target of a trigger, from the parse or by position.

With a parse: the trigger's own modifiers ("U.S. tariffs", "China's exports"), then the subject
of its verb chain ("China imposed ..."), then the parties of "between X and Y"; targets are the
countries under a target preposition ("on imports from Japan", "against India", "with Tokyo"),
with the direction of trade flows ("shipments from China to the US"). Without a parse: a
country just before the trigger, else the first one of the sentence before it; targets after
a cue word. Subjects like "the two nations" or "it" take the parties of earlier sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from nlp.pipeline.action_lexicon import ActionLexicon, phrase_of
from nlp.pipeline.clause import Context, has_parse, lemma_of, verb_chain
from nlp.pipeline.extensions import COUNTRIES, QUANTITIES

FLOW = "TRADE_FLOW"
PAIRED = ("AGREEMENT", "NEGOTIATION")
MODIFIER_DEPS = ("poss", "compound", "amod", "nmod", "nn")
FORUMS = ("WTO", "GATT")


@dataclass(frozen=True)
class Party:
    """A country, organisation or leader named in the text, with its actor code."""

    code: str
    text: str
    start: int


@dataclass
class Roles:
    """Actors and targets of one trigger and how the actor was found."""

    actors: list[Party] = field(default_factory=list)
    targets: list[Party] = field(default_factory=list)
    how: str = "none"


@dataclass
class Memory:
    """What earlier sentences named, for "the two nations" and pronoun subjects."""

    codes: list[Party] = field(default_factory=list)
    last_actor: Party | None = None
    last_pair: tuple[Party, Party] | None = None

    def topic(self) -> Party | None:
        """The country earlier sentences name most (the first of equals): the story's subject."""
        counts: dict[str, int] = {}
        for party in self.codes:
            if party.code not in FORUMS:
                counts[party.code] = counts.get(party.code, 0) + 1
        if not counts:
            return None
        best = max(counts.values())
        return next(p for p in self.codes if counts.get(p.code) == best)

    def pair(self) -> tuple[Party, Party] | None:
        """The parties of the last event with a partner, else the last two distinct names, in
        the order the article first named them (the first named is the actor of a pair)."""
        if self.last_pair:
            codes = [party.code for party in self.last_pair]
        else:
            codes = []
            for party in reversed(self.codes):
                if party.code not in codes:
                    codes.append(party.code)
            codes = codes[:2]
        if len(codes) < 2:
            return None
        order = [party.code for party in self.codes]
        first, second = sorted(codes, key=lambda c: order.index(c) if c in order else len(order))
        named = {party.code: party for party in (*(self.last_pair or ()), *reversed(self.codes))}
        return named[first], named[second]


def party_index(doc: Doc, currency_words: frozenset[str] = frozenset()) -> dict[int, Party]:
    """Token index → the party whose mention covers it. Mentions without a code, and those
    inside an amount ("182 mln U.S. dlrs"), are skipped."""
    money = set()
    for quantity in doc.spans[QUANTITIES] if QUANTITIES in doc.spans else []:
        money.update(range(quantity.start, quantity.end))
    index: dict[int, Party] = {}
    for span in doc.spans[COUNTRIES] if COUNTRIES in doc.spans else []:
        code = (span._.newstag or {}).get("code")
        after = doc[span.end].lower_ if span.end < len(doc) else ""
        if code and span.start not in money and after not in currency_words:
            for i in range(span.start, span.end):
                index[i] = Party(code, span.text, span.start)
    return index


def parties_in(tokens: list[Token] | Span, index: dict[int, Party]) -> list[Party]:
    """The distinct parties named among ``tokens``, in text order."""
    found: list[Party] = []
    for token in sorted(tokens, key=lambda t: t.i):
        party = index.get(token.i)
        if party and all(p.code != party.code for p in found):
            found.append(party)
    return found


def subtree_without_preps(token: Token) -> list[Token]:
    """A modifier's words, without prepositional phrases hanging off it."""
    words = [token]
    for child in token.children:
        if child.dep_ not in ("prep", "relcl", "acl", "appos", "cc", "conj"):
            words += subtree_without_preps(child)
    return words


def modifier_parties(span: Span, index: dict[int, Party]) -> list[Party]:
    """Parties in the trigger's own modifiers: "U.S. tariffs", "China's exports", "EC ban"."""
    return owner_parties(span.root, index)


def owner_parties(noun: Token, index: dict[int, Party]) -> list[Party]:
    """Parties in the modifiers before a noun ("U.S. plan", "Japan's proposal")."""
    words: list[Token] = []
    for child in noun.children:
        if child.dep_ in MODIFIER_DEPS and child.i < noun.i:
            words += subtree_without_preps(child)
    return parties_in(words, index)


def plan_owner(context: Context, index: dict[int, Party]) -> list[Party]:
    """ "a U.S. plan to raise tariffs", "China's decision to impose duties": the owner of the
    noun whose complement clause holds the trigger acts."""
    for verb in context.verbs:
        if verb.dep_ in ("acl", "xcomp") and verb.head.pos_ in ("NOUN", "PROPN"):
            return owner_parties(verb.head, index)
    return []


def subject_parties(
    verbs: list[Token], index: dict[int, Party], lexicon: ActionLexicon, trigger: Token
) -> tuple[list[Party], str]:
    """Parties in the subject (or "by" agent) of the nearest verb that has one, outside the
    trigger's own phrase ("exports to the US declined": the US is no subject)."""
    own = {t.i for t in trigger.subtree}
    for verb in verbs:
        for child in verb.children:
            if child.dep_ == "agent":
                return parties_in(list(child.subtree), index), "parse"
            if child.dep_ in ("nsubj", "csubj", "expl"):
                words = [t for t in child.subtree if t.dep_ != "relcl" and t.i not in own]
                found = parties_in(words, index) or antecedent_parties(verb, child, index)
                if found:
                    return found, "parse"
                return [], subject_kind(child, lexicon)
    return [], "none"


def antecedent_parties(verb: Token, subject: Token, index: dict[int, Party]) -> list[Party]:
    """ "Canada, Mexico and China, all of which would impose ...": a relative clause's subject
    stands for the nouns it hangs on."""
    relative = {"which", "who", "that", "whom"}
    if verb.dep_ != "relcl" or not {t.lower_ for t in subject.subtree} & relative:
        return []
    clause = {t.i for t in verb.subtree}
    return parties_in([t for t in verb.head.subtree if t.i not in clause], index)


def subject_kind(subject: Token, lexicon: ActionLexicon) -> str:
    """``pair`` for "the two nations", ``anaphora`` for "it"/"they", else ``none``."""
    words = {t.lower_ for t in subject.subtree}
    if subject.lower_ in lexicon.pair_words or len(words & lexicon.pair_words) >= 2:
        return "pair"
    if subject.lower_ in lexicon.anaphora_words:
        return "anaphora"
    return "none"


def prep_holders(span: Span, context: Context) -> list[Token]:
    """The trigger, the nouns between it and its verb, and the verb chain: where preps hang."""
    verbs = [t for t in context.verbs if t.pos_ in ("VERB", "AUX")]
    return [span.root, *context.path, *verbs]


def prep_parties(
    span: Span, context: Context, index: dict[int, Party], lexicon: ActionLexicon
) -> dict[str, list[Party]]:
    """Parties under the prepositions around a trigger, keyed by role (actor/target/between)."""
    if span.label_ == FLOW:
        direction = lexicon.flow_direction.get(phrase_of(span), {})
    else:
        direction = lexicon.paired_direction if span.label_ in PAIRED else {}
    roles: dict[str, list[Party]] = {"actor": [], "target": [], "between": [], "pair": []}
    seen: set[int] = set()
    for holder in prep_holders(span, context):
        for prep in holder.children:
            if prep.dep_ not in ("prep", "dative") or prep.i in seen:
                continue
            seen.add(prep.i)
            word = prep.lower_
            role = "between" if word == "between" else direction.get(word)
            if answers(prep, lexicon):
                role = "target"
            if (
                role is None
                and word in lexicon.target_preps
                and not (span.label_ == FLOW and direction)
            ):
                role = "target"
            if role in roles:
                found = parties_in(list(prep.subtree), index)
                roles[role] += found
                if role == "between" and not found:
                    roles["pair"] = [Party("", "", -1)]
    return roles


def answers(prep: Token, lexicon: ActionLexicon) -> bool:
    """ "in response to X", "in retaliation for X": X is whom the measure answers."""
    objects = [c for c in prep.children if c.dep_ == "pobj"]
    return prep.lower_ == "in" and any(
        o.lemma_.lower() in lexicon.retaliation_nouns for o in objects
    )


def parsed_roles(
    span: Span, context: Context, index: dict[int, Party], lexicon: ActionLexicon, memory: Memory
) -> Roles:
    """Actor and targets of a trigger read from the dependency parse."""
    preps = prep_parties(span, context, index, lexicon)
    roles = Roles(targets=preps["target"])
    modifiers = modifier_parties(span, index)
    if span.label_ == "TRADE_DISPUTE":
        modifiers = [p for p in modifiers if p.code not in FORUMS]
    verbs = verb_chain(context.verbs[0]) if context.verbs else []
    subjects, kind = subject_parties(verbs, index, lexicon, span.root)
    owner = None if subjects else possessive_anaphora(span, index, lexicon, memory)
    if owner and not modifiers:
        roles.actors, roles.how = [owner], "carried"
    elif subjects and verbs and lemma_of(verbs[0], lexicon) in lexicon.patient_verbs:
        roles.targets = subjects + roles.targets
        roles.actors = bearer_partners(verbs[0], index) or preps["target"][:1]
        roles.how = "parse"
    elif modifiers:
        roles.actors, roles.how = modifiers, "modifier"
    elif span.label_ not in PAIRED and plan_owner(context, index):
        roles.actors, roles.how = plan_owner(context, index), "modifier"
    elif preps["actor"]:
        roles.actors, roles.how = preps["actor"], "parse"
    elif subjects:
        roles.actors, roles.how = subjects, "parse"
    elif preps["between"]:
        roles.actors, roles.how = preps["between"][:1], "parse"
    else:
        carry(roles, "pair" if preps["pair"] else kind, memory)
    roles.targets += preps["between"]
    return roles


def possessive_anaphora(
    span: Span, index: dict[int, Party], lexicon: ActionLexicon, memory: Memory
) -> Party | None:
    """ "its trade surplus", "his country's exports": the nearest party named earlier in the
    sentence, else the story's main country."""
    owners = [c for c in span.root.children if c.dep_ == "poss"]
    if not owners or not {t.lower_ for t in owners[0].subtree} & lexicon.anaphora_words:
        return None
    sent_start = span.sent.start if span.doc.has_annotation("SENT_START") else 0
    before = [p for i, p in index.items() if sent_start <= i < span.start and p.start == i]
    return before[-1] if before else memory.topic()


def bearer_partners(verb: Token, index: dict[int, Party]) -> list[Party]:
    """ "The EU will pay the United States a tariff": the party the bearer pays or answers to."""
    for child in verb.children:
        if child.dep_ in ("dative", "iobj"):
            return parties_in(list(child.subtree), index)
    return []


def carry(roles: Roles, kind: str, memory: Memory) -> None:
    """Fill the actor (and partner) from earlier sentences for "the two nations" or "it"."""
    pair = memory.pair()
    if kind == "pair" and pair:
        roles.actors, roles.how = [pair[0]], "carried"
        roles.targets = [pair[1], *roles.targets]
    elif kind == "anaphora" and memory.last_actor:
        roles.actors, roles.how = [memory.last_actor], "carried"


def window_roles(span: Span, index: dict[int, Party], lexicon: ActionLexicon) -> Roles:
    """Actor and targets by position, for a pipeline without a parser."""
    doc = span.doc
    sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
    direction = lexicon.flow_direction.get(phrase_of(span), {}) if span.label_ == FLOW else {}
    roles = Roles(how="window")
    before: list[Party] = []
    cues = lexicon.target_preps | {"and", "by"}
    for party, cue in cued_parties(doc, sent.start, sent.end, index, cues):
        if party.start >= span.start:
            role = direction.get(
                cue, "target" if cue in lexicon.target_preps or cue == "and" else None
            )
            (roles.actors if role == "actor" else roles.targets if role else []).append(party)
        elif cue not in lexicon.target_preps:
            before.append(party)
    if span.label_ == "TRADE_DISPUTE":
        before = [p for p in before if p.code not in FORUMS]
    adjacent = [p for p in before if span.start - (p.start + len(p.text.split())) <= 2]
    if not roles.actors:
        roles.actors = adjacent[-1:] or before[:1]
    return roles


def cued_parties(
    doc: Doc, start: int, end: int, index: dict[int, Party], cues: frozenset[str]
) -> list[tuple[Party, str]]:
    """Parties of a sentence, each with the cue word ("on", "from", "and") up to 3 words before it."""
    found: list[tuple[Party, str]] = []
    for i in range(start, end):
        party = index.get(i)
        if party is None or party.start != i:
            continue
        cue = ""
        for j in range(i - 1, max(start, i - 4) - 1, -1):
            if doc[j].lower_ in cues:
                cue = doc[j].lower_
                break
            if index.get(j) is None and doc[j].pos_ in ("VERB", "AUX"):
                break
        found.append((party, cue))
    return found


def find_roles(
    span: Span, context: Context, index: dict[int, Party], lexicon: ActionLexicon, memory: Memory
) -> Roles:
    """Actor and targets of a trigger; targets never repeat the actor."""
    if has_parse(span.root):
        roles = parsed_roles(span, context, index, lexicon, memory)
        if not roles.actors and span.label_ not in PAIRED:
            fallback = window_roles(span, index, lexicon)
            roles.actors, roles.how = fallback.actors, "window"
    else:
        roles = window_roles(span, index, lexicon)
    if not roles.actors and span.label_ in PAIRED:
        fill_pair(span, roles, index, memory)
    if not roles.actors and span.label_ not in PAIRED and memory.topic():
        roles.actors, roles.how = [memory.topic()], "topic"  # type: ignore[list-item]
    if span.label_ not in (*PAIRED, "TRADE_DISPUTE"):
        roles.actors = [p for p in roles.actors if p.code not in FORUMS]
    if span.label_ == "TRADE_DISPUTE" and (span._.newstag or {}).get("action") == "rule":
        forum_rules(span, roles, index)
    actor_codes = {p.code for p in roles.actors}
    if span.label_ != "AGREEMENT":
        actor_codes |= set(FORUMS)
    roles.targets = dedupe_parties([p for p in roles.targets if p.code not in actor_codes])
    if span.label_ in PAIRED and len(roles.actors) > 1 and not roles.targets:
        roles.actors, roles.targets = roles.actors[:1], roles.actors[1:]
    if (
        span.label_ == "NEGOTIATION"
        and roles.actors
        and roles.actors[0].code in lexicon.multilateral
    ):
        roles.actors, roles.targets = roles.actors[:1], []
        return roles
    if roles.actors and not roles.targets and span.label_ != FLOW:
        partner = implied_partner(span, roles.actors[0], index)
        roles.targets = [partner] if partner else []
    return roles


def fill_pair(span: Span, roles: Roles, index: dict[int, Party], memory: Memory) -> None:
    """Talks or a deal with no actor in the parse: "between X and Y" after the trigger, else
    the parties of earlier sentences."""
    between = between_parties(span, index)
    if between:
        roles.actors, roles.targets, roles.how = between[:1], between[1:], "window"
    else:
        paired_from_memory(roles, memory)


def between_parties(span: Span, index: dict[int, Party]) -> list[Party]:
    """ "a meeting later this month between X and Y" when the parse hangs "between" elsewhere:
    the parties named after the first "between" that follows the trigger in its sentence."""
    doc = span.doc
    sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
    words = [t.i for t in doc[span.end : sent.end] if t.lower_ == "between"]
    if not words:
        return []
    found = parties_in(list(doc[words[0] + 1 : sent.end]), index)
    return found[:2] if len(found) >= 2 else []


def forum_rules(span: Span, roles: Roles, index: dict[int, Party]) -> None:
    """A ruling "from the world trade body GATT": the body that rules is the actor
    (ANNOTATION.md), the parties found for the trigger are those it rules on."""
    sent = span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]
    forums = [p for p in parties_in(sent, index) if p.code in FORUMS]
    if not forums or any(p.code in FORUMS for p in roles.actors):
        return
    others = [p for p in roles.targets if p.code not in FORUMS]
    roles.targets = others or [p for p in roles.actors if p.code not in FORUMS]
    roles.actors = forums[:1]


def paired_from_memory(roles: Roles, memory: Memory) -> None:
    """Talks or a deal with no named first party: the story's main country when the partner is
    named ("left for Ottawa for talks with Canadian officials"), else the last pair."""
    topic = memory.topic()
    target_codes = {p.code for p in roles.targets}
    if roles.targets and topic and topic.code not in target_codes:
        roles.actors, roles.how = [topic], "carried"
        return
    pair = memory.pair()
    if pair and not roles.targets:
        roles.actors, roles.targets, roles.how = [pair[0]], [pair[1]], "carried"


def implied_partner(span: Span, actor: Party, index: dict[int, Party]) -> Party | None:
    """The party a measure is aimed at when no preposition names one: another country of the
    same sentence (not a place "in" which things happen), the first after the trigger.
    Earlier sentences are not used: a measure stated without a partner stays without one."""
    doc = span.doc
    sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
    places = {t.i for t in sent if t.head.lower_ in ("in", "at", "near") and t.dep_ == "pobj"}
    others = [
        p
        for p in parties_in([t for t in sent if t.i not in places], index)
        if p.code not in (actor.code, *FORUMS)
    ]
    if others:
        after = [p for p in others if p.start > span.start]
        return (after or others)[0]
    return None


def dedupe_parties(parties: list[Party]) -> list[Party]:
    """Parties with distinct codes, first mention kept."""
    seen: dict[str, Party] = {}
    for party in parties:
        seen.setdefault(party.code, party)
    return list(seen.values())
