"""The demo prefecture: a believable tree, everyone placed in it, the accounts tests rely on unchanged."""

from __future__ import annotations

from chalicelib.core.auth import Post, Role
from chalicelib.directory import service as directory
from chalicelib.local import demo


def test_the_demo_tree_places_everyone_and_its_divisions_have_heads_and_coordinators(aws_mock: None) -> None:
    assert demo.seed()
    departments = [d.department_id for d in directory.list_departments()]
    assert {"somu", "doboku", "digital"} <= set(departments)
    for department in departments:
        assert 3 <= len(directory.units_under(department)) <= 5, department
    staffed = {s.unit_id for s in demo.STAFF}
    for unit_id in staffed:
        assert unit_id is not None
        assert [h.staff_id for h in directory.heads_of(unit_id)], f"{unit_id} has people but no 所属長"
    both = [u for u in staffed if u and directory.staff_in_unit(u, post=Post.COORDINATOR) and directory.heads_of(u)]
    assert len(both) >= 5
    for person in demo.STAFF:
        me = directory.find_staff(person.staff_id)
        assert me is not None and me.principal().department_id == person.department_id
        assert me.principal().main.path[:2] == (person.department_id, person.unit_id)
    roles = {s.staff_id: (s.department_id, s.role) for s in demo.STAFF}
    assert roles["tanaka.h"] == ("somu", Role.DEPARTMENT_ADMIN)
    assert roles["yamada.k"] == roles["kondo.m"] == ("somu", Role.MEMBER)
    assert roles["sakamoto.j"] == ("doboku", Role.DEPARTMENT_ADMIN)
    assert roles["ogata.r"] == ("digital", Role.MEMBER)
    assert roles["admin"][1] is Role.SYSTEM_ADMIN
    assert any(s.concurrent for s in demo.STAFF), "some hold a 兼務"
    assert "田中 ひかり  所属長" in demo.logins_table()
