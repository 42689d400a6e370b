"""The projects a 公募 speaks for, read without a rights check: a 公募 shows its project's name and
description to every staff member even when the project itself is members-only (the owners
chose to publish that much by posting it). Nothing else of the project leaves through here."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.core.storage import get_or_none
from chalicelib.projects import storage
from chalicelib.projects.model import Project, project_of
from chalicelib.projects.storage import ProjectRecord

BATCH = 100  # BatchGetItem takes at most 100 keys


def project(project_id: str) -> Project | None:
    storage.bind()
    record = get_or_none(ProjectRecord, project_id, consistent_read=True)
    return project_of(record) if record is not None else None


def projects(project_ids: Iterable[str]) -> dict[str, Project]:
    ids = list(dict.fromkeys(project_ids))
    storage.bind()
    found: dict[str, Project] = {}
    for start in range(0, len(ids), BATCH):
        for record in ProjectRecord.batch_get(ids[start : start + BATCH]):
            found[record.project_id] = project_of(record)
    return found
