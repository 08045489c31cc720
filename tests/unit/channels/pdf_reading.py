# SPDX-License-Identifier: Apache-2.0
"""Just enough PDF reading to test letters without a PDF library: reportlab writes its page
streams as ASCII85 over Flate, and shows CID-font text as UTF-16BE codes."""

from __future__ import annotations

import base64
import re
import zlib

_STREAM = re.compile(rb"\bstream\r?\n(.*?)\s*endstream", re.DOTALL)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|[nrtbf()\\])")
_SHOWN = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", re.DOTALL)
_NAMED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code[:1].isdigit():
        return bytes([int(code, 8) & 0xFF])
    return _NAMED.get(code, code)


def page_count(document: bytes) -> int:
    return len(re.findall(rb"/Type /Page(?![s\w])", document))


def content_streams(document: bytes) -> bytes:
    """Every stream of the document, decoded and joined."""
    decoded = []
    for match in _STREAM.finditer(document):
        data = match.group(1).strip()
        if data.endswith(b"~>"):
            data = zlib.decompress(base64.a85decode(data[:-2]))
        decoded.append(data)
    return b"\n".join(decoded)


def shown_text(document: bytes) -> bytes:
    """The strings the pages show (`(…) Tj`), escapes undone, joined without separators."""
    strings = _SHOWN.findall(content_streams(document))
    return b"".join(_ESCAPE.sub(_unescape, string) for string in strings)


def shows_latin(document: bytes, text: str) -> bool:
    return text.encode("cp1252") in shown_text(document)


def shows_cjk(document: bytes, text: str) -> bool:
    return text.encode("utf-16-be") in shown_text(document)
