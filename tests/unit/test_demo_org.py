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


def test_the_organisation_page_nests_units_and_names_heads_and_coordinators(aws_mock: None) -> None:
    import re

    from chalicelib.core import templating
    from chalicelib.directory import chart

    demo.seed()
    units = chart.chart()
    somu = next(n for n in units if n.unit.unit_id == "somu")
    assert [c.unit.unit_id for c in somu.children] == ["somuka", "jinji", "zaisei", "homu"]
    zaisei = somu.children[2]
    assert [h.staff_id for h in zaisei.heads] == ["nishida.k"] and [c.unit.name_ja for c in zaisei.children] == [
        "予算係",
        "財務係",
    ]
    assert ("yamada.k", "general") in [(p.staff_id, post.value) for p, post in zaisei.members], "a 兼務 counts"

    html = templating.render("directory.html", "ja", units=units, principal=None, areas=(), current_path="/")
    item = re.search(r'<li data-unit="zaisei">(.*?)<ul>', html, re.S)
    assert item is not None
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item.group(1)))
    assert "財政課" in text and "所属長: 西田 和夫" in text and "取りまとめ担当: 原田 由香" in text
    homu = re.search(r'<li data-unit="homu">(.*?)</li>', html, re.S)
    assert homu is not None and "所属長が兼ねる" in homu.group(1), "no 取りまとめ担当: the head gathers"
    assert '<a class="unit-name" href="/departments/somu">総務部</a>' in html
