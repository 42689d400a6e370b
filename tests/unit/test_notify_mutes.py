"""Muting a share link or a survey (notifications/mutes.py): who may, per role, and what the routing
then drops (everything of the subject but a mandatory 督促), in-process moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.errors import BadRequest, NotFound
from chalicelib.core.event_catalogue import (
    PartnerUploaded,
    ShareLinkAccessed,
    ShareLinkExpiringSoon,
    SurveyIssued,
    SurveyReminder,
)
from chalicelib.core.events import Detail

ISSUER_HEAD = "tanaka.h"  # 人事課長: issues the survey
ISSUER_MEMBER = "kondo.m"  # 人事課 取りまとめ担当: a member of the issuing 所属
ANSWERER = "harada.y"  # 財政課 取りまとめ担当: hears of the survey for 財政課
ANSWERING_HEAD = "nishida.k"  # 財政課長
OUTSIDER = "aoki.h"  # 政策課: nothing to do with either
LINK_OWNER = "yamada.k"  # 総務課: shares a file of 総務部's space
SPACE_ADMIN = "tanaka.h"  # 総務部's administrator: manages the link, hears nothing of it


@pytest.fixture
def world(aws_mock: None) -> dict[str, str]:
    from chalicelib.directory import service as directory
    from chalicelib.local import demo

    for department in demo.DEPARTMENTS:
        directory.save_department(department)
    directory.save_units(list(demo.UNITS))
    for person in demo.STAFF:
        directory.save_staff(person.staff())
    return {"survey": _issued_survey(), "link": _share_link()}


def me(staff_id: str) -> Any:
    from chalicelib.directory import service as directory

    person = directory.find_staff(staff_id)
    assert person is not None
    return person.principal()


def _issued_survey() -> str:
    from chalicelib.surveys import issuing
    from chalicelib.surveys.form import form_from

    draft = issuing.SurveyDraft(
        title="会議室の利用状況調査",
        deadline=datetime.now(UTC) + timedelta(days=5),
        instructions="各課の利用状況をお知らせください。",
        targets=("zaisei",),
        form=form_from(
            {"questions": [{"question_id": "q_rooms", "type": "number", "label": "会議室の数", "required": True}]}
        ),
    )
    survey = issuing.create(me(ISSUER_HEAD), draft)
    return issuing.issue(me(ISSUER_HEAD), survey.survey_id).survey_id


def _share_link() -> str:
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from chalicelib.files import upload_complete, upload_start
    from chalicelib.sharing import link_creation

    owner = me(LINK_OWNER)
    ticket = upload_start.start(owner, "dept:somu", "会議資料.txt", 4, "text/plain")
    aws.client("s3").put_object(Bucket=settings().files_bucket, Key=ticket.key, Body=b"memo")
    file_id = upload_complete.complete(owner, ticket.upload_id).file_id
    return link_creation.create(owner, file_id, "download", {"expires_in_days": 5}).link.link_id


def _told(detail: Detail) -> list[tuple[str, str]]:
    from chalicelib.notifications import routing

    return sorted((d.staff_id, d.kind) for d in routing.deliveries_for(detail.event().as_delivered()))


def _issued_event(survey_id: str) -> SurveyIssued:
    return SurveyIssued(
        survey_id=survey_id,
        number="人事第1号",
        title="会議室の利用状況調査",
        issuer_unit_id="jinji",
        target_unit_ids=["zaisei"],
        deadline=(datetime.now(UTC) + timedelta(days=5)).isoformat(),
    )


def _reminder(survey_id: str) -> SurveyReminder:
    deadline = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    return SurveyReminder(
        survey_id=survey_id,
        number="人事第1号",
        title="会議室の利用状況調査",
        unit_id="zaisei",
        step="before",
        deadline=deadline,
    )


def _link_events(link_id: str) -> list[Detail]:
    expires = (datetime.now(UTC) + timedelta(hours=12)).isoformat()
    return [
        ShareLinkAccessed(link_id=link_id, owner_id=LINK_OWNER, target_id="f_1"),
        ShareLinkExpiringSoon(link_id=link_id, owner_id=LINK_OWNER, target_id="f_1", expires_at=expires),
        PartnerUploaded(
            link_id=link_id,
            owner_id=LINK_OWNER,
            notify=True,
            file_id="f_2",
            version=1,
            s3_key="k",
            space_id="dept:somu",
            folder_id="",
            name="回答.xlsx",
            uploader_name="北見市 企画課",
            uploader_email="kikaku@city.kitami.example.lg.jp",
        ),
    ]


def test_a_muted_survey_reaches_its_person_only_with_a_reminder(world: dict[str, str]) -> None:
    from chalicelib.notifications import mutes

    survey = mutes.survey(world["survey"])
    assert _told(_issued_event(world["survey"])) == [(ANSWERER, "survey_issued")]
    mutes.set_muted(me(ANSWERER), survey, True)
    assert mutes.is_muted(me(ANSWERER), survey)
    assert _told(_issued_event(world["survey"])) == [], "muted: not in the inbox, not mailed"
    assert _told(_reminder(world["survey"])) == [(ANSWERER, "survey_reminder")], "a 督促 for one's 所属 still comes"
    other = _issued_event("sv_other")  # another survey: the mute names one survey only
    assert _told(other) == [(ANSWERER, "survey_issued")]

    mutes.set_muted(me(ANSWERER), survey, False)
    mutes.set_muted(me(ANSWERER), survey, False)  # twice changes nothing
    assert _told(_issued_event(world["survey"])) == [(ANSWERER, "survey_issued")]


@pytest.mark.parametrize("who", [ISSUER_HEAD, ISSUER_MEMBER, ANSWERER, ANSWERING_HEAD])
def test_staff_of_the_issuing_or_an_answering_unit_may_mute_a_survey(world: dict[str, str], who: str) -> None:
    from chalicelib.notifications import mutes

    survey = mutes.survey(world["survey"])
    assert mutes.set_muted(me(who), survey, True) is True
    assert mutes.is_muted(me(who), survey) and not mutes.is_muted(me(ANSWERER if who != ANSWERER else OUTSIDER), survey)


def test_anyone_else_finds_no_survey_to_mute(world: dict[str, str]) -> None:
    from chalicelib.notifications import mutes

    with pytest.raises(NotFound):
        mutes.set_muted(me(OUTSIDER), mutes.survey(world["survey"]), True)
    with pytest.raises(NotFound):
        mutes.set_muted(me(ANSWERER), mutes.survey("sv_missing"), True)


def test_a_muted_share_link_tells_its_owner_nothing(world: dict[str, str]) -> None:
    from chalicelib.notifications import mutes

    link = mutes.share(world["link"])
    heard = [(LINK_OWNER, "share_accessed"), (LINK_OWNER, "share_expiring"), (LINK_OWNER, "partner_upload")]
    assert [t for e in _link_events(world["link"]) for t in _told(e)] == heard
    mutes.set_muted(me(LINK_OWNER), link, True)
    assert [t for e in _link_events(world["link"]) for t in _told(e)] == []
    assert [t for e in _link_events("sl_other") for t in _told(e)] == heard, "other links are not muted"
    mutes.set_muted(me(LINK_OWNER), link, False)
    assert [t for e in _link_events(world["link"]) for t in _told(e)] == heard


def test_only_the_link_s_owner_may_mute_it(world: dict[str, str]) -> None:
    from chalicelib.notifications import mutes

    link = mutes.share(world["link"])
    with pytest.raises(BadRequest):  # manages the link, but hears nothing of it
        mutes.set_muted(me(SPACE_ADMIN), link, True)
    with pytest.raises(NotFound):
        mutes.set_muted(me(OUTSIDER), link, True)
    assert not mutes.may_mute(me(SPACE_ADMIN), link) and mutes.may_mute(me(LINK_OWNER), link)
