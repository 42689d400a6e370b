"""Project cards as search documents: what a card is found by, who may find it (the board's own
access rule, against search's principals), what is not findable, and which events refresh which
cards, read from the stored state."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.auth import Assignment, Post, Principal, Role
from chalicelib.core.project_events import PROJECT_SEARCH_CHANGES, CardChanged, MemberJoined, ProjectChanged
from chalicelib.projects import access, indexing
from chalicelib.projects.markdown import plain_text
from chalicelib.projects.model import (
    Activity,
    BoardRef,
    Card,
    CardList,
    ChecklistItem,
    Label,
    Member,
    MemberRole,
    Project,
    Visibility,
)
from chalicelib.search import records
from chalicelib.search.documents import principals_of
from chalicelib.search.records import Gone, Record

AT = datetime(2026, 5, 11, 0, 30, tzinfo=UTC)
PROJECT = Project(
    project_id="prj_1",
    name="窓口手続のオンライン化",
    description="",
    owner_unit_id="somuka",
    owner_department_id="somu",
    owner_id="yamada.k",
    owner_name="山田 健一",
    visibility=Visibility.MEMBERS,
    boards=(BoardRef("brd_1", "かんばん"),),
    labels=(Label("lbl_1", "要決裁", "red"), Label("lbl_2", "予算", "green")),
    archived=False,
    created_at=AT.isoformat(),
    updated_at=AT,
    revision=3,
)
LISTS = {
    "L_1": CardList("brd_1", "L_1", "検討中", "a1", 0, False, 1),
    "L_2": CardList("brd_1", "L_2", "保留", "a2", 0, True, 2),
    "L_3": CardList("brd_1", "L_3", "完了", "a3", 0, False, 1),
}


def member(staff_id: str, name: str, *, role: MemberRole = MemberRole.MEMBER, left: bool = False) -> Member:
    return Member(
        "prj_1", staff_id, name, "x", role, 0, None, None, AT, AT + timedelta(days=1) if left else None, False
    )


MEMBERS = (
    member("yamada.k", "山田 健一", role=MemberRole.OWNER),
    member("fujita.e", "藤田 恵美"),
    member("kondo.m", "近藤 美穂", left=True),
)
CARD = Card(
    board_id="brd_1",
    card_id="C_1",
    project_id="prj_1",
    list_id="L_1",
    rank="a1",
    title="申請書様式の棚卸し",
    description="## 目的\n\n**電子申請**に載せる様式を[一覧表](https://example.jp/list)で洗い出す。\n\n- 押印欄の要否",
    assignees=("fujita.e", "kondo.m"),
    due="2026-06-01",
    labels=("lbl_1", "lbl_gone"),
    checklist=(ChecklistItem("chk_1", "所管課へ照会する", False, None),),
    attachments=(),
    watchers=(),
    comments=1,
    archived=False,
    created_by="yamada.k",
    created_at=AT,
    updated_at=AT,
    version=4,
)


def comment(n: int, text: str, at: datetime = AT) -> Activity:
    return Activity("prj_1", f"{at:%Y%m%dT%H%M%S}{n:06d}Z-abc", "brd_1", "C_1", "commented", "x", "x", "", text, (), at)


def setting(project: Project = PROJECT, members: tuple[Member, ...] = MEMBERS) -> indexing.Setting:
    return indexing.Setting(project, members, LISTS)


def test_a_card_is_found_by_its_words_as_a_reader_sees_them() -> None:
    said = comment(1, "来週の会議で **様式番号** を確認します @fujita.e", AT + timedelta(hours=2))
    record = indexing.card_record(CARD, setting(), [said], version=7)
    assert isinstance(record, Record)
    assert (record.kind, record.doc_id, record.title) == ("card", "card:brd_1:C_1", "申請書様式の棚卸し")
    for words in (
        "目的",
        "電子申請に載せる様式を一覧表",  # the description's words without their Markdown
        "https://example.jp/list",
        "押印欄の要否",
        "所管課へ照会する",  # the checklist
        "要決裁",  # a label's name (a label the project no longer has is left out)
        "藤田 恵美 近藤 美穂",  # the assignees by name, one who left the project too
        "窓口手続のオンライン化",  # the project
        "来週の会議で 様式番号 を確認します",  # a comment
    ):
        assert words in record.text, words
    assert "**" not in record.text and "##" not in record.text and "](" not in record.text
    assert "lbl_gone" not in record.text and "予算" not in record.text
    assert record.link == "/projects/prj_1/boards/brd_1?card=C_1"
    assert record.path == "窓口手続のオンライン化"
    assert (record.unit_id, record.department_id, record.owner_id) == ("somuka", "somu", "")
    assert record.updated_at == AT + timedelta(hours=2), "a comment counts as a change of the card"
    assert record.version == 7
    document = records.document(record)  # search accepts it
    assert document["kind"] == "card" and document["path"] == record.path


def test_a_card_is_found_by_its_newest_comments_only_each_bounded() -> None:
    many = [comment(n, f"コメント{n:02d}番 " + "あ" * 2000) for n in range(30, 0, -1)]  # newest first
    text = indexing.card_record(CARD, setting(), many, version=1).text  # type: ignore[union-attr]
    assert "コメント30番" in text and "コメント11番" in text
    assert "コメント10番" not in text, f"at most {indexing.COMMENTS_MAX} comments"
    assert max(len(line) for line in text.split("\n")) <= indexing.COMMENT_CHARS_MAX


def test_a_board_with_several_boards_names_the_board_in_the_place() -> None:
    two = replace(PROJECT, boards=(BoardRef("brd_1", "広報"), BoardRef("brd_2", "実務")))
    record = indexing.card_record(CARD, setting(two), [], version=1)
    assert isinstance(record, Record) and record.path == "窓口手続のオンライン化 › 広報"


def test_a_move_between_open_lists_changes_nothing_a_card_is_found_by() -> None:
    """Moves are not announced to the index (projects/moves.py): the document must not depend on them."""
    moved = replace(CARD, list_id="L_3", rank="zz")
    assert indexing.card_record(moved, setting(), [], version=1) == indexing.card_record(CARD, setting(), [], version=1)
    assert "検討中" not in indexing.card_text(CARD, setting(), [])


@pytest.mark.parametrize(
    ("card", "why"),
    [
        (replace(CARD, archived=True), "an archived card"),
        (replace(CARD, list_id="L_2"), "a card of an archived list"),
        (replace(CARD, list_id="L_missing"), "a card whose list is gone"),
        (replace(CARD, board_id="brd_other"), "a card of a board the project does not have"),
        (replace(CARD, project_id="prj_other"), "a card of another project"),
    ],
)
def test_what_is_not_on_the_board_is_not_findable(card: Card, why: str) -> None:
    assert indexing.card_record(card, setting(), [], version=9) == Gone(f"card:{card.board_id}:C_1", 9), why


def test_no_card_of_an_archived_project_is_findable() -> None:
    """An archived project is kept for reference on its own pages; search no longer offers its cards
    (archiving publishes ProjectChanged, which refreshes every card of the project)."""
    archived = replace(PROJECT, archived=True)
    assert indexing.card_record(CARD, setting(archived), [], version=9) == Gone("card:brd_1:C_1", 9)
    assert isinstance(indexing.card_record(CARD, setting(), [], version=9), Record)


def _person(staff_id: str, *assignments: Assignment, role: Role = Role.MEMBER) -> Principal:
    return Principal(staff_id, staff_id, f"{staff_id}@x.jp", assignments[0].path[0], role, assignments)


PEOPLE = [
    _person("yamada.k", Assignment(("somu", "somuka"), Post.COORDINATOR)),  # owner
    _person("fujita.e", Assignment(("doboku", "doro"), Post.COORDINATOR)),  # member from another 部局
    _person("kondo.m", Assignment(("somu", "jinji"))),  # left the project
    _person("ohashi.t", Assignment(("somu", "somuka"), Post.HEAD)),  # 所属長 of the owning 所属
    _person("kenmu.h", Assignment(("kikaku", "seisaku")), Assignment(("somu", "somuka"), Post.HEAD)),  # head by 兼務
    _person("ippan.s", Assignment(("somu", "somuka"))),  # in the owning 所属, not a member
    _person("nishida.k", Assignment(("somu", "zaisei"), Post.HEAD)),  # head of another 所属
    _person("somu.admin", Assignment(("somu", "somuka")), role=Role.DEPARTMENT_ADMIN),
    _person("admin", Assignment(("digital", "joho")), role=Role.SYSTEM_ADMIN),
]


@pytest.mark.parametrize("visibility", list(Visibility))
@pytest.mark.parametrize("person", PEOPLE, ids=lambda p: p.staff_id)
def test_who_finds_a_card_is_who_the_board_admits(person: Principal, visibility: Visibility) -> None:
    """access.standing's rule (a member, a manager, or anyone on a 庁内公開 project), against
    search's principals_of."""
    project = replace(PROJECT, visibility=visibility)
    record = indexing.card_record(CARD, setting(project), [], version=1)
    assert isinstance(record, Record)
    mine = next((m for m in MEMBERS if m.staff_id == person.staff_id and m.active), None)
    sees = mine is not None or access.manages(person, project, mine) or visibility is Visibility.STAFF
    assert bool(set(principals_of(person)) & set(record.principals)) == sees
    expected = {"yamada.k", "fujita.e", "ohashi.t", "kenmu.h"}  # spelled out for the members-only project
    assert sees == (visibility is Visibility.STAFF or person.staff_id in expected)


