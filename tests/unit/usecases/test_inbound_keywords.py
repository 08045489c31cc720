# SPDX-License-Identifier: Apache-2.0
"""Which inbound texts are opt-outs, help requests or neither (CTIA keywords, TCPA per-se words,
China's 退订/TD), table-driven."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.usecases.inbound_keywords import InboundIntent, parse_keyword

pytestmark = pytest.mark.unit

OPT_OUT, ALL, HELP, NONE = (
    InboundIntent.OPT_OUT,
    InboundIntent.OPT_OUT_ALL,
    InboundIntent.HELP,
    InboundIntent.NONE,
)


@pytest.mark.parametrize(
    ("body", "intent", "keyword", "language", "exact"),
    [
        ("STOP", OPT_OUT, "STOP", "en", True),
        ("UNSUBSCRIBE", OPT_OUT, "UNSUBSCRIBE", "en", True),
        ("CANCEL", OPT_OUT, "CANCEL", "en", True),
        ("END", OPT_OUT, "END", "en", True),
        ("QUIT", OPT_OUT, "QUIT", "en", True),
        ("REVOKE", OPT_OUT, "REVOKE", "en", True),
        ("OPT OUT", OPT_OUT, "OPT OUT", "en", True),
        ("opt   out", OPT_OUT, "OPT OUT", "en", True),
        ("Opt-Out", OPT_OUT, "OPT OUT", "en", True),
        ("optout", OPT_OUT, "OPT OUT", "en", True),
        ("STOPALL", ALL, "STOPALL", "en", True),
        ("stop all", ALL, "STOPALL", "en", True),
        ("退订", OPT_OUT, "退订", "zh", True),
        (" 退订。", OPT_OUT, "退订", "zh", True),
        ("【退订】", OPT_OUT, "退订", "zh", True),
        ("TD", OPT_OUT, "TD", "zh", True),
        ("td", OPT_OUT, "TD", "zh", True),
        ("ＴＤ", OPT_OUT, "TD", "zh", True),  # noqa: RUF001 - full-width letters on purpose
        ("stop", OPT_OUT, "STOP", "en", True),
        ("  Stop.\n", OPT_OUT, "STOP", "en", True),
        ('"STOP"!!', OPT_OUT, "STOP", "en", True),
        ("ＳＴＯＰ", OPT_OUT, "STOP", "en", True),  # noqa: RUF001 - full-width letters on purpose
        ("cancel", OPT_OUT, "CANCEL", "en", True),
        ("HELP", HELP, "HELP", "en", True),
        ("help?", HELP, "HELP", "en", True),
        ("Info", HELP, "INFO", "en", True),
        # Rule 2: an unambiguous revocation word anywhere in the text.
        ("stop please", OPT_OUT, "STOP", "en", False),
        ("Please stop texting me", OPT_OUT, "STOP", "en", False),
        ("Stop, stop, who is this?", OPT_OUT, "STOP", "en", False),
        ("unsubscribe me now", OPT_OUT, "UNSUBSCRIBE", "en", False),
        ("I revoke my consent", OPT_OUT, "REVOKE", "en", False),
        ("please opt me out", NONE, None, "en", False),
        ("I want to opt out", OPT_OUT, "OPT OUT", "en", False),
        ("please stop all messages", ALL, "STOPALL", "en", False),
        ("请退订，谢谢", OPT_OUT, "退订", "zh", False),  # noqa: RUF001 - Chinese punctuation
        # Not opt-outs: ambiguous words inside a sentence, lookalikes, everything else.
        ("cancel my card", NONE, None, "en", False),
        ("end of month", NONE, None, "en", False),
        ("quit calling? no, call me", NONE, None, "en", False),
        ("TD Bank", NONE, None, "en", False),
        ("nonstop", NONE, None, "en", False),
        ("help me with my card", NONE, None, "en", False),
        ("Thanks!", NONE, None, "en", False),
        ("START", NONE, None, "en", False),
        ("", NONE, None, "en", False),
        ("   ", NONE, None, "en", False),
    ],
)
def test_keyword_table(body, intent, keyword, language, exact):
    match = parse_keyword(body)
    assert (match.intent, match.keyword) == (intent, keyword)
    if intent is not NONE:
        assert (match.language, match.exact) == (language, exact)


@given(st.sampled_from(["stop", "STOP", "Stop", "sToP"]), st.text(" \t\n.!?,;:", max_size=5))
def test_stop_in_any_case_with_any_surrounding_punctuation_is_an_opt_out(word, padding):
    assert parse_keyword(padding + word + padding).intent is OPT_OUT


@given(st.text(max_size=200))
def test_parsing_never_fails_and_never_returns_the_text(body):
    match = parse_keyword(body)
    assert match.keyword is None or match.keyword in {
        "STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPT OUT", "STOPALL",
        "退订", "TD", "HELP", "INFO",
    }  # fmt: skip
