"""Outside organisations answering a survey (surveys/invitations.py, respond.py), against moto:
the invitation, the e-mail gate, a session that reaches its own answer only, submit, take back,
close, and what the issuer's board shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.sharing import partner
from chalicelib.surveys import board, invitations, issuing, respond
from chalicelib.surveys.form import form_from
from chalicelib.surveys.outside import ExternalTarget
from chalicelib.surveys.states import AnswerState, BoardState
from tests.conftest import translated

KITAMI = "kikaku@city.kitami.example.lg.jp"
ABASHIRI = "somu@town.abashiri.example.lg.jp"
FORM = {
    "questions": [
        {"question_id": "q1", "type": "short_text", "label": "回答者名", "required": True},
        {"question_id": "q2", "type": "number", "label": "避難所の数", "required": True},
    ]
}


@pytest.fixture
def issuer(aws_mock: None) -> Any:
    from chalicelib.directory import service as directory
    from chalicelib.local import demo

    demo.seed()
    person = directory.find_staff("tanaka.h")
    assert person is not None
    return person.principal()


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    from chalicelib.core import events

    seen: list[Any] = []
    real = events.publish

    def publish(batch: Any, **kw: Any) -> None:
        seen.extend(batch)
        real(batch, **kw)

    monkeypatch.setattr(events, "publish", publish)
    return seen


def _mails(to: str) -> list[str]:
    from moto.backends import get_backend

    from chalicelib.local import outbox

    sent = [outbox.sent_mail(m) for m in get_backend("ses")["123456789012"]["ap-northeast-1"].sent_messages]
    return [m["body"] for m in sent if to in m["destinations"]["ToAddresses"]]


def _token(to: str) -> str:
    match = re.search(r"/r/#([A-Za-z0-9_-]+)", _mails(to)[-1])
    assert match, "the invitation carries the link, its token in the fragment"
    return match.group(1)


def _issued(issuer: Any, form: dict[str, Any] = FORM, **kw: Any) -> Any:
    draft = issuing.SurveyDraft(
        title="避難所の開設状況調査",
        deadline=datetime.now(UTC) + timedelta(days=5),
        instructions="各市町村の状況をご回答ください。",
        targets=(issuer.unit_id,),
        form=form_from(form),
        external_targets=(ExternalTarget("", "北見市 企画課", KITAMI), ExternalTarget("", "網走町 総務課", ABASHIRI)),
        **kw,
    )
    survey = issuing.create(issuer, draft)
    return issuing.issue(issuer, survey.survey_id)


def _through(to: str) -> str:
    """The contact opens the mailed link and passes the e-mail gate; returns the session cookie."""
    cookie, _ = partner.open_link(_token(to))
    partner.send_code(partner.visit(cookie), to)
    code = re.search(r"確認コード: (\d{6})", _mails(to)[-1])
    assert code
    partner.enter_code(partner.visit(cookie), code.group(1))
    return cookie


def test_issue_invites_each_organisation_and_the_board_names_them(issuer: Any) -> None:
    survey = _issued(issuer)
    (kitami,) = [t for t in survey.external_targets if t.email == KITAMI]
    invitation = _mails(KITAMI)[-1]
    assert survey.title in invitation and "北見市 企画課" in invitation and survey.number in invitation
    assert _token(KITAMI) != _token(ABASHIRI)
    rows = {r.unit_id: r for r in board.board(issuer, survey.survey_id).rows}
    assert rows[kitami.unit_id].unit_name == "北見市 企画課"
    assert rows[kitami.unit_id].department_name == translated("Outside organisations")
    assert rows[kitami.unit_id].state is BoardState.NOT_STARTED and issuer.unit_id in rows


def test_the_respondent_saves_and_submits_straight_to_the_issuer(issuer: Any, published: list[Any]) -> None:
    survey = _issued(issuer)
    visit = partner.visit(_through(KITAMI))
    survey_id, unit_id = respond.own_answer(visit)
    assert survey_id == survey.survey_id and unit_id == survey.external_targets[0].unit_id
    seen = respond.view(visit, survey_id, unit_id)
    assert seen.editable and seen.answer.state is AnswerState.NOT_STARTED
    saved = respond.save(visit, survey_id, unit_id, {"q1": "佐々木"}, seen.answer.revision)
    assert [e.question_id for e in saved.errors] == [], "a draft may be incomplete"
    with pytest.raises(BadRequest):
        respond.submit(visit, survey_id, unit_id, saved.answer.revision)  # q2 is still empty
    saved = respond.save(visit, survey_id, unit_id, {"q1": "佐々木", "q2": "12"}, saved.answer.revision)
    answer = respond.submit(visit, survey_id, unit_id, saved.answer.revision)
    assert answer.state is AnswerState.SUBMITTED and answer.updated_by_name == "北見市 企画課"
    approved = [e for e in published if type(e).__name__ == "AnswerApproved"]
    assert [(e.unit_id, e.approved_by_name) for e in approved] == [(unit_id, "北見市 企画課")]
    row = next(r for r in board.board(issuer, survey_id).rows if r.unit_id == unit_id)
    assert row.state is BoardState.SUBMITTED


def test_a_session_reaches_its_own_answer_only(issuer: Any) -> None:
    survey = _issued(issuer)
    kitami, abashiri = survey.external_targets
    visit = partner.visit(_through(ABASHIRI))
    for unit_id in (kitami.unit_id, issuer.unit_id, "ext:org_0000000000000000"):
        with pytest.raises(NotFound):
            respond.view(visit, survey.survey_id, unit_id)
        with pytest.raises(NotFound):
            respond.save(visit, survey.survey_id, unit_id, {"q1": "x"}, 0)
        with pytest.raises(NotFound):
            respond.submit(visit, survey.survey_id, unit_id, 0)
    assert respond.view(visit, survey.survey_id, abashiri.unit_id).answer.unit_id == abashiri.unit_id


def test_before_the_code_nothing_is_reachable(issuer: Any) -> None:
    from chalicelib.core.errors import Forbidden

    _issued(issuer)
    cookie, _ = partner.open_link(_token(KITAMI))
    with pytest.raises(Forbidden):
        respond.own_answer(partner.visit(cookie))


def test_take_back_then_submit_again_until_the_deadline_and_closing_stops_it(issuer: Any) -> None:
    survey = _issued(issuer)
    visit = partner.visit(_through(KITAMI))
    survey_id, unit_id = respond.own_answer(visit)
    saved = respond.save(visit, survey_id, unit_id, {"q1": "佐々木", "q2": "3"}, 0)
    respond.submit(visit, survey_id, unit_id, saved.answer.revision)
    assert respond.view(visit, survey_id, unit_id).can_take_back
    again = respond.take_back(visit, survey_id, unit_id)
    assert again.state is AnswerState.DRAFT
    saved = respond.save(visit, survey_id, unit_id, {"q1": "佐々木", "q2": "4"}, again.revision)
    assert respond.submit(visit, survey_id, unit_id, saved.answer.revision).values["q2"] == "4"
    issuing.close(issuer, survey.survey_id)
    closed = respond.view(visit, survey_id, unit_id)
    assert closed.closed and not closed.editable and not closed.can_take_back
    assert closed.answer.values["q2"] == "4", "the answer stays readable once the survey is closed"
    with pytest.raises(Conflict):
        respond.take_back(visit, survey_id, unit_id)


def test_an_outside_organisation_answers_not_applicable_and_may_take_it_back(issuer: Any, published: list[Any]) -> None:
    survey = _issued(issuer)
    visit = partner.visit(_through(KITAMI))
    survey_id, unit_id = respond.own_answer(visit)
    answer = respond.not_applicable(visit, survey_id, unit_id, 0)
    assert answer.state is AnswerState.NOT_APPLICABLE and answer.updated_by_name == "北見市 企画課"
    reached = [e for e in published if type(e).__name__ == "AnswerApproved"]
    assert [(e.unit_id, e.not_applicable) for e in reached] == [(unit_id, True)]
    row = next(r for r in board.board(issuer, survey.survey_id).rows if r.unit_id == unit_id)
    assert row.state is BoardState.NOT_APPLICABLE
    assert respond.view(visit, survey_id, unit_id).can_take_back
    with pytest.raises(Conflict):  # answered already: a second click changes nothing
        respond.not_applicable(visit, survey_id, unit_id, answer.revision)
    assert respond.take_back(visit, survey_id, unit_id).state is AnswerState.DRAFT
    other = partner.visit(_through(ABASHIRI))
    with pytest.raises(NotFound):  # another organisation's answer is not theirs to close
        respond.not_applicable(other, survey_id, unit_id, 0)


def test_the_link_expires_a_week_after_the_deadline_and_then_is_refused(issuer: Any) -> None:
    from chalicelib.sharing import external
    from chalicelib.sharing.storage import LinkRecord

    survey = _issued(issuer)
    target = survey.external_targets[0]
    (link,) = external.links_to(f"{survey.survey_id}/{target.unit_id}")
    assert link.expires_at == survey.deadline + timedelta(days=7)
    assert link.recipients == [KITAMI] and link.verify_email
    cookie = _through(KITAMI)
    LinkRecord(link.link_id).update(actions=[LinkRecord.expires_at.set(datetime.now(UTC) - timedelta(seconds=1))])
    with pytest.raises(partner.LinkGone):
        partner.visit(cookie)


def test_a_failed_invitation_is_recorded_and_sent_again_with_a_new_link(
    issuer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from chalicelib.sharing import mail

    real = mail.send

    def flaky(to: str, subject: str, body: str) -> None:
        if to == KITAMI:
            raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendEmail")
        real(to, subject, body)

    monkeypatch.setattr(mail, "send", flaky)
    survey = _issued(issuer)
    assert not _mails(KITAMI) and _mails(ABASHIRI)
    monkeypatch.setattr(mail, "send", real)
    invitations.resend(issuer, survey.survey_id, survey.external_targets[0].org_id)
    _through(KITAMI)
    with pytest.raises(NotFound):
        invitations.resend(issuer, survey.survey_id, "org_0000000000000000")


def test_a_returned_answer_is_mailed_to_the_contact_and_can_be_sent_again(issuer: Any) -> None:
    from chalicelib.surveys import answering

    survey = _issued(issuer)
    visit = partner.visit(_through(KITAMI))
    survey_id, unit_id = respond.own_answer(visit)
    saved = respond.save(visit, survey_id, unit_id, {"q1": "佐々木", "q2": "3"}, 0)
    respond.submit(visit, survey_id, unit_id, saved.answer.revision)
    answering.return_answer(issuer, survey.survey_id, unit_id, "避難所の数は指定避難所のみでお願いします。")
    assert "避難所の数は指定避難所のみでお願いします。" in _mails(KITAMI)[-1]
    returned = respond.view(visit, survey_id, unit_id)
    assert returned.editable and returned.answer.return_comment
    saved = respond.save(visit, survey_id, unit_id, {"q1": "佐々木", "q2": "2"}, returned.answer.revision)
    assert respond.submit(visit, survey_id, unit_id, saved.answer.revision).state is AnswerState.SUBMITTED
