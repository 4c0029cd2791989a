"""newstag_quantities: the normalization table of EVENTS.md, exclusions, ranges, negatives, words."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

from nlp.pipeline.extensions import QUANTITIES
from nlp.pipeline.process import tag_text

BENCH = Path(__file__).resolve().parent.parent / "bench" / "peer_quantities.py"


def quantities(nlp, text: str, published: str | None = None) -> list[tuple[str, float, str]]:
    """(surface, value, unit) of every quantity in ``text``."""
    doc = tag_text(nlp, text, published)
    return [(s.text, s._.newstag["value"], s._.newstag["unit"]) for s in doc.spans[QUANTITIES]]


def assert_found(found, surface: str, value: float, unit: str) -> None:
    matches = [f for f in found if f[0] == surface]
    assert matches, f"{surface!r} not among {found}"
    assert matches[0][2] == unit, f"{surface!r}: unit {matches[0][2]} != {unit}"
    assert math.isclose(matches[0][1], value, rel_tol=1e-9), (
        f"{surface!r}: {matches[0][1]} != {value}"
    )


# (sentence, published, surface, value, unit): one row per line of the normalization table and more.
CASES = [
    ("The deal is worth $3.5 billion.", None, "$3.5 billion", 3.5e9, "USD"),
    ("Sales rose to 1.5 billion dlrs last year.", "1987-03-02", "1.5 billion dlrs", 1.5e9, "USD"),
    ("The bank lent 500 mln yen to the firm.", "1987-03-02", "500 mln yen", 5e8, "JPY"),
    ("It raised 20 mln stg in new shares.", "1987-03-02", "20 mln stg", 2e7, "GBP"),
    ("Profit was 300 mln Canadian dlrs.", "1987-03-02", "300 mln Canadian dlrs", 3e8, "CAD"),
    ("Revenue hit 40 mln Australian dlrs.", "1987-03-02", "40 mln Australian dlrs", 4e7, "AUD"),
    ("The loan totals 5 mln marks.", "1987-03-02", "5 mln marks", 5e6, "DEM"),
    ("The order is worth 2 bln francs.", "1987-03-02", "2 bln francs", 2e9, "FRF"),
    ("The order is worth 2 bln Swiss francs.", "1987-03-02", "2 bln Swiss francs", 2e9, "CHF"),
    ("Spending reached 1.76 trillion yuan.", "2018-05-01", "1.76 trillion yuan", 1.76e12, "CNY"),
    ("The fund holds 30 bln renminbi.", "2018-05-01", "30 bln renminbi", 3e10, "CNY"),
    ("Exports earned 10 billion rupees.", "2018-05-01", "10 billion rupees", 1e10, "INR"),
    ("The budget is 500 billion won.", "2018-05-01", "500 billion won", 5e11, "KRW"),
    ("Brussels fined it €4 billion.", "2018-05-01", "€4 billion", 4e9, "EUR"),
    ("Brussels fined it 3 million euros.", "2018-05-01", "3 million euros", 3e6, "EUR"),
    ("The painting sold for £12 million.", "2018-05-01", "£12 million", 1.2e7, "GBP"),
    ("The bond raised US$5 mln.", "2018-05-01", "US$5 mln", 5e6, "USD"),
    ("The tower cost HK$3 bln.", "2018-05-01", "HK$3 bln", 3e9, "HKD"),
    ("The port cost S$2 billion.", "2018-05-01", "S$2 billion", 2e9, "SGD"),
    ("The startup raised $5m in May.", "2018-05-01", "$5m", 5e6, "USD"),
    ("It booked 3.5bn euros of orders.", "2018-05-01", "3.5bn euros", 3.5e9, "EUR"),
    ("The scheme costs Rs 500 crore.", "2018-05-01", "Rs 500 crore", 5e9, "INR"),
    ("Wheat rose 7-1/2 cts a bushel.", "1987-03-02", "7-1/2 cts", 0.075, "USD"),
    ("Shipments fell to about 582 tons.", None, "about 582 tons", 582.0, "t"),
    ("The harvest was 1.2 mln tonnes.", None, "1.2 mln tonnes", 1.2e6, "t"),
    ("Each crate holds 500 kg of fruit.", None, "500 kg", 0.5, "t"),
    ("The truck carried 30,000 lbs of beef.", None, "30,000 lbs", 30000 * 0.00045359237, "t"),
    ("The mine produced 2 mln ounces of gold.", None, "2 mln ounces", 2e6, "ozt"),
    ("Output was 2 mln barrels in March.", None, "2 mln barrels", 2e6, "bbl"),
    ("The field pumps 500,000 bpd now.", None, "500,000 bpd", 5e5, "bbl/d"),
    ("The field pumps 300,000 barrels per day now.", None, "300,000 barrels per day", 3e5, "bbl/d"),
    ("The field pumps 300,000 barrels a day now.", None, "300,000 barrels a day", 3e5, "bbl/d"),
    ("Storage holds 40 mln cubic metres of gas.", None, "40 mln cubic metres", 4e7, "m3"),
    ("Farmers sold 20 mln bushels of corn.", None, "20 mln bushels", 2e7, "bu"),
    ("The tank takes 300 litres of fuel.", None, "300 litres", 300.0, "l"),
    ("Exports fell 11% in November.", None, "11%", 11.0, "%"),
    ("Exports fell 11 pct in November.", None, "11 pct", 11.0, "%"),
    ("Exports fell 11 per cent in November.", None, "11 per cent", 11.0, "%"),
    ("Exports fell eleven percent in November.", None, "eleven percent", 11.0, "%"),
    ("Growth slowed by 0.5 percentage points.", None, "0.5 percentage points", 0.5, "pp"),
    ("The bank cut rates by 25 basis points.", None, "25 basis points", 0.25, "pp"),
    ("Customs counted 128 items in the lot.", None, "128 items", 128.0, "item"),
    ("The port shipped 155,221 bags of coffee.", None, "155,221 bags", 155221.0, "bag"),
    ("The plant will cut 3,000 jobs next year.", None, "3,000 jobs", 3000.0, "job"),
    ("Officials inspected 40 vessels at sea.", None, "40 vessels", 40.0, "vessel"),
    ("Tariffs rose 10 to 15 pct on cars.", None, "10 to 15 pct", 10.0, "%"),
    ("Tariffs rose 10-15% on cars.", None, "10-15%", 10.0, "%"),
    ("Output reached between 3 and 4 mln tonnes.", None, "between 3 and 4 mln tonnes", 3e6, "t"),
    ("They paid $350 to $680 per kilogram.", None, "$350 to $680", 350.0, "USD"),
    ("The economy shrank -3.5 pct last year.", None, "-3.5 pct", -3.5, "%"),
    ("Growth was minus 2 pct in the quarter.", None, "minus 2 pct", -2.0, "%"),
    ("Rates may move plus or minus 2 pct.", None, "minus 2 pct", 2.0, "%"),
    ("The index ended nearly 4 pct higher.", None, "nearly 4 pct", 4.0, "%"),
    ("Firms invested more than $860 billion here.", None, "more than $860 billion", 8.6e11, "USD"),
    ("Duties apply to some 500 mln dlrs of goods.", None, "some 500 mln dlrs", 5e8, "USD"),
    ("A tariff of twenty-five percent applies.", None, "twenty-five percent", 25.0, "%"),
    (
        "The group paid two hundred fifty thousand dollars.",
        None,
        "two hundred fifty thousand dollars",
        2.5e5,
        "USD",
    ),
    (
        "It owes one and a half million dollars.",
        None,
        "one and a half million dollars",
        1.5e6,
        "USD",
    ),
    ("The levy is a half percent of sales.", None, "a half percent", 0.5, "%"),
    ("They sold a million tonnes of rice.", None, "a million tonnes", 1e6, "t"),
    ("The annual revenue is ($99.99).", None, "($99.99)", -99.99, "USD"),
    ("They gave 45 and 50 mg doses.", None, "45", 45e-9, "t"),
    ("Quotas went from 50 to 80% of output.", None, "50", 50.0, "%"),
    ("He spent 20 million pounds on the club.", "2018-05-01", "20 million pounds", 2e7, "GBP"),
    ("A twenty-pound bag of rice costs little.", None, "twenty-pound", 20 * 0.00045359237, "t"),
    ("One pound of coal yields much heat.", None, "One pound", 0.00045359237, "t"),
    ("It bought 10 000 dollars of bonds.", None, "10 000 dollars", 1e4, "USD"),
    ("Italy's GDP is $2.174T.", None, "$2.174T.", 2.174e12, "USD"),
    ("Brazil sold 440,000 60-kg bags of coffee.", None, "440,000 60-kg bags", 4.4e5, "bag"),
    ("The field yields 3m barrels a year.", None, "3m barrels", 3e6, "bbl"),
    ("JAPAN SURPLUS ROSE 5.4 PCT TO 8.1 BLN DLRS", "1987-04-01", "8.1 BLN DLRS", 8.1e9, "USD"),
    ("The firm owes 7.50 bolivars.", "1987-04-01", "7.50 bolivars", 7.5, "VEB"),
    ("Nearly 45 million people live there.", None, "Nearly 45 million people", 4.5e7, "person"),
    ("The region has 12 companies now.", None, "12 companies", 12.0, "company"),
    ("The plan costs $3-4 billion.", None, "$3-4 billion", 3e9, "USD"),
    ("It sought between $3 and $4 billion.", None, "between $3 and $4 billion", 3e9, "USD"),
    ("The US has a $223 million trade deficit.", None, "$223 million", 2.23e8, "USD"),
    ("It backs a four-mln-tonne wheat subsidy.", None, "four-mln-tonne", 4e6, "t"),
    ("Yields fell eight basis\npoints today.", None, "eight basis\npoints", 0.08, "pp"),
    ("Sales were 2.5 mln\ndlrs in May.", None, "2.5 mln\ndlrs", 2.5e6, "USD"),
    (
        "The deficit hit 4.37 billion N.Z. Dlrs.",
        "1987-04-01",
        "4.37 billion N.Z. Dlrs",
        4.37e9,
        "NZD",
    ),
    ("Cargo totalled 19,267,000 cwts.", None, "19,267,000 cwts", 19267000 * 0.045359237, "t"),
]


@pytest.mark.parametrize(("text", "published", "surface", "value", "unit"), CASES)
def test_normalization_blank(blank_nlp, text, published, surface, value, unit):
    assert_found(quantities(blank_nlp, text, published), surface, value, unit)


@pytest.mark.parametrize(("text", "published", "surface", "value", "unit"), CASES)
def test_normalization_trained(nlp, text, published, surface, value, unit):
    assert_found(quantities(nlp, text, published), surface, value, unit)


@pytest.mark.parametrize(
    ("text", "published", "unit"),
    [
        ("The order is worth 2 bln francs.", "1987-03-02", "FRF"),
        ("The order is worth 2 bln francs.", "2019-03-02", "CHF"),
        ("The loan was 40 mln lire.", "1990-01-01", "ITL"),
        ("The loan was 40 mln lira.", "2019-01-01", "TRY"),
        ("Moscow paid 3 bln roubles.", "1987-03-02", "SUR"),
        ("Moscow paid 3 bln roubles.", "2015-03-02", "RUB"),
        ("The fund held 3 mln ecus.", "1987-03-02", "XEU"),
    ],
)
def test_currency_follows_article_date(blank_nlp, text, published, unit):
    found = quantities(blank_nlp, text, published)
    assert [f[2] for f in found] == [unit]


NOT_QUANTITIES = [
    "The pact was signed in 1987 in Geneva.",
    "Talks resume in 2025 with new envoys.",
    "The meeting is on March 3 in Paris.",
    "It was the third round of talks.",
    "The 45-year-old minister resigned.",
    "The minister, aged 45, resigned.",
    "Call 555-1234 for details.",
    "The session opens at 10:30 tomorrow.",
    "The probe under Section 301 continues.",
    "The G7 leaders met in Italy.",
    "Leaders of 2 of the nations met.",
    "The vote was held 3 years ago.",
    "The S&P 500 index rose.",
    "A four-fold increase followed.",
    "The country is the No. 2 economy.",
    "Airlines grounded the 737 MAX jets.",
    "Operators are building 5G networks.",
    "Zero tariffs were agreed.",
    "The list covers (1) articles of steel.",
    "Output rose by 25.1 mln.",
    "On one hand, talks went on.",
    "The 1981-82 recession hurt farmers.",
    "The index closed at 149.28 points.",
    "The COP 26 talks ended in Glasgow.",
    "The Y2K bug cost little.",
    "Density was 5.5x10-3 kg per litre.",
    "BAHIA COCOA REVIEW",
]


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_not_quantities_blank(blank_nlp, text):
    assert quantities(blank_nlp, text) == []


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_not_quantities_trained(nlp, text):
    assert quantities(nlp, text) == []


def test_conversion_in_parentheses_stays_positive(blank_nlp):
    found = quantities(blank_nlp, "Toyota earned 1.2 trillion yen ($8 billion).")
    assert ("$8 billion", 8e9, "USD") in found


def test_headline_capitals_do_not_veto_the_next_line(blank_nlp):
    found = quantities(blank_nlp, "COCOA REVIEW\n\n3,000 bags were sold.")
    assert [(f[1], f[2]) for f in found] == [(3000.0, "bag")]


def test_a_after_an_amount_means_per(blank_nlp):
    assert quantities(blank_nlp, "Beans cost 3,000 yuan a tonne.") == [
        ("3,000 yuan", 3000.0, "CNY")
    ]


def test_from_to_gives_two_quantities(blank_nlp):
    found = quantities(blank_nlp, "Tariffs were raised from 10% to 25% in May.")
    assert [(f[1], f[2]) for f in found] == [(10.0, "%"), (25.0, "%")]


def test_elliptical_amount_takes_the_unit_before_it(blank_nlp):
    text = "Exports rose to 4.07 billion U.S. Dlrs from 3.85 billion in February."
    found = quantities(blank_nlp, text, "1987-04-01")
    assert [(f[1], f[2]) for f in found] == [(4.07e9, "USD"), (3.85e9, "USD")]


def test_elliptical_amount_never_takes_a_percent(blank_nlp):
    found = quantities(blank_nlp, "Output rose 2.1 pct in March to 464.2 mln from 359.5 mln.")
    assert [(f[1], f[2]) for f in found] == [(2.1, "%")]


def test_amount_without_unit_or_noun_is_no_quantity(blank_nlp):
    assert quantities(blank_nlp, "Net 5,120,000 vs 4,340,000.") == []


def test_counted_noun_from_parse(nlp):
    found = quantities(nlp, "Nearly 800,000 manufacturing jobs have been created.")
    assert [(f[1], f[2]) for f in found] == [(800000.0, "job")]


def test_spans_are_labelled_with_offsets(blank_nlp):
    text = "Exports fell 11% to 582 tons."
    doc = tag_text(blank_nlp, text)
    spans = list(doc.spans[QUANTITIES])
    assert [s.label_ for s in spans] == ["quantity", "quantity"]
    assert [text[s.start_char : s.end_char] for s in spans] == ["11%", "582 tons"]


def test_component_round_trips_through_disk(blank_nlp, tmp_path):
    component = blank_nlp.get_pipe("newstag_quantities")
    component.to_disk(tmp_path / "q")
    component.from_disk(tmp_path / "q")
    assert quantities(blank_nlp, "It fell 11 pct.") == [("11 pct", 11.0, "%")]


def _bench():
    spec = importlib.util.spec_from_file_location("peer_quantities", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.mark.corpus
@pytest.mark.parametrize("pipeline", ["blank_nlp", "nlp"])
def test_quantulum_news_units_all_found(corpus_dir, pipeline, request):
    bench = _bench()
    cases, misses = bench.score(request.getfixturevalue(pipeline), corpus_dir)
    assert len(cases) >= 30
    assert [m.surface for m in misses] == []


@pytest.mark.corpus
def test_quantulum_nocrash_inputs(corpus_dir, blank_nlp, nlp):
    bench = _bench()
    assert bench.crashes(blank_nlp, corpus_dir) == []
    assert bench.crashes(nlp, corpus_dir) == []
