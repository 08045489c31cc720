# SPDX-License-Identifier: Apache-2.0
# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""A letter as an A4 PDF (reportlab), in the customer's language.

Latin text is set in Helvetica. Chinese locales, and any text Helvetica's encoding cannot show,
use `STSong-Light`, a CID font every PDF reader and print RIP with the Adobe Asian font pack
knows; it is referenced, not embedded (see docs/channels.md on print-shop requirements).
Rendering is deterministic (reportlab's invariant mode): the same letter gives the same bytes.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_LEFT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
MAX_ADDRESS_LINES = 6
"""UPU S42 and most national postal standards print at most six address lines."""
MAX_LINE_LENGTH = 60
_SEPARATORS = re.compile(r"[\r\n,，;；]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LATIN_ENCODING = "cp1252"
"""Helvetica in reportlab uses WinAnsiEncoding; text outside it needs another font."""


class AddressInvalid(ValueError):
    """A postal address that cannot be printed; the message names the problem, never the value."""


@dataclass(frozen=True, slots=True)
class Labels:
    reference: str
    check: str


LABELS = {
    "en": Labels(
        reference="Our reference: {code}",
        check=(
            "To check that this letter comes from us, call the number on the back of your card "
            "and quote reference {code}. We never ask for your PIN or passwords."
        ),
    ),
    "zh": Labels(
        reference="参考编号：{code}",
        check="如需核实本函是否由本行发出，请致电您银行卡背面的客服电话并提供参考编号 {code}。"
        "本行不会向您索取密码。",
    ),
}


@dataclass(frozen=True, slots=True)
class LetterContent:
    """What goes on the page; `repr` hides the address and the body."""

    sender: tuple[str, ...]
    recipient: tuple[str, ...]
    locale: str
    reference_code: str
    subject: str | None
    body: str

    def __repr__(self) -> str:
        return f"LetterContent(locale={self.locale!r}, recipient='***', body='***')"


@dataclass(frozen=True, slots=True)
class RenderedLetter:
    document: bytes
    pages: int
    font: str


def address_lines(address: str) -> tuple[str, ...]:
    """The lines of a postal address stored on one line (`, ` between lines) or on several."""
    if _CONTROL.search(address):
        message = "contains control characters"
        raise AddressInvalid(message)
    lines = tuple(part.strip() for part in _SEPARATORS.split(address) if part.strip())
    if not lines:
        message = "has no lines"
        raise AddressInvalid(message)
    if len(lines) > MAX_ADDRESS_LINES:
        message = f"has more than {MAX_ADDRESS_LINES} lines"
        raise AddressInvalid(message)
    if any(len(line) > MAX_LINE_LENGTH for line in lines):
        message = f"has a line longer than {MAX_LINE_LENGTH} characters"
        raise AddressInvalid(message)
    return lines


def language_of(locale: str) -> str:
    return locale.replace("_", "-").split("-", 1)[0].lower()


def font_for(content: LetterContent) -> str:
    if language_of(content.locale) == "zh":
        return CJK_FONT
    texts = (*content.sender, *content.recipient, content.subject or "", content.body)
    try:
        for text in texts:
            text.encode(_LATIN_ENCODING)
    except UnicodeEncodeError:
        return CJK_FONT
    return LATIN_FONT


def _styles(font: str) -> dict[str, ParagraphStyle]:
    cjk = font == CJK_FONT
    base = ParagraphStyle(
        "body",
        fontName=font,
        fontSize=10.5,
        leading=15,
        alignment=TA_LEFT,
        wordWrap="CJK" if cjk else None,
    )
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "address": ParagraphStyle("address", parent=base, fontSize=11, leading=14),
        "subject": ParagraphStyle(
            "subject", parent=base, fontName=font if cjk else LATIN_BOLD, fontSize=12, leading=16
        ),
    }


def _lines(lines: tuple[str, ...]) -> str:
    return "<br/>".join(escape(line) for line in lines)


def render_letter(content: LetterContent) -> RenderedLetter:
    """The letter as PDF bytes: sender, the address where a window envelope shows it, the
    reference, the subject, the body's paragraphs, and how to check the letter is genuine.

    The date and the greeting belong to the body: the letter templates write them (in the
    customer's time zone), so the renderer adds neither."""
    font = font_for(content)
    if font == CJK_FONT and CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    labels = LABELS.get(language_of(content.locale), LABELS["en"])
    styles = _styles(font)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=20 * mm,
        title=f"Letter {content.reference_code}",
        author=content.sender[0] if content.sender else "",
        lang=content.locale,
        invariant=1,
    )
    story = [
        Paragraph(_lines(content.sender), styles["small"]),
        Spacer(1, 22 * mm if content.sender else 30 * mm),
        Paragraph(_lines(content.recipient), styles["address"]),
        Spacer(1, 20 * mm),
        Paragraph(escape(labels.reference.format(code=content.reference_code)), styles["body"]),
        Spacer(1, 8 * mm),
    ]
    if content.subject:
        story += [Paragraph(escape(content.subject), styles["subject"]), Spacer(1, 4 * mm)]
    for paragraph in re.split(r"\n\s*\n", content.body.strip()):
        text = "<br/>".join(escape(line) for line in paragraph.splitlines())
        story += [Paragraph(text, styles["body"]), Spacer(1, 3 * mm)]
    story += [
        Spacer(1, 6 * mm),
        Paragraph(escape(labels.check.format(code=content.reference_code)), styles["small"]),
    ]
    document.build(story)
    return RenderedLetter(buffer.getvalue(), int(document.page), font)
