# SPDX-License-Identifier: Apache-2.0
"""Writing a plain ASCII email and its envelope addresses directly, as the email package and
`smtplib` would, without their parsing cost."""

from __future__ import annotations

import binascii
import re
import smtplib
from email import quoprimime

__all__ = ["compose_plain", "envelope_address"]

# What the email package writes unchanged, so `compose_plain` may write it directly.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_PLAIN_FROM = re.compile(rf"(?:[A-Za-z0-9]+(?: [A-Za-z0-9]+)* <)?{_PLAIN_ADDRESS.pattern}>?")
_PLAIN_WORDS = re.compile(r"[A-Za-z0-9,.:;!?'()&/+-]+(?: [A-Za-z0-9,.:;!?'()&/+-]+)*")
_PLAIN_BODY = re.compile(r"[\t\n\x20-\x7e]*")
_PLAIN_HEADERS = {
    "From": _PLAIN_FROM,
    "To": _PLAIN_ADDRESS,
    "Subject": _PLAIN_WORDS,
    "Date": _PLAIN_WORDS,
    "Message-ID": re.compile(rf"<{_PLAIN_ADDRESS.pattern}>"),
    "Auto-Submitted": _PLAIN_WORDS,
}
_MAX_LINE = 78


def envelope_address(address: str) -> str:
    """`smtplib.quoteaddr(address)`, the `<…>` form `MAIL FROM` and `RCPT TO` carry: a plain
    dot-atom address comes back unchanged in angle brackets, so it is not parsed (its parser
    costs about as much as the rest of the envelope); any other goes through `quoteaddr`."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return smtplib.quoteaddr(address)


def compose_plain(headers: list[tuple[str, str]], body: str, locale: str) -> bytes | None:
    """The bytes `EmailMessage` + `set_content(body)` + `as_bytes(policy=SMTP)` give, for a message
    whose headers are short plain ASCII and whose body is printable ASCII; None for any other.

    The email package parses every header into a tree and folds it back, about two milliseconds a
    message, more than the rest of a send; text it would write unchanged is written directly.
    """
    lines = [f"{name}: {value}" for name, value in headers]
    plain = all(
        (pattern := _PLAIN_HEADERS.get(name)) is not None and pattern.fullmatch(value)
        for name, value in headers
    )
    if not plain or not re.fullmatch(r"[A-Za-z0-9-]+", locale) or not _PLAIN_BODY.fullmatch(body):
        return None
    if any(len(line) > _MAX_LINE for line in lines):
        return None
    encoded = body.encode("ascii").splitlines()
    text = b"\n".join(encoded).decode("ascii") + "\n"
    if max((len(line) for line in encoded), default=0) <= _MAX_LINE:
        encoding, payload = "7bit", text
    else:
        # `set_content`'s choice: quoted-printable unless base64 of the first lines is shorter.
        sniff = b"\n".join(encoded[:10]) + b"\n"
        if len(quoprimime.body_encode(sniff.decode("ascii"), _MAX_LINE)) > len(
            binascii.b2a_base64(sniff)
        ):
            return None
        encoding, payload = "quoted-printable", quoprimime.body_encode(text, _MAX_LINE)
    lines += [
        'Content-Type: text/plain; charset="utf-8"',
        f"Content-Transfer-Encoding: {encoding}",
        "MIME-Version: 1.0",
        f"Content-Language: {locale}",
        "",
        payload.replace("\n", "\r\n"),
    ]
    return "\r\n".join(lines).encode("ascii")
