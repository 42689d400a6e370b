"""Due-date reminders for cards (projects/reminders.py), on in-process moto: the day before and the
day after a due date (JST), each once per card and date, re-armed by a new date, never for what
is archived; and the reminder reaches the card's people through the notifier's routing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.projects.cards import CardChanges
from tests.unit.test_project_notifications import MEMBER, OWNER, demo_project, me

JST_MORNING = "T09:00:00+09:00"


@pytest.fixture
def project_id(aws_mock: None) -> str:
    return demo_project()


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day + JST_MORNING)


def _board(project_id: str) -> tuple[str, list[str]]:
    from chalicelib.projects import projects

    project = projects.get(me(OWNER), project_id).project
    board_id = project.boards[0].board_id
    from chalicelib.projects import boards

    return board_id, [x.list_id for x in boards.load(me(OWNER), project_id, board_id).lists]


def _card(project_id: str, title: str, *, due: str, list_index: int = 0, **changes: Any) -> tuple[str, str, int]:
    """A card with a due date and MEMBER assigned (its creator, OWNER, watches it)."""
    from chalicelib.projects import cards

    board_id, lists = _board(project_id)
    made = cards.create(me(OWNER), project_id, board_id, lists[list_index], title, after=None)
    changed = cards.update(
        me(OWNER),
        project_id,
        board_id,
        made.card_id,
        changes=CardChanges(due=due, assignees=changes.pop("assignees", [MEMBER]), **changes),
        version=made.version,
    )
    return board_id, made.card_id, changed.version


def _due_events() -> list[dict[str, Any]]:
    """The CardDue events the bus took, as delivered to the notifier's queue (drained)."""
    from chalicelib.core import aws
    from chalicelib.core.project_events import CardDue

    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName="kumo-notify")["QueueUrl"]
    found: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            event = json.loads(message["Body"])
            if CardDue.matches(event):
                found.append(event)
    return found


def _remind(at: datetime) -> int:
    from chalicelib.projects import reminders

    return reminders.send_due_reminders(at)


def test_a_card_due_tomorrow_is_reminded_once_however_often_the_sweep_runs(project_id: str) -> None:
    board_id, card_id, _ = _card(project_id, "説明会資料の作成", due="2031-03-10")
    _due_events()
    # 23:30 in Japan on the 8th: tomorrow is the 9th, nothing is due then.
    assert _remind(datetime(2031, 3, 8, 14, 30, tzinfo=UTC)) == 0
    # 00:30 in Japan on the 9th (still the 8th in UTC): the card is due tomorrow.
    assert _remind(datetime(2031, 3, 8, 15, 30, tzinfo=UTC)) == 1
    assert _remind(_at("2031-03-09")) == 0
    (event,) = _due_events()
    detail = event["detail"]
    assert (detail["card_id"], detail["due"], detail["overdue"]) == (card_id, "2031-03-10", False)
    assert detail["assignee_ids"] == [MEMBER] and detail["watcher_ids"] == [OWNER]

    # The notifier turns it into the assignee's and the watcher's notices, each with the card's link.
    from chalicelib.notifications import routing

    told = sorted((d.staff_id, d.kind, d.link) for d in routing.deliveries_for(event))
    link = f"/projects/{project_id}/boards/{board_id}?card={card_id}"
    assert told == [(MEMBER, "card_due_soon", link), (OWNER, "watched_card_due_soon", link)]

    # The day after the due date: overdue, once.
    assert _remind(_at("2031-03-11")) == 1
    assert _remind(_at("2031-03-11")) == 0
    assert [e["detail"]["overdue"] for e in _due_events()] == [True]


def test_two_runs_at_once_take_a_step_once_and_never_for_a_date_changed_since(project_id: str) -> None:
    from chalicelib.projects import cards, reminders, storage
    from chalicelib.projects.storage import ItemRecord

    board_id, card_id, version = _card(project_id, "庁内調整", due="2031-07-10")
    storage.bind()
    (read,) = [r for r in ItemRecord.by_due.query("2031-07-10") if r.item_id == card_id]
    # Both runs read the card before either took the step: one takes it, the other does not.
    key = reminders.step_key("2031-07-10", reminders.SOON)
    assert [reminders.take(read, key), reminders.take(read, key)] == [True, False]
    assert _remind(_at("2031-07-09")) == 0
    # The date changed after a run read the card: that run does not take a step for the old date.
    cards.update(me(OWNER), project_id, board_id, card_id, changes=CardChanges(due="2031-07-20"), version=version)
    assert not reminders.take(read, reminders.step_key("2031-07-10", reminders.OVERDUE))


def test_a_new_due_date_is_reminded_anew(project_id: str) -> None:
    from chalicelib.projects import cards

    board_id, card_id, version = _card(project_id, "予算要求の取りまとめ", due="2031-03-10")
    assert _remind(_at("2031-03-09")) == 1
    moved = cards.update(
        me(OWNER), project_id, board_id, card_id, changes=CardChanges(due="2031-03-20"), version=version
    )
    assert _remind(_at("2031-03-09")) == 0, "the old date is no longer the card's"
    assert _remind(_at("2031-03-19")) == 1
    # Back to the first date: it is a change of date like any other, so it is reminded again.
    cards.update(me(OWNER), project_id, board_id, card_id, changes=CardChanges(due="2031-03-10"), version=moved.version)
    assert _remind(_at("2031-03-09")) == 1
    # A change that keeps the date does not re-arm it.
    current = cards.get(me(OWNER), project_id, board_id, card_id)[1]
    cards.update(
        me(OWNER),
        project_id,
        board_id,
        card_id,
        changes=CardChanges(title="予算要求の取りまとめ（第2版）"),
        version=current.version,
    )
    assert _remind(_at("2031-03-09")) == 0
    titles = [e["detail"]["title"] for e in _due_events()]
    assert titles == ["予算要求の取りまとめ"] * 3


def test_archived_cards_cards_in_archived_lists_and_cards_without_people_get_none(project_id: str) -> None:
    from chalicelib.projects import boards, cards

    board_id, archived_card, version = _card(project_id, "旧様式の廃止", due="2031-05-01")
    cards.archive(me(OWNER), project_id, board_id, archived_card, archived=True, version=version)
    _, lists = _board(project_id)
    _card(project_id, "保留中の案件", due="2031-05-01", list_index=1)
    shelved = boards.load(me(OWNER), project_id, board_id).lists[1]
    boards.archive_list(me(OWNER), project_id, board_id, shelved.list_id, archived=True, version=shelved.version)
    _card(project_id, "担当未定の作業", due="2031-05-01", assignees=[], watchers=[])
    assert _remind(_at("2031-04-30")) == 0
    assert _due_events() == []


def test_a_step_whose_event_did_not_reach_the_bus_is_taken_again_next_time(
    project_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.core import events

    _card(project_id, "議会答弁の準備", due="2031-06-02")
    publish = events.publish

    def refused(*args: Any, **kwargs: Any) -> None:
        raise events.PublishError("1 event(s) could not be published")

    monkeypatch.setattr(events, "publish", refused)
    with pytest.raises(events.PublishError):
        _remind(_at("2031-06-01"))
    monkeypatch.setattr(events, "publish", publish)
    assert _remind(_at("2031-06-01")) == 1
    assert len(_due_events()) == 1
