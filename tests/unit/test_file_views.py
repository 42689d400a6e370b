"""How the Files pages present sizes, kinds and ids (no AWS, no templates)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.files import views
from chalicelib.files.entries import Entry


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KB"),
        (340 * 1024, "340 KB"),
        (70 * 1024**2, "70 MB"),
        (int(1.24 * 1024**3), "1.2 GB"),
        (100 * 1024**3, "100 GB"),
        (3 * 1024**5, "3072 TB"),
    ],
)
def test_sizes_read_as_people_write_them(size: int, shown: str) -> None:
    assert views.human_size(size) == shown


def _entry(name: str, kind: str = "file", content_type: str | None = None) -> Entry:
    when = datetime(2026, 11, 27, tzinfo=UTC)
    return Entry(
        "fi_00",
        kind,
        name,
        "dept:somu",
        "dept:somu",
        "yamada.k",
        "department",
        1,
        content_type,
        1,
        "active",
        when,
        when,
    )


@pytest.mark.parametrize(
    ("name", "content_type", "kind"),
    [
        ("議事録.DOCX", None, "word"),
        ("予算.xlsx", None, "excel"),
        ("現場.JPG", "image/jpeg", "image"),
        ("図面.dwg", "application/octet-stream", "drawing"),
        ("memo", "text/plain", "text"),
        ("data.bin", "application/octet-stream", "file"),
    ],
)
def test_a_file_kind_comes_from_its_extension_then_its_type(name: str, content_type: str | None, kind: str) -> None:
    assert views.kind_of(_entry(name, content_type=content_type)) == kind


def test_folders_are_folders_whatever_their_name() -> None:
    assert views.kind_of(_entry("資料.pdf", kind="folder")) == "folder"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("fo_0123abcd", True),
        ("fi_0123abcd", True),
        ("dept:somu", True),
        ("user:yamada.k", True),
        ("https://evil.example", False),
        ("/files/x", False),
        ("fo_", False),
        ("", False),
        ("group:x", False),
        ("dept:somu/../../logout", False),
        ("user:", False),
    ],
)
def test_only_item_ids_are_taken_as_the_page_to_come_back_to(value: str, ok: bool) -> None:
    assert views.is_item_id(value) is ok


def test_a_file_waiting_for_or_failing_its_virus_check_says_so() -> None:
    from chalicelib.core import templating

    macros = templating.environment("ja").get_template("files_macros.html").make_module({"csrf_token": "t"})
    shown = {status: str(macros.scan_tag(status)) for status in ("pending", "infected", "unscannable", None, "clean")}
    assert "ウイルス" in shown["pending"] and "scan-pending" in shown["pending"]
    assert "scan-bad" in shown["infected"] and "scan-bad" in shown["unscannable"]
    assert shown[None] == shown["clean"] == ""
