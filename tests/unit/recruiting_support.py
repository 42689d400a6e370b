"""A small prefecture on in-process moto for the recruiting unit tests: the demo tree and a few of
its people, a project of 総務課 and helpers that walk an application through its steps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.core.auth import Principal

OWNER = "yamada.k"  # 総務課 取りまとめ担当: owns the project
PROJECT_HEAD = "ohashi.t"  # 総務課 所属長: manages the project, is not an owner
APPLICANT = "fujii.r"  # 道路課 (土木部)
APPLICANT_HEAD = "sakamoto.j"  # 道路課 所属長
OTHER_HEAD = "aoki.h"  # 政策企画課 所属長: not the applicant's
OTHER_STAFF = "ogata.r"  # デジタル推進課
ADMIN = "admin"  # system administrator
SECOND_APPLICANT = "ishii.k"  # 学校教育課
SECOND_HEAD = "sakai.t"  # 学校教育課 所属長
PEOPLE = (OWNER, PROJECT_HEAD, APPLICANT, APPLICANT_HEAD, OTHER_HEAD, OTHER_STAFF, ADMIN, SECOND_APPLICANT, SECOND_HEAD)


def build_world() -> None:
    from chalicelib.directory import service as directory
    from chalicelib.local import demo
    from chalicelib.local.demo_org import UNITS

    for department in demo.DEPARTMENTS:
        directory.save_department(department)
    directory.save_units(list(UNITS))
    for person in demo.STAFF:
        if person.staff_id in PEOPLE:
            directory.save_staff(person.staff())


def who(staff_id: str) -> Principal:
    from chalicelib.directory import service as directory

    person = directory.find_staff(staff_id)
    assert person is not None
    return person.principal()


def project(name: str = "県庁DX推進プロジェクト", visibility: str = "members") -> str:
    from chalicelib.projects import projects

    made = projects.create(
        who(OWNER), projects.ProjectDraft(name=name, description="窓口の電子化", visibility=visibility)
    )
    return made.project_id


def day(days: int = 0) -> str:
    from chalicelib.projects.recruiting.model import today

    return (today() + timedelta(days=days)).isoformat()


def post(project_id: str, *, share: int = 20, positions: int = 2, **changes: Any) -> str:
    from chalicelib.projects.recruiting import postings

    fields: dict[str, Any] = {
        "project_id": project_id,
        "title": "窓口手続きの電子化を進める仲間",
        "needs": "業務フローの整理と、Excel マクロの経験がある方",
        "tags": ["業務改善", "Excel"],
        "share_percent": share,
        "period_start": day(0),
        "period_end": day(180),
        "positions": positions,
        "deadline": day(14),
        **changes,
    }
    return postings.post(who(OWNER), postings.RecruitmentDraft(**fields)).recruitment_id


def applied(recruitment_id: str, applicant: str = APPLICANT) -> str:
    from chalicelib.projects.recruiting import applications

    return applications.apply(who(applicant), recruitment_id, "道路台帳の電子化を担当しました。").application_id


def sent_for_consent(recruitment_id: str, applicant: str = APPLICANT) -> str:
    from chalicelib.projects.recruiting import applications

    application_id = applied(recruitment_id, applicant)
    applications.proceed(who(OWNER), application_id)
    return application_id


def joined(recruitment_id: str, applicant: str = APPLICANT, head: str = APPLICANT_HEAD) -> str:
    from chalicelib.projects.recruiting import consent

    application_id = sent_for_consent(recruitment_id, applicant)
    consent.consent(who(head), application_id)
    return application_id
