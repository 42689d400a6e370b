"""A made-up space id in a URL (/api/spaces/{space_id}/...) is nobody's space: a 4xx, never a 500."""

from __future__ import annotations

import pytest

from chalicelib.core.auth import Principal, Role
from chalicelib.core.errors import BadRequest, Forbidden
from chalicelib.files import policy, spaces, trash

JUNK = ["¹.!", "", "dept:", "user", "group:x"]


def _p(role: Role) -> Principal:
    return Principal("yamada.k", "山田", "y@example.jp", "somu", role)


@pytest.mark.parametrize("space_id", JUNK)
def test_no_one_writes_in_or_administers_a_space_that_cannot_exist(space_id: str) -> None:
    for role in (Role.MEMBER, Role.DEPARTMENT_ADMIN):
        assert not policy.can_write_in(_p(role), space_id)
        assert not policy.administers_space(_p(role), space_id)


@pytest.mark.parametrize("space_id", JUNK)
def test_the_trash_of_a_made_up_space_is_not_yours(space_id: str) -> None:
    with pytest.raises(Forbidden):
        trash.trashed(_p(Role.MEMBER), space_id)


@pytest.mark.parametrize("space_id", JUNK)
def test_a_quota_for_a_made_up_space_is_a_bad_request(space_id: str) -> None:
    with pytest.raises(BadRequest) as raised:
        spaces.set_quota(_p(Role.SYSTEM_ADMIN), space_id, 1000)
    assert raised.value.details == {"field": "space_id"}
