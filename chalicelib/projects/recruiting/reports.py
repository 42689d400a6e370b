"""The plan-vs-actual export for 人事: a system administrator picks a period (from-month to-month)
and downloads, per 所属 and per person, each commitment's planned share beside the 実績.

A line per person, project and month inside the membership: the 所属 is the one that consented
(the time was that 所属's), even if the person has moved since. The file is written beside the
ZIP archives (kept a day) and the browser gets a presigned URL, as the survey export does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from chalicelib.core.auth import Principal, Role, require_role
from chalicelib.core.errors import BadRequest
from chalicelib.projects.recruiting import actuals, ledger
from chalicelib.projects.recruiting.export import Cp932Problem, PlanLine, cp932_problems, csv_file, workbook
from chalicelib.projects.recruiting.model import months_between, parse_month

PERIOD_MONTHS_MAX = 36
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    body: bytes


def period(first: str, last: str) -> tuple[str, str]:
    a, b = parse_month(first, "from"), parse_month(last, "to")
    if b < a:
        raise BadRequest("The period must end on or after the month it starts.", field="to")
    if len(months_between(a, b)) > PERIOD_MONTHS_MAX:
        raise BadRequest("A period is at most {limit} months.", field="to", limit=PERIOD_MONTHS_MAX)
    return a, b


def lines(p: Principal, first: str, last: str, language: str = "ja") -> list[PlanLine]:
    """Every person's plan and 実績 for each month of the period, in the 所属's order."""
    from chalicelib.directory import service as directory

    require_role(p, Role.SYSTEM_ADMIN)
    a, b = period(first, last)
    months = months_between(a, b)
    out: list[PlanLine] = []
    for held in ledger.every_ledger():
        candidates = [c for c in held.commitments if any(actuals.inside(c, None, m) for m in months)]
        if not candidates:
            continue
        members = ledger.memberships(held.staff_id)
        recorded = actuals.recorded_of(held.staff_id, a, b)
        person = directory.find_staff(held.staff_id)
        name = person.display_name if person else held.staff_id
        for c in candidates:
            member = members.get(c.project_id)
            for month in (m for m in months if actuals.inside(c, member, m)):
                got = recorded.get((month, c.project_id))
                out.append(
                    PlanLine(
                        department_name=directory.unit_name(directory.department_of(c.unit_id), language),
                        unit_id=c.unit_id,
                        unit_name=directory.unit_name(c.unit_id, language),
                        staff_id=held.staff_id,
                        staff_name=name,
                        project_name=c.project_name,
                        month=month,
                        plan_percent=c.share_percent,
                        actual_percent=got.actual_percent if got else None,
                        actual_hours=got.actual_hours if got else None,
                    )
                )
    return sorted(
        out, key=lambda x: (x.department_name, x.unit_name, x.staff_name, x.staff_id, x.project_name, x.month)
    )


def cp932_report(p: Principal, first: str, last: str, language: str = "ja") -> list[Cp932Problem]:
    return cp932_problems(lines(p, first, last, language))


def download(
    p: Principal, first: str, last: str, *, fmt: str, encoding: str = "utf-8", language: str = "ja"
) -> Download:
    found = lines(p, first, last, language)
    stem = f"時間割合_計画と実績_{first}_{last}"
    if fmt == "xlsx":
        return Download(f"{stem}.xlsx", XLSX_TYPE, workbook(stem, found))
    if fmt != "csv":
        raise BadRequest("Choose xlsx or csv.", field="format")
    if encoding == "utf-8":
        return Download(f"{stem}.csv", "text/csv; charset=utf-8", csv_file(found, "utf-8-sig"))
    if encoding != "cp932":
        raise BadRequest("Choose utf-8 or cp932 (Shift_JIS).", field="encoding")
    problems = cp932_problems(found)
    if problems:
        first_problem = problems[0]
        raise BadRequest(
            "{count} character(s) cannot be written in Shift_JIS, the first {char} ({codepoint}) in {where}. "
            "Download UTF-8 instead.",
            field="encoding",
            count=len(problems),
            char=first_problem.char,
            codepoint=first_problem.codepoint,
            where=first_problem.where,
            problems=[{"where": x.where, "char": x.char, "codepoint": x.codepoint} for x in problems[:200]],
        )
    return Download(f"{stem}.csv", "text/csv; charset=shift_jis", csv_file(found, "cp932"))


def download_url(
    p: Principal, first: str, last: str, *, fmt: str, encoding: str = "utf-8", language: str = "ja"
) -> str:
    """Build the file, keep it for a day, and give a short-lived URL to it."""
    from chalicelib.files import s3
    from chalicelib.files.archive import ARCHIVE_PREFIX

    found = download(p, first, last, fmt=fmt, encoding=encoding, language=language)
    key = f"{ARCHIVE_PREFIX}{secrets.token_hex(16)}/time-shares.{'xlsx' if fmt == 'xlsx' else 'csv'}"
    s3.put_object(key, found.body, found.content_type)
    return s3.presigned_download(key, found.filename, found.content_type)
