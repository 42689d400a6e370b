"""A project's 公募 as its own page lists them: each with its state and positions filled, and —
for the project's owners, who alone see applications (applications.py) — how many applications
wait for their decision and how many wait for a 所属長's consent. Everyone else who sees the
project sees the 公募 and their positions, never anything of the applications, not even a count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from chalicelib.projects import access
from chalicelib.projects.model import MemberRole
from chalicelib.projects.recruiting import postings, storage
from chalicelib.projects.recruiting.model import ApplicationState, Recruitment
from chalicelib.projects.recruiting.storage import ApplicationRecord


@dataclass(frozen=True)
class Counts:
    """Applications of one 公募 by where they stand (the owners' view)."""

    waiting: int  # for the owners' decision
    asking: int  # for the applicant's 所属長
    joined: int
    total: int


@dataclass(frozen=True)
class ProjectRecruitment:
    recruitment: Recruitment
    counts: Counts | None  # None: this viewer may not see applications


@dataclass(frozen=True)
class ProjectRecruiting:
    may_post: bool  # the project's managers post its 公募 (postings.post)
    recruitments: list[ProjectRecruitment]


def _counts(recruitment_id: str) -> Counts:
    storage.bind()
    states = Counter(r.state for r in ApplicationRecord.by_recruitment.query(recruitment_id))
    return Counts(
        waiting=states[ApplicationState.APPLIED.value],
        asking=states[ApplicationState.CONSENT_REQUESTED.value],
        joined=states[ApplicationState.JOINED.value],
        total=sum(states.values()),
    )


def of_project(found: access.Standing) -> ProjectRecruiting:
    """The 公募 of the project `found` stands towards (newest first), for that viewer."""
    owner = found.member is not None and found.member.role is MemberRole.OWNER
    listed = [
        ProjectRecruitment(r, _counts(r.recruitment_id) if owner else None) for r in postings.of_project_for(found)
    ]
    return ProjectRecruiting(may_post=found.manages and not found.project.archived, recruitments=listed)
