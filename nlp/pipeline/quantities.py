"""The ``newstag_quantities`` component: money, mass, volume, percentages and counts, normalized.

Rules over the pieces of ``nlp.pipeline.numbers`` find "[about] [$] number [multiplier]
[unit]" with ranges, negatives and written numbers, so the component works on a blank pipeline.
A trained pipeline adds three things: part-of-speech and the parse pick the counted noun
("3,000 new jobs" -> job), its named entities veto counts inside dates, times, laws and names
("Section 301 tariffs", "45-year-old"), and MONEY/QUANTITY decides "pounds" when context does not.
Each span in ``doc.spans["newstag_quantities"]`` is labelled ``quantity`` and carries
``span._.newstag = {"value": float, "unit": str}`` as EVENTS.md "Normalizing quantities" says.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from nlp.config import default_models_dir
from nlp.pipeline.extensions import QUANTITIES, register_extensions
from nlp.pipeline.numbers import (
    LEXICON_FILES,
    Lexicon,
    NumberReader,
    Part,
    load_lexicon,
    resolve_code,
)

log = logging.getLogger(__name__)

LABEL = "quantity"
# Readings a quantity's surface can start with: "about", "between", "-", "$", "5", "a".
STARTS = frozenset({"APPROX", "BETWEEN", "SIGN", "SYM", "NUM", "WEAK"})
POUND_MASS = 0.00045359237
OUNCE_MASS = 0.000028349523125
# Entities whose numbers are names, dates or identifiers rather than counts of things.
NOT_COUNT_ENTS = frozenset(
    "DATE TIME ORDINAL LAW PRODUCT ORG FAC WORK_OF_ART EVENT PERSON GPE NORP LOC LANGUAGE".split()
)


@dataclass(frozen=True)
class Found:
    """A quantity: token span ``start``..``end`` and its normalized value and unit."""

    start: int
    end: int
    value: float
    unit: str
    stop_piece: int
    factor: float = 1.0
    counted: bool = False


class QuantityFinder(NumberReader):
    """Reads the pieces of one doc left to right and yields the quantities it finds."""

    def __init__(self, doc: Doc, lexicon: Lexicon) -> None:
        super().__init__(doc, lexicon)
        self.published = str(doc._.published)[:10] if doc._.published else None
        self.trained = doc.has_annotation("TAG")
        self.previous: Found | None = None

    def find(self) -> list[Found]:
        """All quantities, not overlapping, in text order."""
        found: list[Found] = []
        p = 0
        while p < len(self.pieces):
            quantity = self.parse_at(p) if self.pieces[p].readings.keys() & STARTS else None
            if quantity is None:
                p += 1
                continue
            found.append(quantity)
            self.previous = quantity
            p = quantity.stop_piece
            while p < len(self.pieces) and self.pieces[p].start < quantity.end:
                p += 1
        return found

    def parse_at(self, p: int) -> Found | None:
        """The quantity whose surface starts at piece ``p`` (approximation words included)."""
        q, between = p, False
        while self.has(q, "APPROX", "BETWEEN"):
            between = between or self.has(q, "BETWEEN") is not None
            q += 1
        part = self.read_part(q)
        if part is None or (part.weak and self.follows_amount(p)) or self.glued_to_word(p):
            return None
        part = self.extend(part, between=between, change=self.has(p - 1, "CHANGE") is not None)
        return self.normalize(part, p)

    def glued_to_word(self, p: int) -> bool:
        """The number continues a word or a formula: "8x2^10 bits", "5.5x10-3 kg", "I7-860"."""
        i = self.pieces[p].start - 1
        if i < 0 or self.doc[i].whitespace_:
            return False
        if (
            self.doc[i].text in ("-", "^", "/", "*", "×")
            and i > 0
            and not self.doc[i - 1].whitespace_
        ):
            return self.doc[i - 1].text[-1].isalnum()
        return self.doc[i].text[-1].isalnum() or self.doc[i].text == "^"

    def follows_amount(self, p: int) -> bool:
        """ "3,000 yuan a tonne": "a" after an amount means "per", not one."""
        return p > 0 and (
            self.has(p - 1, "CUR", "SYM", "UNIT", "MULT", "NUM") is not None
            or self.doc[self.pieces[p - 1].start].like_num
        )

    def read_part(self, q: int) -> Part | None:
        """ "-$5.5 bln", "11 pct", "twenty-five", "5m euros": one number and what it carries."""
        start, sign, currency = q, 1.0, None
        if self.has(q, "SIGN"):
            plus_or = self.word(q - 2) == "plus" and self.word(q - 1) in ("or", "and")
            sign, q = (1.0 if plus_or else -1.0), q + 1  # "plus or minus 2 pct" is no negative
        if self.has(q, "SYM"):
            currency, q = self.has(q, "SYM"), q + 1
        if self.has(q, "SIGN") and sign > 0:
            sign, q = -1.0, q + 1
        amount = self.read_amount(q, money=currency is not None)
        if amount is None:
            return None
        part, q = amount
        part = replace(
            part, start=start, sign=sign, currency=currency, prefixed=currency is not None
        )
        return self.read_unit(part, q)

    def read_unit(self, part: Part, q: int) -> Part:
        """Attach a currency or unit written after the number ("5 mln dlrs", "60-kg", "15€")."""
        if self.glued_hyphen(q) and self.has(q + 1, "UNIT", "CUR", "SYM"):
            q += 1
        if part.currency is None:
            currency = self.has(q, "CUR")
            if currency is None and not part.weak and not self.has(q + 1, "NUM", "SIGN"):
                currency = self.has(q, "SYM")  # "15 €"; but in "a $223 mln" "$" starts an amount
            if currency is not None:
                return replace(part, currency=currency, stop=q + 1)
        if part.currency is None and self.has(q, "UNIT"):
            return replace(part, unit=self.has(q, "UNIT"), stop=q + 1)
        return part

    def extend(self, part: Part, *, between: bool, change: bool) -> Part:
        """Ranges ("10 to 15 pct", "10-15%", "between 3 and 4 mln") and shared units ("45 and 50 mg")."""
        q, word = part.stop, self.word(part.stop)
        shared = (word == "and" and not between) or (change and word == "to")
        if not (self.has(q, "RANGE") or word == "and") or part.weak:
            return part
        second = self.read_part(q + 1)
        if (
            second is None
            or second.weak
            or second.yearlike
            or (part.yearlike and not part.measured)
        ):
            return part
        if part.prefixed and not second.measured and not shared:
            second = replace(second, currency=part.currency, prefixed=True)  # "$3-4 billion"
        if part.measured and (not second.measured or not _same_unit(part, second)):
            return part
        lower = part
        if second.scale > 1 and part.scale == 1 and part.base <= second.base:
            lower = replace(part, scale=second.scale)  # "3 to 4 mln tonnes" starts at 3 mln
        if lower.value > second.value:
            return part
        lower = replace(
            lower, currency=part.currency or second.currency, unit=part.unit or second.unit
        )
        if shared:  # "45 and 50 mg", "from 50 to 80%": two quantities, the first takes the unit
            return lower if second.measured and not part.measured else part
        return replace(lower, stop=second.stop, prefixed=part.prefixed or second.prefixed)

    def normalize(self, part: Part, first: int) -> Found | None:
        """The value and unit of EVENTS.md for a part, or None when it is no quantity."""
        start = self.pieces[first].start
        end = self.pieces[part.stop - 1].end
        if part.currency is not None:
            value, unit, factor = self.money(part, end)
        elif part.unit is not None:
            value, unit, factor = self.measure(part, start, end)
        else:
            return self.count(part, start, end) or self.elliptical(part, start, end)
        start, end, value = self.accounting_negative(start, end, value, unit)
        return Found(start, end, value, unit, part.stop, factor=factor)

    def elliptical(self, part: Part, start: int, end: int) -> Found | None:
        """ "rose to 4.07 bln dlrs from 3.85 bln": an amount with a multiplier and no unit
        takes the unit of the amount just before it in the sentence."""
        before = self.previous
        if before is None or before.counted or before.factor != 1 or part.scale <= 1:
            return None
        if before.unit in ("%", "pp"):  # "rose 5 pct to 464.2 mln": a level, not a rate
            return None
        if start - before.end > 12 or not self.same_sentence(before.start, start):
            return None
        return Found(start, end, part.value, before.unit, part.stop)

    def same_sentence(self, first: int, second: int) -> bool:
        """True when two tokens are in one sentence (or the doc has no sentences)."""
        if not self.doc.has_annotation("SENT_START"):
            return True
        return self.doc[first].sent.start == self.doc[second].sent.start

    def money(self, part: Part, end: int) -> tuple[float, str, float]:
        """Money in full units of its ISO 4217 code; "pounds" may turn out to be a weight."""
        currency = part.currency
        assert currency is not None
        if currency.ambiguous and not part.prefixed and self.pound_is_mass(part, end):
            return part.value * POUND_MASS, "t", POUND_MASS
        code = resolve_code(currency.codes, self.published)
        return part.value * currency.value, code, currency.value

    def pound_is_mass(self, part: Part, end: int) -> bool:
        """ "a pound of coal", "a twenty-pound bag", "weighs 2,000 pounds" are weights."""
        doc = self.doc
        unit_token = doc[end - 1]
        if end < len(doc) and doc[end].lower_ == "of":
            return True
        if unit_token.lower_ == "pound" and part.base != 1:
            return True
        if part.scale > 1:
            return False
        window = range(max(0, self.pieces[part.num].start - 6), self.pieces[part.num].start)
        if any(self.lexicon_has(doc[i].lower_, "WEIGHT") for i in window):
            return True
        return self.trained and unit_token.ent_type_ == "QUANTITY"

    def measure(self, part: Part, start: int, end: int) -> tuple[float, str, float]:
        """A unit of measure; ounces are troy ounces only for precious metals."""
        unit = part.unit
        assert unit is not None
        if unit.unit_kind == "ounce" and not self.near_precious_metal(start, end):
            return part.value * OUNCE_MASS, "t", OUNCE_MASS
        return part.value * unit.value, unit.unit, unit.value

    def near_precious_metal(self, start: int, end: int) -> bool:
        """ "2 mln ounces of gold", "troy ounces", "gold output of 500,000 ounces"."""
        surface = self.doc[start:end].text.lower()
        if "troy" in surface or "ozt" in surface:
            return True
        sentence = self.doc[start].sent if self.doc.has_annotation("SENT_START") else self.doc[:]
        lo, hi = max(sentence.start, start - 8), min(sentence.end, end + 6)
        return any(self.lexicon_has(self.doc[i].lower_, "PRECIOUS") for i in range(lo, hi))

    def count(self, part: Part, start: int, end: int) -> Found | None:
        """ "155,221 bags" -> 155221 bag: a number followed by the countable noun it counts."""
        whole = part.value == int(part.value) or part.scale > 1  # "2.5 people" counts nothing
        number = self.has(part.num, "NUM", "WEAK")
        one_word = part.value == 1 and number is not None and number.is_word
        if part.weak or part.yearlike or part.value <= 0 or not whole or one_word:
            return None  # "on one hand", "one analyst" are no counts worth keeping
        if self.count_vetoed(part, start, end):
            return None
        noun = self.counted_noun(part, self.skip_size(end))
        if noun is None:
            return None
        return Found(start, noun.i + 1, part.value, self.singular(noun), part.stop, counted=True)

    def skip_size(self, end: int) -> int:
        """Step over a size written as one hyphenated word: "440,000 60-kg bags" counts bags."""
        doc = self.doc
        if end + 2 < len(doc) and doc[end].like_num and doc[end + 1].text == "-":
            if not doc[end].whitespace_ and not doc[end + 1].whitespace_ and doc[end + 2].is_alpha:
                if self.has_unit_word(doc[end + 2]) and doc[end + 2].whitespace_:
                    return end + 3
        return end

    def count_vetoed(self, part: Part, start: int, end: int) -> bool:
        """Numbers that name, date or describe: "Section 301", "March 3", "S&P 500", "four-fold"."""
        doc, num_token = self.doc, self.doc[self.pieces[part.num].start]
        if self.trained and num_token.ent_type_ in NOT_COUNT_ENTS:
            return True
        if part.stop < len(self.pieces) and self.pieces[part.stop].start < end:
            return True  # letters glued to the digits that are no unit ("155mm")
        if end < len(doc) and not doc[end - 1].whitespace_:
            if doc[end].text == "-" or doc[end].is_alpha:
                return True  # a compound or a name: "four-fold", "three-year", "5G"
        before = start - 1
        while before > 0 and doc[before].is_space:
            before -= 1
        if before > 0 and doc[before].text == "." and not doc[before - 1].whitespace_:
            before -= 1  # "No." split in two
        new_line = "\n" in doc[before:start].text  # a headline above ends in capitals
        if before >= 0 and self.names_number(doc[before], new_line=new_line):
            return True
        return end < len(doc) and self.lexicon_has(doc[end].lower_, "MONTH")

    def names_number(self, before: Token, *, new_line: bool = False) -> bool:
        """The word before makes the number a name or a date: "Section", "No.", "March", "S&P"."""
        word = before.lower_.rstrip(".") or before.lower_
        if self.lexicon_has(word, "IDENT") or self.lexicon_has(before.lower_, "MONTH"):
            return True
        if before.text in ("(", ")") or before.is_bracket:
            return True  # list markers: "(1) articles"
        if before.text in ("-", "/", ":", "–") and not before.whitespace_:
            return True  # the end of "1981-82", "52-48", "3/4", "10:30"
        return not (before.is_sent_start or new_line) and any(c.isupper() for c in before.text)

    def counted_noun(self, part: Part, end: int) -> Token | None:
        """The noun a number counts: the next token, or with a parse the number's head noun."""
        if end >= len(self.doc):
            return None
        if self.trained:
            return self.parsed_noun(part, end)
        token = self.doc[end]
        plural = token.lower_.endswith("s") and not token.lower_.endswith(("ss", "us", "is"))
        plural = plural or token.lower_ in self.lexicon.irregular_plurals
        looks_noun = token.is_alpha and not token.is_stop and len(token) > 2
        lowered = token.is_lower or (token.is_upper and self.doc[end - 1].is_upper)
        if looks_noun and lowered and (plural or part.value == 1) and self.countable(token):
            return token
        return None

    def parsed_noun(self, part: Part, end: int) -> Token | None:
        """With a parse: the number's head noun a few words on ("3,000 new factory jobs")."""
        token = self.doc[end]
        for head in (self.doc[self.pieces[part.num].start].head, self.doc[end - 1].head):
            if head.pos_ == "NOUN" and end < head.i <= end + 2:
                if all(self.modifies(t) for t in self.doc[end : head.i] if not t.is_space):
                    token = head
                    break
        if token.pos_ == "NOUN" and token.is_alpha and self.countable(token):
            return token
        return None

    def modifies(self, token: Token) -> bool:
        """A word between a number and its noun: "new", "Chinese", "factory" (not "MAX")."""
        if not token.is_alpha or token.pos_ not in ("ADJ", "NOUN", "PROPN", "VERB"):
            return False
        return not (token.is_upper and len(token) > 1 and not token.sent.text.isupper())

    def countable(self, token: Token) -> bool:
        """Not a word of time or order ("3 years", "3 times"), and not a unit read elsewhere."""
        readings = self.lexicon.phrases.get((token.lower_,), {})
        return not any(kind in readings for kind in ("NOTCOUNT", "MONTH", "UNIT", "CUR", "MULT"))

    def singular(self, token: Token) -> str:
        """The counted noun, singular and lower case ("bags" -> "bag", "people" -> "person")."""
        lower = token.lower_
        if lower in self.lexicon.irregular_plurals:
            return self.lexicon.irregular_plurals[lower]
        if self.trained and token.lemma_ and token.pos_ == "NOUN":
            return token.lemma_.lower()
        return _singular_by_rule(lower)

    def accounting_negative(
        self, start: int, end: int, value: float, unit: str
    ) -> tuple[int, int, float]:
        """ "revenue is ($99.99)": money alone in parentheses, not after another amount, is negative.

        A conversion such as "1.2 trillion yen ($8 billion)" follows an amount and stays positive.
        """
        doc = self.doc
        if len(unit) != 3 or not unit.isupper() or value < 0:
            return start, end, value
        if start < 1 or end >= len(doc) or doc[start - 1].text != "(" or doc[end].text != ")":
            return start, end, value
        before = doc[start - 2] if start >= 2 else None
        if before is not None and (before.like_num or before.ent_type_ in ("MONEY", "QUANTITY")):
            return start, end, value
        if before is not None and (
            self.has_unit_word(before) or before.text in self.lexicon.symbols
        ):
            return start, end, value
        return start - 1, end + 1, -value

    def has_unit_word(self, token: Token) -> bool:
        """True when the token is a currency, unit or multiplier word ("dlrs", "tonnes", "mln")."""
        readings = self.lexicon.phrases.get((token.lower_,), {})
        return any(kind in readings for kind in ("CUR", "UNIT", "MULT", "MMULT"))


