"""Surveys and answers as search documents: the text of every question type, who may find each
(per state), and which events refresh which document."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.auth import Assignment, Principal, Role
from chalicelib.search import records
from chalicelib.search.documents import principals_of
from chalicelib.search.records import Gone, Record
from chalicelib.surveys import indexing
from chalicelib.surveys.form import OTHER, Column, ColumnType, Form, Question, QuestionType
from chalicelib.surveys.model import Answer, Survey
from chalicelib.surveys.states import AnswerState, SurveyState

ISSUED = datetime(2026, 4, 10, 1, 0, tzinfo=UTC)
T = QuestionType
FORM = Form(
    (
        Question("s1", T.SECTION, "第1 基本情報"),
        Question("q_name", T.SHORT_TEXT, "施設の名称", help="正式名称で記入"),
        Question("q_note", T.LONG_TEXT, "取組の概要"),
        Question("q_cars", T.NUMBER, "公用車の台数", unit="台"),
        Question("q_date", T.DATE, "導入日"),
        Question("q_fuel", T.SINGLE_CHOICE, "主な燃料", choices=("ガソリン", "電気"), allow_other=True),
        Question("q_use", T.MULTI_CHOICE, "主な用途", choices=("出張", "災害対応", "送迎"), allow_other=True),
        Question("q_ev", T.YES_NO, "充電設備の有無"),
        Question("q_file", T.FILE, "参考資料"),
        Question(
            "q_table",
            T.TABLE,
            "車両一覧",
            columns=(
                Column("c_type", "車種"),
                Column("c_count", "台数", ColumnType.NUMBER, unit="台"),
                Column("c_kind", "区分", ColumnType.CHOICE, choices=("所有", "リース")),
            ),
        ),
    )
)
VALUES: dict[str, Any] = {
    "q_name": "県庁本館",
    "q_note": "電気自動車への\n切り替えを進めている。",
    "q_cars": "12",
    "q_date": "2026-04-01",
    "q_fuel": {"choice": OTHER, "other": "水素"},
    "q_use": {"choices": ["出張", "災害対応"], "other": ""},
    "q_ev": "yes",
    "q_file": [{"file_id": "fi_1", "name": "車両台帳.xlsx"}],
    "q_table": [
        {"c_type": "軽自動車", "c_count": "3", "c_kind": "リース"},
        {"c_type": "ワゴン", "c_count": "", "c_kind": "所有"},
    ],
}


def survey(state: SurveyState = SurveyState.OPEN, **changes: Any) -> Survey:
    base = Survey(
        survey_id="sv_1",
        number="総企第12号" if state in indexing.PUBLISHED else None,
        title="公用車の利用状況調査",
        issuer_unit_id="somu-kikaku",
        issuer_department_id="somu",
        contact_staff_id="yamada.k",
        contact_name="山田",
        contact_details="内線 1234",
        instructions="各課の公用車について回答してください。",
        deadline=ISSUED + timedelta(days=14),
        form=FORM,
        targets=("kenko-hoken", "doboku-doro"),
        attachments=(),
        state=state,
        issue_at=None,
        remind_days_before=2,
        copied_from=None,
        template_file_id=None,
        layout_json=None,
        created_by="yamada.k",
        created_at="2026-04-01T00:00:00+00:00",
        issued_at=ISSUED if state in indexing.PUBLISHED else None,
        closed_at=ISSUED + timedelta(days=20) if state is SurveyState.CLOSED else None,
        revision=2,
    )
    return replace(base, **changes)


def answer(state: AnswerState = AnswerState.SUBMITTED, unit_id: str = "kenko-hoken", **changes: Any) -> Answer:
    base = Answer(
        survey_id="sv_1",
        unit_id=unit_id,
        department_id="kenko",
        state=state,
        values=VALUES,
        previous=None,
        changed=(),
        revision=7,
        updated_by="kondo.m",
        updated_by_name="近藤",
        updated_at=ISSUED + timedelta(days=3),
        submitted_at=ISSUED + timedelta(days=3),
        approver_id="head.k",
        approved_at=ISSUED + timedelta(days=4)
        if state in (AnswerState.SUBMITTED, AnswerState.NOT_APPLICABLE)
        else None,
        approved_by_name="課長",
        late=False,
        return_comment=None,
        reopen_allowed=False,
        deadline=ISSUED + timedelta(days=14),
    )
    return replace(base, **changes)


def test_every_question_type_flattens_to_lines_labelled_by_their_question() -> None:
    lines = indexing.answer_text(FORM, VALUES).split("\n")
    assert lines == [
        "施設の名称: 県庁本館",
        "取組の概要: 電気自動車への",
        "切り替えを進めている。",
        "公用車の台数: 12 台",
        "導入日: 2026-04-01",
        "主な燃料: その他: 水素",
        "主な用途: 出張",
        "主な用途: 災害対応",
        "充電設備の有無: はい",
        "参考資料: 車両台帳.xlsx",
        "車両一覧: 車種 軽自動車、台数 3 台、区分 リース",
        "車両一覧: 車種 ワゴン、区分 所有",
    ]
    assert OTHER not in indexing.answer_text(FORM, VALUES), "the 「その他」 marker is not a word"


def test_unanswered_and_oddly_shaped_values_lose_nothing_and_invent_nothing() -> None:
    assert indexing.answer_text(FORM, {}) == ""
    odd = {"q_fuel": "電気", "q_use": {"choices": "出張"}, "q_table": {"c_type": "バス"}, "q_ev": True, "q_cars": 5}
    text = indexing.answer_text(FORM, odd)
    assert "主な燃料: 電気" in text and "主な用途: 出張" in text and "車両一覧: バス" in text
    assert "公用車の台数: 5 台" in text and "充電設備" not in text, "a bare boolean is no word"
    assert indexing.answer_text(FORM, {"q_fuel": {"choice": "ガソリン", "other": ""}}) == "主な燃料: ガソリン"
    assert indexing.answer_text(FORM, {"q_ev": "no"}) == "充電設備の有無: いいえ"


def test_a_survey_is_found_by_its_number_instructions_and_questions() -> None:
    record = indexing.survey_record(survey())
    assert record.title == "公用車の利用状況調査" and record.number == "総企第12号"
    for words in ("総企第12号", "各課の公用車", "施設の名称", "正式名称", "災害対応", "車種", "第1 基本情報"):
        assert words in record.text, words
    assert "県庁本館" not in record.text, "no answer is in the survey's own document"
    assert (record.kind, record.doc_id, record.link) == ("survey", "survey:sv_1", "/surveys/sv_1")
    assert (record.unit_id, record.department_id, record.owner_id) == ("somu-kikaku", "somu", "yamada.k")
    records.document(record)  # search accepts it


@pytest.mark.parametrize(
    ("state", "who"),
    [
        (SurveyState.DRAFT, {"somu-kikaku"}),
        (SurveyState.SCHEDULED, {"somu-kikaku"}),
        (SurveyState.OPEN, {"somu-kikaku", "kenko-hoken", "doboku-doro"}),
        (SurveyState.CLOSED, {"somu-kikaku", "kenko-hoken", "doboku-doro"}),
    ],
)
def test_a_survey_is_visible_to_its_issuer_and_once_issued_to_its_targets(state: SurveyState, who: set[str]) -> None:
    record = indexing.survey_record(survey(state))
    assert set(record.principals) == {f"dept:{u}" for u in who}


PEOPLE = [
    Principal("kikaku", "企画課員", "a@x.jp", "somu", Role.MEMBER, (Assignment(("somu", "somu-kikaku")),)),
    Principal("hoken", "保健課員", "b@x.jp", "kenko", Role.MEMBER, (Assignment(("kenko", "kenko-hoken", "k1")),)),
    Principal("doro", "道路課員", "c@x.jp", "doboku", Role.DEPARTMENT_ADMIN, (Assignment(("doboku", "doboku-doro")),)),
    Principal("somu", "総務部付", "d@x.jp", "somu", Role.MEMBER, (Assignment(("somu",)),)),
    Principal("zaisei", "財政課員", "e@x.jp", "somu", Role.DEPARTMENT_ADMIN, (Assignment(("somu", "somu-zaisei")),)),
    Principal(
        "kenmu",
        "兼務者",
        "f@x.jp",
        "kyoiku",
        Role.MEMBER,
        (
            Assignment(("kyoiku", "kyoiku-somu")),
            Assignment(("kenko", "kenko-hoken")),
        ),
    ),
    Principal("admin", "管理者", "g@x.jp", "joho", Role.SYSTEM_ADMIN, (Assignment(("joho", "joho-system")),)),
]


@pytest.mark.parametrize("person", PEOPLE, ids=lambda p: p.staff_id)
@pytest.mark.parametrize("state", list(SurveyState))
def test_who_finds_a_survey_and_an_answer_is_who_the_survey_pages_admit(person: Principal, state: SurveyState) -> None:
    """The rules of surveys/access.py (standing, for_unit), against search's principals_of."""
    held = set(principals_of(person))
    s = survey(state)
    published = state in indexing.PUBLISHED
    sees_survey = person.belongs_to(s.issuer_unit_id) or (published and any(person.belongs_to(t) for t in s.targets))
    assert bool(held & set(indexing.survey_record(s).principals)) == sees_survey
    if published:
        record = indexing.answer_record(s, answer())
        assert isinstance(record, Record)
        sees_answer = person.belongs_to(s.issuer_unit_id) or person.belongs_to("kenko-hoken")
        assert bool(held & set(record.principals)) == sees_answer
    expected = {
        "kikaku": True, "hoken": published, "doro": published, "somu": False, "zaisei": False, "kenmu": published,
        "admin": False,
    }  # fmt: skip
    # Spelled out: a unit's members, not those of the 部局 above it nor of a sibling 所属, nor admins.
    assert sees_survey == expected[person.staff_id]


