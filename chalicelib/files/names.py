"""File and folder names: what may be a name, what counts as the same name, what a copy is called.

A name must not lie about what a file is. Bidirectional overrides and isolates turn
`doc\\u202eexe.txt` into what a screen shows as `doctxt.exe`, and zero-width characters make two
different names look alike, so both are refused. Windows drops trailing dots and spaces, so
`x.exe.` would be saved there as `x.exe`: they are stripped before anything looks at the
extension.
"""

from __future__ import annotations

import unicodedata

from chalicelib.core.errors import BadRequest

NAME_MAX = 255
FORBIDDEN_NAME_CHARS = set('/\\:*?"<>|') | {chr(c) for c in range(32)} | {"\x7f"}
# U+202A–202E (embeddings, overrides), U+2066–2069 (isolates), U+200E/200F/061C (direction marks).
BIDI_CONTROLS = (
    {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)} | {"\u200e", "\u200f", "\u061c"}
)
# Zero-width and invisible characters that make two names look the same.
INVISIBLE = {
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\u2061",
    "\u2062",
    "\u2063",
    "\u2064",
    "\ufeff",
    "\u180e",
    "\u00ad",
}


def clean_name(raw: str, *, field: str = "name") -> str:
    """A name a person typed or a browser sent, checked and normalised (NFC).

    `field` names the form field in the error, so the person knows which entry to fix.
    """
    name = unicodedata.normalize("NFC", (raw or "").strip()).rstrip(". ")
    if not name:
        raise BadRequest("Enter a name.", field=field)
    if len(name) > NAME_MAX:
        raise BadRequest("The name is too long (at most {limit} characters).", field=field, limit=NAME_MAX)
    if name in {".", ".."} or any(c in FORBIDDEN_NAME_CHARS for c in name):
        raise BadRequest('A name cannot contain / \\ : * ? " < > | or control characters.', field=field)
    if any(c in BIDI_CONTROLS for c in name):
        raise BadRequest(
            "A name cannot contain characters that change the direction of the text "
            "(they can make a file look like another type).",
            field=field,
        )
    if any(c in INVISIBLE for c in name):
        raise BadRequest("A name cannot contain invisible (zero-width) characters.", field=field)
    return name


def name_key(name: str) -> str:
    """What counts as the same name: Ｆｉｌｅ.txt and file.TXT are one name, as in Windows."""
    return unicodedata.normalize("NFKC", name).casefold()


def extension(name: str) -> str:
    """The lower-case extension with its dot ('' when there is none), as Windows would see it."""
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem else ""


def numbered(name: str, n: int) -> str:
    """`報告書.docx` -> `報告書 (2).docx`, as Box, Nextcloud and desktop systems name a copy."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return f"{name} ({n})"
    return f"{stem} ({n}).{ext}"
