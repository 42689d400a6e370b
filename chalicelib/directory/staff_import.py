"""`kumo users import FILE.csv`, the directory's part: read and check the file, all or nothing.

The file is UTF-8 (with or without BOM) or Shift_JIS (as Excel saves it in Japan). Columns,
by header name (Japanese headers accepted too):

    staff_id, display_name, email, department, role

`department` is a department id or its Japanese name; `role` is member / dept_admin /
system_admin (or 一般 / 所属管理者 / システム管理者). The whole file is checked first: any bad
row rejects the file with a message naming each row and column, and nothing is written.
Writing the staff and their sign-ins is accounts/provisioning.py: sign-in builds on the
directory, not the other way round.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

from chalicelib.core.auth import ROLE_ALIASES
from chalicelib.directory import service
from chalicelib.directory.service import Staff

HEADER_ALIASES = {
    "staff_id": "staff_id",
    "職員id": "staff_id",
    "職員番号": "staff_id",
    "ユーザーid": "staff_id",
    "display_name": "display_name",
    "氏名": "display_name",
    "名前": "display_name",
    "email": "email",
    "メール": "email",
    "メールアドレス": "email",
    "e-mail": "email",
    "department": "department",
    "department_id": "department",
    "所属": "department",
    "部局": "department",
    "role": "role",
    "権限": "role",
    "役割": "role",
}
REQUIRED = ("staff_id", "display_name", "email", "department", "role")
STAFF_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ROWS = 5000


class ImportRejected(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not) first; otherwise Shift_JIS as Windows writes it (cp932)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        raise ImportRejected(["the file is neither UTF-8 nor Shift_JIS text"]) from None


def parse(text: str) -> list[Staff]:
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        raise ImportRejected(["the file is empty"])
    header = [HEADER_ALIASES.get(h.strip().lower(), h.strip()) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportRejected([f"row 1: missing column(s): {', '.join(missing)}"])
    if len(rows) - 1 > MAX_ROWS:
        raise ImportRejected([f"the file has {len(rows) - 1} rows; import at most {MAX_ROWS} at a time"])
    departments = {d.department_id: d for d in service.list_departments()}
    by_name = {d.name_ja: d.department_id for d in departments.values()}
    problems: list[str] = []
    staff: list[Staff] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(f"row {number}: expected {len(header)} columns, found {len(row)}")
            continue
        record = {header[i]: row[i].strip() for i in range(len(header))}
        row_problems = _check_row(record, departments, by_name)
        staff_id = record["staff_id"].lower()
        if staff_id in seen:
            row_problems.append(f"column staff_id: {staff_id} is already on row {seen[staff_id]}")
        seen.setdefault(staff_id, number)
        if row_problems:
            problems.extend(f"row {number}: {p}" for p in row_problems)
            continue
        department_id = record["department"] if record["department"] in departments else by_name[record["department"]]
        staff.append(
            Staff(
                staff_id,
                record["display_name"],
                record["email"].lower(),
                department_id,
                ROLE_ALIASES[record["role"].lower() if record["role"].isascii() else record["role"]],
            )
        )
    if problems:
        raise ImportRejected(problems)
    return staff


def _check_row(record: dict[str, str], departments: Mapping[str, object], by_name: dict[str, str]) -> list[str]:
    problems = []
    if not STAFF_ID.match(record["staff_id"].lower()):
        problems.append("column staff_id: use 2-64 letters, digits, '.', '_' or '-'")
    if not record["display_name"] or len(record["display_name"]) > 64:
        problems.append("column display_name: enter a name of at most 64 characters")
    if not EMAIL.match(record["email"]):
        problems.append(f"column email: '{record['email']}' is not an e-mail address")
    if record["department"] not in departments and record["department"] not in by_name:
        problems.append(f"column department: no department '{record['department']}'")
    role = record["role"].lower() if record["role"].isascii() else record["role"]
    if role not in ROLE_ALIASES:
        problems.append(f"column role: '{record['role']}' is not one of member, dept_admin, system_admin")
    return problems
