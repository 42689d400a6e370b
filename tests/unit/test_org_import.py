"""`kumo org import` and the tree columns of `kumo users import`: checks named by row and column."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from chalicelib.core.auth import Post, Role
from chalicelib.directory import csv_input, org_import, staff_import
from chalicelib.directory import service as directory
from chalicelib.directory.csv_input import ImportRejected
from chalicelib.directory.org import OrgUnit, UnitKind
from chalicelib.directory.placement import Placement, jst_today

B, S, K = UnitKind.BUKYOKU, UnitKind.SHOZOKU, UnitKind.KAKARI
ORG_HEADER = "unit_id,name,name_en,kind,parent,short_name,sort_order\n"


@pytest.fixture
def tree(aws_mock: None) -> None:
    directory.save_units(
        [
            OrgUnit("somu", "総務部", "General Affairs", B, sort_order=10),
            OrgUnit("zaisei", "財政課", "Finance", S, "somu"),
            OrgUnit("jinji", "人事課", "Personnel", S, "somu"),
            OrgUnit("somu-somu", "総務課", "General Affairs Division", S, "somu"),
            OrgUnit("yosan", "予算係", "Budget", K, "zaisei"),
            OrgUnit("doboku", "土木部", "Public Works", B, sort_order=80),
            OrgUnit("doboku-somu", "総務課", "Administration", S, "doboku"),
            OrgUnit("doro", "道路課", "Roads", S, "doboku"),
            OrgUnit("shomu", "庶務係", "General", K, "doro"),
        ]
    )


def _rejected(text: str, parse: Callable[[str], object] = org_import.parse) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        parse(text)
    return rejected.value.problems


def test_a_tree_in_shift_jis_with_japanese_headers_and_parents_by_name(tree: None) -> None:
    text = (
        "組織ID,名称,英語名,種別,上位組織,略称,表示順\n"
        "kikaku,企画振興部,Planning,部局,,,30\n"
        "seisaku,政策企画課,Policy Planning,所属,企画振興部,政策,1\n"
        "kocho,広聴室,Public Hearing,所属,kikaku,,2\n"
        "chosei,調整班,Coordination,班,政策企画課,,\n"
    )
    units = org_import.parse(csv_input.decode(text.encode("cp932")))
    assert [(u.unit_id, u.kind, u.parent_id, u.short_name) for u in units] == [
        ("kikaku", B, None, "企画振興"),
        ("seisaku", S, "kikaku", "政策"),
        ("kocho", S, "kikaku", "広聴"),
        ("chosei", K, "seisaku", "調整班"),
    ]
    result = org_import.import_units(units)
    assert (result.created, result.updated) == (4, 0)
    assert directory.unit_path("chosei") == ("kikaku", "seisaku", "chosei")
    assert directory.get_unit("seisaku").short_name == "政策"


def test_every_problem_with_a_tree_is_named_by_row_and_column(tree: None) -> None:
    problems = _rejected(
        ORG_HEADER
        + "Bad Id!,名前,,部局,,,\n"
        + "a1,,,課,,,x\n"
        + "a2,二課,,所属,,,\n"
        + "a3,三課,,所属,nowhere,,\n"
        + "a4,四課,,所属,zaisei,,\n"
        + "a5,五部,,部局,somu,,\n"
        + "a6,六係,,係,総務課,,\n"
        + "a3,重複,,所属,somu,,\n"
    )
    assert problems == [
        "row 2: column unit_id: use 1-64 letters, digits, '.', '_' or '-'",
        "row 3: column name: enter a name of at most 64 characters",
        "row 3: column kind: '課' is not one of 部局, 所属, 係",
        "row 3: column sort_order: 'x' is not a whole number",
        "row 4: column parent: a 所属 needs its 部局",
        "row 5: column parent: no unit 'nowhere'",
        "row 6: column parent: a 所属 sits under a 部局; 'zaisei' is a 所属",
        "row 7: column parent: a 部局 has no parent",
        "row 8: column parent: '総務課' names more than one unit (doboku-somu, somu-somu): give its id",
        "row 9: column unit_id: a3 is already on row 5",
    ]


def test_a_circle_of_parents_is_found_across_the_file(tree: None) -> None:
    problems = _rejected(ORG_HEADER + "p,甲課,,所属,q,,\nq,乙課,,所属,p,,\n")
    assert "row 2: column parent: the parents go round in a circle: p → q → p" in problems
    assert "row 3: column parent: the parents go round in a circle: q → p → q" in problems


def test_a_unit_may_not_become_a_kind_its_children_cannot_sit_under(tree: None) -> None:
    problems = _rejected(ORG_HEADER + "zaisei,財政課,,部局,,,\n")
    assert problems == ["row 2: column kind: yosan (係) is under it in the directory and needs a 所属 above it"]


def test_people_follow_their_division_when_it_moves_to_another_department(tree: None) -> None:
    directory.save_staff(
        directory.Staff("z.one", "財政 一", "z.one@example.jp", "somu", Role.MEMBER, unit_id="zaisei", post=Post.HEAD)
    )
    result = org_import.import_units(org_import.parse(ORG_HEADER + "zaisei,財政課,Finance,所属,doboku,,\n"))
    assert (result.created, result.updated, result.staff_moved) == (0, 1, 1)
    moved = directory.find_staff("z.one")
    assert moved is not None and moved.department_id == "doboku"
    assert [s.staff_id for s in directory.staff_in_department("doboku")] == ["z.one"]
    assert [s.staff_id for s in directory.heads_of("zaisei")] == ["z.one"]


STAFF_HEADER = "職員ID,氏名,メールアドレス,部局,所属,係,役職,兼務,権限\n"


def test_staff_with_division_section_post_and_concurrent_posts(tree: None) -> None:
    (person,) = staff_import.parse(
        STAFF_HEADER
        + "sato.a,佐藤 葵,sato.a@example.jp,総務部,財政課,予算係,取りまとめ担当,人事課:所属長；道路課／庶務係,一般\n"
    )
    assert (person.department_id, person.unit_id, person.section_id, person.post) == (
        "somu",
        "zaisei",
        "yosan",
        Post.COORDINATOR,
    )
    assert person.concurrent == (Placement("jinji", None, Post.HEAD), Placement("doro", "shomu", Post.GENERAL))
    assert [a.path for a in person.principal().assignments] == [
        ("somu", "zaisei", "yosan"),
        ("somu", "jinji"),
        ("doboku", "doro", "shomu"),
    ]


def test_a_division_name_used_in_two_departments_is_read_in_the_department_given(tree: None) -> None:
    header = "staff_id,display_name,email,department,unit,concurrent,role\n"
    (person,) = staff_import.parse(header + "ito.b,伊藤 蓮,ito.b@example.jp,土木部,総務課,,member\n")
    assert person.unit_id == "doboku-somu"
    # A 兼務 named 総務課 is the one in the person's own 部局.
    (person,) = staff_import.parse(header + "ito.b,伊藤 蓮,ito.b@example.jp,土木部,道路課,総務課,member\n")
    assert person.concurrent == (Placement("doboku-somu"),)


def test_every_problem_with_places_is_named(tree: None) -> None:
    problems = _rejected(
        STAFF_HEADER
        + "a.one,一,a.one@example.jp,総務部,道路課,,,,一般\n"
        + "a.two,二,a.two@example.jp,,総務課,,,,一般\n"
        + "a.three,三,a.three@example.jp,総務部,財政課,庶務係,課長,,一般\n"
        + "a.four,四,a.four@example.jp,総務部,,予算係,,どこか;財政課,一般\n"
        + "a.five,五,a.five@example.jp,総務部,人事課,,,人事課,一般\n",
        staff_import.parse,
    )
    assert problems == [
        "row 2: column unit: no unit '道路課' in 総務部",
        "row 3: column unit: '総務課' names more than one unit (doboku-somu, somu-somu): give its id",
        "row 4: column section: no 係 '庶務係' in 財政課",
        "row 4: column post: '課長' is not one of 所属長, 取りまとめ担当, 一般",
        "row 5: column section: a 係 needs its 所属 in column unit",
        "row 5: column concurrent: no unit 'どこか'",
        "row 6: column concurrent: '人事課' is the main unit",
    ]


def _existing(tree: None) -> None:
    directory.save_staff(
        directory.Staff(
            "kato.m",
            "加藤 舞",
            "kato.m@example.jp",
            "somu",
            Role.MEMBER,
            unit_id="zaisei",
            section_id="yosan",
            post=Post.COORDINATOR,
            concurrent=(Placement("jinji"),),
        )
    )


def test_columns_a_file_leaves_out_keep_what_is_stored(tree: None) -> None:
    _existing(tree)
    (same,) = staff_import.parse(
        "staff_id,display_name,email,department,role\nkato.m,加藤 舞,kato.m@example.jp,somu,member\n"
    )
    assert (same.unit_id, same.section_id, same.post, same.concurrent) == (
        "zaisei",
        "yosan",
        Post.COORDINATOR,
        (Placement("jinji"),),
    )
    (moved,) = staff_import.parse(
        "staff_id,display_name,email,所属,role\nkato.m,加藤 舞,kato.m@example.jp,道路課,member\n"
    )
    assert (moved.department_id, moved.unit_id, moved.section_id, moved.post) == ("doboku", "doro", None, Post.GENERAL)


def test_with_an_effective_day_a_move_waits_for_it_and_newcomers_are_placed_at_once(tree: None) -> None:
    _existing(tree)
    april = jst_today() + timedelta(days=30)
    header = "staff_id,display_name,email,unit,post,role\n"
    people = staff_import.parse(
        header + "kato.m,加藤 舞,kato.m@example.jp,道路課,所属長,member\nnew.p,新人,new.p@example.jp,人事課,,member\n",
        effective=april,
    )
    kato, newcomer = people
    assert (kato.unit_id, kato.post) == ("zaisei", Post.COORDINATOR), "not before the day"
    assert [(t.effective, t.main) for t in kato.transfers] == [(april, Placement("doro", None, Post.HEAD))]
    assert kato.transfers[0].concurrent == (Placement("jinji"),), "兼務 not in the file: kept"
    assert (newcomer.department_id, newcomer.unit_id, newcomer.transfers) == ("somu", "jinji", ())
    directory.save_staff(kato)
    stored = directory.find_staff("kato.m")
    assert stored is not None and stored.unit_id == "zaisei" and stored.transfers == kato.transfers


def test_a_move_dated_today_or_before_counts_at_once(tree: None) -> None:
    _existing(tree)
    (kato,) = staff_import.parse(
        "staff_id,display_name,email,unit,role\nkato.m,加藤 舞,kato.m@example.jp,道路課,member\n",
        effective=date(2020, 4, 1),
    )
    directory.save_staff(kato)
    now = directory.find_staff("kato.m")
    assert now is not None and (now.department_id, now.unit_id, now.transfers) == ("doboku", "doro", ())
    assert now.principal().belongs_to("doro") and not now.principal().belongs_to("zaisei")
