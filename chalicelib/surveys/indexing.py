"""Surveys and answers in search: the documents they become, who may find them, and keeping the
index in step with them.

Who finds what (access.py's rules, written as the principals search/documents.principals_of
gives people, so the search filter and the survey pages agree):
- an issued survey (open or closed): members of the issuing 所属 and of every target 所属;
- a draft or scheduled survey: members of the issuing 所属 only;
- a 所属's answer, once it has reached the 照会元 (submitted, or 該当なし): members of the issuing
  所属 and of that 所属, never another target. Before that, and while it is returned or
  reopened, it is not in the index: the 照会元 never finds what the 所属 has not sent.

The builders are pure. `handle` (called by functions/indexer for the survey events the index
rule routes) and `changes` (the source `kumo reindex` reads, see `register`) read the current
state, strongly consistent, and write that: a redelivered or late event changes nothing.
Versions are the answer's revision and, for a survey, its revision and state, so a write built
from an older read loses to a newer one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from chalicelib.core.event_catalogue import (
    SURVEY_SEARCH_CHANGES,
    AnswerApproved,
    AnswerReturned,
    SurveyClosed,
    SurveyDraftSaved,
    SurveyIssued,
)
from chalicelib.core.storage import get_or_none
from chalicelib.search import records
from chalicelib.search.documents import unit_principal
from chalicelib.search.records import Change, Gone, Record
from chalicelib.surveys import storage
from chalicelib.surveys.form import OTHER, Form, Question, QuestionType
from chalicelib.surveys.model import Answer, Survey, answer_of, survey_of
from chalicelib.surveys.states import ANSWERED, AnswerState, SurveyState
from chalicelib.surveys.storage import AnswerRecord, SurveyRecord

SOURCE = "surveys"
PUBLISHED = frozenset({SurveyState.OPEN, SurveyState.CLOSED})
_STATE_RANK = {SurveyState.DRAFT: 0, SurveyState.SCHEDULED: 1, SurveyState.OPEN: 2, SurveyState.CLOSED: 3}
# Words the answer text uses for values that are not text (searched and shown in Japanese).
YES_NO = {"yes": "はい", "no": "いいえ"}
NOT_APPLICABLE_TEXT = "該当なし"
OTHER_TEXT = "その他"


# --- documents (pure) ---------------------------------------------------------------------


def survey_doc_id(survey_id: str) -> str:
    return f"survey:{survey_id}"


def answer_doc_id(survey_id: str, unit_id: str) -> str:
    return f"answer:{survey_id}:{unit_id}"


def survey_link(survey_id: str) -> str:
    return f"/surveys/{survey_id}"


def answer_link(survey_id: str, unit_id: str) -> str:
    return f"/surveys/{survey_id}/answers/{unit_id}"


def survey_principals(survey: Survey) -> tuple[str, ...]:
    units = (survey.issuer_unit_id, *survey.targets) if survey.state in PUBLISHED else (survey.issuer_unit_id,)
    return tuple(unit_principal(u) for u in dict.fromkeys(units))


def answer_principals(survey: Survey, answer: Answer) -> tuple[str, ...]:
    return tuple(unit_principal(u) for u in dict.fromkeys((survey.issuer_unit_id, answer.unit_id)))


def survey_version(survey: Survey) -> int:
    """Grows with every change a survey goes through: edits of the draft (its revision), then
    scheduled, open, closed (the revision stops changing once it is issued)."""
    return survey.revision * len(_STATE_RANK) + _STATE_RANK[survey.state]


def survey_text(survey: Survey) -> str:
    """What a survey is found by besides its title: its number, instructions and questions."""
    lines = [survey.number or "", survey.instructions]
    for q in survey.form.questions:
        lines += [q.label, q.help, *q.choices, *(c.label for c in q.columns)]
    return "\n".join(line for line in lines if line)


def _strings(value: Any) -> list[str]:
    """Every text inside a value of an unexpected shape (nothing is lost, nothing is invented)."""
    if isinstance(value, str):
        return [value] if value and value != OTHER else []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _choices(picked: list[Any], other: Any) -> list[str]:
    out = []
    for choice in picked:
        if choice == OTHER:
            out.append(f"{OTHER_TEXT}: {other}" if isinstance(other, str) and other else OTHER_TEXT)
        elif isinstance(choice, str) and choice:
            out.append(choice)
    return out


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def _number(q: Question, value: Any) -> list[str]:
    return [_with_unit(str(value), q.unit)] if isinstance(value, (str, int, float)) else _strings(value)


def _yes_no(q: Question, value: Any) -> list[str]:
    return [YES_NO.get(value, value)] if isinstance(value, str) else _strings(value)


def _single(q: Question, value: Any) -> list[str]:
    return _choices([value.get("choice")], value.get("other")) if isinstance(value, dict) else _strings(value)


def _multi(q: Question, value: Any) -> list[str]:
    if isinstance(value, dict) and isinstance(value.get("choices"), list):
        return _choices(list(value["choices"]), value.get("other"))
    return _strings(value)


def _files(q: Question, value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(f["name"]) for f in value if isinstance(f, dict) and f.get("name")]
    return _strings(value)


def _table(q: Question, value: Any) -> list[str]:
    if isinstance(value, list):
        return [row for row in (_table_row(q, r) for r in value) if row]
    return _strings(value)


_BY_TYPE = {
    QuestionType.NUMBER: _number,
    QuestionType.YES_NO: _yes_no,
    QuestionType.SINGLE_CHOICE: _single,
    QuestionType.MULTI_CHOICE: _multi,
    QuestionType.FILE: _files,
    QuestionType.TABLE: _table,
}


def value_texts(question: Question, value: Any) -> list[str]:
    """The words of one answer value, as a person would read them (see form.py for the shapes;
    text and dates are their own words)."""
    if value is None or value == "" or question.type is QuestionType.SECTION:
        return []
    return _BY_TYPE.get(question.type, lambda _q, v: _strings(v))(question, value)


def _table_row(question: Question, row: Any) -> str:
    if not isinstance(row, dict):
        return " ".join(_strings(row))
    cells = []
    for column in question.columns:
        words = _strings(row.get(column.column_id))
        if words:
            cells.append(f"{column.label} {_with_unit(' '.join(words), column.unit)}")
    return "、".join(cells)


def answer_text(form: Form, values: dict[str, Any]) -> str:
    """An answer's values flattened to lines labelled by their question ("台数: 12 台"); a table
    gives one line per row ("公用車: 車種 軽自動車、台数 3 台")."""
    lines = []
    for question in form.answerable:
        lines += [f"{question.label}: {text}" for text in value_texts(question, values.get(question.question_id))]
    return "\n".join(lines)


def _when(survey: Survey) -> datetime:
    return survey.closed_at or survey.issued_at or datetime.fromisoformat(survey.created_at)


def survey_record(survey: Survey) -> Record:
    return Record(
        kind="survey",
        doc_id=survey_doc_id(survey.survey_id),
        version=survey_version(survey),
        title=survey.title,
        text=survey_text(survey),
        principals=survey_principals(survey),
        link=survey_link(survey.survey_id),
        updated_at=_when(survey),
        department_id=survey.issuer_department_id,
        owner_id=survey.contact_staff_id,
        unit_id=survey.issuer_unit_id,
        number=survey.number or "",
    )


def answer_record(survey: Survey, answer: Answer) -> Change:
    """The answer's document once it has reached the 照会元; otherwise it must not be found."""
    doc_id = answer_doc_id(answer.survey_id, answer.unit_id)
    if survey.state not in PUBLISHED or answer.state not in ANSWERED:
        return Gone(doc_id, answer.revision)
    text = answer_text(survey.form, answer.values)
    if answer.state is AnswerState.NOT_APPLICABLE:
        text = "\n".join(t for t in (NOT_APPLICABLE_TEXT, text) if t)
    # An outside organisation is not in the directory: its name is in the title and the text
    # (found by it, shown with it), and no 所属 or 部局 stands for it in the facets.
    outside = answer.respondent_name if answer.external else None
    return Record(
        kind="answer",
        doc_id=doc_id,
        version=answer.revision,
        title=f"{survey.title}（{outside}）" if outside else survey.title,
        text="\n".join(t for t in (outside, text) if t),
        principals=answer_principals(survey, answer),
        link=answer_link(answer.survey_id, answer.unit_id),
        updated_at=answer.approved_at or answer.updated_at or _when(survey),
        department_id="" if answer.external else answer.department_id,
        unit_id="" if answer.external else answer.unit_id,
        number=survey.number or "",
    )


