"""A demo 公募 for the local stack, so the recruiting pages have something on them from `make run`.

総務課 runs a members-only DX project and looks for two people from anywhere in the prefecture at
20 % of their time; one application (from 学校教育課) waits for the project's decision. Anyone
else, 藤井 涼 of 道路課 say, can apply, and 坂本 純 (道路課's 所属長) consents. Written through the
same use cases the pages call, so events and rules are the real ones. The texts are our own.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.core.auth import Principal
from chalicelib.directory import service as directory
from chalicelib.projects import projects
from chalicelib.projects.recruiting import applications, postings
from chalicelib.projects.recruiting.model import today

OWNER = "yamada.k"  # 総務課 取りまとめ担当
APPLICANT = "ishii.k"  # 学校教育課


def _principal(staff_id: str) -> Principal:
    person = directory.find_staff(staff_id)
    assert person is not None, f"demo staff {staff_id} is missing"
    return person.principal()


def seed() -> int:
    """Post the demo 公募 and one application; returns how many 公募 were posted."""
    owner = _principal(OWNER)
    project = projects.create(
        owner,
        projects.ProjectDraft(
            name="窓口手続きオンライン化プロジェクト",
            description=(
                "県民が窓口に来なくても済む手続きを増やすため、申請様式の見直しと電子申請への"
                "移行を各課と一緒に進めます。まずは件数の多い10手続きから始めます。"
            ),
            visibility="members",
        ),
    )
    day = today()
    recruitment = postings.post(
        owner,
        postings.RecruitmentDraft(
            project_id=project.project_id,
            title="申請様式の見直しと電子化を一緒に進める仲間を募集します",
            needs=(
                "・紙の申請様式を読み解き、必要な項目を整理する作業\n"
                "・電子申請システムでのフォーム作成とテスト\n"
                "窓口業務の経験がある方、Excel での集計が得意な方を歓迎します。"
            ),
            tags=("業務改善", "電子申請", "Excel"),
            share_percent=20,
            period_start=day.replace(day=1).isoformat(),
            period_end=(day + timedelta(days=180)).isoformat(),
            positions=2,
            deadline=(day + timedelta(days=21)).isoformat(),
        ),
    )
    applications.apply(
        _principal(APPLICANT),
        recruitment.recruitment_id,
        "学校の事務で各種申請の電子化を担当しました。様式の整理ならお役に立てると思います。",
    )
    return 1
