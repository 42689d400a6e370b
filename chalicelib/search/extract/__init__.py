"""The searchable text of a stored file: PDF, Word, Excel, PowerPoint, text, CSV, Markdown, HTML.

    from chalicelib.search.extract import extract, is_supported, NotExtractable
    result = extract(data, "報告書.pdf", "application/pdf", deadline=time.monotonic() + 60)
    result.text, result.pages, result.truncated

The format is chosen by the file name's extension, then by the content type. Every failure is
a ``NotExtractable`` with a short ``reason`` ("encrypted", "corrupt", "too_large",
"too_many_pages", "timeout", "unsupported"); no library exception gets out. Text is lightly
normalised (line ends, control characters, runs of whitespace); widths are left alone, since
the search analyzer normalises them.

How the libraries were chosen (``.venv/bin/python bench/search.py extraction`` prints the
figures side by side in one run; best of 3, on this 2-core machine):

- PDF: pypdfium2 (PDFium, the engine in Chrome). On a 100-page Japanese PDF printed by
  Chromium (embedded subset Noto CJK fonts, like Word's or a browser's "save as PDF") it read
  ~930 pages/s and all 551 of 電子決裁; pypdf (~29 pages/s) and pdfminer.six (~32) returned
  Kangxi radicals (電⼦決裁, U+2F26 for 子; ⼋ for 八) and found the word 0 times, 17 of 49
  lines intact. On reportlab's non-embedded CID fonts (HeiseiMin) pypdf was faster (~390
  pages/s against ~195; PDFium spends it substituting the missing font) and pdfminer.six
  (~98) lost 4 of 49 lines. PDFium also tells a wrong password from a broken file, and reads
  owner-password-only PDFs. Our extract() runs at 0.96-1.0x the bare pypdfium2 loop.
  Installed for manylinux2014 aarch64 / py3.12: 8.5 MB (pypdf 1.7, pdfminer.six 8.2 plus
  cryptography); the layer went from ~34 to 44.2 MB unzipped, 15.5 MB zipped.
- Word / Excel / PowerPoint: the stdlib (zipfile + expat), not python-docx / openpyxl /
  python-pptx: the same lines from the same files (runs joined, tables, headers, speaker
  notes, every sheet with its name), 5.3x faster than python-docx, 1.4x than openpyxl
  (read_only, data_only), 2.2x than python-pptx; memory flat on big sheets (streamed); nothing
  added to the layer, where python-pptx would have brought Pillow (19 MB), lxml (10.9 MB)
  and XlsxWriter, and python-docx lxml.
- Text encodings: a strict decode cascade (BOM, UTF-8, then CP932 against EUC-JP, scored),
  not charset-normalizer: on 21 short sentences (15-45 characters) it decoded 21/21 in both
  Shift_JIS and EUC-JP, charset-normalizer 21/21 and 12/21; on 1 MB files both run ~65 MB/s
  (decode plus normalising; the bare bytes.decode is ~550 MB/s).
- HTML: the stdlib's html.parser, at ~0.83x of a bare html.parser pass that keeps everything.

PDFium is native code: a hostile PDF that crashed it would take the process down (Lambda
retries, then the message goes to the dead-letter queue); there is no sandbox here.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from chalicelib.search.extract._common import (
    DEFAULT_LIMITS,
    Extracted,
    Full,
    Limits,
    NotExtractable,
    TextBuffer,
)

__all__ = ["DEFAULT_LIMITS", "Extracted", "Limits", "NotExtractable", "extract", "is_supported", "kind_of"]

_BY_EXTENSION = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
    ".dotx": "docx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xltx": "xlsx",
    ".pptx": "pptx",
    ".pptm": "pptx",
    ".ppsx": "pptx",
    ".potx": "pptx",
    ".txt": "text",
    ".text": "text",
    ".csv": "text",
    ".tsv": "text",
    ".tab": "text",
    ".md": "text",
    ".markdown": "text",
    ".log": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
_OOXML = "application/vnd.openxmlformats-officedocument."
_BY_CONTENT_TYPE = {
    "application/pdf": "pdf",
    _OOXML + "wordprocessingml.document": "docx",
    _OOXML + "spreadsheetml.sheet": "xlsx",
    _OOXML + "presentationml.presentation": "pptx",
    "text/plain": "text",
    "text/csv": "text",
    "text/tab-separated-values": "text",
    "text/markdown": "text",
    "text/html": "html",
    "application/xhtml+xml": "html",
}


def kind_of(name: str, content_type: str | None) -> str | None:
    """ "pdf" | "docx" | "xlsx" | "pptx" | "text" | "html", or None when Kumo cannot read it."""
    extension = os.path.splitext(name)[1].lower()
    if extension in _BY_EXTENSION:
        return _BY_EXTENSION[extension]
    if content_type:
        return _BY_CONTENT_TYPE.get(content_type.split(";")[0].strip().lower())
    return None


def is_supported(name: str, content_type: str | None) -> bool:
    return kind_of(name, content_type) is not None


def _readers() -> dict[str, Callable[[bytes, TextBuffer], None]]:
    from chalicelib.search.extract import ooxml, pdf, text

    return {
        "pdf": pdf.read_pdf,
        "docx": ooxml.read_docx,
        "xlsx": ooxml.read_xlsx,
        "pptx": ooxml.read_pptx,
        "text": text.read_text,
        "html": text.read_html,
    }


def extract(
    data: bytes, name: str, content_type: str | None, *, deadline: float | None = None, limits: Limits = DEFAULT_LIMITS
) -> Extracted:
    """The text of ``data`` (a file called ``name``); ``deadline`` is a ``time.monotonic()`` value."""
    kind = kind_of(name, content_type)
    if kind is None:
        raise NotExtractable("unsupported", f"no text extractor for {name!r} ({content_type or 'no type'})")
    if len(data) > limits.max_bytes:
        raise NotExtractable("too_large", f"{len(data)} bytes, over the {limits.max_bytes} limit")
    buffer = TextBuffer(limits, deadline)
    buffer.check_time()
    try:
        _readers()[kind](data, buffer)
    except Full:
        pass  # the text limit was met: what the buffer holds is the result
    except NotExtractable:
        raise
    except MemoryError as error:
        raise NotExtractable("too_large", "out of memory while extracting") from error
    except Exception as error:  # noqa: BLE001 - a library failing on a bad file is a bad file
        raise NotExtractable("corrupt", f"{type(error).__name__}: {error}") from error
    return Extracted(text=buffer.text(), pages=buffer.pages, truncated=buffer.truncated)