# --- keeping the index in step (I/O) ------------------------------------------------------


def _survey(survey_id: str) -> Survey | None:
    storage.bind()
    record = get_or_none(SurveyRecord, survey_id, consistent_read=True)
    return survey_of(record) if record is not None else None


def refresh_survey(survey_id: str) -> str:
    survey = _survey(survey_id)
    if survey is None:
        return records.remove_record(survey_doc_id(survey_id))
    return records.index_record(survey_record(survey))


def refresh_answer(survey_id: str, unit_id: str) -> str:
    survey = _survey(survey_id)
    answer = get_or_none(AnswerRecord, survey_id, unit_id, consistent_read=True) if survey else None
    if survey is None or answer is None:
        return records.remove_record(answer_doc_id(survey_id, unit_id))
    return records.apply(answer_record(survey, answer_of(answer)))


def handle(event: dict[str, Any]) -> dict[str, int]:
    """Refresh what a survey event names. Raises MalformedEvent on a bad detail (retried, then
    the DLQ) and whatever the search server raises when it is unreachable (retried)."""
    kind = next((k for k in SURVEY_SEARCH_CHANGES if k.matches(event)), None)
    if kind is None:
        return {"ignored": 1}
    detail = kind.parse(event)
    if isinstance(detail, (AnswerApproved, AnswerReturned)):
        outcome = refresh_answer(detail.survey_id, detail.unit_id)
    else:
        assert isinstance(detail, (SurveyIssued, SurveyClosed, SurveyDraftSaved))
        outcome = refresh_survey(detail.survey_id)
    return {outcome: 1}


def _survey_changed(record: SurveyRecord, since: datetime) -> bool:
    return any(at is not None and at >= since for at in (record.updated_at, record.issued_at, record.closed_at))


def changes(since: datetime | None) -> Iterator[Change]:
    """The records source of `kumo reindex`: every survey and answer as it is now (since=None),
    or those changed since a moment (the catch-up after the index's swap)."""
    storage.bind()
    surveys: dict[str, Survey] = {}
    for record in SurveyRecord.scan():
        survey = surveys[record.survey_id] = survey_of(record)
        if since is None or _survey_changed(record, since):
            yield survey_record(survey)
    # One scan of the answers rather than a query per survey; an answer whose survey appeared
    # after the scan above is left to its own events.
    answers = AnswerRecord.scan() if since is None else AnswerRecord.scan(AnswerRecord.updated_at >= since)
    for answer in answers:
        owner = surveys.get(answer.survey_id)
        if owner is not None:
            yield answer_record(owner, answer_of(answer))


def register() -> None:
    """Make `kumo reindex` (in this process) include surveys and answers."""
    records.register_source(SOURCE, changes)