def test_an_issuer_that_is_also_a_target_is_listed_once() -> None:
    record = indexing.survey_record(survey(targets=("somu-kikaku", "kenko-hoken")))
    assert record.principals == ("dept:somu-kikaku", "dept:kenko-hoken")


@pytest.mark.parametrize("state", [AnswerState.SUBMITTED, AnswerState.NOT_APPLICABLE])
def test_an_answer_that_reached_the_issuer_is_visible_to_it_and_the_answering_unit_only(state: AnswerState) -> None:
    record = indexing.answer_record(survey(), answer(state))
    assert isinstance(record, Record)
    assert set(record.principals) == {"dept:somu-kikaku", "dept:kenko-hoken"}, "never another target (doboku-doro)"
    assert (record.doc_id, record.link) == ("answer:sv_1:kenko-hoken", "/surveys/sv_1/answers/kenko-hoken")
    assert (record.version, record.unit_id, record.department_id) == (7, "kenko-hoken", "kenko")
    assert record.title == "公用車の利用状況調査" and record.number == "総企第12号"
    assert "公用車の台数: 12 台" in record.text
    assert ("該当なし" in record.text) == (state is AnswerState.NOT_APPLICABLE)
    records.document(record)


@pytest.mark.parametrize(
    "state",
    [AnswerState.NOT_STARTED, AnswerState.DRAFT, AnswerState.PENDING_APPROVAL, AnswerState.RETURNED],
)
def test_an_answer_the_issuer_does_not_have_is_not_findable(state: AnswerState) -> None:
    assert indexing.answer_record(survey(), answer(state)) == Gone("answer:sv_1:kenko-hoken", 7)


