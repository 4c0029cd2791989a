"""Countries, organisations and leaders: sentence → expected (text, code) on both pipelines."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from nlp.config import default_models_dir
from nlp.pipeline.countries import Alias, CountryTagger, load_gazetteer, resolve, span_code
from nlp.pipeline.extensions import COUNTRIES
from nlp.pipeline.process import tag_text
from nlp.sources.articles import compose_text


@pytest.fixture(params=["nlp", "blank_nlp"])
def any_nlp(request):
    """Every case must hold on the trained pipeline and on a blank one."""
    return request.getfixturevalue(request.param)


def found(nlp, text: str, published: str | None = "2020-06-01") -> list[tuple[str, str]]:
    """The (surface, code) pairs the tagger put in its span group, in text order."""
    doc = tag_text(nlp, text, published)
    return [(span.text, span._.newstag["code"]) for span in doc.spans[COUNTRIES]]


NAMES = [
    ("Exports from Canada to Mexico rose sharply.", [("Canada", "CAN"), ("Mexico", "MEX")]),
    ("The U.S. and the UK signed a deal.", [("U.S.", "USA"), ("UK", "GBR")]),
    (
        "Britain and America held talks with the U.S.A. team.",
        [("Britain", "GBR"), ("America", "USA"), ("U.S.A.", "USA")],
    ),
    (
        "Trade between South Korea and North Korea is small.",
        [("South Korea", "KOR"), ("North Korea", "PRK")],
    ),
    ("The United Arab Emirates bought wheat.", [("United Arab Emirates", "ARE")]),
    ("JAPAN SAYS EXPORTS TO CHINA FELL", [("JAPAN", "JPN"), ("CHINA", "CHN")]),
    ("Papua New Guinea exports copper.", [("Papua New Guinea", "PNG")]),
    ("Guinea exports bauxite.", [("Guinea", "GIN")]),
    ("Ivory Coast cut cocoa prices.", [("Ivory Coast", "CIV")]),
]

DEMONYMS = [
    ("Chinese exports of steel fell.", [("Chinese", "CHN")]),
    ("Japanese officials rejected the plan.", [("Japanese", "JPN")]),
    ("Washington raised tariffs on French wine imports.", [("Washington", "USA")]),
    ("West German carmakers sold more.", [("West German", "DEU")]),
    ("We had Chinese food after the meeting.", []),
    ("They ordered French fries.", []),
    ("The South African rand weakened.", [("South African", "ZAF")]),
    ("Latin American debtors met.", []),
]

CAPITALS = [
    ("Beijing said it would retaliate against Tokyo.", [("Beijing", "CHN"), ("Tokyo", "JPN")]),
    (
        "Seoul and Ottawa disagreed; Canberra stayed silent.",
        [("Seoul", "KOR"), ("Ottawa", "CAN"), ("Canberra", "AUS")],
    ),
    ("New Delhi protested.", [("New Delhi", "IND")]),
    ("The White House said talks would resume.", [("White House", "USA")]),
]

ORGANISATIONS = [
    ("The WTO ruled against the EU.", [("WTO", "WTO"), ("EU", "EU")]),
    (
        "GATT members and the European Community met.",
        [("GATT", "GATT"), ("European Community", "EU")],
    ),
    (
        "Ministers of the Community agreed; the EEC will cut levies.",
        [("Community", "EU"), ("EEC", "EU")],
    ),
    (
        "The International Monetary Fund and the World Bank lent more.",
        [("International Monetary Fund", "IMF"), ("World Bank", "WORLD_BANK")],
    ),
    (
        "OPEC and ASEAN officials met the G7 and the OECD.",
        [("OPEC", "OPEC"), ("ASEAN", "ASEAN"), ("G7", "G7"), ("OECD", "OECD")],
    ),
    ("The Bank of Japan held rates.", [("Bank of Japan", "JPN")]),
    ("Brussels proposed new quotas.", [("Brussels", "EU")]),
    ("A Community spirit prevailed.", []),
    ("COMMUNITY BANK RAISES DIVIDEND", []),
]

HISTORICAL = [
    (
        "The Soviet Union bought grain from the USSR's partners.",
        "1987-03-01",
        [("Soviet Union", "SUN"), ("USSR", "SUN")],
    ),
    (
        "West Germany and East Germany traded.",
        "1987-03-01",
        [("West Germany", "DEU"), ("East Germany", "DDR")],
    ),
    (
        "Yugoslavia and Czechoslovakia signed.",
        "1987-03-01",
        [("Yugoslavia", "YUG"), ("Czechoslovakia", "CSK")],
    ),
    ("Bonn welcomed the decision.", "1987-03-01", [("Bonn", "DEU")]),
    ("PLANT SALES ROSE IN GEORGIA", "1987-04-01", [("GEORGIA", "USA")]),
    ("Russia sold oil.", "1987-03-01", [("Russia", "SUN")]),
    ("Russia sold oil.", "2022-03-01", [("Russia", "RUS")]),
    ("Russia sold oil.", None, [("Russia", "RUS")]),
]

LEADERS = [
    ("President Trump raised tariffs.", "2018-07-01", [("Trump", "USA")]),
    ("President Trump raised tariffs.", "2025-04-02", [("Trump", "USA")]),
    ("Trump bought a hotel in Atlantic City.", "1987-03-01", []),
    ("Reagan and Nakasone met.", "1987-03-01", [("Reagan", "USA"), ("Nakasone", "JPN")]),
    ("Reagan spoke.", "1995-01-01", []),
    ("Xi Jinping met Lighthizer.", "2018-12-01", [("Xi Jinping", "CHN"), ("Lighthizer", "USA")]),
    ("Clayton Yeutter criticised the plan.", "1987-05-01", [("Clayton Yeutter", "USA")]),
    (
        "Trade Representative Katherine Tai met Tai's counterpart.",
        "2022-05-01",
        [("Katherine Tai", "USA"), ("Tai", "USA")],
    ),
    ("Greer said talks went well.", "2025-06-01", [("Greer", "USA")]),
    ("Boris Johnson wrote to Gareth Johnson.", "2020-09-26", [("Boris Johnson", "GBR")]),
    (
        "The leader, Kim Jong-un, met Moon Jae-in.",
        "2018-09-18",
        [("Kim Jong-un", "PRK"), ("Moon Jae-in", "KOR")],
    ),
    ("He met President Kim in Seoul.", "1995-03-01", [("Seoul", "KOR")]),  # two Kims in office
    ("He met President Kim Young-sam.", "1995-03-01", [("Kim Young-sam", "KOR")]),
    ("Treasury Secretary James A. Baker spoke.", "1987-03-01", [("Baker", "USA")]),
    ("Baker spoke.", "1987-03-01", []),
    ("Xi spoke.", None, [("Xi", "CHN")]),
]

TRAPS = [
    ("Turkey imposed duties on steel.", [("Turkey", "TUR")]),
    ("Prices of turkey meat rose before the holiday.", []),
    ("Turkey farmers sold more birds.", []),
    ("Michael Jordan visited a school.", []),
    ("Chad Smith played drums.", []),
    ("Chad and Niger signed a pact.", [("Chad", "TCD"), ("Niger", "NER")]),
    (
        "Atlanta, Ga., is the capital of Georgia.",
        [("Atlanta", "USA"), ("Ga.", "USA"), ("Georgia", "USA")],
    ),
    ("New Mexico and Indiana are states.", [("New Mexico", "USA"), ("Indiana", "USA")]),
    ("China Daily reported the figures.", []),
    ("The Washington Post reported it.", []),
    ("Ships crossed the Indian Ocean.", []),
    ("Cleveland-Cliffs runs a plant in Cleveland.", [("Cleveland", "USA")]),
    ("Portland, Ore., is a port.", [("Portland", "USA"), ("Ore.", "USA")]),
    (
        "San Jose, Calif., is far from San Jose in Costa Rica.",
        [("Calif.", "USA"), ("San Jose", "CRI"), ("Costa Rica", "CRI")],
    ),
    ("Harvey T. Lyon joined the board.", []),
]


@pytest.mark.parametrize(("text", "expected"), NAMES + DEMONYMS + CAPITALS + ORGANISATIONS + TRAPS)
def test_mentions(any_nlp, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(any_nlp, text) == expected


@pytest.mark.parametrize(("text", "published", "expected"), HISTORICAL + LEADERS)
def test_mentions_for_the_date(any_nlp, text: str, published: str | None, expected: list) -> None:
    assert found(any_nlp, text, published) == expected


def test_georgia_the_country_after_1991(any_nlp) -> None:
    assert found(any_nlp, "Georgia and Armenia signed a trade pact.", "2015-05-01") == [
        ("Georgia", "GEO"),
        ("Armenia", "ARM"),
    ]


def test_labels_and_via(blank_nlp) -> None:
    doc = tag_text(
        blank_nlp, "President Reagan told the EC that Japanese exports must fall.", "1987-04-01"
    )
    got = [(s.text, s.label_, s._.newstag["via"]) for s in doc.spans[COUNTRIES]]
    assert got == [
        ("Reagan", "person", "leader"),
        ("EC", "organisation", "organisation"),
        ("Japanese", "country", "demonym"),
    ]


def test_resolve_without_date_takes_latest_term() -> None:
    old = Alias("SUN", "country", "name", None, "1991-12-25")
    new = Alias("RUS", "country", "name", "1991-12-26", None)
    assert resolve([old, new], None) == [new]
    assert resolve([old, new], "1987-01-01") == [old]


def test_to_disk_round_trip(blank_nlp, tmp_path: Path) -> None:
    tagger = blank_nlp.get_pipe("newstag_countries")
    tagger.to_disk(tmp_path / "countries")
    fresh = CountryTagger(blank_nlp, "copy").from_disk(tmp_path / "countries")
    assert set(fresh.gazetteer.aliases) == set(tagger.gazetteer.aliases)


def test_gazetteer_codes_are_known() -> None:
    """Every code the data can emit is an ISO alpha-3 code of the table or an organisation code."""
    gaz = load_gazetteer(default_models_dir() / "countries")
    table = (default_models_dir() / "countries" / "iso3166.jsonl").read_text(encoding="utf-8")
    iso = {json.loads(line)["code"] for line in table.splitlines()}
    orgs = {
        "EU",
        "WTO",
        "GATT",
        "UN",
        "OPEC",
        "ASEAN",
        "G7",
        "G20",
        "IMF",
        "WORLD_BANK",
        "OECD",
        "NATO",
        "APEC",
        "MERCOSUR",
        "USMCA",
    }
    codes = {r.code for readings in gaz.aliases.values() for r in readings if r.code}
    assert codes <= iso | orgs


def _trade_stories(corpus_dir: Path, limit: int) -> list[dict]:
    stories = []
    with (corpus_dir / "reuters21578.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            story = json.loads(line)
            if (story.get("body") or "").strip() and "trade" in story.get("topics", ()):
                stories.append(story)
                if len(stories) == limit:
                    break
    return stories


def test_reuters_trade_recall(nlp, corpus_dir: Path) -> None:
    """Recall of Reuters' places labels among the country codes of the first 100 trade stories."""
    places = json.loads((default_models_dir() / "countries" / "reuters_places.json").read_text())
    found_count = total = 0
    for story in _trade_stories(corpus_dir, 100):
        published = datetime.strptime(story["date"].split()[0], "%d-%b-%Y").date().isoformat()
        doc = tag_text(nlp, compose_text(story["title"], story["body"]), published)
        codes = {span_code(span) for span in doc.spans[COUNTRIES]}
        wanted = {places[p] for p in story["places"] if p in places}
        total += len(wanted)
        found_count += len(wanted & codes)
    assert total > 100
    assert found_count / total >= 0.9
