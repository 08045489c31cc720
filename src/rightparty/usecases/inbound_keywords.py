# SPDX-License-Identifier: Apache-2.0
"""Reading an inbound text: is it an opt-out, a request for help, or neither. Pure.

Two rules, the second stricter than carriers:

1. **The whole message is a keyword** (after Unicode NFKC folding, so full-width letters read
   as `STOP`; case-insensitive; surrounding whitespace and punctuation ignored; spaces, hyphens
   and underscores inside ignored, so `opt out`, `Opt-Out` and `OPTOUT` are one keyword).
   This is the CTIA and carrier rule, and covers every word 47 CFR 64.1200(a)(10) calls a
   reasonable means per se.
2. **A message containing an unambiguous revocation word** (`STOP`, `STOPALL`, `UNSUBSCRIBE`,
   `REVOKE`, the words `OPT OUT`, or 退订 anywhere) is an opt-out too: "stop please", "Please stop
   texting me", "Stop, stop, who is this?". TCPA revocation is by any reasonable means and a
   doubtful one is to be honoured (FCC 24-24; 64.1200(a)(11)); a false opt-out costs a message,
   a missed one is a violation. `CANCEL`, `END`, `QUIT` and `TD` count only as the whole
   message, because a bank's customers write "cancel my card" and "end of month" meaning
   something else.

`HELP` and `INFO` count only as the whole message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise


class InboundIntent(StrEnum):
    OPT_OUT = "opt_out"
    OPT_OUT_ALL = "opt_out_all"
    HELP = "help"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class KeywordMatch:
    """`keyword` is the canonical form (`STOP`, `OPT OUT`, `退订`), never the text received;
    `language` chooses the reply's language from the keyword alone, so a reply reveals nothing
    about who sent it; `exact` says rule 1 matched rather than rule 2."""

    intent: InboundIntent
    keyword: str | None = None
    language: str = "en"
    exact: bool = True


NO_MATCH = KeywordMatch(InboundIntent.NONE, exact=False)

_EXACT: dict[str, tuple[InboundIntent, str]] = {
    "STOP": (InboundIntent.OPT_OUT, "STOP"),
    "UNSUBSCRIBE": (InboundIntent.OPT_OUT, "UNSUBSCRIBE"),
    "CANCEL": (InboundIntent.OPT_OUT, "CANCEL"),
    "END": (InboundIntent.OPT_OUT, "END"),
    "QUIT": (InboundIntent.OPT_OUT, "QUIT"),
    "REVOKE": (InboundIntent.OPT_OUT, "REVOKE"),
    "OPTOUT": (InboundIntent.OPT_OUT, "OPT OUT"),
    "STOPALL": (InboundIntent.OPT_OUT_ALL, "STOPALL"),
    "退订": (InboundIntent.OPT_OUT, "退订"),
    "TD": (InboundIntent.OPT_OUT, "TD"),
    "HELP": (InboundIntent.HELP, "HELP"),
    "INFO": (InboundIntent.HELP, "INFO"),
}
"""Whole-message keywords, keyed by their compact form (upper case, no spaces or hyphens)."""

CHINESE_KEYWORDS = frozenset({"退订", "TD"})
_CONTAINED_WORDS = frozenset({"STOP", "UNSUBSCRIBE", "REVOKE"})
_SEPARATORS = re.compile(r"[\s\-_]+")
_WORDS = re.compile(r"[^\W_]+")


def _fold(body: str) -> str:
    return unicodedata.normalize("NFKC", body).upper()


def _strip_edges(text: str) -> str:
    """Without surrounding whitespace, punctuation and symbols (`STOP.`, `"stop"!`, `【退订】`)."""
    start, end = 0, len(text)
    while start < end and _is_edge(text[start]):
        start += 1
    while end > start and _is_edge(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_edge(character: str) -> bool:
    return character.isspace() or unicodedata.category(character)[0] in "PSZC"


def parse_keyword(body: str) -> KeywordMatch:
    """What an inbound text asks for; see the module docstring for the two rules."""
    folded = _fold(body)
    compact = _SEPARATORS.sub("", _strip_edges(folded))
    if compact in _EXACT:
        intent, keyword = _EXACT[compact]
        return KeywordMatch(intent, keyword, _language(keyword), exact=True)
    return _contained(folded)


def _contained(folded: str) -> KeywordMatch:
    if "退订" in folded:
        return KeywordMatch(InboundIntent.OPT_OUT, "退订", "zh", exact=False)
    words = _WORDS.findall(folded)
    pairs = set(pairwise(words))
    if "STOPALL" in words or ("STOP", "ALL") in pairs:
        return KeywordMatch(InboundIntent.OPT_OUT_ALL, "STOPALL", "en", exact=False)
    for word in words:
        if word in _CONTAINED_WORDS:
            return KeywordMatch(InboundIntent.OPT_OUT, word, "en", exact=False)
    if ("OPT", "OUT") in pairs or "OPTOUT" in words:
        return KeywordMatch(InboundIntent.OPT_OUT, "OPT OUT", "en", exact=False)
    return NO_MATCH


def _language(keyword: str) -> str:
    return "zh" if keyword in CHINESE_KEYWORDS else "en"