def test_a_card_of_a_public_project_is_for_all_staff_and_never_without_principals() -> None:
    public = indexing.card_principals(replace(PROJECT, visibility=Visibility.STAFF), MEMBERS)
    assert public[0] == "all" and "staff:kondo.m" not in public
    lonely = indexing.card_principals(PROJECT, ())
    assert lonely == ("head:somuka",), "the 所属長 still manages a project nobody is a member of"


def test_only_a_head_holds_the_head_principal_of_their_unit() -> None:
    held = {p.staff_id: {x for x in principals_of(p) if x.startswith("head:")} for p in PEOPLE}
    assert held["ohashi.t"] == {"head:somuka"} and held["kenmu.h"] == {"head:somuka"}
    assert held["nishida.k"] == {"head:zaisei"}
    assert held["yamada.k"] == held["ippan.s"] == held["somu.admin"] == held["admin"] == set()


def test_plain_text_keeps_the_words_and_drops_the_markup() -> None:
    markdown = "# 手順\n\n1. `申請番号` を*確認*\n2. <b>太字</b>\n\n```\n設定値 = 3\n```\n\n"
    text = plain_text(markdown + "| 項目 | 値 |\n|---|---|\n| 件数 | 12 |")
    assert text.split("\n") == ["手順", "申請番号 を確認", "<b>太字</b>", "設定値 = 3", "項目", "値", "件数", "12"]
    assert plain_text("  \n") == ""


