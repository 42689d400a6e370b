"""File rights follow the tree: a unit's space is open to its members and those of units below it."""

from __future__ import annotations

import pytest

from chalicelib.core.auth import Assignment, Post, Principal, Role
from chalicelib.files import policy, spaces


def _p(*paths: tuple[str, ...], role: Role = Role.MEMBER, staff_id: str = "sato.a") -> Principal:
    return Principal(staff_id, "佐藤", "sato@example.jp", paths[0][0], role, tuple(Assignment(p) for p in paths))


ZAISEI = ("somu", "zaisei")
shared = policy.Item("dept:zaisei", "other", "department")
in_somu = policy.Item("dept:somu", "other", "department")
in_jinji = policy.Item("dept:jinji", "other", "department")


def test_a_member_of_a_division_works_in_its_space_and_in_its_departments() -> None:
    me = _p(ZAISEI)
    assert policy.can_write_in(me, "dept:zaisei") and policy.can_write_in(me, "dept:somu")
    assert not policy.can_write_in(me, "dept:jinji")
    assert policy.can_read(me, shared) and policy.can_read(me, in_somu) and not policy.can_read(me, in_jinji)


def test_a_department_member_placed_directly_in_it_does_not_see_into_its_divisions() -> None:
    legacy = Principal("old.a", "旧", "old@example.jp", "somu", Role.MEMBER)  # no assignments: the 部局 only
    assert policy.can_read(legacy, in_somu) and not policy.can_read(legacy, shared)
    assert not policy.can_write_in(legacy, "dept:zaisei")


def test_a_concurrent_post_opens_that_division_too() -> None:
    me = _p(("kenko", "hoken"), ("somu", "jinji"))
    assert policy.can_read(me, in_jinji) and policy.can_write_in(me, "dept:jinji")
    assert not policy.can_read(me, shared)


def test_department_admins_administer_the_units_they_belong_to() -> None:
    admin = _p(ZAISEI, role=Role.DEPARTMENT_ADMIN)
    assert policy.administers_space(admin, "dept:somu") and policy.administers_space(admin, "dept:zaisei")
    assert not policy.administers_space(admin, "dept:jinji")
    assert policy.can_read(admin, policy.Item("dept:zaisei", "other", "private"))


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ((ZAISEI,), ["dept:somu", "dept:zaisei", "user:sato.a"]),
        ((("somu",),), ["dept:somu", "user:sato.a"]),
        (
            (("somu", "zaisei", "yosan"), ("kenko", "hoken")),
            ["dept:somu", "dept:zaisei", "dept:kenko", "dept:hoken", "user:sato.a"],
        ),
    ],
)
def test_the_spaces_listed_are_each_places_department_and_division(
    paths: tuple[tuple[str, ...], ...], expected: list[str]
) -> None:
    assert spaces.spaces_for(_p(*paths)) == expected


def test_posts_do_not_widen_file_rights() -> None:
    head = Principal("h", "長", "h@example.jp", "somu", Role.MEMBER, (Assignment(ZAISEI, Post.HEAD),))
    assert not policy.administers_space(head, "dept:zaisei")
    assert not policy.can_read(head, policy.Item("dept:zaisei", "other", "private"))
