"""The quantity lexicon, the lexer that turns tokens into pieces, and the reading of numbers.

News writes quantities in many token shapes ("HK$3", "3.5bn", "7-1/2", "twenty-five", "per
cent"), so before any grammar runs each token (or phrase) becomes a ``Piece`` that says what it
can be: a number, a multiplier, a currency, a unit, an approximation word, a range word.
``NumberReader`` then reads one number with its multipliers ("two hundred fifty thousand",
"1.5 bln"); ``nlp.pipeline.quantities`` adds units, ranges and counts on top.
All words come from ``models/quantities/*.yaml``; this module holds no word lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from spacy.tokens import Doc, Token

from nlp.errors import ModelError

LEXICON_FILES = ("numbers.yaml", "units.yaml", "currencies.yaml")
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_FRACTION = re.compile(r"^(\d{1,2})/(\d{1,2})$")
_GROUP = re.compile(r"^\d{3}$")
_YEAR = re.compile(r"^(1[0-9]|20)\d\d$")

Tokenize = Callable[[str], list[str]]
DatedCodes = tuple[tuple[str | None, str], ...]


@dataclass(frozen=True)
class Entry:
    """One reading of a piece: ``kind`` is NUM, WEAK, MULT, MMULT, CUR, UNIT, APPROX, BETWEEN,
    CHANGE, RANGE, SIGN, IDENT, MONTH, NOTCOUNT, PRECIOUS or WEIGHT."""

    kind: str
    value: float = 1.0
    unit: str = ""
    unit_kind: str = ""
    codes: DatedCodes = ()
    ambiguous: bool = False
    is_word: bool = False
    yearlike: bool = False
    symbol: bool = False


@dataclass
class Piece:
    """Tokens ``start``..``end`` (exclusive) of a doc, with every reading they allow."""

    start: int
    end: int
    readings: dict[str, Entry] = field(default_factory=dict)

    def get(self, kind: str) -> Entry | None:
        """The reading of this kind, if the piece can be one."""
        return self.readings.get(kind)


@dataclass(frozen=True)
class Lexicon:
    """Word tables keyed by lower-case token tuples; symbols keyed by exact text."""

    phrases: Mapping[tuple[str, ...], Mapping[str, Entry]]
    symbols: Mapping[str, Entry]
    max_phrase: int
    starts: frozenset[str]  # first words of the phrases of several words
    denominators: frozenset[int]
    irregular_plurals: Mapping[str, str]
    token_pattern: re.Pattern[str]
    letters: frozenset[str] = frozenset()


def read_yaml(path: Path) -> Any:
    """One YAML data file, or a ModelError that names it."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ModelError(f"cannot read quantity data {path}: {e}") from e


def dated_codes(spec: str | list[dict[str, str]]) -> DatedCodes:
    """A currency code spec from the YAML as ``((until, code), ...)``."""
    if isinstance(spec, str):
        return ((None, spec),)
    return tuple((item.get("until"), item["code"]) for item in spec)


def resolve_code(codes: DatedCodes, published: str | None) -> str:
    """The ISO 4217 code a currency word meant on the article's date (today's without a date)."""
    for until, code in codes:
        if until is None or (published is not None and published[:10] <= until):
            return code
    return codes[-1][1]


def load_lexicon(directory: Path, tokenize: Tokenize) -> Lexicon:
    """Read the three YAML files under ``directory`` into one lexicon."""
    numbers, units, money = (read_yaml(directory / name) for name in LEXICON_FILES)
    table: dict[tuple[str, ...], dict[str, Entry]] = {}

    def add(words: Iterable[str], entry: Entry) -> None:
        for words_text in words:
            key = tuple(t.lower() for word in str(words_text).split() for t in _split(word))
            table.setdefault(key, {}).setdefault(entry.kind, entry)

    def _split(word: str) -> list[str]:
        tokens = tokenize(word)
        return [word] if tokens[-1:] == ["."] else tokens  # "n.z." and "pct." stay one word

    _add_numbers(numbers, add)
    _add_units(units, add)
    symbols = _add_currencies(money, add)
    prefixes = "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True))
    pattern = re.compile(
        rf"^(?P<pre>{prefixes})?(?P<sign>[-−+])?(?P<num>{_NUMBER})"
        r"(?P<unc>±\d+(?:\.\d+)?)?(?P<suf>[^\d\s]+)?$"
    )
    return Lexicon(
        phrases=table,
        symbols=symbols,
        max_phrase=max(len(key) for key in table),
        starts=frozenset(key[0] for key in table if len(key) > 1),
        denominators=frozenset(int(d) for d in numbers["fraction_denominators"]),
        irregular_plurals=dict(numbers["irregular_plurals"]),
        token_pattern=pattern,
        letters=frozenset(_one_letter_names(units, money)),
    )