def test_an_outside_organisations_answer_is_found_and_shown_by_its_name() -> None:
    outside = answer(unit_id="ext:org_0123456789abcdef", department_id="external", respondent_name="北見市 企画課")
    record = indexing.answer_record(survey(), outside)
    assert isinstance(record, Record)
    assert record.title == "公用車の利用状況調査（北見市 企画課）" and "北見市 企画課" in record.text
    assert (record.unit_id, record.department_id) == ("", ""), "no 所属 or 部局 of the directory stands for it"
    assert "dept:somu-kikaku" in record.principals and "dept:kenko-hoken" not in record.principals
    assert record.link == "/surveys/sv_1/answers/ext:org_0123456789abcdef"


def test_answers_stay_findable_when_the_survey_closes() -> None:
    assert isinstance(indexing.answer_record(survey(SurveyState.CLOSED), answer()), Record)


def test_versions_grow_through_a_surveys_life() -> None:
    life = [
        survey(SurveyState.DRAFT, revision=0),
        survey(SurveyState.DRAFT, revision=1),
        survey(SurveyState.SCHEDULED, revision=1),
        survey(SurveyState.OPEN, revision=1),
        survey(SurveyState.CLOSED, revision=1),
    ]
    versions = [indexing.survey_version(s) for s in life]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


# --- reading the current state (in-process moto) ---------------------------------------------


