"""The local scanner's content check: EICAR in a file, in ZIP members, and what it cannot scan."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import pytest

from chalicelib.scanning.engine import EICAR, Limits, is_zip, scan_archive, scan_chunks
from chalicelib.scanning.port import Subject, Verdict, subject_for_key

LIMITS = Limits(max_bytes=10 * 1024 * 1024, max_expanded_bytes=40 * 1024 * 1024)


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _scan_bytes(data: bytes, limits: Limits = LIMITS) -> Verdict:
    if is_zip(data[:4]):
        return scan_archive(io.BytesIO(data), limits)
    return scan_chunks([data])


# --- a real ZipCrypto ("zip -P") archive, written by hand: Python's zipfile reads but cannot write one.


def _crc_step(crc: int, byte: int) -> int:
    return zlib.crc32(bytes([byte]), crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF


class _ZipCrypto:
    def __init__(self, password: bytes) -> None:
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for byte in password:
            self._update(byte)

    def _update(self, byte: int) -> None:
        k0, k1, k2 = self.keys
        k0 = _crc_step(k0, byte)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = _crc_step(k2, k1 >> 24)
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            t = (self.keys[2] | 2) & 0xFFFF
            out.append(byte ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self._update(byte)
        return bytes(out)


def _encrypted_zip(name: str, data: bytes, password: bytes) -> bytes:
    crc = zlib.crc32(data)
    body = _ZipCrypto(password).encrypt(os.urandom(11) + bytes([crc >> 24]) + data)
    raw_name = name.encode()
    flags = 0x1 | 0x800  # encrypted; UTF-8 name
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 0, 0, 0x21, crc, len(body), len(data), len(raw_name), 0)
    central = (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            flags,
            0,
            0,
            0x21,
            crc,
            len(body),
            len(data),
            len(raw_name),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + raw_name
    )
    offset = len(local) + len(raw_name) + len(body)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), offset, 0)
    return local + raw_name + body + central + end


# --- plain files ---------------------------------------------------------------------------------


def test_the_eicar_string_is_assembled_not_stored() -> None:
    assert len(EICAR) == 68 and EICAR.startswith(b"X5O!") and EICAR.endswith(b"H+H*")


def test_eicar_in_a_plain_file_is_infected_and_text_is_clean() -> None:
    assert _scan_bytes(EICAR + b"\r\n") == Verdict.infected("EICAR test file")
    assert _scan_bytes("第3回 定例会議の議事録\n".encode()).is_clean
    assert _scan_bytes(b"").is_clean


def test_eicar_split_across_chunks_is_found() -> None:
    data = b"a" * 1000 + EICAR + b"b" * 1000
    for cut in (1001, 1020, 1067):
        assert scan_chunks([data[:cut], data[cut:]]).status == "infected", cut
    assert scan_chunks(EICAR[i : i + 1] for i in range(len(EICAR))).status == "infected"


# --- archives ---------------------------------------------------------------------------------------


def test_eicar_inside_a_zip_member_is_infected_and_named() -> None:
    verdict = _scan_bytes(_zip({"readme.txt": b"hello", "図面/eicar.com": EICAR}))
    assert verdict.status == "infected"
    assert "図面/eicar.com" in verdict.reason


def test_a_zip_of_clean_files_is_clean_stored_or_deflated() -> None:
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        assert _scan_bytes(_zip({"a.txt": b"a" * 100_000, "b/": b""}, compression)).is_clean


def test_an_office_document_is_a_zip_and_its_parts_are_scanned() -> None:
    docx = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/embeddings/oleObject1.bin": EICAR,
        }
    )
    assert _scan_bytes(docx).status == "infected"


def test_a_zip_inside_a_zip_is_opened() -> None:
    inner = _zip({"eicar.txt": EICAR})
    verdict = _scan_bytes(_zip({"outer/inner.zip": inner, "clean.txt": b"ok"}))
    assert verdict.status == "infected" and "outer/inner.zip/eicar.txt" in verdict.reason
    assert _scan_bytes(_zip({"inner.zip": _zip({"ok.txt": b"ok"})})).is_clean


def test_archives_nested_too_deep_are_unscannable() -> None:
    data = _zip({"ok.txt": b"ok"})
    for level in range(4):
        data = _zip({f"level{level}.zip": data})
    verdict = _scan_bytes(data)
    assert verdict.status == "unscannable" and "nested" in verdict.reason


def test_a_password_protected_member_is_unscannable() -> None:
    archive = _encrypted_zip("見積書.xlsx", b"secret numbers", b"pass1234")
    with zipfile.ZipFile(io.BytesIO(archive)) as z:  # a genuine encrypted archive: it opens with its password
        assert z.read("見積書.xlsx", pwd=b"pass1234") == b"secret numbers"
    verdict = _scan_bytes(archive)
    assert verdict.status == "unscannable"
    assert "password-protected" in verdict.reason and "見積書.xlsx" in verdict.reason
    # ... even when the bytes inside are the EICAR string: no verdict is guessed.
    assert _scan_bytes(_encrypted_zip("eicar.com", EICAR, b"x")).status == "unscannable"


def test_an_encrypted_archive_inside_a_clean_one_is_unscannable() -> None:
    verdict = _scan_bytes(_zip({"docs/private.zip": _encrypted_zip("a.txt", b"a", b"pw")}))
    assert verdict.status == "unscannable" and "password-protected" in verdict.reason


@pytest.mark.parametrize("damage", ["truncated", "bad_crc", "garbage_after_magic"])
def test_a_corrupt_archive_is_unscannable(damage: str) -> None:
    good = _zip({"a.txt": b"0123456789" * 1000}, zipfile.ZIP_STORED)
    if damage == "truncated":
        data = good[: len(good) // 2]
    elif damage == "bad_crc":
        at = good.index(b"0123456789") + 5
        data = good[:at] + b"X" + good[at + 1 :]
    else:
        data = b"PK\x03\x04" + os.urandom(200)
    verdict = _scan_bytes(data)
    assert verdict.status == "unscannable", verdict
    assert "corrupt" in verdict.reason


def test_an_archive_that_expands_past_the_limit_is_too_large_to_scan() -> None:
    bomb = _zip({"zeros.bin": bytes(3 * 1024 * 1024)})
    assert len(bomb) < 10_000
    small = Limits(max_bytes=1024 * 1024, max_expanded_bytes=2 * 1024 * 1024)
    verdict = _scan_bytes(bomb, small)
    assert verdict.status == "unscannable" and verdict.reason.startswith("too large to scan")


def test_too_many_members_is_too_large_to_scan() -> None:
    many = _zip({f"{i}.txt": b"" for i in range(30)})
    verdict = _scan_bytes(many, Limits(max_bytes=1 << 20, max_expanded_bytes=1 << 20, max_members=20))
    assert verdict.status == "unscannable" and "too large" in verdict.reason


def test_version_keys_name_the_file_and_version() -> None:
    from chalicelib.files import s3

    made = s3.version_key("dept:somu", "fi_0123456789abcdef0123", 7)  # the key layout the files feature writes
    assert subject_for_key(made) == Subject("fi_0123456789abcdef0123", 7, made)
    subject = subject_for_key("spaces/dept:doboku/fi_0123456789abcdef0123/v00000012")
    assert subject is not None and (subject.file_id, subject.version) == ("fi_0123456789abcdef0123", 12)
    for other in (
        "uploads/up_1",
        "quarantine/spaces/dept:a/fi_1/v00000001",
        "spaces/dept:a/fi_1/v1",
        "spaces/dept:a/fi_1/v00000001/x",
        "malware-protection-resource-validation-object",
    ):
        assert subject_for_key(other) is None, other