# --- reading the current state (in-process moto) ---------------------------------------------


def _store(cards: int = 1, *, comments: int = 0, visibility: str = "members") -> None:
    from chalicelib.projects import storage
    from chalicelib.projects.storage import ActivityRecord, ItemRecord, MemberRecord, ProjectRecord

    storage.bind()
    ProjectRecord(
        "prj_1",
        name=PROJECT.name,
        owner_unit_id="somuka",
        owner_department_id="somu",
        owner_id="yamada.k",
        visibility=visibility,
        boards_json=json.dumps([{"id": "brd_1", "name": "かんばん"}]),
        labels_json=json.dumps([{"id": "lbl_1", "name": "要決裁", "color": "red"}]),
        created_at=AT.isoformat(),
        updated_at=AT,
    ).save()
    for m in MEMBERS:
        MemberRecord(
            "prj_1", m.staff_id, display_name=m.display_name, role=m.role.value, joined_at=AT, left_at=m.left_at
        ).save()
    for list_id, x in LISTS.items():
        ItemRecord(
            "brd_1", list_id, project_id="prj_1", kind="list", rank=x.rank, title=x.title, archived=x.archived,
            created_at=AT, updated_at=AT,
        ).save()  # fmt: skip
    for n in range(cards):
        ItemRecord(
            "brd_1", f"C_{n}", project_id="prj_1", kind="card", list_id="L_1" if n % 5 else "L_2", rank=f"a{n}",
            title=f"カード{n}", description=f"説明{n}", assignees=["fujita.e"], labels=["lbl_1"],
            created_at=AT, updated_at=AT,
        ).save()  # fmt: skip
    old = datetime.now(UTC) - timedelta(days=2)
    for n in range(comments):
        at = datetime.now(UTC) if n == comments - 1 else old + timedelta(minutes=n)
        ActivityRecord(
            "prj_1", f"{at:%Y%m%dT%H%M%S%f}Z-{n:06d}", board_id="brd_1", card_id="C_1", action="commented",
            text=f"コメント{n}", at=at,
        ).save()  # fmt: skip


