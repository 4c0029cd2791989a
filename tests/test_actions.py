"""The ``newstag_actions`` component: triggers, word-sense guards, action, modality, negation."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.config import default_models_dir
from nlp.errors import ModelError
from nlp.pipeline.action_lexicon import inflections, load_action_lexicon
from nlp.pipeline.extensions import ACTIONS
from nlp.pipeline.process import tag_text


def actions(nlp, text: str) -> list[tuple[str, str, bool, str]]:
    """(event type, action, negated, modality) of every action span in ``text``."""
    doc = tag_text(nlp, text, "2024-05-01")
    return [
        (s.label_, s._.newstag["action"], s._.newstag["negated"], s._.newstag["modality"])
        for s in doc.spans[ACTIONS]
    ]


@pytest.mark.parametrize(
    ("text", "label", "action"),
    [
        ("Ottawa levied new duties on Chinese aluminium.", "TARIFF", "impose"),
        ("The White House hiked tariffs on Chinese cranes.", "TARIFF", "tighten"),
        ("Seoul slashed tariffs on imported fruit.", "TARIFF", "ease"),
        ("Mexico scrapped its tariffs on US pork.", "TARIFF", "lift"),
        ("Brussels paused its duties on American bourbon.", "TARIFF", "suspend"),
        ("Delhi prolonged its duties on Chinese glass.", "TARIFF", "extend"),
        ("Tokyo is considering tariffs on Korean steel.", "TARIFF", "threaten"),
        ("The EU imposed countervailing duties on Chinese biodiesel.", "TRADE_DEFENCE", "impose"),
        ("China curbed exports of graphite.", "EXPORT_CONTROL", "impose"),
        ("Thailand lifted its export ban on rice.", "EXPORT_CONTROL", "lift"),
        ("Canada revoked the export licences of two arms makers.", "EXPORT_LICENCE", "lift"),
        ("Nigeria restricted imports of frozen chicken.", "IMPORT_RESTRICTION", "impose"),
        ("Washington eased sanctions on Venezuelan oil.", "SANCTION", "ease"),
        ("Germany approved subsidies for its chip plants.", "SUBSIDY", "impose"),
        ("Australia launched a probe into dumped steel from Malaysia.", "INVESTIGATION", "impose"),
        ("Brazil lodged a complaint at the WTO against Canada.", "TRADE_DISPUTE", "file"),
        ("A WTO panel issued a ruling against the United States.", "TRADE_DISPUTE", "rule"),
        ("Kenya and Britain reached a trade deal.", "AGREEMENT", "agree"),
        ("Japanese and US officials held trade talks in Tokyo.", "NEGOTIATION", "meet"),
        ("Irish exports to Britain rose 4% in May.", "TRADE_FLOW", "rise"),
        ("Argentina's trade deficit narrowed to 1 billion dollars.", "TRADE_FLOW", "fall"),
    ],
)
def test_trigger_type_and_action(nlp, text: str, label: str, action: str) -> None:
    found = actions(nlp, text)
    assert (label, action) in [(t, a) for t, a, _, _ in found], found


@pytest.mark.parametrize(
    ("text", "label", "negated", "modality"),
    [
        ("Chile did not impose duties on Peruvian sugar.", "TARIFF", True, "asserted"),
        ("Egypt never lifted its import ban on cotton.", "IMPORT_RESTRICTION", True, "asserted"),
        ("Canada threatened tariffs on US dairy.", "TARIFF", False, "threat"),
        ("Officials said India may impose duties on steel.", "TARIFF", False, "threat"),
        (
            "China will suspend its export controls on gallium.",
            "EXPORT_CONTROL",
            False,
            "commitment",
        ),
        ("The US imposed tariffs on Cuban cigars.", "TARIFF", False, "asserted"),
    ],
)
def test_negation_and_modality(nlp, text: str, label: str, negated: bool, modality: str) -> None:
    found = [(n, m) for t, _, n, m in actions(nlp, text) if t == label]
    assert (negated, modality) in found, actions(nlp, text)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Regulators cut the electricity tariff paid by households in Spain.", "TARIFF"),
        ("He lost his driving licence and his export licence for fishing boats was fine.", "none"),
        ("FIFA imposed sanctions on the club after the match.", "SANCTION"),
        ("The army agreed to a truce after fighting near the border.", "AGREEMENT"),
        ("The bank agreed a merger deal with its rival.", "AGREEMENT"),
        ("If Japan raised tariffs on rice, Washington would respond.", "TARIFF"),
        ("The General Agreement on Tariffs and Trade met in Geneva.", "TARIFF"),
    ],
)
def test_word_sense_guards_and_hypotheticals(nlp, text: str, label: str) -> None:
    assert label not in [t for t, _, _, _ in actions(nlp, text)], actions(nlp, text)


def test_feed_in_tariff_is_a_subsidy(nlp) -> None:
    found = actions(nlp, "Italy cut the feed-in tariff for solar farms.")
    assert [t for t, _, _, _ in found] == ["SUBSIDY"], found


def test_flow_inside_a_measure_is_not_a_flow(nlp) -> None:
    found = actions(nlp, "Washington put tariffs on 200 billion dollars of Chinese imports.")
    assert "TRADE_FLOW" not in [t for t, _, _, _ in found], found


def test_blank_pipeline_still_tags(blank_nlp) -> None:
    found = actions(blank_nlp, "Peru did not impose tariffs on wheat.")
    assert ("TARIFF", "impose", True, "asserted") in found, found


def test_inflections_cover_regular_forms() -> None:
    assert {"imposes", "imposed", "imposing"} <= inflections("impose")
    assert {"banned", "banning"} <= inflections("ban")


def test_missing_data_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="triggers.yaml"):
        load_action_lexicon(tmp_path)


def test_to_disk_and_back(nlp, tmp_path: Path) -> None:
    component = nlp.get_pipe("newstag_actions")
    component.to_disk(tmp_path)
    assert sorted(p.name for p in (tmp_path / "actions").iterdir()) == sorted(
        p.name for p in (default_models_dir() / "actions").glob("*.yaml")
    )
    (tmp_path / "actions" / "triggers.yaml").write_text(
        "- event_type: SUBSIDY\n  phrases: [grant]\n", encoding="utf-8"
    )
    component.from_disk(tmp_path)
    try:
        assert [t for t, _, _, _ in actions(nlp, "Chile gave a grant to miners.")] == ["SUBSIDY"]
    finally:
        component.from_disk(default_models_dir())


def test_trigger_across_a_line_break(nlp) -> None:
    found = actions(nlp, "Taiwan said its trade\nsurplus with the U.S. rose to 5 billion dollars.")
    assert ("TRADE_FLOW", "rise") in [(t, a) for t, a, _, _ in found], found


def test_name_with_trigger_words_is_no_event(nlp) -> None:
    found = actions(nlp, "Brazil took the case to the General Agreement on Tariffs\nand Trade.")
    assert not [t for t, _, _, _ in found if t in ("TARIFF", "AGREEMENT")], found
