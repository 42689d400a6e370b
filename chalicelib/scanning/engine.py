"""The local scanner's content check: the EICAR test string, in a file or inside ZIP archives.

Not an antivirus: it exists so the whole quarantine path can be exercised without AWS, with the
file every antivirus recognises. It reads in chunks (memory stays bounded whatever the size),
looks into ZIP members (and ZIPs inside ZIPs, a few levels deep), and says "unscannable" rather
than "clean" whenever it cannot look at every byte: an encrypted member, a corrupt archive, an
unsupported compression method, or more data than the limits allow.
"""

from __future__ import annotations

import lzma
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from chalicelib.scanning.port import Verdict

# Assembled at import so that this source file is not itself flagged by antivirus software.
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode("ascii")
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
CHUNK = 1024 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024  # a nested archive larger than this is spooled to a temporary file
_ENCRYPTED = 0x1  # ZIP general purpose flag bit 0: traditional or AES encryption


class SourceError(Exception):
    """Reading the object failed (network, permissions): retry later; this is not a verdict."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int  # the object itself
    max_expanded_bytes: int  # everything read out of archives, all members and levels together
    max_members: int = 10_000
    max_depth: int = 3  # archives inside archives


def is_zip(head: bytes) -> bool:
    return head[:4] in ZIP_MAGICS


class _Finder:
    """Finds EICAR in a stream of chunks, also across a chunk boundary."""

    def __init__(self) -> None:
        self._tail = b""

    def feed(self, chunk: bytes) -> bool:
        window = self._tail + chunk
        self._tail = window[-(len(EICAR) - 1) :]
        return EICAR in window


def scan_chunks(chunks: Iterable[bytes]) -> Verdict:
    """A plain (non-archive) object, read once from start to end."""
    finder = _Finder()
    for chunk in chunks:
        if finder.feed(chunk):
            return Verdict.infected("EICAR test file")
    return Verdict.clean()


class _TooLarge(Exception):
    pass


class _ArchiveScan:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.expanded = 0
        self.members = 0

    def archive(self, f: IO[bytes], where: str, depth: int) -> Verdict | None:
        """None when every member was read and nothing was found."""
        try:
            with zipfile.ZipFile(f) as archive:
                for info in archive.infolist():
                    found = self._member(archive, info, where, depth)
                    if found is not None:
                        return found
        except (SourceError, _TooLarge):
            raise
        except NotImplementedError as exc:  # e.g. deflate64, or a compression method Python lacks
            return Verdict.unscannable(f"unsupported archive{_at(where)}: {exc}")
        except RuntimeError as exc:  # "File ... is encrypted, password required for extraction"
            return Verdict.unscannable(f"password-protected archive{_at(where)}: {exc}")
        except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, struct.error, OSError, ValueError) as exc:
            return Verdict.unscannable(f"corrupt archive{_at(where)}: {exc}")
        return None

    def _member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, depth: int) -> Verdict | None:
        if info.is_dir():
            return None
        name = f"{where}{info.filename}"
        self.members += 1
        if self.members > self.limits.max_members:
            raise _TooLarge(f"more than {self.limits.max_members} archive members")
        if info.flag_bits & _ENCRYPTED:
            return Verdict.unscannable(f"password-protected archive member {_short(name)}")
        if self.expanded + info.file_size > self.limits.max_expanded_bytes:  # as declared; checked again below
            raise _TooLarge(f"expands to more than {self.limits.max_expanded_bytes} bytes")
        return self._read(archive, info, name, depth)

    def _read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, depth: int) -> Verdict | None:
        """Every byte of the member through the finder; a nested archive is kept aside and opened."""
        finder = _Finder()
        with archive.open(info) as member, tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY) as spool:
            head = b""
            for chunk in self._chunks(member):
                if finder.feed(chunk):
                    return Verdict.infected(f"EICAR test file in {_short(name)}")
                if len(head) < 4:
                    head += chunk[:4]
                if is_zip(head):
                    spool.write(chunk)
            if not is_zip(head):
                return None
            if depth >= self.limits.max_depth:
                return Verdict.unscannable(f"archives nested more than {self.limits.max_depth} deep")
            spool.seek(0)
            return self.archive(spool, f"{name}/", depth + 1)

    def _chunks(self, member: IO[bytes]) -> Iterator[bytes]:
        while chunk := member.read(CHUNK):
            self.expanded += len(chunk)
            if self.expanded > self.limits.max_expanded_bytes:  # declared sizes can lie
                raise _TooLarge(f"expands to more than {self.limits.max_expanded_bytes} bytes")
            yield chunk


def scan_archive(f: IO[bytes], limits: Limits) -> Verdict:
    """A ZIP archive, from a seekable file (ZIP readers start at the central directory at its end)."""
    try:
        return _ArchiveScan(limits).archive(f, "", 1) or Verdict.clean("no threat found in any archive member")
    except _TooLarge as exc:
        return Verdict.unscannable(f"too large to scan: {exc}")


def _short(name: str, limit: int = 120) -> str:
    return repr(name if len(name) <= limit else f"{name[:limit]}…")


def _at(where: str) -> str:
    return f" {_short(where.rstrip('/'))}" if where else ""
