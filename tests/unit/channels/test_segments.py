# SPDX-License-Identifier: Apache-2.0
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.channels.segments import (
    GSM7_BASIC,
    GSM7_CONCATENATED,
    GSM7_EXTENSION,
    GSM7_SINGLE,
    UCS2_CONCATENATED,
    UCS2_SINGLE,
    SegmentCount,
    SmsEncoding,
    count_segments,
    sms_encoding,
)

pytestmark = pytest.mark.unit

GSM = SmsEncoding.GSM7
UCS2 = SmsEncoding.UCS2


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", GSM, 0, 1),
        ("a" * 160, GSM, 160, 1),
        ("a" * 161, GSM, 161, 2),
        ("a" * 306, GSM, 306, 2),
        ("a" * 307, GSM, 307, 3),
        ("€" * 80, GSM, 160, 1),
        ("€" * 81, GSM, 162, 2),
        ("{[~]}|^\\\f", GSM, 18, 1),
        # an escape pair never straddles two segments: 152 + [2] + 152 needs three, not two
        ("a" * 152 + "€" + "a" * 152, GSM, 306, 3),
        ("Ç" * 160, GSM, 160, 1),
        ("ç" + "a" * 69, UCS2, 70, 1),
        ("您的验证码是 482913，五分钟内有效。", UCS2, 21, 1),  # noqa: RUF001 - Chinese punctuation
        ("中" * 70, UCS2, 70, 1),
        ("中" * 71, UCS2, 71, 2),
        ("中" * 134, UCS2, 134, 2),
        ("中" * 135, UCS2, 135, 3),
        ("😀" * 35, UCS2, 70, 1),
        ("😀" * 36, UCS2, 72, 2),
        # a surrogate pair never straddles two segments either
        ("a" * 66 + "😀" + "a" * 66, UCS2, 134, 3),
    ],
)
def test_segments_follow_gsm7_and_ucs2_limits(text, encoding, units, segments):
    assert count_segments(text) == SegmentCount(encoding, units, segments)


def test_default_alphabet_has_127_printable_characters_and_ten_extensions():
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


def test_one_character_outside_the_alphabet_switches_the_whole_text_to_ucs2():
    assert sms_encoding("Payment due on 5 March") is GSM
    assert sms_encoding("Payment due on 5 March ✓") is UCS2


gsm_text = st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=700)
any_text = st.text(max_size=400)


@given(any_text)
def test_one_segment_exactly_when_the_units_fit_a_single_message(text):
    count = count_segments(text)
    single = GSM7_SINGLE if count.encoding is GSM else UCS2_SINGLE
    assert count.segments >= 1
    assert (count.segments == 1) == (count.units <= single)


@given(any_text)
def test_concatenated_segments_are_full_but_for_one_unit_each(text):
    count = count_segments(text)
    if count.segments > 1:
        per = GSM7_CONCATENATED if count.encoding is GSM else UCS2_CONCATENATED
        assert (count.segments - 1) * (per - 1) < count.units <= count.segments * per


@given(gsm_text)
def test_text_of_the_gsm_alphabet_is_gsm7_with_extensions_counted_twice(text):
    count = count_segments(text)
    assert count.encoding is GSM
    assert count.units == len(text) + sum(character in GSM7_EXTENSION for character in text)


@given(gsm_text, gsm_text)
def test_appending_gsm_text_never_needs_fewer_segments(head, tail):
    assert count_segments(head + tail).segments >= count_segments(head).segments
