"""Parsing a staff CSV: encodings, header names, every problem named by row and column."""

from __future__ import annotations

import pytest

from chalicelib.directory import staff_import
from chalicelib.directory.staff_import import ImportRejected


@pytest.fixture
def departments(aws_mock: None) -> None:
    from chalicelib.directory import service
    from chalicelib.local import demo

    for department in demo.DEPARTMENTS:
        service.save_department(department)


def test_shift_jis_and_utf8_with_bom_read_the_same() -> None:
    text = "職員ID,氏名\nsato.a,佐藤 葵\n"
    assert staff_import.decode(text.encode("cp932")) == text
    assert staff_import.decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


def test_japanese_headers_department_names_and_role_names(departments: None) -> None:
    staff = staff_import.parse(
        "職員ID,氏名,メールアドレス,所属,権限\n"
        "Sato.A,佐藤 葵,Sato.A@Pref.example.lg.jp,県北広域本部,所属管理者\n"
        "\n"
        "ito.b,伊藤 蓮,ito.b@pref.example.lg.jp,doboku,member\n"
    )
    assert [(s.staff_id, s.department_id, s.role.value, s.email) for s in staff] == [
        ("sato.a", "kenpoku", "dept_admin", "sato.a@pref.example.lg.jp"),
        ("ito.b", "doboku", "member", "ito.b@pref.example.lg.jp"),
    ]


def test_every_problem_is_listed(departments: None) -> None:
    with pytest.raises(ImportRejected) as rejected:
        staff_import.parse(
            "staff_id,display_name,email,department,role\n"
            "ok.one,名前,ok.one@example.jp,somu,member\n"
            "x,,mail,none,boss\n"
            "short,row\n"
        )
    assert rejected.value.problems == [
        "row 3: column staff_id: use 2-64 letters, digits, '.', '_' or '-'",
        "row 3: column display_name: enter a name of at most 64 characters",
        "row 3: column email: 'mail' is not an e-mail address",
        "row 3: column department: no department 'none'",
        "row 3: column role: 'boss' is not one of member, dept_admin, system_admin",
        "row 4: expected 5 columns, found 2",
    ]


def test_an_empty_file_is_rejected() -> None:
    with pytest.raises(ImportRejected, match="empty"):
        staff_import.parse("")
