# SPDX-License-Identifier: Apache-2.0
# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""Letters render to valid, deterministic PDFs in the customer's language and script."""

import pytest

from rightparty.channels.providers.letter import (
    AddressInvalid,
    LetterContent,
    address_lines,
    render_letter,
)
from tests.unit.channels.pdf_reading import page_count, shows_cjk, shows_latin

SENDER = ("Example Bank", "1 Bank Plaza", "London EC2A 1AA")


def letter(**overrides):
    values = {
        "sender": SENDER,
        "recipient": ("Jane Customer", "1 Main Street", "Springfield, IL 62701"),
        "locale": "en-US",
        "reference_code": "RP-7K2Q",
        "subject": "Your card was used",
        "body": "Dear customer,\n\nYour card ending 4821 was used for 12.00 USD.",
    } | overrides
    return LetterContent(**values)


CHINESE = {
    "recipient": ("王小明", "北京市海淀区中关村大街1号", "100080"),
    "locale": "zh-CN",
    "subject": "银行卡交易提醒",
    "body": "尊敬的客户：\n\n您尾号4821的银行卡于今日消费12.00元。",
}


@pytest.mark.parametrize(
    ("address", "lines"),
    [
        (
            "Jane Customer, 1 Main Street, Springfield",
            ("Jane Customer", "1 Main Street", "Springfield"),
        ),
        (
            "Jane Customer\n1 Main Street\r\nSpringfield",
            ("Jane Customer", "1 Main Street", "Springfield"),
        ),
        (
            "王小明，北京市海淀区中关村大街1号 100080",
            ("王小明", "北京市海淀区中关村大街1号 100080"),
        ),
        ("北京市海淀区中关村大街1号 100080", ("北京市海淀区中关村大街1号 100080",)),
    ],
)
def test_a_postal_address_is_read_as_lines(address, lines):
    assert address_lines(address) == lines


@pytest.mark.parametrize(
    "address",
    [" , ,\n", "1, 2, 3, 4, 5, 6, 7", "x" * 61, "1 Main Street\x00, Springfield"],
)
def test_an_address_that_cannot_be_printed_is_refused_without_repeating_it(address):
    with pytest.raises(AddressInvalid) as raised:
        address_lines(address)
    assert "Main" not in str(raised.value)
    assert "xxx" not in str(raised.value)


def test_an_english_letter_is_a_one_page_helvetica_pdf_showing_its_text():
    rendered = render_letter(letter())
    assert rendered.document.startswith(b"%PDF-")
    assert rendered.document.rstrip().endswith(b"%%EOF")
    assert rendered.pages == 1 == page_count(rendered.document)
    assert rendered.font == "Helvetica"
    assert b"STSong" not in rendered.document
    for text in ("Jane Customer", "Your card was used", "Our reference: RP-7K2Q"):
        assert shows_latin(rendered.document, text), text
    assert b"/Lang (en-US)" in rendered.document


def test_a_chinese_letter_uses_the_cjk_font_and_chinese_labels():
    rendered = render_letter(letter(**CHINESE))
    assert rendered.font == "STSong-Light"
    assert b"/BaseFont /STSong-Light" in rendered.document
    assert page_count(rendered.document) == 1
    for text in ("王小明", "银行卡交易提醒", "参考编号", "本行不会向您索取密码"):
        assert shows_cjk(rendered.document, text), text


def test_chinese_characters_in_a_latin_locale_letter_still_get_a_font_that_shows_them():
    rendered = render_letter(letter(recipient=("王小明", "1 Main Street", "Springfield")))
    assert rendered.font == "STSong-Light"
    assert shows_cjk(rendered.document, "王小明")
    assert shows_cjk(rendered.document, "Our reference: RP-7K2Q")


def test_a_long_letter_flows_onto_more_pages():
    body = "\n\n".join(["Paragraph about your account and what happens next."] * 80)
    rendered = render_letter(letter(body=body))
    assert rendered.pages > 1
    assert page_count(rendered.document) == rendered.pages


def test_rendering_is_deterministic():
    assert render_letter(letter(**CHINESE)).document == render_letter(letter(**CHINESE)).document


def test_markup_in_the_text_is_printed_not_interpreted():
    rendered = render_letter(letter(subject="<b>Fees</b> & charges"))
    assert shows_latin(rendered.document, "<b>Fees</b> & charges")


def test_the_content_repr_hides_address_and_body():
    text = repr(letter())
    assert "Jane" not in text
    assert "4821" not in text