def _store(s: Survey, *answers: Answer) -> None:
    import json

    from chalicelib.surveys import storage
    from chalicelib.surveys.form import form_json
    from chalicelib.surveys.storage import AnswerRecord, SurveyRecord

    storage.bind()
    SurveyRecord(
        s.survey_id,
        number=s.number,
        title=s.title,
        issuer_unit_id=s.issuer_unit_id,
        issuer_department_id=s.issuer_department_id,
        contact_staff_id=s.contact_staff_id,
        contact_name=s.contact_name,
        instructions=s.instructions,
        deadline=s.deadline,
        form_json=json.dumps(form_json(s.form), ensure_ascii=False),
        targets=list(s.targets),
        state=s.state.value,
        created_by=s.created_by,
        created_at=s.created_at,
        updated_at=ISSUED,
        issued_at=s.issued_at,
        revision=s.revision,
    ).save()
    for a in answers:
        AnswerRecord(
            a.survey_id,
            a.unit_id,
            department_id=a.department_id,
            state=a.state.value,
            values_json=json.dumps(a.values, ensure_ascii=False),
            revision=a.revision,
            updated_at=a.updated_at,
            approved_at=a.approved_at,
            deadline=a.deadline,
        ).save()


@pytest.fixture
def written(aws_mock: None, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What indexing hands to search (the search server is not needed to see it)."""
    out: list[Any] = []
    monkeypatch.setattr(records, "index_record", lambda r: out.append(r) or records.INDEXED)
    monkeypatch.setattr(records, "remove_record", lambda d, v=None: out.append(Gone(d, v)) or records.REMOVED)
    return out


def test_each_survey_event_refreshes_the_document_it_names_from_the_stored_state(written: list[Any]) -> None:
    from chalicelib.core import event_catalogue as ev

    _store(survey(), answer(), answer(AnswerState.DRAFT, unit_id="doboku-doro", revision=2))
    common = {"survey_id": "sv_1", "number": "総企第12号", "title": "古い題名"}
    events = [
        ev.SurveyIssued(**common, issuer_unit_id="somu-kikaku", target_unit_ids=["kenko-hoken"], deadline="x"),
        ev.AnswerApproved(
            **common,
            unit_id="kenko-hoken",
            issuer_unit_id="somu-kikaku",
            contact_staff_id="yamada.k",
            late=False,
            not_applicable=False,
            approved_by_name="課長",
        ),
        ev.AnswerReturned(
            **common, unit_id="doboku-doro", comment="c", returned_by="x", returned_by_name="x", by_issuer=True
        ),
        ev.SurveyDraftSaved(survey_id="sv_gone", title="t", issuer_unit_id="somu-kikaku", saved_by="x"),
    ]
    for event in events:
        assert indexing.handle(event.event().as_delivered()) in ({"indexed": 1}, {"removed": 1})
    issued, approved, returned, missing = written
    assert isinstance(issued, Record) and issued.title == "公用車の利用状況調査", "the stored title, not the event's"
    assert set(issued.principals) == {"dept:somu-kikaku", "dept:kenko-hoken", "dept:doboku-doro"}
    assert isinstance(approved, Record) and "県庁本館" in approved.text
    assert returned == Gone("answer:sv_1:doboku-doro", 2), "the draft behind a return is not findable"
    assert missing == Gone("survey:sv_gone", None)
    assert indexing.handle(
        ev.SurveyReminder(**common, unit_id="u", step="before", deadline="x").event().as_delivered()
    ) == {"ignored": 1}


def test_the_reindex_source_gives_every_survey_and_answer_or_those_changed_since(aws_mock: None) -> None:
    _store(
        survey(),
        answer(),
        answer(AnswerState.DRAFT, unit_id="doboku-doro", revision=2, updated_at=ISSUED + timedelta(days=9)),
    )
    everything = list(indexing.changes(None))
    assert sorted(c.doc_id for c in everything if isinstance(c, Record)) == ["answer:sv_1:kenko-hoken", "survey:sv_1"]
    assert Gone("answer:sv_1:doboku-doro", 2) in everything
    since = list(indexing.changes(ISSUED + timedelta(days=5)))
    assert since == [Gone("answer:sv_1:doboku-doro", 2)], "only what changed after the moment"
    assert list(indexing.changes(ISSUED + timedelta(days=30))) == []


def test_the_survey_index_rule_routes_exactly_the_events_indexing_handles() -> None:
    from chalicelib.core.bus_rules import BUS_RULES
    from chalicelib.core.event_catalogue import SURVEY_SEARCH_CHANGES

    rule = next(r for r in BUS_RULES if r.key == "index-survey-changes")
    assert rule.target_queue == "index"
    assert set(rule.pattern["detail-type"]) == {d.EVENT.name for d in SURVEY_SEARCH_CHANGES}
    assert "AnswerSubmitted" not in rule.pattern["detail-type"], "awaiting approval: not the issuer's yet"


def test_registering_puts_surveys_in_kumo_reindex() -> None:
    indexing.register()
    assert records.sources()[indexing.SOURCE] is indexing.changes
