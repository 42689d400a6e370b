"""Word, Excel and PowerPoint (OOXML) text, read straight from the zip's XML parts.

No python-docx / openpyxl / python-pptx at run time: the parts are streamed through expat
(the stdlib's C parser) in 1 MiB chunks, with handlers that keep only the text. Memory stays
flat however big a sheet is, the deadline is checked between chunks, and DTDs are refused
(OOXML never has one), which shuts out entity-expansion bombs; zip bombs are refused from the
central directory's sizes before anything is inflated (zipfile never inflates past them).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable
from xml.parsers import expat

from chalicelib.search.extract._common import NotExtractable, TextBuffer

CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_CHUNK = 1024 * 1024
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def open_package(data: bytes, buffer: TextBuffer) -> zipfile.ZipFile:
    if data[:8] == CFB_MAGIC:
        # Office wraps a password-protected .docx/.xlsx/.pptx in an OLE compound file;
        # a CFB without that stream is a legacy binary file (.doc/.xls) under a new name.
        if _ENCRYPTED_STREAM in data:
            raise NotExtractable("encrypted", "password-protected Office file")
        raise NotExtractable("unsupported", "legacy binary Office file (OLE), not OOXML")
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise NotExtractable("corrupt", f"not a readable zip: {error}") from error
    limits = buffer.limits
    if len(infos) > limits.max_zip_entries:
        raise NotExtractable("too_large", f"{len(infos)} parts in the package")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.max_unpacked_bytes:
        raise NotExtractable("too_large", f"{unpacked} bytes once inflated")
    return package


# --- streaming XML -------------------------------------------------------------------------


class _Reader:
    """Expat handlers: text inside ``text_tags`` is written, ``breaks`` end a line.

    Names are local names (namespaces stripped). Text under a ``skipped`` element (deleted
    revisions, field codes, furigana readings) is left out.
    """

    def __init__(
        self,
        buffer: TextBuffer,
        text_tags: frozenset[str],
        breaks: dict[str, str],
        skipped: frozenset[str] = frozenset(),
    ) -> None:
        self.buffer = buffer
        self.text_tags = text_tags
        self.breaks = breaks
        self.skipped = skipped
        self._inside = 0
        self._skipping = 0

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        local = name[name.rfind("}") + 1 :]
        if local in self.skipped:
            self._skipping += 1
        elif local in self.text_tags:
            self._inside += 1

    def end(self, name: str) -> None:
        local = name[name.rfind("}") + 1 :]
        if local in self.skipped:
            self._skipping -= 1
        elif local in self.text_tags:
            self._inside -= 1
        elif local in self.breaks and not self._skipping:
            self.buffer.write(self.breaks[local])

    def data(self, text: str) -> None:
        if self._inside and not self._skipping:
            self.buffer.write(text)


def _refuse_dtd(*_args: object) -> None:
    raise NotExtractable("corrupt", "DTD in an OOXML part")


def parse_part(
    package: zipfile.ZipFile,
    name: str,
    buffer: TextBuffer,
    start: Callable[[str, dict[str, str]], None],
    *,
    end: Callable[[str], None] | None = None,
    data: Callable[[str], None] | None = None,
) -> None:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if data:
        parser.CharacterDataHandler = data
    try:
        with package.open(name) as part:
            while chunk := part.read(_CHUNK):
                buffer.check_time()
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise NotExtractable("corrupt", f"{name}: {error}") from error


def read_text_part(package: zipfile.ZipFile, name: str, reader: _Reader) -> None:
    parse_part(package, name, reader.buffer, reader.start, end=reader.end, data=reader.data)


def _exists(package: zipfile.ZipFile, name: str) -> bool:
    try:
        package.getinfo(name)
    except KeyError:
        return False
    return True


def _require(package: zipfile.ZipFile, name: str) -> None:
    if not _exists(package, name):
        raise NotExtractable("corrupt", f"{name} is missing")


class _Attributes:
    """Collects given attributes of every element with a given local name, in order."""

    def __init__(self, local: str, keys: tuple[str, ...]) -> None:
        self.local = local
        self.keys = keys
        self.found: list[tuple[str, ...]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name[name.rfind("}") + 1 :] == self.local:
            self.found.append(tuple(attrs.get(key, "") for key in self.keys))


def _attributes(
    package: zipfile.ZipFile, part: str, buffer: TextBuffer, local: str, *keys: str
) -> list[tuple[str, ...]]:
    collector = _Attributes(local, keys)
    parse_part(package, part, buffer, collector.start)
    return collector.found


def relationships(package: zipfile.ZipFile, part: str, buffer: TextBuffer) -> dict[str, tuple[str, str]]:
    """Id -> (type, target part name) from the part's .rels, targets resolved to zip names."""
    folder, filename = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", filename + ".rels")
    if not _exists(package, rels):
        return {}
    out = {}
    for rel_id, rel_type, target, mode in _attributes(
        package, rels, buffer, "Relationship", "Id", "Type", "Target", "TargetMode"
    ):
        if mode == "External":
            continue
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel_id] = (rel_type, resolved)
    return out


def _ordered_parts(
    package: zipfile.ZipFile, main: str, buffer: TextBuffer, local: str, *keys: str
) -> list[tuple[str, tuple[str, ...]]]:
    """(part name, other attributes) of the parts ``main`` lists as ``local`` elements, in order."""
    rels = relationships(package, main, buffer)
    parts = []
    for rel_id, *others in _attributes(package, main, buffer, local, _REL + "id", *keys):
        if rel_id in rels and _exists(package, rels[rel_id][1]):
            parts.append((rels[rel_id][1], tuple(others)))
    return parts


