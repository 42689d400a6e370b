"""PDF text through PDFium (pypdfium2): the engine Chrome uses, fast and right on Japanese."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from chalicelib.search.extract._common import NotExtractable, TextBuffer

if TYPE_CHECKING:
    import pypdfium2 as pdfium

# PDFium is not thread-safe; an indexer runs one file at a time, but nothing should rely on it.
_PDFIUM = threading.Lock()
_FPDF_ERR_PASSWORD = 4


def read_pdf(data: bytes, buffer: TextBuffer) -> None:
    """Write the text of each page into ``buffer``."""
    if b"%PDF-" not in data[:1024]:
        raise NotExtractable("corrupt", "no PDF header")
    import pypdfium2 as pdfium  # imported here: the API's Lambda never needs it

    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            if getattr(error, "err_code", None) == _FPDF_ERR_PASSWORD:
                raise NotExtractable("encrypted", "the PDF needs a password to open") from error
            raise NotExtractable("corrupt", str(error)) from error
        try:
            _read_pages(document, buffer)
        finally:
            document.close()


def _read_pages(document: pdfium.PdfDocument, buffer: TextBuffer) -> None:
    count = len(document)
    buffer.pages = count
    if count > buffer.limits.max_pages:
        buffer.truncated = True
    for index in range(min(count, buffer.limits.max_pages)):
        buffer.check_time()
        page = document[index]
        try:
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
            finally:
                textpage.close()
        finally:
            page.close()
        buffer.write(text)
        buffer.write("\n")