@pytest.fixture
def written(aws_mock: None, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What indexing hands to search (the search server is not needed to see it)."""
    out: list[Any] = []
    monkeypatch.setattr(records, "index_record", lambda r: out.append(r) or records.INDEXED)
    monkeypatch.setattr(records, "remove_record", lambda d, v=None: out.append(Gone(d, v)) or records.REMOVED)
    return out


def test_a_card_event_refreshes_that_card_from_the_stored_state(written: list[Any]) -> None:
    _store(cards=3, comments=indexing.COMMENTS_MAX + 5)
    changed = CardChanged(project_id="prj_1", board_id="brd_1", card_id="C_1", change="commented")
    assert indexing.handle(changed.event().as_delivered()) == {"indexed": 1}
    (record,) = written
    assert isinstance(record, Record) and record.title == "カード1" and "説明1" in record.text
    assert f"コメント{indexing.COMMENTS_MAX + 4}" in record.text, "the newest comment, read from the table itself"
    assert "コメント0\n" not in record.text + "\n" and "コメント4\n" not in record.text + "\n", "only the newest"
    assert set(record.principals) == {"head:somuka", "staff:yamada.k", "staff:fujita.e"}
    before = record.version
    indexing.handle(changed.event().as_delivered())
    assert written[-1].version > before, "a later read always carries a larger version"

    gone = CardChanged(project_id="prj_1", board_id="brd_1", card_id="C_0", change="archived")
    indexing.handle(gone.event().as_delivered())  # C_0 is in the archived list
    missing = CardChanged(project_id="prj_1", board_id="brd_1", card_id="C_nope", change="changed")
    indexing.handle(missing.event().as_delivered())
    assert [type(x) for x in written[-2:]] == [Gone, Gone]
    assert [x.doc_id for x in written[-2:]] == ["card:brd_1:C_0", "card:brd_1:C_nope"]


def test_a_project_event_refreshes_its_cards_or_one_lists(written: list[Any]) -> None:
    _store(cards=6, visibility="staff")
    event = ProjectChanged(project_id="prj_1", change="settings").event().as_delivered()
    assert indexing.handle(event) == {"indexed": 4, "removed": 2}, "C_0 and C_5 are in the archived list"
    assert all(r.principals[0] == "all" for r in written if isinstance(r, Record))
    written.clear()
    scoped = ProjectChanged(project_id="prj_1", change="list", board_id="brd_1", list_id="L_2")
    assert indexing.handle(scoped.event().as_delivered()) == {"removed": 2}
    missing = ProjectChanged(project_id="prj_nope", change="members").event().as_delivered()
    assert indexing.handle(missing) == {"ignored": 1}
    joined = MemberJoined(project_id="prj_1", project_name="x", staff_id="x", added_by="x", added_by_name="x")
    assert indexing.handle(joined.event().as_delivered()) == {"ignored": 1}, "the same join also says ProjectChanged"


def test_a_project_with_many_cards_is_fanned_out_one_message_per_card(
    written: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.search import indexer

    sent: list[Any] = []
    monkeypatch.setattr(indexer, "enqueue", lambda details: sent.extend(details) or len(details))
    _store(cards=indexing.FAN_OUT_ABOVE + 1)
    event = ProjectChanged(project_id="prj_1", change="members").event().as_delivered()
    assert indexing.handle(event) == {"fanned_out": indexing.FAN_OUT_ABOVE + 1}
    assert written == [], "nothing refreshed in this message"
    assert {(d.board_id, d.card_id) for d in sent} == {("brd_1", f"C_{n}") for n in range(indexing.FAN_OUT_ABOVE + 1)}
    assert all(isinstance(d, CardChanged) for d in sent)


def test_the_fan_out_lands_on_the_index_queue_as_the_bus_would_deliver(aws_mock: None) -> None:
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from chalicelib.search import indexer

    details = [CardChanged(project_id="prj_1", board_id="brd_1", card_id=f"C_{n}", change="x") for n in range(12)]
    assert indexer.enqueue(details) == 12
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=settings().queue_name("index"))["QueueUrl"]
    got = []
    while len(got) < 12:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages") or []
        assert batch
        bodies = [json.loads(m["Body"]) for m in batch]  # S3's own test notification is there too
        got += [CardChanged.parse(b).card_id for b in bodies if CardChanged.matches(b)]
    assert sorted(got) == sorted(d.card_id for d in details)


def test_the_reindex_source_gives_every_card_or_those_of_projects_changed_since(aws_mock: None) -> None:
    _store(cards=3, comments=2)
    everything = list(indexing.changes(None))
    assert sorted(c.doc_id for c in everything if isinstance(c, Record)) == ["card:brd_1:C_1", "card:brd_1:C_2"]
    assert Gone("card:brd_1:C_0", everything[0].version) in everything
    assert [c.doc_id for c in indexing.changes(datetime.now(UTC) - timedelta(minutes=1))] == [
        c.doc_id for c in everything
    ], "a comment a moment ago: the project's cards are caught up"
    assert list(indexing.changes(datetime.now(UTC) + timedelta(minutes=1))) == []


def test_the_project_index_rule_routes_exactly_the_events_indexing_handles() -> None:
    from chalicelib.core.bus_rules import BUS_RULES

    rule = next(r for r in BUS_RULES if r.key == "index-project-changes")
    assert rule.target_queue == "index"
    assert set(rule.pattern["detail-type"]) == {d.EVENT.name for d in PROJECT_SEARCH_CHANGES}
    assert rule.pattern["source"] == ["kumo.projects"]


def test_registering_puts_cards_in_kumo_reindex() -> None:
    indexing.register()
    assert records.sources()[indexing.SOURCE] is indexing.changes
