# SPDX-License-Identifier: Apache-2.0
"""The content check: a rendered message against the content rules of the customer's packs.

Pure: text, channel, purpose and rules in; every violation out, one per broken rule, each with a
stable code, the rule that was broken and its source. A violation never quotes the message, which
may hold the very personal data it complains about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rightparty.domain.segments import count_segments
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.templates.content_rules import Check, ContentRule, Phrases
from rightparty.usecases.templates.message import RenderedMessage


class ViolationCode(StrEnum):
    """Stable codes; docs/templates.md lists them with their sources. Never rename one."""

    REFERENCE_MISSING = "CONTENT_REFERENCE_MISSING"
    DISCLOSURE_MISSING = "CONTENT_DISCLOSURE_MISSING"
    OPT_OUT_MISSING = "CONTENT_OPT_OUT_MISSING"
    DEBT_DISCLOSED = "CONTENT_DEBT_DISCLOSED"
    PERSONAL_DATA = "CONTENT_PERSONAL_DATA"
    PROHIBITED_CLAIM = "CONTENT_PROHIBITED_CLAIM"
    TOO_LONG = "CONTENT_TOO_LONG"


CODES: dict[Check, ViolationCode] = {
    Check.DISCLOSURE: ViolationCode.DISCLOSURE_MISSING,
    Check.OPT_OUT: ViolationCode.OPT_OUT_MISSING,
    Check.NO_DEBT: ViolationCode.DEBT_DISCLOSED,
    Check.NO_AMOUNT: ViolationCode.DEBT_DISCLOSED,
    Check.NO_IDENTIFIERS: ViolationCode.PERSONAL_DATA,
    Check.NO_NAME: ViolationCode.PERSONAL_DATA,
    Check.PROHIBITED_CLAIMS: ViolationCode.PROHIBITED_CLAIM,
    Check.MAX_SEGMENTS: ViolationCode.TOO_LONG,
    Check.MAX_CHARACTERS: ViolationCode.TOO_LONG,
}

REFERENCE_RULE = "rightparty/reference-code"
REFERENCE_SOURCE = "DESIGN.md §2 (a reference code in every outbound message)"


@dataclass(frozen=True, slots=True)
class ContentViolation:
    code: ViolationCode
    rule: str
    source: str


@dataclass(frozen=True, slots=True)
class _Scanned:
    """What one check looks at: the visible text, casefolded with whitespace collapsed, and the
    same with the reference code (however spaced) taken out."""

    message: RenderedMessage
    channel: Channel
    folded: str
    without_reference: str
    reference_present: bool
    personal_values: tuple[str, ...]
    required_markers: tuple[str, ...]


_AMOUNT = re.compile(
    r"[$€£¥￥]\s?\d"  # a currency sign before a number: $12, ¥ 300
    r"|\b(?:usd|cny|rmb|eur|gbp|jpy|hkd)\s?\d"  # an ISO code before it: USD 12
    r"|\d(?:[\d,.\s]*\d)?\s?(?:usd|cny|rmb|eur|gbp|jpy|hkd|dollars?|euros?|yuan)\b"
    r"|\d(?:[\d,.\s]*\d)?\s?(?:元|美元|欧元|人民币|块)"
)
# A digit run of 8 or more, spaces or hyphens allowed between digits: an account, card or phone
# number however it is grouped. An ISO date (2026-03-02) has 8 digits too and is let through.
_DIGIT_RUN = re.compile(r"\+?\d(?:[ \-]?\d){7,}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


_CODE_SEPARATORS = " \t\n\r\f\v-.,"
_WITHOUT_SEPARATORS = str.maketrans("", "", _CODE_SEPARATORS)


def without_reference(folded: str, reference_code: str) -> tuple[str, bool]:
    """`folded` with each occurrence of the code, as written or as read aloud (`7 k 2 q`,
    `7-k-2-q`), replaced by a space; and whether there was one.

    A scan, not a regular expression: every message has its own code, and compiling a pattern
    per message cost more than rendering it. The code is looked for in the text without its
    separators, and each match found there is mapped back by one forward pass over the text
    (`_LetterCursor`), a few C-speed passes instead of a loop over every character."""
    code = reference_code.casefold()
    if not code:
        return folded, False
    letters = folded.translate(_WITHOUT_SEPARATORS)
    found = letters.find(code)
    if found < 0:
        return folded, False
    cursor = _LetterCursor(folded)
    pieces, last = [], 0
    while found >= 0:
        start = cursor.position_of(found)
        end = cursor.position_of(found + len(code) - 1) + 1
        pieces += [folded[last:start], " "]
        last = end
        found = letters.find(code, found + len(code))
    pieces.append(folded[last:])
    return "".join(pieces), True


class _LetterCursor:
    """Where in `folded` the letter at an index of `folded` without separators stands, for
    indices asked in increasing order: it moves forward only, so a message costs one pass.

    Invariant: `folded[:position]` holds `counted` letters and ends with a letter (or is empty).
    """

    __slots__ = ("counted", "folded", "position")

    def __init__(self, folded: str) -> None:
        self.folded = folded
        self.position = 0
        self.counted = 0

    def position_of(self, index: int) -> int:
        needed = index + 1 - self.counted
        while needed > 0:
            # The next `needed` characters hold at most `needed` letters: all of them are
            # consumed, and the last one taken is a letter once none is missing any more.
            chunk = self.folded[self.position : self.position + needed]
            if not chunk:
                message = "letter index beyond the text"
                raise IndexError(message)
            got = len(chunk.translate(_WITHOUT_SEPARATORS))
            self.position += len(chunk)
            self.counted += got
            needed -= got
        return self.position - 1


@lru_cache(maxsize=64)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """Latin terms as whole words (`owe` is not in `owner`), others anywhere in the text."""
    parts = []
    for term in terms:
        body = r"\s+".join(re.escape(word) for word in term.casefold().split())
        parts.append(rf"(?<![\w]){body}(?![\w])" if term.isascii() else body)
    return re.compile("|".join(parts) if parts else r"(?!)")


def _names_debt(scanned: _Scanned, phrases: Phrases) -> bool:
    text = scanned.without_reference
    # A statement the packs require (the Reg F disclosure says "collect a debt") is not the
    # message naming a debt; everything around it still is.
    for marker in scanned.required_markers:
        text = text.replace(_fold(marker), " ")
    return _patterns_of(phrases).debt.search(text) is not None


def _names_amount(scanned: _Scanned) -> bool:
    return _AMOUNT.search(scanned.without_reference) is not None


def _shows_identifiers(scanned: _Scanned) -> bool:
    text = scanned.without_reference
    # No address without an `@`; the search for one backtracks over every word (tens of µs).
    if "@" in text and _EMAIL.search(text):
        return True
    return any(not _ISO_DATE.fullmatch(run.group()) for run in _DIGIT_RUN.finditer(text))


def _shows_name(scanned: _Scanned) -> bool:
    return any(_fold(value) in scanned.folded for value in scanned.personal_values)


def _makes_claims(scanned: _Scanned, phrases: Phrases) -> bool:
    return _patterns_of(phrases).claims.search(scanned.without_reference) is not None


@dataclass(frozen=True, slots=True)
class _PhrasePatterns:
    phrases: Phrases
    debt: re.Pattern[str]
    claims: re.Pattern[str]


_PATTERNS_KEPT = 64
_patterns: dict[int, _PhrasePatterns] = {}
"""By `id()` of a `Phrases`, which each entry holds (so the id is not reused while it lasts):
gathering the terms and hashing them to find the pattern cost more than searching with it."""


def _patterns_of(phrases: Phrases) -> _PhrasePatterns:
    kept = _patterns.get(id(phrases))
    if kept is not None and kept.phrases is phrases:
        return kept
    debt = tuple(term for table in phrases.debt_terms.values() for term in table)
    claims = tuple(term for table in phrases.prohibited_claims.values() for term in table)
    if len(_patterns) >= _PATTERNS_KEPT:
        _patterns.clear()
    made = _patterns[id(phrases)] = _PhrasePatterns(
        phrases, _terms_pattern(debt), _terms_pattern(claims)
    )
    return made


def _lacks_disclosure(rule: ContentRule, scanned: _Scanned, phrases: Phrases, locale: str) -> bool:
    markers = phrases.disclosures.get(rule.disclosure or "", {}).get(locale, ())
    return not (markers and all(_fold(marker) in scanned.folded for marker in markers))


def _lacks_opt_out(rule: ContentRule, scanned: _Scanned, phrases: Phrases, locale: str) -> bool:
    accepted = phrases.opt_out.get(scanned.channel, {}).get(locale, ())
    return not any(_fold(phrase) in scanned.folded for phrase in accepted)


def _too_many_segments(rule: ContentRule, scanned: _Scanned, *_: object) -> bool:
    return count_segments(scanned.message.body).segments > (rule.limit or 0)


def _too_many_characters(rule: ContentRule, scanned: _Scanned, *_: object) -> bool:
    return len(scanned.message.body) > (rule.limit or 0)


_Broken = Callable[[ContentRule, _Scanned, Phrases, str], bool]
_CHECKS: dict[Check, _Broken] = {
    Check.DISCLOSURE: _lacks_disclosure,
    Check.OPT_OUT: _lacks_opt_out,
    Check.NO_DEBT: lambda _rule, scanned, phrases, _locale: _names_debt(scanned, phrases),
    Check.NO_AMOUNT: lambda _rule, scanned, *_: _names_amount(scanned),
    Check.NO_IDENTIFIERS: lambda _rule, scanned, *_: _shows_identifiers(scanned),
    Check.NO_NAME: lambda _rule, scanned, *_: _shows_name(scanned),
    Check.PROHIBITED_CLAIMS: lambda _rule, scanned, phrases, _locale: _makes_claims(
        scanned, phrases
    ),
    Check.MAX_SEGMENTS: _too_many_segments,
    Check.MAX_CHARACTERS: _too_many_characters,
}


def check_content(
    message: RenderedMessage,
    *,
    channel: Channel,
    purpose: Purpose,
    reference_code: str,
    rules: Iterable[ContentRule],
    phrases: Phrases,
    personal_values: Sequence[str] = (),
) -> tuple[ContentViolation, ...]:
    """Every violation of `message`, in rule order; empty when it may be sent.

    `rules` may be all of the customer's packs' rules: only those covering `channel` and
    `purpose` are applied. `personal_values` are details of the customer (their name) that the
    `no_name` rules keep out of the channels they cover; they are for text written outside the
    templates, since `render_message` keeps the name out of those channels' context altogether.
    Disclosures and opt-outs are looked for in the message's own language (12 CFR
    1006.18(e)(4)); debt words, amounts and threats in any.
    """
    applicable = [rule for rule in rules if rule.applies(channel, purpose)]
    markers = tuple(
        marker
        for rule in applicable
        if rule.check is Check.DISCLOSURE and rule.disclosure is not None
        for marker in phrases.disclosures.get(rule.disclosure, {}).get(message.locale, ())
    )
    folded = _fold(message.visible_text)
    text, reference_present = without_reference(folded, reference_code)
    scanned = _Scanned(
        message=message,
        channel=channel,
        folded=folded,
        without_reference=text,
        reference_present=reference_present,
        personal_values=tuple(value for value in personal_values if value.strip()),
        required_markers=markers,
    )
    violations: list[ContentViolation] = []
    if not scanned.reference_present:
        violations.append(
            ContentViolation(ViolationCode.REFERENCE_MISSING, REFERENCE_RULE, REFERENCE_SOURCE)
        )
    violations.extend(
        ContentViolation(CODES[rule.check], rule.name, rule.source)
        for rule in applicable
        if _CHECKS[rule.check](rule, scanned, phrases, message.locale)
    )
    return tuple(violations)