def _limit_pages(buffer: TextBuffer, count: int) -> int:
    if count > buffer.limits.max_pages:
        buffer.truncated = True
    return min(count, buffer.limits.max_pages)


# --- Word ----------------------------------------------------------------------------------

_WORD_BREAKS = {"p": "\n", "tab": "\t", "br": "\n", "cr": "\n", "tc": "\t"}
# delText: deleted revisions; instrText: field codes; rt: furigana over a word.
_WORD_SKIPPED = frozenset({"delText", "instrText", "rt"})
_WORD_EXTRA = ("/header", "/footer", "/footnotes", "/endnotes", "/comments")


def read_docx(data: bytes, buffer: TextBuffer) -> None:
    package = open_package(data, buffer)
    main = _main_part(package, buffer, "word/document.xml")
    buffer.pages = _docx_pages(package, buffer)
    reader = _Reader(buffer, frozenset({"t"}), _WORD_BREAKS, _WORD_SKIPPED)
    read_text_part(package, main, reader)
    for rel_type, part in relationships(package, main, buffer).values():
        if rel_type.endswith(_WORD_EXTRA) and _exists(package, part):
            buffer.check_time()
            read_text_part(package, part, reader)


def _main_part(package: zipfile.ZipFile, buffer: TextBuffer, default: str) -> str:
    for rel_type, part in relationships(package, "", buffer).values():
        if rel_type.endswith("/officeDocument") and _exists(package, part):
            return part
    _require(package, default)
    return default


class _Pages:
    def __init__(self) -> None:
        self.inside = False
        self.text = ""

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        self.inside = name.endswith("}Pages")

    def data(self, text: str) -> None:
        if self.inside:
            self.text += text


def _docx_pages(package: zipfile.ZipFile, buffer: TextBuffer) -> int:
    """The page count Word cached in docProps/app.xml, or 1 (a .docx has no pages of its own)."""
    if not _exists(package, "docProps/app.xml"):
        return 1
    pages = _Pages()
    parse_part(package, "docProps/app.xml", buffer, pages.start, data=pages.data)
    return int(pages.text) if pages.text.strip().isdigit() and int(pages.text) > 0 else 1


# --- PowerPoint ----------------------------------------------------------------------------

_SLIDE_BREAKS = {"p": "\n", "br": "\n", "tc": "\t"}


def read_pptx(data: bytes, buffer: TextBuffer) -> None:
    package = open_package(data, buffer)
    main = _main_part(package, buffer, "ppt/presentation.xml")
    slides = [part for part, _ in _ordered_parts(package, main, buffer, "sldId")]
    buffer.pages = len(slides)
    reader = _Reader(buffer, frozenset({"t"}), _SLIDE_BREAKS)
    for slide in slides[: _limit_pages(buffer, len(slides))]:
        buffer.check_time()
        read_text_part(package, slide, reader)
        for rel_type, part in relationships(package, slide, buffer).values():
            if rel_type.endswith("/notesSlide") and _exists(package, part):
                read_text_part(package, part, reader)
        buffer.write("\n")


# --- Excel ---------------------------------------------------------------------------------


class _SharedStrings:
    """xl/sharedStrings.xml: one string per <si>, its <t> runs joined, furigana (<rPh>) left out."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self._current: list[str] = []
        self._in_text = False
        self._phonetic = 0

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        local = name[name.rfind("}") + 1 :]
        if local == "t":
            self._in_text = not self._phonetic
        elif local == "rPh":
            self._phonetic += 1

    def end(self, name: str) -> None:
        local = name[name.rfind("}") + 1 :]
        if local == "t":
            self._in_text = False
        elif local == "rPh":
            self._phonetic -= 1
        elif local == "si":
            self.strings.append("".join(self._current))
            self._current.clear()

    def data(self, text: str) -> None:
        if self._in_text:
            self._current.append(text)


class _Sheet:
    """A worksheet's cells, row by row: shared strings looked up, inline strings and values kept."""

    def __init__(self, buffer: TextBuffer, strings: list[str]) -> None:
        self.buffer = buffer
        self.strings = strings
        self._type = ""
        self._value: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name[name.rfind("}") + 1 :]
        if local == "c":
            self._type = attrs.get("t", "n")
        elif local in ("v", "t") and self._type != "e":
            self._value = []

    def end(self, name: str) -> None:
        local = name[name.rfind("}") + 1 :]
        if local in ("v", "t") and self._value is not None:
            self._cell("".join(self._value))
            self._value = None
        elif local == "row":
            self.buffer.write("\n")

    def data(self, text: str) -> None:
        if self._value is not None:
            self._value.append(text)

    def _cell(self, value: str) -> None:
        if self._type == "s":
            try:
                value = self.strings[int(value)]
            except (ValueError, IndexError):
                return
        self.buffer.write(value)
        self.buffer.write("\t")


def read_xlsx(data: bytes, buffer: TextBuffer) -> None:
    package = open_package(data, buffer)
    main = _main_part(package, buffer, "xl/workbook.xml")
    sheets = _ordered_parts(package, main, buffer, "sheet", "name")
    buffer.pages = len(sheets)
    strings = _SharedStrings()
    for rel_type, part in relationships(package, main, buffer).values():
        if rel_type.endswith("/sharedStrings") and _exists(package, part):
            parse_part(package, part, buffer, strings.start, end=strings.end, data=strings.data)
    for part, (sheet_name,) in sheets[: _limit_pages(buffer, len(sheets))]:
        buffer.check_time()
        buffer.write(sheet_name + "\n")
        sheet = _Sheet(buffer, strings.strings)
        parse_part(package, part, buffer, sheet.start, end=sheet.end, data=sheet.data)
        buffer.write("\n")
