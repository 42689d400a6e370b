"""Demo surveys for the local stack, so the 照会 pages have a board with something on it.

One open 照会 from 総務課 to six 所属 and two municipalities outside the prefecture's offices, with a
repeating table, in most states a board shows (an approved answer, one awaiting its 所属長, a
該当なし, a draft, and ones not started). The municipalities' invitations are in `kumo outbox`:
their link opens the respondent's page (/r/) as the municipality's contact would see it. Written
through the same service calls a browser makes, so numbers, events and notices are the real
ones. The texts are our own.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.core.auth import Principal
from chalicelib.directory import service as directory
from chalicelib.surveys import answering, issuing
from chalicelib.surveys.form import Column, ColumnType, Condition, Form, Question, QuestionType
from chalicelib.surveys.model import now
from chalicelib.surveys.numbers import JST
from chalicelib.surveys.outside import ExternalTarget

TELEWORK_FORM = Form(
    (
        Question("q_staff", QuestionType.NUMBER, "所属の職員数", unit="人", required=True, minimum="0"),
        Question("q_uses", QuestionType.YES_NO, "今年度、テレワークを実施しましたか", required=True),
        Question(
            "q_days",
            QuestionType.NUMBER,
            "実施した延べ日数",
            unit="日",
            minimum="0",
            required=True,
            condition=Condition("q_uses", ("yes",)),
        ),
        Question(
            "q_tools",
            QuestionType.MULTI_CHOICE,
            "利用した仕組み",
            choices=("庁内VDI", "Web会議", "チャット", "クラウドストレージ"),
            allow_other=True,
            condition=Condition("q_uses", ("yes",)),
        ),
        Question("q_section", QuestionType.SECTION, "端末の貸出状況", help="係ごとに記入してください。"),
        Question(
            "q_devices",
            QuestionType.TABLE,
            "貸出端末",
            columns=(
                Column(
                    "kind",
                    "端末の種類",
                    ColumnType.CHOICE,
                    required=True,
                    choices=("ノートPC", "タブレット", "モバイルルーター"),
                ),
                Column("count", "台数", ColumnType.NUMBER, required=True, unit="台", minimum="0", total=True),
                Column("since", "貸出開始日", ColumnType.DATE),
            ),
            max_rows=30,
        ),
        Question("q_notes", QuestionType.LONG_TEXT, "課題や要望", max_length=2000),
    )
)
TARGETS = ("jinji", "zaisei", "doro", "kasen", "fukushi-seisaku", "nogyo")
OUTSIDE = (
    ExternalTarget("", "みなと市 総務課", "somu@city.minato.example.lg.jp"),
    ExternalTarget("", "やまべ町 企画課", "kikaku@town.yamabe.example.lg.jp"),
)


def _principal(staff_id: str) -> Principal:
    person = directory.find_staff(staff_id)
    assert person is not None, f"demo staff {staff_id} is missing"
    return person.principal()


def seed() -> int:
    """Issue the demo surveys and answer some of them; returns how many surveys were written."""
    issuer = _principal("yamada.k")
    deadline = (now() + timedelta(days=10)).astimezone(JST).replace(hour=17, minute=0, second=0, microsecond=0)
    survey = issuing.create(
        issuer,
        issuing.SurveyDraft(
            title="テレワークの実施状況について（照会）",
            deadline=deadline,
            instructions="各所属で取りまとめのうえ、所属長の承認を経て回答してください。該当がない場合は「該当なし」で回答してください。",
            contact_details="総務課 行政改革担当 内線2345",
            targets=TARGETS,
            form=TELEWORK_FORM,
            external_targets=OUTSIDE,
        ),
    )
    survey = issuing.issue(issuer, survey.survey_id)
    sid = survey.survey_id

    def draft(staff_id: str, unit_id: str, values: dict[str, object]) -> int:
        who = _principal(staff_id)
        current = answering.view(who, sid, unit_id).answer
        return answering.save(who, sid, unit_id, values, current.revision).answer.revision

    devices = [{"kind": "ノートPC", "count": "12", "since": "2026-04-01"}, {"kind": "モバイルルーター", "count": "4"}]
    revision = draft(
        "kondo.m",
        "jinji",
        {
            "q_staff": "28",
            "q_uses": "yes",
            "q_days": "340",
            "q_tools": {"choices": ["庁内VDI", "Web会議"], "other": ""},
            "q_devices": devices,
        },
    )
    answering.submit(_principal("kondo.m"), sid, "jinji", revision)
    answering.approve(_principal("tanaka.h"), sid, "jinji")
    revision = draft(
        "harada.y",
        "zaisei",
        {"q_staff": "19", "q_uses": "yes", "q_days": "120", "q_devices": [{"kind": "ノートPC", "count": "6"}]},
    )
    answering.submit(_principal("harada.y"), sid, "zaisei", revision)
    revision = answering.view(_principal("mori.n"), sid, "nogyo").answer.revision
    answering.not_applicable(_principal("mori.n"), sid, "nogyo", revision)
    draft("fujita.e", "doro", {"q_staff": "35", "q_uses": "no"})
    return 1
