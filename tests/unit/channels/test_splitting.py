# SPDX-License-Identifier: Apache-2.0
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.channels.capabilities import BodyEncoding, ChannelLimits
from rightparty.channels.segments import count_segments
from rightparty.channels.splitting import MessageTooLong, split_body

pytestmark = pytest.mark.unit

TWENTY = ChannelLimits(max_length=20, splittable=True, max_parts=10)
ONE_SMS = ChannelLimits(max_segments=1, encoding=BodyEncoding.SMS, splittable=True, max_parts=5)


def test_a_body_that_fits_is_sent_whole():
    assert split_body("short", TWENTY) == ["short"]


def test_a_body_over_the_limit_of_a_channel_that_does_not_split_is_refused():
    with pytest.raises(MessageTooLong):
        split_body("x" * 21, ChannelLimits(max_length=20))


def test_splits_fall_between_words_and_drop_the_space_at_the_split():
    parts = split_body("alpha beta gamma delta epsilon zeta eta", TWENTY)
    assert parts == ["alpha beta gamma", "delta epsilon zeta", "eta"]


def test_a_word_longer_than_a_part_is_cut_between_characters():
    assert split_body("see " + "x" * 45, TWENTY) == ["see", "x" * 20, "x" * 20, "x" * 5]


def test_more_parts_than_the_channel_allows_is_refused():
    with pytest.raises(MessageTooLong, match="needs 3 parts"):
        split_body("x" * 60, ChannelLimits(max_length=20, splittable=True, max_parts=2))


def test_chinese_sms_parts_each_fit_one_ucs2_segment():
    body = "尊敬的客户，您的信用卡账单已出，本期应还款金额为人民币三千二百元整，" * 3  # noqa: RUF001 - Chinese punctuation
    parts = split_body(body, ONE_SMS)
    assert len(parts) == 2
    assert all(count_segments(part).segments == 1 for part in parts)
    assert "".join(parts) == body


@given(st.text(alphabet=st.sampled_from("ab €中 \n"), max_size=300))
def test_parts_fit_and_keep_every_visible_character_in_order(body):
    try:
        parts = split_body(body, ONE_SMS)
    except MessageTooLong:
        return
    assert all(ONE_SMS.fits(part) for part in parts)
    assert "".join("".join(parts).split()) == "".join(body.split())
