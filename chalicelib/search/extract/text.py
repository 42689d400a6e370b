"""Plain text, CSV/TSV, Markdown and HTML, with the encodings Japanese files come in.

Decoding is a strict cascade, not a statistical guess: a byte-order mark decides; otherwise
UTF-8 if the bytes are valid UTF-8 (ASCII included); otherwise CP932 (Shift_JIS as Windows
writes it) and EUC-JP are both tried, and when both decode, the one that reads more like
Japanese wins (EUC-JP bytes read as CP932 come out as half-width katakana and rare kanji;
Shift_JIS bytes are rarely valid EUC-JP at all). charset-normalizer was measured beside it
and misread 9 of 21 short EUC-JP sentences (see the package docstring).
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from chalicelib.search.extract._common import NotExtractable, TextBuffer

_CHUNK = 1024 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),  # before UTF-16's
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_JAPANESE_CODECS = ("cp932", "euc_jp")
# Characters that ordinary Japanese text is made of: ASCII, kana, common kanji, CJK
# punctuation and full-width forms. Half-width katakana and the rest score nothing.
_UNTYPICAL = re.compile("[^\t\n\r\x20-\x7e\u3000-\u30ff\u4e00-\u9fff\uff01-\uff5e]")
_SAMPLE = 20_000


def decode(data: bytes, declared: str | None = None) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\0" in data[:8192]:
        raise NotExtractable("corrupt", "binary data in a text file")
    candidates = []
    for encoding in _JAPANESE_CODECS:
        try:
            candidates.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    if not candidates:
        # Mixed or damaged: keep what decodes, from whichever encoding loses least.
        candidates = [data.decode(encoding, errors="replace") for encoding in ("utf-8", *_JAPANESE_CODECS)]
        return min(candidates, key=lambda text: text.count("\ufffd"))
    return max(candidates, key=_japanese_score)


def _japanese_score(text: str) -> float:
    sample = text[:_SAMPLE]
    return 1 - len(_UNTYPICAL.findall(sample)) / max(len(sample), 1)


def read_text(data: bytes, buffer: TextBuffer) -> None:
    text = decode(data)
    for start in range(0, len(text), _CHUNK):
        buffer.check_time()
        buffer.write(text[start : start + _CHUNK])


# --- HTML ----------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CHARSET_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "euc-jp": "euc_jp",
    "x-euc-jp": "euc_jp",
}
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "math", "head"})
_KEPT_IN_HEAD = frozenset({"title"})
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    }
)


class _HtmlText(HTMLParser):
    """Text of an HTML page: <title> and the body; scripts, styles and the rest of <head> dropped."""

    def __init__(self, buffer: TextBuffer) -> None:
        super().__init__(convert_charrefs=True)
        self.buffer = buffer
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" and "head" in self._skipping:
            self._skipping.clear()  # an unclosed <head> ends where the body starts
        elif tag in _SKIPPED:
            self._skipping.append(tag)
        elif tag in _KEPT_IN_HEAD and self._skipping == ["head"]:
            self._skipping.append(tag)  # marks "inside title": text is kept
        if tag in _BLOCKS:
            self.buffer.write("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.buffer.write("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._skipping:
            # Close it and anything left open inside it (HTML is forgiving, so must we be).
            while self._skipping and self._skipping.pop() != tag:
                pass
        if tag in _BLOCKS:
            self.buffer.write("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping or self._skipping[-1] in _KEPT_IN_HEAD:
            self.buffer.write(data)


def read_html(data: bytes, buffer: TextBuffer) -> None:
    declared = None
    match = _META_CHARSET.search(data[:4096])
    if match:
        name = match.group(1).decode("ascii").lower()
        declared = _CHARSET_ALIASES.get(name, name)
    text = decode(data, declared)
    parser = _HtmlText(buffer)
    for start in range(0, len(text), _CHUNK):
        buffer.check_time()
        parser.feed(text[start : start + _CHUNK])
    parser.close()