def _one_letter_names(units: dict[str, Any], money: dict[str, Any]) -> set[str]:
    """Unit and currency names of one letter, exactly as the data writes them."""
    names = [n for item in units["units"] for n in item["names"]]
    names += [w for item in money["currencies"] for w in item["words"]]
    return {str(n) for n in names if len(str(n)) == 1}


def _add_numbers(data: dict[str, Any], add: Callable[[Iterable[str], Entry], None]) -> None:
    for word, value in data["words"].items():
        add([word], Entry("NUM", float(value), is_word=True))
    for word, value in data["weak_words"].items():
        add([word], Entry("WEAK", float(value), is_word=True))
    for word, value in data["multipliers"].items():
        add([word], Entry("MULT", float(value)))
    for word, value in data["money_only_multipliers"].items():
        add([word], Entry("MMULT", float(value)))
    simple = {
        "approximations": "APPROX",
        "negations": "SIGN",
        "range_words": "RANGE",
        "between_words": "BETWEEN",
        "change_words": "CHANGE",
        "identifier_words": "IDENT",
        "not_counted": "NOTCOUNT",
        "months": "MONTH",
    }
    for key, kind in simple.items():
        add(data[key], Entry(kind, -1.0 if kind == "SIGN" else 1.0))


def _add_units(data: dict[str, Any], add: Callable[[Iterable[str], Entry], None]) -> None:
    add(data["precious_metals"], Entry("PRECIOUS"))
    add(data["weight_words"], Entry("WEIGHT"))
    for item in data["units"]:
        entry = Entry("UNIT", float(item["factor"]), unit=item["unit"], unit_kind=item["kind"])
        add(item["names"], entry)


def _add_currencies(
    data: dict[str, Any], add: Callable[[Iterable[str], Entry], None]
) -> dict[str, Entry]:
    for item in data["currencies"]:
        factor = float(item.get("factor", 1.0))
        ambiguous = {str(w).lower() for w in item.get("ambiguous", [])}
        for word in item["words"]:
            entry = Entry("CUR", factor, codes=dated_codes(item["code"]))
            add([word], replace(entry, ambiguous=str(word).lower() in ambiguous))
        for modifier, spec in (item.get("modifiers") or {}).items():
            entry = Entry("CUR", factor, codes=dated_codes(spec))
            add([f"{modifier} {word}" for word in item["words"]], entry)
    return {
        str(symbol): Entry("CUR", 1.0, codes=dated_codes(code), symbol=True)
        for symbol, code in data["symbols"].items()
    }


def lex(doc: Doc, lexicon: Lexicon) -> list[Piece]:
    """Every token of ``doc`` as pieces, left to right (a token may give several pieces)."""
    pieces: list[Piece] = []
    i = 0
    while i < len(doc):
        found = _lex_at(doc, i, lexicon)
        pieces.extend(found)
        i = max(found[-1].end, i + 1) if found else i + 1
    return pieces


def _lex_at(doc: Doc, i: int, lexicon: Lexicon) -> list[Piece]:
    token = doc[i]
    if token.is_space:
        return []  # line breaks inside "5 mln\ndlrs" are no piece at all
    if any(c.isdigit() for c in token.text):
        numeric = _lex_number(doc, i, lexicon)
        if numeric:
            return numeric
    lower = token.lower_
    word = _lex_word_number(doc, i, lexicon)
    if word:
        return [word]
    if lower in lexicon.starts:
        words = _words_from(doc, i, lexicon.max_phrase)
        for size in range(len(words), 1, -1):
            readings = lexicon.phrases.get(tuple(w for w, _ in words[:size]))
            if readings:
                return [Piece(i, words[size - 1][1], dict(readings))]
    return [Piece(i, i + 1, _word_readings(token, lexicon))]


def _words_from(doc: Doc, i: int, limit: int) -> list[tuple[str, int]]:
    """Up to ``limit`` lower-case words from token ``i`` on, skipping line breaks, with ends."""
    words: list[tuple[str, int]] = []
    j = i
    while j < len(doc) and len(words) < limit:
        if not doc[j].is_space:
            words.append((doc[j].lower_, j + 1))
        j += 1
    return words


def _word_readings(token: Token, lexicon: Lexicon) -> dict[str, Entry]:
    """What one token can be; "m." at a sentence end reads as "m"."""
    key = token.lower_
    readings = dict(lexicon.phrases.get((key,), {}))
    if not readings and key.endswith(".") and len(key) > 1:
        readings = dict(lexicon.phrases.get((key[:-1],), {}))
    readings = _letter_case(token.text, readings, lexicon)
    if token.text in lexicon.symbols:
        readings.setdefault("SYM", lexicon.symbols[token.text])
    return readings