def _same_unit(first: Part, second: Part) -> bool:
    """Both ends of a range measure the same thing ("$350 to $680", "44 mg to 50 mg")."""
    if first.currency is not None or second.currency is not None:
        return (
            first.currency is not None
            and second.currency is not None
            and first.currency.codes == second.currency.codes
            and first.currency.value == second.currency.value
        )
    assert first.unit is not None and second.unit is not None
    return first.unit.unit == second.unit.unit and first.unit.value == second.unit.value


def _singular_by_rule(word: str) -> str:
    """English plural to singular for regular nouns ("companies", "boxes", "bags")."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


class QuantitiesComponent:
    """Find and normalize quantities into ``doc.spans["newstag_quantities"]``."""

    def __init__(
        self,
        nlp: Language,
        name: str = "newstag_quantities",
        *,
        models_dir: str | Path | None = None,
    ) -> None:
        register_extensions()
        self.name = name
        self.tokenizer = nlp.tokenizer
        self.data_dir = (
            Path(models_dir) / "quantities" if models_dir else default_models_dir() / "quantities"
        )
        self.lexicon = self.load(self.data_dir)

    def load(self, directory: Path) -> Lexicon:
        """Read the unit, currency and number tables from ``directory``."""
        lexicon = load_lexicon(directory, lambda text: [t.text for t in self.tokenizer(text)])
        log.debug("%s: %d phrases from %s", self.name, len(lexicon.phrases), directory)
        return lexicon

    def __call__(self, doc: Doc) -> Doc:
        found = QuantityFinder(doc, self.lexicon).find()
        spans = []
        for quantity in found:
            span = Span(doc, quantity.start, quantity.end, label=LABEL)
            # 12 significant digits: 0.62 cent is 0.0062 USD, not 0.0062000000000000006
            span._.newstag = {"value": float(f"{quantity.value:.12g}"), "unit": quantity.unit}
            spans.append(span)
        doc.spans[QUANTITIES] = spans
        return doc

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        """Save the data tables next to the pipeline, so a saved pipeline needs no checkout."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name in LEXICON_FILES:
            shutil.copyfile(self.data_dir / name, path / name)

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> QuantitiesComponent:
        """Load the data tables saved by ``to_disk``."""
        self.data_dir = Path(path)
        self.lexicon = self.load(self.data_dir)
        return self


@Language.factory("newstag_quantities", default_config={"models_dir": None})
def make_quantities(nlp: Language, name: str, models_dir: str | None) -> QuantitiesComponent:
    """spaCy factory: ``nlp.add_pipe("newstag_quantities")``."""
    return QuantitiesComponent(nlp, name, models_dir=models_dir)
