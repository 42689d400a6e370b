"""What every format shares: the result, the error, the limits and the text buffer."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Extracted:
    text: str  # the searchable text, already cut to Limits.max_chars
    pages: int  # pages / sheets / slides in the file (1 for text and Word files without a count)
    truncated: bool  # True when a limit cut the text or the pages


class NotExtractable(Exception):
    """The file has no text Kumo can index; ``reason`` is a short machine code.

    "encrypted" | "corrupt" | "too_large" | "too_many_pages" | "timeout" | "unsupported"
    """

    REASONS = frozenset({"encrypted", "corrupt", "too_large", "too_many_pages", "timeout", "unsupported"})

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 100 * 1024 * 1024  # input size; above it: "too_large"
    max_pages: int = 2000  # pages / sheets / slides read; the rest: truncated
    max_chars: int = 2_000_000  # characters of text kept; the rest: truncated
    max_unpacked_bytes: int = 512 * 1024 * 1024  # an Office file's parts, inflated; above: "too_large"
    max_zip_entries: int = 10_000  # parts in an Office file; above: "too_large"


DEFAULT_LIMITS = Limits()

# C0/C1 controls except tab and newline, the BOM / zero-width no-break space, soft hyphen and
# the noncharacters PDF producers use for hyphenation marks.
_DROPPED = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u00ad\ufeff\ufffe\uffff]+")
# Kangxi radicals (U+2F00-U+2FD5): some PDF fonts map ideographs to them (⼋ for 八, ⽉ for 月),
# which would make the word unsearchable; map just these back (NFKC on everything is not wanted).
_KANGXI = re.compile("[\u2f00-\u2fd5]")
# Whitespace other than " " and "\n" left after the controls are dropped (what str.isspace()
# knows). Only what needs changing is matched (a single space or a bare newline is left
# alone): substituting every space and line end made this the slowest step on plain text.
_OTHER_SPACE = "\t\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
_SPACES = re.compile(f"[{_OTHER_SPACE}][ {_OTHER_SPACE}]*| [ {_OTHER_SPACE}]+")
_BREAKS = re.compile(r"\n[ \n]+| \n[ \n]*")
_LEADING_SPACE = re.compile(r"[ \n]+")


def _kangxi_table() -> dict[int, str]:
    import unicodedata

    return {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0x2F00, 0x2FD6)}


_KANGXI_TO_UNIFIED = _kangxi_table()


def normalise(text: str) -> str:
    """Line ends to \\n, controls dropped, whitespace runs collapsed; Japanese left as it is."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = _DROPPED.sub("", text)
    if _KANGXI.search(text):
        text = text.translate(_KANGXI_TO_UNIFIED)
    text = _SPACES.sub(" ", text)
    return _BREAKS.sub("\n", text)


class Full(Exception):
    """Raised inside a reader when the buffer holds all the text it may keep."""


class TextBuffer:
    """Collects text piece by piece, normalising as it goes, until ``max_chars`` is reached.

    Readers call ``check_time()`` between pages, sheets, slides and chunks, and ``write()``
    with raw text; ``write`` raises ``Full`` once the limit is met (the reader stops there).
    """

    _FLUSH_AT = 64 * 1024

    def __init__(self, limits: Limits, deadline: float | None) -> None:
        self.limits = limits
        self.deadline = deadline
        self.truncated = False
        self.pages = 1  # readers set it as soon as they know it
        self._kept: list[str] = []
        self._kept_chars = 0
        self._pending: list[str] = []
        self._pending_chars = 0
        self._tail = ""  # whitespace that ended the last normalised piece, held for the seam

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise NotExtractable("timeout", "the extraction deadline passed")

    def write(self, text: str) -> None:
        self._pending.append(text)
        self._pending_chars += len(text)
        if self._pending_chars >= self._FLUSH_AT:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        text = self._seam(normalise("".join(self._pending)))
        self._pending.clear()
        self._pending_chars = 0
        room = self.limits.max_chars - self._kept_chars
        if len(text) > room:
            text = text[:room]
            self.truncated = True
        self._kept.append(text)
        self._kept_chars += len(text)
        if self.truncated:
            raise Full

    def _seam(self, text: str) -> str:
        """Join a normalised piece to the last one as if both had been normalised together."""
        stripped = text.rstrip(" \n")
        tail, self._tail = self._tail, text[len(stripped) :]
        head = _LEADING_SPACE.match(stripped)
        if head:
            tail += head.group()
            stripped = stripped[head.end() :]
        if not stripped:  # all whitespace: it only joins the tails
            self._tail = tail + self._tail
            return ""
        if not self._kept_chars:
            return stripped  # nothing before it: leading whitespace goes
        return ("\n" if "\n" in tail else " " if tail else "") + stripped

    def text(self) -> str:
        try:
            self._flush()
        except Full:
            pass
        return "".join(self._kept)