def _glued(doc: Doc, i: int) -> bool:
    """True when token ``i`` is followed by the next with no space between (as in "7-1/2")."""
    return i + 1 < len(doc) and not doc[i].whitespace_


def _lex_number(doc: Doc, i: int, lexicon: Lexicon) -> list[Piece]:
    """A token holding digits: optional currency symbol, sign, number, suffix ("US$5.5bn")."""
    text = doc[i].text
    fraction = _fraction(text, lexicon)
    if fraction is not None:
        return [Piece(i, i + 1, {"NUM": Entry("NUM", fraction)})]
    match = lexicon.token_pattern.match(text)
    if not match:
        return []
    suffix = _suffix_readings(match.group("suf"), lexicon)
    if suffix is None:
        return []
    value, end = _extend_digits(doc, i, float(match.group("num").replace(",", "")), lexicon)
    yearlike = end == i + 1 and bool(_YEAR.match(match.group("num"))) and not match.group("pre")
    pieces = []
    if match.group("pre"):
        pieces.append(Piece(i, i + 1, {"SYM": lexicon.symbols[match.group("pre")]}))
    if match.group("sign") in ("-", "−"):
        pieces.append(Piece(i, i + 1, {"SIGN": Entry("SIGN", -1.0)}))
    pieces.append(Piece(i, end, {"NUM": Entry("NUM", value, yearlike=yearlike)}))
    if suffix:
        pieces.append(Piece(end - 1, end, suffix))
    return pieces


def _suffix_readings(suffix: str | None, lexicon: Lexicon) -> dict[str, Entry] | None:
    """What letters glued after digits mean ("bn", "pct", "€"); None when they make no quantity."""
    if not suffix:
        return {}
    if suffix.endswith(".") and len(suffix) > 1 and (suffix.lower(),) not in lexicon.phrases:
        suffix = suffix[:-1]  # "$2.174T." keeps the full stop in its token
    readings = dict(lexicon.phrases.get((suffix.lower(),), {}))
    if suffix in lexicon.symbols:
        readings["SYM"] = lexicon.symbols[suffix]
    wanted = {"MULT", "MMULT", "UNIT", "CUR", "SYM"}
    readings = _letter_case(suffix, readings, lexicon)
    readings = {kind: entry for kind, entry in readings.items() if kind in wanted}
    return readings or None


def _letter_case(text: str, readings: dict[str, Entry], lexicon: Lexicon) -> dict[str, Entry]:
    """One-letter units count only as written in the data ("t", "L"): "5G" is no five grams."""
    if len(text) != 1 or text in lexicon.letters:
        return readings
    return {kind: entry for kind, entry in readings.items() if kind not in ("UNIT", "CUR")}


def _fraction(text: str, lexicon: Lexicon) -> float | None:
    match = _FRACTION.match(text)
    if not match or int(match.group(2)) not in lexicon.denominators:
        return None
    numerator, denominator = int(match.group(1)), int(match.group(2))
    return numerator / denominator if numerator < denominator else None


def _extend_digits(doc: Doc, i: int, value: float, lexicon: Lexicon) -> tuple[float, int]:
    """Join "10 000" (thousands grouped by spaces) and "7-1/2" (a whole and a fraction)."""
    end = i + 1
    text = doc[i].text
    if text.isdigit() and len(text) <= 3:
        while end < len(doc) and doc[end - 1].whitespace_ == " " and _GROUP.match(doc[end].text):
            value = value * 1000 + float(doc[end].text)
            end += 1
    if not text.isdigit() or end >= len(doc):
        return value, end
    if _glued(doc, end - 1) and doc[end].text == "-" and _glued(doc, end):
        fraction = _fraction(doc[end + 1].text, lexicon) if end + 1 < len(doc) else None
        if fraction is not None:
            return value + fraction, end + 2
    if doc[end - 1].whitespace_ == " " and end == i + 1:
        fraction = _fraction(doc[end].text, lexicon)  # "1 1/2 pct"
        if fraction is not None:
            return value + fraction, end + 1
    return value, end


def _lex_word_number(doc: Doc, i: int, lexicon: Lexicon) -> Piece | None:
    """ "twenty-five" (three tokens) as one number."""
    tens = lexicon.phrases.get((doc[i].lower_,), {}).get("NUM")
    if tens is None or tens.value not in (20, 30, 40, 50, 60, 70, 80, 90):
        return None
    if i + 2 < len(doc) and _glued(doc, i) and doc[i + 1].text == "-" and _glued(doc, i + 1):
        ones = lexicon.phrases.get((doc[i + 2].lower_,), {}).get("NUM")
        if ones is not None and 1 <= ones.value <= 9:
            return Piece(i, i + 3, {"NUM": Entry("NUM", tens.value + ones.value, is_word=True)})
    return None


