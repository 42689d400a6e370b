"""Files sent with a survey (surveys/attachments.py), against moto: the issuer attaches files they
can read, the copy is what every target 所属 downloads once the survey is issued (member and
所属長 alike), an outside organisation gets it through its respondent session, anyone else gets
404, and nobody's rights on the issuer's own file are widened."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.surveys.form import form_from
from chalicelib.surveys.outside import ExternalTarget

FORM = {"questions": [{"question_id": "q1", "type": "short_text", "label": "担当者名", "required": True}]}
KITAMI = "kikaku@city.kitami.example.lg.jp"


def _who(staff_id: str) -> Any:
    from chalicelib.directory import service as directory

    person = directory.find_staff(staff_id)
    assert person is not None
    return person.principal()


@pytest.fixture
def world(aws_mock: None) -> dict[str, Any]:
    from chalicelib.local import demo

    demo.seed()
    return {
        "issuer": _who("kondo.m"),  # 人事課 (jinji)
        "member": _who("yamada.k"),  # 総務課 (somuka), a target
        "head": _who("ohashi.t"),  # 総務課's 所属長
        "stranger": _who("aoki.h"),  # 政策課: neither issuer nor target
    }


def _s3() -> Any:
    from chalicelib.core import aws

    return aws.client("s3")


def _bucket() -> str:
    from chalicelib.core.config import settings

    return settings().files_bucket


def _stored(owner: Any, folder_id: str, name: str, data: bytes, visibility: str | None = None) -> str:
    from chalicelib.files import changes, upload_complete, upload_start

    ticket = upload_start.start(owner, folder_id, name, len(data), "application/octet-stream")
    _s3().put_object(Bucket=_bucket(), Key=ticket.key, Body=data)
    file_id = upload_complete.complete(owner, ticket.upload_id).file_id
    if visibility:
        changes.set_visibility(owner, file_id, visibility)
    return file_id


def _body(url: str) -> bytes:
    """The bytes a presigned URL serves (moto in process: read the object it names)."""
    key = unquote(urlparse(url).path).split(f"/{_bucket()}/", 1)[-1].lstrip("/")
    return bytes(_s3().get_object(Bucket=_bucket(), Key=key)["Body"].read())


def _draft(issuer: Any, **kw: Any) -> Any:
    from chalicelib.surveys import issuing

    return issuing.create(
        issuer,
        issuing.SurveyDraft(
            title="職員研修の実施状況について（照会）",
            deadline=datetime.now(UTC) + timedelta(days=5),
            targets=("somuka",),
            form=form_from(FORM),
            **kw,
        ),
    )


def test_targets_download_the_attached_copy_once_issued_and_strangers_get_404(world: dict[str, Any]) -> None:
    from chalicelib.files import access
    from chalicelib.surveys import attachments, issuing

    issuer = world["issuer"]
    file_id = _stored(issuer, "dept:jinji", "様式1_研修実績.xlsx", b"form v1")
    survey = _draft(issuer)
    attached = attachments.attach(issuer, survey.survey_id, file_id)
    assert attached.name == "様式1_研修実績.xlsx"
    assert _body(attachments.staff_download_url(issuer, survey.survey_id, attached.attachment_id)) == b"form v1"
    with pytest.raises(NotFound):  # a draft is the issuer's alone
        attachments.staff_download_url(world["member"], survey.survey_id, attached.attachment_id)

    issuing.issue(issuer, survey.survey_id)
    for reader in (world["member"], world["head"]):
        url = attachments.staff_download_url(reader, survey.survey_id, attached.attachment_id)
        assert _body(url) == b"form v1"
        assert "様式1_研修実績.xlsx" in unquote(unquote(url)), "saved under the file's own (Japanese) name"
    with pytest.raises(NotFound):
        attachments.staff_download_url(world["stranger"], survey.survey_id, attached.attachment_id)
    with pytest.raises(NotFound):
        attachments.staff_download_url(world["member"], survey.survey_id, "att_000000000000000000000000")
    # Nothing else was widened: the 所属's file stays its own.
    with pytest.raises(NotFound):
        access.readable(world["member"], file_id)


def test_the_copy_is_what_was_sent_whatever_happens_to_the_issuers_file(world: dict[str, Any]) -> None:
    from chalicelib.files import trash
    from chalicelib.surveys import attachments, issuing

    issuer = world["issuer"]
    file_id = _stored(issuer, "dept:jinji", "記入要領.pdf", b"notes")
    survey = _draft(issuer)
    attached = attachments.attach(issuer, survey.survey_id, file_id)
    assert attachments.attach(issuer, survey.survey_id, file_id) == attached, "the same file is one attachment"
    issuing.issue(issuer, survey.survey_id)
    trash.trash(issuer, file_id)
    assert _body(attachments.staff_download_url(world["member"], survey.survey_id, attached.attachment_id)) == b"notes"


def test_only_files_the_issuer_can_read_and_only_before_issuing(world: dict[str, Any]) -> None:
    from chalicelib.surveys import access, attachments, issuing

    issuer, stranger = world["issuer"], world["stranger"]
    theirs = _stored(stranger, "dept:seisaku", "政策課の資料.docx", b"x")
    survey = _draft(issuer)
    with pytest.raises(NotFound):  # as in Files: a file they cannot read does not exist for them
        attachments.attach(issuer, survey.survey_id, theirs)
    mine = _stored(issuer, "dept:jinji", "様式.xlsx", b"y")
    with pytest.raises(NotFound):  # only the issuing 所属 changes the survey
        attachments.attach(world["member"], survey.survey_id, mine)
    folder = _folder(issuer)
    with pytest.raises(BadRequest):
        attachments.attach(issuer, survey.survey_id, folder)
    kept = attachments.attach(issuer, survey.survey_id, mine)
    gone = attachments.attach(issuer, survey.survey_id, _stored(issuer, "dept:jinji", "古い様式.xlsx", b"z"))
    attachments.remove(issuer, survey.survey_id, gone.attachment_id)
    assert [a.name for a in access.as_issuer(issuer, survey.survey_id).attachments] == ["様式.xlsx"]
    with pytest.raises(NotFound):
        attachments.staff_download_url(issuer, survey.survey_id, gone.attachment_id)
    issuing.issue(issuer, survey.survey_id)
    with pytest.raises(Conflict):
        attachments.remove(issuer, survey.survey_id, kept.attachment_id)
    with pytest.raises(Conflict):
        attachments.attach(issuer, survey.survey_id, _stored(issuer, "dept:jinji", "追加.xlsx", b"w"))


def _folder(owner: Any) -> str:
    from chalicelib.files import folders

    return folders.create_folder(owner, "dept:jinji", "照会様式").file_id


def test_a_file_waiting_for_its_virus_check_cannot_be_attached(world: dict[str, Any]) -> None:
    from chalicelib.files import versions
    from chalicelib.surveys import attachments

    issuer = world["issuer"]
    file_id = _stored(issuer, "dept:jinji", "受領.xlsx", b"v")
    survey = _draft(issuer)
    for status in ("pending", "infected"):
        versions.mark_scanned(file_id, 1, status)
        with pytest.raises(BadRequest):
            attachments.attach(issuer, survey.survey_id, file_id)


def test_a_copied_survey_has_copies_of_its_own(world: dict[str, Any]) -> None:
    from chalicelib.surveys import attachments, issuing

    issuer = world["issuer"]
    survey = _draft(issuer)
    attached = attachments.attach(issuer, survey.survey_id, _stored(issuer, "dept:jinji", "様式.xlsx", b"sent"))
    copy = issuing.copy(issuer, survey.survey_id)
    (carried,) = copy.attachments
    assert carried.name == "様式.xlsx" and carried.attachment_id != attached.attachment_id
    attachments.remove(issuer, survey.survey_id, attached.attachment_id)
    assert _body(attachments.staff_download_url(issuer, copy.survey_id, carried.attachment_id)) == b"sent"


def test_an_outside_organisation_downloads_through_its_own_session(world: dict[str, Any]) -> None:
    from chalicelib.sharing import partner
    from chalicelib.surveys import attachments, issuing, respond

    issuer = world["issuer"]
    survey = _draft(issuer, external_targets=(ExternalTarget("", "北見市 企画課", KITAMI),))
    attached = attachments.attach(issuer, survey.survey_id, _stored(issuer, "dept:jinji", "様式.xlsx", b"for all"))
    issuing.issue(issuer, survey.survey_id)
    cookie, _ = partner.open_link(_token(KITAMI))
    with pytest.raises(Forbidden):  # the e-mail gate comes first
        respond.attachment_url(partner.visit(cookie), attached.attachment_id)
    partner.send_code(partner.visit(cookie), KITAMI)
    code = re.search(r"確認コード: (\d{6})", _mails(KITAMI)[-1])
    assert code
    partner.enter_code(partner.visit(cookie), code.group(1))
    assert _body(respond.attachment_url(partner.visit(cookie), attached.attachment_id)) == b"for all"
    with pytest.raises(NotFound):
        respond.attachment_url(partner.visit(cookie), "att_000000000000000000000000")


def _mails(to: str) -> list[str]:
    """Mail is sent raw (with its List-Unsubscribe headers): read it as the local outbox does."""
    from moto.backends import get_backend

    from chalicelib.local import outbox

    sent = [outbox.sent_mail(m) for m in get_backend("ses")["123456789012"]["ap-northeast-1"].sent_messages]
    return [m["body"] for m in sent if to in m["destinations"]["ToAddresses"]]


def _token(to: str) -> str:
    match = re.search(r"/r/#([A-Za-z0-9_-]+)", _mails(to)[-1])
    assert match
    return match.group(1)
