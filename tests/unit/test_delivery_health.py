"""Delivery counters (notifications/stats.py), the administrators' health (ops/health.py) and
dead-letter replays (ops/dlq.py) on in-process moto, with the queues and tables the bootstrap makes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.auth import Principal, Role
from tests.unit.test_channels import HEAD, UNIT, Hook, _connect, _survey, dns, hook, project_id  # noqa: F401 - fixtures
from tests.unit.test_notifier import Context, _handler, _sample, directory  # noqa: F401 - fixture
from tests.unit.test_notify_preferences import _delivery, at, people  # noqa: F401 - fixture

ADMIN = Principal("admin.s", "管理 者", "admin@example.jp", "somu", Role.SYSTEM_ADMIN)
MEMBER = Principal("yamada.k", "山田 健一", "yamada@example.jp", "somu", Role.MEMBER)
DEPT_ADMIN = Principal("tanaka.h", "田中 ひかり", "tanaka@example.jp", "somu", Role.DEPARTMENT_ADMIN)


def _sqs() -> Any:
    from chalicelib.core import aws

    return aws.client("sqs")


def _url(name: str) -> str:
    return str(_sqs().get_queue_url(QueueName=name)["QueueUrl"])


def _put_dead(queue: str, count: int, attributes: bool = False) -> None:
    url = _url(f"kumo-{queue}-dlq")
    for start in range(0, count, 10):
        entries = []
        for i in range(start, min(count, start + 10)):
            entry: dict[str, Any] = {"Id": str(i), "MessageBody": json.dumps({"n": i})}
            if attributes:
                entry["MessageAttributes"] = {"origin": {"DataType": "String", "StringValue": f"test-{i}"}}
            entries.append(entry)
        _sqs().send_message_batch(QueueUrl=url, Entries=entries)


def _drain(name: str) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    for _ in range(200):
        batch = _sqs().receive_message(QueueUrl=_url(name), MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        messages = batch.get("Messages", [])
        if not messages:
            break
        got += messages
    return got


def _update_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    from chalicelib.core import aws

    client = aws.client("dynamodb")
    calls: list[dict[str, Any]] = []
    real = client.update_item

    def spy(**kwargs: Any) -> Any:
        if kwargs.get("TableName") == "kumo-notification_stats":
            calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(client, "update_item", spy)
    return calls


# --- counters ---------------------------------------------------------------------------------------


def test_an_events_counts_are_added_up_in_memory_and_written_once(
    aws_mock: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.notifications import stats

    calls = _update_calls(monkeypatch)
    now = datetime(2026, 12, 2, 3, 15, tzinfo=UTC)
    with stats.counting(now):
        stats.count("inbox", "survey_issued", "sent")
        stats.count("inbox", "survey_issued", "sent")
        stats.count("mail", "survey_issued", "failed")
    with stats.counting(now + timedelta(minutes=30)):  # the same hour: added to what is there
        stats.count("inbox", "survey_issued", "sent", 3)
    assert len(calls) == 2
    got = {(c.channel, c.kind, c.outcome): c.count for c in stats.since(24, now + timedelta(hours=1))}
    assert got == {("inbox", "survey_issued", "sent"): 5, ("mail", "survey_issued", "failed"): 1}


def test_counts_older_than_the_window_are_left_out(aws_mock: None) -> None:
    from chalicelib.notifications import stats

    now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    with stats.counting(now - timedelta(hours=30)):
        stats.count("mail", "welcome", "sent")
    with stats.counting(now - timedelta(hours=23)):
        stats.count("mail", "welcome", "sent")
    assert [c.count for c in stats.since(24, now)] == [1]


def test_nothing_is_written_for_an_event_without_counts_or_outside_a_block(
    aws_mock: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.notifications import stats

    calls = _update_calls(monkeypatch)
    stats.count("inbox", "welcome", "sent")  # a test post from a page: no event being counted
    with stats.counting():
        pass
    assert calls == [] and stats.since() == []


def test_a_counter_that_cannot_be_written_never_fails_the_delivery(aws_mock: None) -> None:
    from chalicelib.core import aws
    from chalicelib.notifications import stats

    aws.client("dynamodb").delete_table(TableName="kumo-notification_stats")
    with stats.counting():
        stats.count("inbox", "welcome", "sent")
    delivered = True  # reached: the failed write was logged and dropped
    assert delivered


def test_a_failed_delivery_still_writes_its_counts(aws_mock: None) -> None:
    from chalicelib.notifications import stats

    with pytest.raises(RuntimeError), stats.counting():
        stats.count("mail", "welcome", "failed")
        raise RuntimeError("SES refused")
    assert [(c.outcome, c.count) for c in stats.since()] == [("failed", 1)]


def test_the_notifier_counts_what_it_delivered(directory: None, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from chalicelib.notifications import stats

    calls = _update_calls(monkeypatch)
    _handler()(_sample(), Context())
    assert len(calls) == 1, "one counter write for the batch (two events)"
    got = {(c.channel, c.kind, c.outcome): c.count for c in stats.since()}
    assert got[("inbox", "welcome", "sent")] == 1
    assert got[("inbox", "department_notice", "sent")] >= 1


def test_the_channel_poster_counts_each_post_by_type_kind_and_outcome(
    project_id: str,  # noqa: F811
    hook: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chalicelib.notifications import stats
    from chalicelib.notifications.channels import delivery, model

    _connect(HEAD, model.unit(UNIT), f"{hook}/hooks/z", kind="slack")
    calls = _update_calls(monkeypatch)
    delivery.deliver_event(_survey([UNIT], "ev-1"))
    delivery.deliver_event(_survey([UNIT], "ev-1"))  # redelivered: not posted again
    Hook.status = 500
    with pytest.raises(delivery.RetryLater):
        delivery.deliver_event(_survey([UNIT], "ev-2"))
    assert len(calls) == 3, "one counter write per event, the failed one included"
    got = {(c.channel, c.kind, c.outcome): c.count for c in stats.since()}
    assert got == {
        ("slack", "survey_issued", "sent"): 1,
        ("slack", "survey_issued", "skipped"): 1,
        ("slack", "survey_issued", "failed"): 1,
    }


def test_the_digest_counts_each_notice_it_mailed(people: None, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from chalicelib.notifications import digest, stats

    friday_night = at("2027-01-08T21:00")
    for n in range(2):
        digest.enqueue(_delivery("card_assigned", n, friday_night, title=f"資料{n}"), friday_night)
    digest.enqueue(_delivery("project_added", 9, friday_night), friday_night)
    calls = _update_calls(monkeypatch)
    assert digest.send_due(at("2027-01-12T08:30")) == 1
    assert len(calls) == 1, "one person's digest: one counter write"
    got = {(c.channel, c.kind, c.outcome): c.count for c in stats.since()}
    assert got == {("digest", "card_assigned", "sent"): 2, ("digest", "project_added", "sent"): 1}


# --- health -----------------------------------------------------------------------------------------


def test_rows_sum_per_channel_and_per_kind_busiest_first() -> None:
    from chalicelib.notifications.stats import Count
    from chalicelib.ops import health

    counts = [
        Count("inbox", "welcome", "sent", 2),
        Count("mail", "welcome", "failed", 1),
        Count("mail", "survey_issued", "sent", 4),
        Count("digest", "survey_issued", "queued", 3),
    ]
    by_channel = {r.name: r for r in health.rows(counts, "channel")}
    assert [r.name for r in health.rows(counts, "channel")] == ["mail", "digest", "inbox"]
    assert (by_channel["mail"].sent, by_channel["mail"].failed) == (4, 1)
    by_kind = {r.name: r for r in health.rows(counts, "kind")}
    assert (by_kind["survey_issued"].sent, by_kind["survey_issued"].queued) == (4, 3)
    assert (by_kind["welcome"].sent, by_kind["welcome"].failed) == (2, 1)


def test_an_administrator_sees_counts_queue_depths_and_dead_letters(aws_mock: None) -> None:
    from chalicelib.notifications import stats
    from chalicelib.ops import health

    with stats.counting():
        stats.count("inbox", "welcome", "sent", 2)
        stats.count("teams", "survey_issued", "failed")
    _put_dead("index", 3)
    _sqs().send_message(QueueUrl=_url("kumo-scan"), MessageBody="{}", DelaySeconds=60)
    report = health.delivery_health(ADMIN)
    assert (report.sent, report.failed, report.dead_letters) == (2, 1, 3)
    depths = {q.queue: q for q in report.queues}
    assert set(depths) == {"notify", "mail", "index", "scan", "channels"}
    assert depths["index"].dead.visible == 3 and depths["notify"].dead.total == 0
    assert depths["scan"].depth.delayed == 1
    assert report.paused == [] and report.replays == []


def test_a_paused_channel_is_listed(project_id: str, hook: str) -> None:  # noqa: F811
    from chalicelib.notifications.channels import model, service
    from chalicelib.ops import health
    from tests.unit.test_project_notifications import me

    channel = _connect(HEAD, model.unit(UNIT), f"{hook}/hooks/z").channel
    _connect(HEAD, model.unit(UNIT), f"{hook}/hooks/still-on")
    service.pause(me(HEAD), channel.channel_id)
    report = health.delivery_health(ADMIN)
    assert [(c.channel_id, c.scope) for c in report.paused] == [(channel.channel_id, f"unit:{UNIT}")]


@pytest.mark.parametrize("who", [MEMBER, DEPT_ADMIN], ids=["member", "department admin"])
def test_anyone_but_a_system_administrator_is_refused(aws_mock: None, who: Principal) -> None:
    from chalicelib.core.errors import Forbidden
    from chalicelib.ops import dlq, health

    _put_dead("notify", 1)
    for attempt in (
        lambda: health.delivery_health(who),
        lambda: dlq.status(who),
        lambda: dlq.replay(who, "notify"),
        lambda: dlq.recent_replays(who),
    ):
        with pytest.raises(Forbidden) as refused:
            attempt()
        assert refused.value.status == 403
    assert len(_drain("kumo-notify-dlq")) == 1, "nothing was moved"


# --- replay -----------------------------------------------------------------------------------------


def test_a_replay_moves_body_and_attributes_back_and_is_logged(aws_mock: None) -> None:
    from chalicelib.ops import dlq

    _put_dead("channels", 3, attributes=True)
    done = dlq.replay(ADMIN, "channels", 10)
    assert done.moved == 3
    back = sorted(_drain("kumo-channels"), key=lambda m: json.loads(m["Body"])["n"])
    assert [json.loads(m["Body"]) for m in back] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert back[2]["MessageAttributes"]["origin"]["StringValue"] == "test-2"
    assert _drain("kumo-channels-dlq") == []
    (logged,) = dlq.recent_replays(ADMIN)
    assert (logged.queue, logged.who, logged.moved, logged.asked) == ("channels", "admin.s", 3, 10)


def test_a_replay_moves_a_hundred_by_default_and_no_more_than_asked(aws_mock: None) -> None:
    from chalicelib.ops import dlq

    _put_dead("notify", 107)
    assert dlq.replay(ADMIN, "notify").moved == 100
    assert dlq.replay(ADMIN, "notify", 3).moved == 3
    assert dlq.replay(ADMIN, "notify", 1000).moved == 4
    assert len(_drain("kumo-notify")) == 107
    assert [r.moved for r in dlq.recent_replays(ADMIN)] == [4, 3, 100]


@pytest.mark.parametrize(("queue", "count"), [("notify", 0), ("notify", 1001), ("notify", -5), ("letters", 10)])
def test_a_replay_out_of_bounds_or_of_an_unknown_queue_is_refused(aws_mock: None, queue: str, count: int) -> None:
    from chalicelib.core.errors import BadRequest
    from chalicelib.ops import dlq

    _put_dead("notify", 2)
    with pytest.raises(BadRequest):
        dlq.replay(ADMIN, queue, count)
    assert len(_drain("kumo-notify-dlq")) == 2
    assert dlq.recent_replays(ADMIN) == []


def test_the_cli_reports_dead_letters_and_replays_them(aws_mock: None, capsys: pytest.CaptureFixture[str]) -> None:
    from chalicelib import cli

    _put_dead("scan", 2)
    assert cli.main(["dlq", "status"]) == 0
    assert cli.main(["dlq", "status", "--fail-on-dead"]) == 1
    out = capsys.readouterr()
    assert "2 message(s) in dead-letter queues" in out.err
    assert [line.split() for line in out.out.splitlines() if line.startswith("scan")][0][-1] == "2"
    assert cli.main(["dlq", "replay", "--queue", "scan", "--max", "1"]) == 0
    assert "scan: 1 message(s) put back" in capsys.readouterr().out
    assert cli.main(["dlq", "replay", "--queue", "scan", "--max", "5000"]) == 2
    assert cli.main(["dlq", "replay"]) == 0
    assert cli.main(["dlq", "status", "--fail-on-dead"]) == 0
    assert len(_drain("kumo-scan")) == 2
