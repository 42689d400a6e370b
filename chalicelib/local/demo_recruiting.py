"""A demo 公募 for the local stack, so the recruiting pages have something on them from `make run`.

総務課 runs a members-only DX project (電子決裁, paperless meetings) and looks for two people
from anywhere in the prefecture at 20 % of their time; one application (from 学校教育課) waits
for the project's decision. Anyone else, 藤井 涼 of 道路課 say, can apply, and 坂本 純 (道路課's
所属長) consents. Written through the same use cases the pages call, so events and rules are
the real ones. The texts are our own.
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
            name="文書事務DXプロジェクト",
            description=(
                "紙の回議と押印をなくすため、電子決裁の定着と文書管理の見直しを各課と一緒に"
                "進めます。まずは決裁件数の多い10の事務から、ペーパーレス会議も試します。"
            ),
            visibility="members",
        ),
    )
    day = today()
    recruitment = postings.post(
        owner,
        postings.RecruitmentDraft(
            project_id=project.project_id,
            title="電子決裁の定着と文書管理の見直しを一緒に進める仲間を募集します",
            needs=(
                "・各課の決裁の流れを聞き取り、電子決裁に移すときの手順を整理する作業\n"
                "・文書の保存期間と分類の見直し、説明資料づくり\n"
                "庶務や文書事務の経験がある方、Excel での集計が得意な方を歓迎します。"
            ),
            tags=("業務改善", "電子決裁", "文書管理", "Excel"),
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
        "学校事務で文書の電子化を担当しました。決裁の流れの整理ならお役に立てると思います。",
    )
    return 1