@dataclass(frozen=True)
class Part:
    """One number with what is attached to it: sign, currency symbol, multipliers, unit."""

    start: int
    stop: int
    num: int
    base: float
    scale: float = 1.0
    sign: float = 1.0
    weak: bool = False
    yearlike: bool = False
    currency: Entry | None = None
    prefixed: bool = False
    unit: Entry | None = None

    @property
    def value(self) -> float:
        # 15 significant digits: "4.07 billion" is 4070000000, not 4070000000.0000005
        return float(f"{self.sign * self.base * self.scale:.15g}")

    @property
    def measured(self) -> bool:
        return self.currency is not None or self.unit is not None


class NumberReader:
    """Reads numbers from the pieces of one doc; the quantity grammar builds on it."""

    def __init__(self, doc: Doc, lexicon: Lexicon) -> None:
        self.doc = doc
        self.lexicon = lexicon
        self.pieces = lex(doc, lexicon)

    def has(self, q: int, *kinds: str) -> Entry | None:
        """The first reading among ``kinds`` of piece ``q``, if there is such a piece."""
        if 0 <= q < len(self.pieces):
            for kind in kinds:
                entry = self.pieces[q].get(kind)
                if entry is not None:
                    return entry
        return None

    def word(self, q: int) -> str:
        """The lower-case text of piece ``q`` ("" past the end)."""
        if not 0 <= q < len(self.pieces):
            return ""
        piece = self.pieces[q]
        return self.doc[piece.start : piece.end].text.lower()

    def lexicon_has(self, word: str, kind: str) -> bool:
        """True when the one-word phrase ``word`` has a reading of ``kind``."""
        return kind in self.lexicon.phrases.get((word,), {})

    def read_amount(self, q: int, *, money: bool) -> tuple[Part, int] | None:
        """A number with its multipliers and word continuations ("two hundred fifty thousand")."""
        first = self.has(q, "NUM", "WEAK")
        if first is None:
            return None
        total, current, scaled = 0.0, first.value, False
        num, q = q, q + 1
        if first.is_word and first.value < 1 and self.has(q, "WEAK") and self.has(q + 1, "MULT"):
            q += 1  # "half a million"
        while q < len(self.pieces):
            if self.glued_hyphen(q) and self.has(q + 1, "MULT"):
                q += 1  # "a four-mln-tonne subsidy", "one-billion stg"
            mult = self.multiplier(q, money=money)
            if mult is not None:
                total, current = _apply_multiplier(total, current, mult.value)
                scaled, q = True, q + 1
                continue
            step = self.word_continuation(q, first.is_word, scaled, current)
            if step is None:
                break
            current, q = current + step[0], step[1]
        value = total + current
        base, scale = (first.value, value / first.value) if first.value else (value, 1.0)
        part = Part(
            num,
            q,
            num,
            base,
            scale=scale,
            weak=first.kind == "WEAK" and not scaled,
            yearlike=first.yearlike and not scaled,
        )
        return part, q

    def glued_hyphen(self, q: int) -> bool:
        """Piece ``q`` is a hyphen joining two words with no space ("four-mln")."""
        if self.word(q) != "-":
            return False
        token = self.doc[self.pieces[q].start]
        return not token.whitespace_ and token.i > 0 and not self.doc[token.i - 1].whitespace_

    def multiplier(self, q: int, *, money: bool) -> Entry | None:
        """ "mln", "billion"; "m", "bn", "k" only next to money ("$5m", "5m euros")."""
        mult = self.has(q, "MULT")
        if mult is None and (money or self.has(q + 1, "CUR", "SYM", "UNIT")):
            mult = self.has(q, "MMULT")
        return mult

    def word_continuation(
        self, q: int, is_word: bool, scaled: bool, current: float
    ) -> tuple[float, int] | None:
        """The next written number that adds to this one ("hundred fifty", "and a half")."""
        if not is_word:
            return None
        after_and = self.has(q + 1, "NUM") if self.word(q) == "and" else None
        if after_and is not None and (scaled or after_and.value == 0.5):
            return after_and.value, q + 2
        nxt = self.has(q, "NUM")
        if nxt is None or not nxt.is_word:
            return None
        tens_then_ones = current % 10 == 0 and 20 <= current <= 90 and nxt.value < 10
        if (scaled and nxt.value < 100) or tens_then_ones:
            return nxt.value, q + 1
        return None


def _apply_multiplier(total: float, current: float, factor: float) -> tuple[float, float]:
    """Fold a multiplier into a running number: "two hundred" scales, "five thousand" adds."""
    if factor == 100:
        return total, (current or 1.0) * factor
    if current == 0 and total > 0:
        return total * factor, 0.0
    return total + current * factor, 0.0
