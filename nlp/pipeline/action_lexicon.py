"""The action data under ``models/actions/``: triggers, action words, context cues and guards.

Everything a researcher may want to extend (a new trigger, a verb that means ``ease``, a guard
word) lives in those YAML files; this module only reads them into one frozen record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlp.errors import ModelError

FILES = ("triggers.yaml", "actions.yaml", "context.yaml", "guards.yaml", "boundaries.yaml")
MEASURE_ACTIONS = frozenset({"impose", "tighten", "ease", "suspend", "lift", "extend", "threaten"})


@dataclass(frozen=True)
class Trigger:
    """One trigger phrase: the event type it signals and the action it takes by default."""

    event_type: str
    phrase: str
    default_action: str
    actions: frozenset[str] = MEASURE_ACTIONS
    needs_action: bool = False


@dataclass(frozen=True)
class Guard:
    """Drop a trigger in a sentence holding a ``block`` word, unless an ``unless`` word is there too."""

    triggers: frozenset[str]
    block: frozenset[str]
    unless: frozenset[str]
    phrase_only: bool = False


@dataclass(frozen=True)
class ActionLexicon:
    """All action data, loaded once per component."""

    triggers: tuple[Trigger, ...]
    policy_actions: dict[str, str]
    flow_actions: dict[str, str]
    forms: dict[str, str]
    threat_words: frozenset[str]
    commitment_words: frozenset[str]
    hypothetical_marks: frozenset[str]
    negation_words: frozenset[str]
    restrict_verbs: frozenset[str]
    level_triggers: frozenset[str]
    noun_only: frozenset[str]
    request_words: frozenset[str]
    forecast_words: frozenset[str]
    target_preps: frozenset[str]
    previous_value_preps: frozenset[str]
    pair_words: frozenset[str]
    anaphora_words: frozenset[str]
    not_amount_units: frozenset[str]
    retaliation_nouns: frozenset[str]
    flow_blocking_preps: frozenset[str]
    patient_verbs: frozenset[str]
    name_heads: frozenset[str]
    currency_words: frozenset[str]
    name_phrases: frozenset[str]
    multilateral: frozenset[str] = frozenset()
    prevent_words: frozenset[str] = frozenset()
    venue_words: frozenset[str] = frozenset()
    compliance_verbs: frozenset[str] = frozenset()
    flow_direction: dict[str, dict[str, str]] = field(default_factory=dict)
    paired_direction: dict[str, str] = field(default_factory=dict)
    guards: tuple[Guard, ...] = ()


def phrase_of(span: Any) -> str:
    """A trigger's words in lower case, single-spaced (a line break inside "trade\nsurplus" is
    a whitespace token in the doc)."""
    return " ".join(token.lower_ for token in span if not token.is_space)


def read_yaml(path: Path) -> Any:
    """One YAML file, with a message that names it when it is missing or malformed."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ModelError(f"cannot read action data {path}: {e}") from e


def inflections(lemma: str) -> set[str]:
    """Regular English verb and noun forms of ``lemma`` (over-generating is harmless here)."""
    forms = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "ing"}
    if lemma.endswith("e"):
        forms |= {lemma + "d", lemma[:-1] + "ing"}
    if lemma.endswith("y"):
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if len(lemma) <= 5 and lemma[-1] not in "aeiouwy":
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


def word_map(groups: dict[str, list[str]]) -> dict[str, str]:
    """``{action: [lemma, ...]}`` as ``{lemma: action}``; the first action listed for a word wins."""
    mapping: dict[str, str] = {}
    for action, words in groups.items():
        for word in words or []:
            mapping.setdefault(str(word).lower(), action)
    return mapping


