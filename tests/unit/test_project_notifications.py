"""Who hears of each project event, what they are sent by mail, and that muting a project
silences it except for the consent steps (notifications/project_routing.py), on in-process moto."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.core.events import Detail
from chalicelib.core.project_events import (
    ActualsDue,
    ApplicationReceived,
    CardAssigned,
    CardDue,
    CommentMentioned,
    ConsentGiven,
    ConsentRefused,
    ConsentRequested,
    MemberJoined,
    RecruitmentPosted,
)

OWNER = "yamada.k"  # 総務課
MEMBER = "fujita.e"  # 道路課
OTHER = "ogata.r"  # デジタル推進課
HEAD = "sakamoto.j"  # 道路課 所属長


@pytest.fixture
def project_id(aws_mock: None) -> str:
    return demo_project()


def demo_project() -> str:
    """A project of 総務課 with three members; the demo directory without sign-ins."""
    from chalicelib.directory import service as directory
    from chalicelib.local import demo
    from chalicelib.projects import membership, projects

    for department in demo.DEPARTMENTS:
        directory.save_department(department)
    directory.save_units(list(demo.UNITS))
    for person in demo.STAFF:
        directory.save_staff(person.staff())
    owner = me(OWNER)
    made = projects.create(owner, projects.ProjectDraft(name="窓口DX検討"))
    membership.add_member(owner, made.project_id, MEMBER)
    membership.add_member(owner, made.project_id, OTHER)
    return made.project_id


def me(staff_id: str) -> Any:
    from chalicelib.directory import service as directory

    person = directory.find_staff(staff_id)
    assert person is not None
    return person.principal()


def _mute(staff_id: str, project_id: str) -> None:
    from chalicelib.projects import membership

    membership.mute(me(staff_id), project_id, True)


def _told(detail: Detail) -> list[tuple[str, str, str | None]]:
    from chalicelib.notifications import routing

    return sorted((d.staff_id, d.kind, d.link) for d in routing.deliveries_for(detail.event().as_delivered()))


def _card(project_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "project_name": "窓口DX検討",
        "board_id": "brd_1",
        "card_id": "C_1",
        "title": "申請書様式の棚卸し",
        **extra,
    }


CARD_LINK = "/projects/{}/boards/brd_1?card=C_1"


def test_an_assignment_reaches_the_newly_assigned_and_not_who_assigned_them(project_id: str) -> None:
    assigned = CardAssigned(
        **_card(project_id), assignee_ids=[MEMBER, OWNER], assigned_by=OWNER, assigned_by_name="山田 健一"
    )
    assert _told(assigned) == [(MEMBER, "card_assigned", CARD_LINK.format(project_id))]
    _mute(MEMBER, project_id)
    assert _told(assigned) == []


def test_a_batch_of_project_events_reads_who_muted_with_its_settings_and_no_member_list(
    project_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notifier asks each told person's membership (a point read, in the batch's one
    BatchGetItem) instead of listing each project's members; a member who left is not muted."""
    from botocore.client import BaseClient

    from chalicelib.notifications import fanout
    from chalicelib.projects import membership

    _mute(MEMBER, project_id)
    _mute(OTHER, project_id)
    membership.remove(me(OWNER), project_id, OTHER)  # muted, then removed: their notices come again
    events = [
        CardAssigned(
            **_card(project_id, card_id=f"C_{n}"),
            assignee_ids=[MEMBER, OTHER, OWNER],
            assigned_by="x",
            assigned_by_name="x",
        )
        for n in range(3)
    ]
    records = [(f"m-{n}", json.dumps(e.event().as_delivered(), ensure_ascii=False)) for n, e in enumerate(events)]
    calls: list[str] = []
    real = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: Any) -> Any:
        calls.append(operation)
        return real(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    handled = fanout.handle(records)
    assert [h.error for h in handled] == [None, None, None]
    told = sorted({d.staff_id for h in handled for d in h.deliveries})
    assert told == sorted([OTHER, OWNER]), "the member who muted hears nothing; who left is not muted"
    assert "Query" not in calls and calls.count("BatchGetItem") == 1, calls


def test_a_due_card_reaches_its_assignees_and_watchers_each_with_their_own_text(project_id: str) -> None:
    soon = CardDue(
        **_card(project_id), due="2031-03-10", assignee_ids=[MEMBER], overdue=False, watcher_ids=[OWNER, MEMBER]
    )
    link = CARD_LINK.format(project_id)
    assert _told(soon) == [(MEMBER, "card_due_soon", link), (OWNER, "watched_card_due_soon", link)]
    late = CardDue(**_card(project_id), due="2031-03-10", assignee_ids=[MEMBER], overdue=True, watcher_ids=[OWNER])
    assert _told(late) == [(MEMBER, "card_overdue", link), (OWNER, "watched_card_overdue", link)]
    _mute(OWNER, project_id)
    assert _told(late) == [(MEMBER, "card_overdue", link)]


def test_a_mention_reaches_the_mentioned_but_not_the_author_nor_who_muted(project_id: str) -> None:
    said = CommentMentioned(
        **_card(project_id),
        mentioned_ids=[MEMBER, OTHER, OWNER],
        author_id=OWNER,
        author_name="山田 健一",
        excerpt="@fujita.e 確認お願いします",
    )
    link = CARD_LINK.format(project_id)
    assert _told(said) == [(MEMBER, "comment_mentioned", link), (OTHER, "comment_mentioned", link)]
    _mute(OTHER, project_id)
    assert _told(said) == [(MEMBER, "comment_mentioned", link)]


def test_a_new_member_hears_of_it_unless_they_added_themselves(project_id: str) -> None:
    def joined(added_by: str, name: str = "", share: int = 0) -> MemberJoined:
        return MemberJoined(
            project_id=project_id,
            project_name="窓口DX検討",
            staff_id=MEMBER,
            added_by=added_by,
            added_by_name=name,
            share_percent=share,
        )

    link = f"/projects/{project_id}"
    assert _told(joined(OWNER, "山田 健一")) == [(MEMBER, "project_added", link)]
    assert _told(joined(MEMBER, "藤田 恵美")) == []
    assert _told(joined("", share=20)) == [(MEMBER, "project_joined", link)]  # admitted after consent


def test_a_recruitment_post_reaches_no_one_yet(project_id: str) -> None:
    posted = RecruitmentPosted(
        recruitment_id="rec_1",
        project_id=project_id,
        project_name="窓口DX検討",
        title="データ分析ができる方",
        share_percent=20,
        deadline="2031-04-30",
    )
    assert _told(posted) == []


def test_an_application_reaches_the_owners_unless_they_muted(project_id: str) -> None:
    applied = ApplicationReceived(
        recruitment_id="rec_1",
        application_id="app_1",
        project_id=project_id,
        project_name="窓口DX検討",
        applicant_id="kondo.m",
        applicant_name="近藤 美咲",
        owner_ids=[OWNER],
    )
    assert _told(applied) == [(OWNER, "application_received", "/recruitments/rec_1")]
    _mute(OWNER, project_id)
    assert _told(applied) == []


def test_the_consent_steps_are_never_muted(project_id: str) -> None:
    from chalicelib.projects import membership

    membership.add_member(me(OWNER), project_id, HEAD)
    for person in (HEAD, MEMBER, OWNER):
        _mute(person, project_id)
    asked = ConsentRequested(
        application_id="app_1",
        project_id=project_id,
        project_name="窓口DX検討",
        applicant_id=MEMBER,
        applicant_name="藤田 恵美",
        head_ids=[HEAD],
        share_percent=20,
        over_cap=False,
    )
    assert _told(asked) == [(HEAD, "consent_requested", "/consents")]
    over = ConsentRequested(**{**asked.fields(), "over_cap": True})
    assert _told(over) == [(HEAD, "consent_requested_over_cap", "/consents")]
    decided = {
        "application_id": "app_1",
        "project_id": project_id,
        "project_name": "窓口DX検討",
        "applicant_id": MEMBER,
        "decided_by_name": "坂本 純",
        "owner_ids": [OWNER],
    }
    link = f"/projects/{project_id}"
    assert _told(ConsentGiven(**decided)) == [(MEMBER, "consent_given_you", link), (OWNER, "consent_given_owner", link)]
    refused = ConsentRefused(**decided, comment="繁忙期のため")
    assert _told(refused) == [
        (MEMBER, "consent_refused_you", "/recruitments/mine"),
        (OWNER, "consent_refused_owner", link),
    ]


def test_actuals_due_reaches_the_staff_named(project_id: str) -> None:
    due = ActualsDue(month="2031-03", staff_ids=[MEMBER, OTHER])
    assert _told(due) == [(MEMBER, "actuals_due", "/actuals"), (OTHER, "actuals_due", "/actuals")]


def test_each_project_notice_reads_as_japanese_with_its_facts() -> None:
    from chalicelib.core.i18n import gettext_for
    from chalicelib.notifications import texts

    ja = gettext_for("ja")
    said = texts.render(
        "comment_mentioned",
        {"by": "山田 健一", "title": "申請書様式の棚卸し", "project": "窓口DX検討", "excerpt": "確認お願いします"},
        ja,
    )
    assert said.startswith("山田 健一さん") and "申請書様式の棚卸し" in said and "確認お願いします" in said
    soon = texts.render("card_due_soon", {"title": "棚卸し", "project": "窓口DX検討", "due": "2031-03-10"}, ja)
    assert "明日" in soon and "2031-03-10" in soon
    joined = texts.render("project_joined", {"project": "窓口DX検討", "share": 20}, ja)
    assert "20%" in joined


def _sent_mail() -> list[tuple[str, str]]:
    """(address, body) of each mail the in-process SES took."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from chalicelib.local import outbox

    sent = [outbox.sent_mail(m) for m in ses_backends[DEFAULT_ACCOUNT_ID]["ap-northeast-1"].sent_messages]
    return [(m["destinations"]["ToAddresses"][0], m["body"]) for m in sent]


def test_work_with_a_date_goes_by_mail_once_and_not_to_who_muted(project_id: str) -> None:
    from chalicelib.notifications import email

    assigned = CardAssigned(
        **_card(project_id), assignee_ids=[MEMBER, OTHER], assigned_by=OWNER, assigned_by_name="山田 健一"
    ).event()
    _mute(OTHER, project_id)
    assert email.send_for(assigned.as_delivered()) == 1
    assert email.send_for(assigned.as_delivered()) == 0, "a redelivered event mails no one twice"
    ((address, body),) = _sent_mail()
    assert address == f"{MEMBER}@pref.example.lg.jp"
    assert "申請書様式の棚卸し" in body and f"/projects/{project_id}/boards/brd_1?card=C_1" in body
    # Being added to a project is news, not work with a date: the inbox only.
    joined = MemberJoined(
        project_id=project_id, project_name="窓口DX検討", staff_id=MEMBER, added_by=OWNER, added_by_name="山田 健一"
    )
    assert email.send_for(joined.event().as_delivered()) == 0
    # The 所属長 asked for consent is mailed even though they muted the project.
    from chalicelib.projects import membership

    membership.add_member(me(OWNER), project_id, HEAD)
    _mute(HEAD, project_id)
    asked = ConsentRequested(
        application_id="app_1",
        project_id=project_id,
        project_name="窓口DX検討",
        applicant_id=MEMBER,
        applicant_name="藤田 恵美",
        head_ids=[HEAD],
        share_percent=20,
        over_cap=False,
    )
    assert email.send_for(asked.event().as_delivered()) == 1
    assert _sent_mail()[-1][0] == f"{HEAD}@pref.example.lg.jp" and "/consents" in _sent_mail()[-1][1]
