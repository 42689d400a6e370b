"""The org tree: walking it, records from before the tree, places, 兼務 and dated transfers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from chalicelib.core.auth import Post, Role
from chalicelib.core.errors import NotFound
from chalicelib.directory import org, placement
from chalicelib.directory import service as directory
from chalicelib.directory.org import OrgUnit, Tree, UnitKind
from chalicelib.directory.placement import Placement, Transfer
from chalicelib.files import policy

BACKUP_BEFORE_THE_TREE = Path(__file__).parent / "fixtures" / "backup-before-org"
B, S, K = UnitKind.BUKYOKU, UnitKind.SHOZOKU, UnitKind.KAKARI
UNITS = (
    OrgUnit("somu", "総務部", "General Affairs Department", B, sort_order=10),
    OrgUnit("zaisei", "財政課", "Finance Division", S, "somu", sort_order=3),
    OrgUnit("jinji", "人事課", "Personnel Division", S, "somu", sort_order=2),
    OrgUnit("yosan", "予算係", "Budget Section", K, "zaisei"),
    OrgUnit("doboku", "土木部", "Public Works Department", B, sort_order=80),
    OrgUnit("doro", "道路課", "Roads Division", S, "doboku", short_name="道路"),
)


@pytest.fixture
def tree(aws_mock: None) -> None:
    org.save_units(list(UNITS))


def _person(staff_id: str, unit: str | None, *, department: str = "somu", **places: object) -> directory.Staff:
    staff = directory.Staff(staff_id, staff_id, f"{staff_id}@pref.example.lg.jp", department, Role.MEMBER)
    return dataclasses.replace(staff, unit_id=unit, **places)


def test_a_walk_up_stops_at_a_loop_or_a_missing_parent_and_never_recurses() -> None:
    looped = Tree.of([OrgUnit("a", "甲課", "", S, "b"), OrgUnit("b", "乙課", "", S, "a")])
    assert looped.path("a") == ("b", "a")
    orphan = Tree.of([OrgUnit("x", "丙課", "", S, "gone")])
    assert orphan.path("x") == ("gone", "x")
    chain = [OrgUnit(f"u{i}", f"{i}課", "", S, f"u{i + 1}") for i in range(50)]
    assert len(Tree.of(chain).path("u0")) == org.MAX_DEPTH


def test_paths_children_and_what_a_department_stands_for(tree: None) -> None:
    assert directory.unit_path("yosan") == ("somu", "zaisei", "yosan")
    assert directory.unit_path("somu") == ("somu",)
    assert [u.unit_id for u in directory.children("somu")] == ["jinji", "zaisei"]  # by sort order
    assert [u.unit_id for u in directory.units_under("somu")] == ["jinji", "zaisei"]
    assert [u.unit_id for u in directory.units_under("zaisei")] == ["zaisei"]
    assert directory.department_of("yosan") == "somu"
    assert directory.unit_name("doro", "en") == "Roads Division"
    assert directory.full_name("yosan", "ja") == "総務部 財政課 予算係"
    assert directory.unit_name("no-such-unit", "ja") == "no-such-unit"
    with pytest.raises(NotFound):
        directory.unit_path("no-such-unit")


def test_short_names_default_to_the_name_without_its_last_bu_ka_or_shitsu(tree: None) -> None:
    assert org.default_short_name("総務部") == org.default_short_name("総務課") == "総務"
    assert org.default_short_name("広報室") == "広報"
    assert org.default_short_name("デジタル戦略局") == "デジタル戦略局"
    assert org.default_short_name("課") == "課"
    assert directory.get_unit("zaisei").short_name == "財政"
    assert directory.get_unit("doro").short_name == "道路"


def test_a_record_written_before_the_tree_is_a_department(aws_mock: None) -> None:
    """Written with only the attributes the directory had before (no kind, no parent)."""
    from chalicelib.core import aws

    aws.client("dynamodb").put_item(
        TableName="kumo-departments",
        Item={"department_id": {"S": "kikaku"}, "name_ja": {"S": "企画振興部"}, "name_en": {"S": "Planning"}},
    )
    unit = directory.get_unit("kikaku")
    assert (unit.kind, unit.parent_id, unit.short_name, unit.sort_order) == (B, None, "企画振興", 0)
    assert [d.department_id for d in directory.list_departments()] == ["kikaku"]
    assert directory.get_department("kikaku").name("ja") == "企画振興部"


def test_a_backup_written_before_the_tree_restores_and_its_people_sit_in_their_departments(aws_mock: None) -> None:
    from chalicelib.ops import backup

    backup.restore(BACKUP_BEFORE_THE_TREE)
    assert [d.department_id for d in directory.list_departments()] == ["somu", "digital", "kikaku"]
    assert all(u.kind is B for u in directory.list_units())
    tanaka = directory.find_staff("tanaka.h")
    assert tanaka is not None and tanaka.unit_id is None and tanaka.role is Role.DEPARTMENT_ADMIN
    me = tanaka.principal()
    assert (me.department_id, me.unit_id, me.units) == ("somu", "somu", frozenset({"somu"}))
    assert policy.can_write_in(me, "dept:somu") and not policy.can_write_in(me, "dept:digital")
    assert [s.staff_id for s in directory.staff_in_department("somu")] == ["kondo.m", "tanaka.h", "yamada.k"]


def test_a_principal_carries_the_path_of_each_place_main_first(tree: None) -> None:
    person = _person(
        "sato.a",
        "zaisei",
        section_id="yosan",
        post=Post.COORDINATOR,
        concurrent=(Placement("jinji"), Placement("doro", post=Post.HEAD)),
    )
    me = person.principal()
    assert [a.path for a in me.assignments] == [("somu", "zaisei", "yosan"), ("somu", "jinji"), ("doboku", "doro")]
    assert (me.department_id, me.unit_id, me.main.post) == ("somu", "zaisei", Post.COORDINATOR)
    assert me.post_in("doro") is Post.HEAD and me.post_in("jinji") is Post.GENERAL and me.post_in("somu") is None
    assert me.belongs_to("doboku") and me.belongs_to("yosan") and not me.belongs_to("doboku-other")
    # A 係 that is not in the 所属 named beside it does not count.
    assert _person("x.y", "jinji", section_id="yosan").principal().main.path == ("somu", "jinji")


def test_a_transfer_applies_from_its_day_in_japan(tree: None) -> None:
    april = Transfer(date(2027, 4, 1), Placement("doro", post=Post.HEAD), (Placement("jinji"),))
    directory.save_staff(_person("ido.t", "zaisei", transfers=(april,)))
    # 2027-03-31 15:00 UTC is already 1 April in Japan.
    assert placement.jst_today(datetime(2027, 3, 31, 14, 59, tzinfo=UTC)) == date(2027, 3, 31)
    assert placement.jst_today(datetime(2027, 3, 31, 15, 0, tzinfo=UTC)) == date(2027, 4, 1)

    from chalicelib.directory import staff as staff_module
    from chalicelib.directory.storage import StaffRecord

    record = StaffRecord.get("ido.t")
    before = staff_module._staff(record, today=date(2027, 3, 31))
    assert (before.department_id, before.unit_id, before.transfers) == ("somu", "zaisei", (april,))
    after = staff_module._staff(record, today=date(2027, 4, 1))
    assert (after.department_id, after.unit_id, after.post, after.transfers) == ("doboku", "doro", Post.HEAD, ())
    assert after.principal().units == {"doboku", "doro", "somu", "jinji"}

    assert directory.apply_due_transfers(date(2027, 3, 31)) == 0
    assert directory.apply_due_transfers(date(2027, 4, 1)) == 1
    stored = StaffRecord.get("ido.t")
    assert (stored.department_id, stored.unit_id, stored.transfers) == ("doboku", "doro", None)
    assert directory.apply_due_transfers(date(2027, 4, 2)) == 0, "written once"


def test_of_several_transfers_the_latest_due_wins_and_a_same_day_move_replaces() -> None:
    first = Transfer(date(2027, 4, 1), Placement("a"))
    second = Transfer(date(2027, 10, 1), Placement("b"))
    assert placement.due((second, first), date(2027, 10, 1)) == (second, ())
    assert placement.due((second, first), date(2027, 5, 1)) == (first, (second,))
    replaced = placement.with_transfer((first, second), Transfer(date(2027, 4, 1), Placement("c")))
    assert [t.main.unit_id for t in replaced] == ["c", "b"]


def test_heads_and_coordinators_of_a_unit_across_departments(tree: None) -> None:
    directory.save_staff(_person("head.z", "zaisei", post=Post.HEAD))
    directory.save_staff(_person("coord.z", "zaisei", section_id="yosan", post=Post.COORDINATOR))
    directory.save_staff(_person("plain.z", "zaisei"))
    # A 兼務 from another 部局: found through by_elsewhere, not by_department.
    directory.save_staff(
        _person("kenmu.d", "doro", department="doboku", concurrent=(Placement("jinji", post=Post.COORDINATOR),))
    )
    directory.save_staff(_person("head.j", "jinji", post=Post.HEAD))

    def ids(people: list[directory.Staff]) -> list[str]:
        return [p.staff_id for p in people]

    assert ids(directory.staff_in_unit("zaisei")) == ["coord.z", "head.z", "plain.z"]
    assert ids(directory.staff_in_unit("yosan")) == ["coord.z"]
    assert ids(directory.heads_of("zaisei")) == ["head.z"]
    assert ids(directory.coordinators_of("zaisei")) == ["coord.z"]
    assert ids(directory.coordinators_of("jinji")) == ["kenmu.d"]
    assert ids(directory.staff_in_unit("somu")) == ["coord.z", "head.j", "head.z", "kenmu.d", "plain.z"]
    assert ids(directory.staff_in_department("somu")) == ["coord.z", "head.j", "head.z", "plain.z"]
    # No 取りまとめ担当: the 所属長 gathers the answers.
    directory.save_staff(_person("head.d", "doro", department="doboku", post=Post.HEAD))
    assert ids(directory.coordinators_of("doro")) == ["head.d"]
    # Many units at once (a 照会 to several 所属): the same people, each 部局 read once.
    batched = directory.coordinators_of_units(["zaisei", "jinji", "doro"])
    assert {u: ids(p) for u, p in batched.items()} == {"zaisei": ["coord.z"], "jinji": ["kenmu.d"], "doro": ["head.d"]}
    # The 部局's other people stay on the server, but not a 兼務 in the 部局 itself.
    directory.save_staff(_person("kenmu.s", "jinji", concurrent=(Placement("yosan"),)))
    assert ids(directory.staff_in_unit("yosan")) == ["coord.z", "kenmu.s"]
    assert ids(directory.staff_in_unit("jinji")) == ["head.j", "kenmu.d", "kenmu.s"]
    units = ("zaisei", "yosan", "somu", "doro")
    assert {u: ids(p) for u, p in directory.staff_in_units(units).items()} == {
        u: ids(directory.staff_in_unit(u)) for u in units
    }


def test_a_pending_move_into_another_department_counts_there_from_its_day(tree: None) -> None:
    today = placement.jst_today()
    moving = Transfer(today, Placement("doro"))
    directory.save_staff(_person("move.in", "zaisei", transfers=(moving,)))
    assert [s.staff_id for s in directory.staff_in_unit("doro")] == ["move.in"]
    assert directory.staff_in_department("somu") == []
    assert [s.staff_id for s in directory.staff_in_department("doboku")] == ["move.in"]


def test_the_scheduler_writes_down_the_transfers_whose_day_has_come(tree: None) -> None:
    from chalicelib.directory.storage import StaffRecord
    from chalicelib.maintenance import sweep

    april = Transfer(date(2027, 4, 1), Placement("doro"))
    directory.save_staff(_person("sweep.t", "zaisei", transfers=(april,)))
    assert "transfers_applied" not in sweep.run(at=datetime(2027, 3, 31, 14, 0, tzinfo=UTC)).counts
    assert sweep.run(at=datetime(2027, 3, 31, 15, 0, tzinfo=UTC)).counts["transfers_applied"] == 1
    assert StaffRecord.get("sweep.t").department_id == "doboku"
    assert [s.staff_id for s in directory.staff_in_department("doboku")] == ["sweep.t"]