def surface_forms(actions: dict[str, Any], context: dict[str, Any]) -> dict[str, str]:
    """Map inflected surface forms to lemmas, for pipelines without a lemmatizer."""
    lemmas: set[str] = set()
    for groups in (actions["policy"], actions["flow"]):
        for words in groups.values():
            lemmas.update(str(w).lower() for w in words or [])
    for key in (
        "threat_words",
        "restrict_verbs",
        "request_words",
        "forecast_words",
        "prevent_words",
        "compliance_verbs",
    ):
        lemmas.update(str(w).lower() for w in context.get(key) or [])
    forms: dict[str, str] = {}
    for lemma in sorted(lemmas):
        for form in inflections(lemma):
            forms.setdefault(form, lemma)
    for lemma, irregular in (actions.get("irregular") or {}).items():
        for form in irregular:
            forms[str(form).lower()] = str(lemma)
    return forms


def load_triggers(entries: list[dict[str, Any]]) -> tuple[Trigger, ...]:
    """The trigger phrases of ``triggers.yaml``."""
    return tuple(
        Trigger(
            entry["event_type"],
            str(phrase).lower(),
            entry.get("default_action", "impose"),
            frozenset(entry["actions"]) if entry.get("actions") else MEASURE_ACTIONS,
            bool(entry.get("needs_action")),
        )
        for entry in entries
        for phrase in entry["phrases"]
    )


def load_guards(entries: list[dict[str, Any]]) -> tuple[Guard, ...]:
    """The word-sense guards of ``guards.yaml``."""
    lower = lambda words: frozenset(str(w).lower() for w in words or [])  # noqa: E731
    return tuple(
        Guard(
            lower(entry["triggers"]),
            lower(entry.get("block")),
            lower(entry.get("unless")),
            entry.get("scope") == "phrase",
        )
        for entry in entries
    )


def load_action_lexicon(folder: Path) -> ActionLexicon:
    """Read the four YAML files of ``folder`` (``models/actions``)."""
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise ModelError(f"action data missing in {folder}: {', '.join(missing)}")
    actions = read_yaml(folder / "actions.yaml")
    context = read_yaml(folder / "context.yaml")
    words = lambda key: frozenset(str(w).lower() for w in context.get(key) or [])  # noqa: E731
    return ActionLexicon(
        triggers=load_triggers(read_yaml(folder / "triggers.yaml")),
        policy_actions=word_map(actions["policy"]),
        flow_actions=word_map(actions["flow"]),
        forms=surface_forms(actions, context),
        threat_words=words("threat_words"),
        commitment_words=words("commitment_words"),
        hypothetical_marks=words("hypothetical_marks"),
        negation_words=words("negation_words"),
        restrict_verbs=words("restrict_verbs"),
        level_triggers=words("level_triggers"),
        noun_only=words("noun_only"),
        request_words=words("request_words"),
        forecast_words=words("forecast_words"),
        target_preps=words("target_preps"),
        previous_value_preps=words("previous_value_preps"),
        pair_words=words("pair_words"),
        anaphora_words=words("anaphora_words"),
        not_amount_units=words("not_amount_units"),
        retaliation_nouns=words("retaliation_nouns"),
        flow_blocking_preps=words("flow_blocking_preps"),
        patient_verbs=words("patient_verbs"),
        name_heads=words("name_heads"),
        currency_words=words("currency_words"),
        name_phrases=words("name_phrases"),
        multilateral=frozenset(str(w) for w in context.get("multilateral") or []),
        prevent_words=words("prevent_words"),
        venue_words=words("venue_words"),
        compliance_verbs=words("compliance_verbs"),
        flow_direction={k.lower(): v for k, v in (context.get("flow_direction") or {}).items()},
        paired_direction=dict(context.get("paired_direction") or {}),
        guards=load_guards(read_yaml(folder / "guards.yaml")),
    )


def copy_action_data(models_dir: Path, path: str | Path) -> None:
    """Save the action data next to a pipeline (``to_disk``), so it loads without ``models/``."""
    folder = Path(path) / "actions"
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        source = models_dir / "actions" / name
        (folder / name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
