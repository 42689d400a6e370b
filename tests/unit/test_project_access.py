"""Who may see, change and manage a project: role × relation × visibility, as one generated matrix.

Every cell is asked of the service (not the HTTP layer), so the rule holds on every path. Those
who may not see a project get 404 (its id reveals nothing); those who see a 庁内公開 project but
are not members get 403 on a change.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

import pytest

from chalicelib.core.auth import Assignment, Post, Principal, Role
from chalicelib.core.errors import Forbidden, KumoError, NotFound

SOMUKA = ("somu", "somuka")  # the owning 所属
JINJI = ("somu", "jinji")  # another 所属 of the same 部局
DORO = ("doboku", "doro")  # another 部局


def _p(staff_id: str, path: tuple[str, ...], post: Post = Post.GENERAL, role: Role = Role.MEMBER) -> Principal:
    return Principal(staff_id, staff_id, f"{staff_id}@example.jp", path[0], role, (Assignment(path, post),))


OWNER = _p("owner.a", SOMUKA, Post.COORDINATOR)
ACTORS = {
    "owner": OWNER,
    "member": _p("member.b", DORO),
    "left member": _p("left.c", DORO),
    "head of the owning 所属": _p("head.d", SOMUKA, Post.HEAD),
    "colleague in the owning 所属": _p("colleague.e", SOMUKA),
    "head of another 所属": _p("head.f", JINJI, Post.HEAD),
    "department admin": _p("admin.g", SOMUKA, role=Role.DEPARTMENT_ADMIN),
    "system admin": _p("root.h", ("digital", "joho"), role=Role.SYSTEM_ADMIN),
    "stranger": _p("stranger.i", DORO),
}
MEMBERS = {"owner", "member"}
MANAGERS = {"owner", "head of the owning 所属"}


def _expected(actor: str, visibility: str, what: str) -> str:
    sees = actor in MEMBERS | MANAGERS or visibility == "staff"
    if not sees:
        return "404"
    allowed = {"read": True, "change": actor in MEMBERS, "manage": actor in MANAGERS}[what]
    return "ok" if allowed else "403"


@pytest.fixture
def projects_of(aws_mock: None) -> dict[str, tuple[str, str]]:
    """A members-only and a 庁内公開 project of 総務課, each with a member and one who left."""
    from chalicelib.projects import projects, storage
    from chalicelib.projects.storage import MemberRecord

    made = {}
    storage.bind()
    for visibility in ("members", "staff"):
        project = projects.create(OWNER, projects.ProjectDraft(f"{visibility} の案件", visibility=visibility))
        for actor, left in (("member", False), ("left member", True)):
            p = ACTORS[actor]
            MemberRecord(
                project.project_id,
                p.staff_id,
                display_name=p.display_name,
                unit_id=p.unit_id,
                role="member",
                joined_at=datetime(2026, 4, 1, tzinfo=UTC),
                left_at=datetime(2026, 10, 1, tzinfo=UTC) if left else None,
            ).save()
        made[visibility] = (project.project_id, project.boards[0].board_id)
    return made


def _outcome(call: Callable[[], object]) -> str:
    try:
        call()
    except NotFound:
        return "404"
    except Forbidden:
        return "403"
    except KumoError as exc:  # a rule past the rights check (e.g. a bad value): the right was granted
        return f"ok ({type(exc).__name__})"
    return "ok"


def _read(p: Principal, project_id: str, board_id: str) -> object:
    from chalicelib.projects import boards

    return boards.load(p, project_id, board_id)


def _change(p: Principal, project_id: str, board_id: str) -> object:
    from chalicelib.projects import boards

    first = boards.load(OWNER, project_id, board_id).lists[0]
    return boards.update_list(
        p, project_id, board_id, first.list_id, title="未着手", wip_limit=0, version=first.version
    )


def _manage(p: Principal, project_id: str, board_id: str) -> object:
    from chalicelib.projects import projects

    current = projects.get(OWNER, project_id).project
    return projects.update(
        p,
        project_id,
        name=current.name,
        description="",
        visibility=current.visibility.value,
        archived=False,
        revision=current.revision,
    )


def test_the_permission_matrix(projects_of: dict[str, tuple[str, str]]) -> None:
    asks = {"read": _read, "change": _change, "manage": _manage}
    found = {
        (actor, visibility, what): _outcome(partial(ask, p, *projects_of[visibility]))
        for (actor, p), visibility, (what, ask) in itertools.product(ACTORS.items(), ("members", "staff"), asks.items())
    }
    wrong = {cell: got for cell, got in found.items() if got.split(" ")[0] != _expected(*cell)}
    assert not wrong, wrong
    assert len(found) == len(ACTORS) * 2 * 3
