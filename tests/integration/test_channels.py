"""Chat channels through the real local stack (its own, with a 3 s breaker window and 1 s
retries): the demo's 財政課 channels receive the demo survey; an event put on the bus twice
reaches each channel exactly once; a channel whose receiver answers 500 is retried, then paused,
and its 所属長 told in the inbox and by mail. Who may open the page, per role."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from chalicelib.core.event_catalogue import SurveyReminder
from tests.conftest import eventually, sign_in
from tests.support.stack import RunningStack, csrf_from

pytestmark = pytest.mark.integration
HEAD, COORDINATOR, MEMBER, STRANGER = "nishida.k", "harada.y", "yamada.k", "kubo.s"


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = RunningStack(
        tmp_path_factory.mktemp("kumo-channels"),
        settings={"KUMO_CHANNEL_PAUSE_AFTER_S": "3", "KUMO_CHANNEL_RETRY_BASE_S": "1"},
    )
    running.start()
    try:
        yield running
    finally:
        assert running.stop() == 0, "".join(running.output[-40:])


def received(stack: RunningStack, path: str) -> list[dict[str, Any]]:
    got = requests.get(f"{stack.receiver_url}/_messages", timeout=10)
    got.raise_for_status()
    return [m for m in got.json() if m["path"] == path]


def _publish(stack: RunningStack, detail: Any, event_id: str) -> None:
    entry = detail.event(event_id=event_id).to_entry("kumo-events")
    answer = stack.boto3("events").put_events(Entries=[entry])
    assert answer["FailedEntryCount"] == 0


def _queue_drained(stack: RunningStack) -> bool:
    sqs = stack.boto3("sqs")
    url = sqs.get_queue_url(QueueName="kumo-channels")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return (
        attributes["ApproximateNumberOfMessages"] == "0" and attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
    )


def _reminder(unit: str) -> SurveyReminder:
    return SurveyReminder(
        survey_id="s-int",
        number="総務第99号",
        title=f"連携テスト {uuid.uuid4().hex[:6]}",
        unit_id=unit,
        step="before",
        deadline="2027-01-20T08:00:00+00:00",
    )


def test_the_demo_survey_reaches_zaisei_s_channels_signed(fast: RunningStack) -> None:
    teams = eventually(lambda: received(fast, "/hooks/zaisei-teams"), timeout_s=60)
    issued = [m for m in teams if m["body"]["attachments"][0]["content"]["body"][0]["text"] == "照会が届きました"]
    assert len(issued) == 1
    card = issued[0]["body"]["attachments"][0]["content"]
    assert card["actions"][0]["url"].startswith(f"{fast.base_url}/surveys/")
    hooks = eventually(lambda: received(fast, "/hooks/zaisei-webhook"), timeout_s=60)
    assert {m["signature_valid"] for m in hooks} == {True}
    assert [m["body"]["kind"] for m in hooks].count("survey_issued") == 1
    printed = fast.kumo("webhooks", "--port", str(fast.receiver_port), "--limit", "50", check=True).stdout
    assert "/hooks/zaisei-webhook" in printed and "signature: valid" in printed


def test_an_event_delivered_twice_is_posted_once_to_each_channel(fast: RunningStack) -> None:
    detail = _reminder("zaisei")
    event_id = f"int-{uuid.uuid4().hex}"
    _publish(fast, detail, event_id)
    _publish(fast, detail, event_id)  # the same event again: a redelivery as the queue may make

    def posts() -> list[dict[str, Any]]:
        return [m for m in received(fast, "/hooks/zaisei-webhook") if m["body"]["id"] == event_id]

    eventually(posts, timeout_s=30)
    eventually(lambda: _queue_drained(fast), timeout_s=30)
    (post,) = posts()
    assert post["body"]["kind"] == "survey_reminder" and detail.title in post["body"]["text"]
    teams = [
        m for m in received(fast, "/hooks/zaisei-teams") if detail.title in json.dumps(m["body"], ensure_ascii=False)
    ]
    assert len(teams) == 1


def _connect(session: requests.Session, stack: RunningStack, url: str, kinds: list[str]) -> requests.Response:
    page = session.get(f"{stack.base_url}/units/zaisei/channels", timeout=30)
    form = [("csrf_token", csrf_from(page.text)), ("type", "webhook"), ("name", "落ちる連携先"), ("url", url)]
    return session.post(
        f"{stack.base_url}/units/zaisei/channels", data=form + [("kinds", k) for k in kinds], timeout=30
    )


def test_a_failing_channel_is_retried_then_paused_and_its_managers_told(fast: RunningStack) -> None:
    coordinator = sign_in(fast.base_url, COORDINATOR)
    connected = _connect(coordinator, fast, f"{fast.receiver_url}/status/500/failing", ["survey_reminder"])
    assert connected.status_code == 201, connected.text
    assert "kumo_whsec_" in connected.text and "/status/500/failing" not in connected.text  # masked
    detail = _reminder("zaisei")
    _publish(fast, detail, f"int-{uuid.uuid4().hex}")

    eventually(lambda: len(received(fast, "/status/500/failing")) >= 3, timeout_s=60)

    def paused() -> bool:
        page = coordinator.get(f"{fast.base_url}/units/zaisei/channels", timeout=30).text
        return "失敗が続いたため停止中" in page

    eventually(paused, timeout_s=60)
    tries = len(received(fast, "/status/500/failing"))
    page = coordinator.get(f"{fast.base_url}/units/zaisei/channels", timeout=30).text
    assert page.count("HTTP 500") >= 3 and "status/500" not in page  # the log: codes, never the URL
    head = sign_in(fast.base_url, HEAD)
    inbox = head.get(f"{fast.base_url}/notifications", timeout=30).text
    assert "チャット連携「落ちる連携先」（財政課）" in inbox
    mail = fast.kumo("outbox", "--to", f"{HEAD}@pref.example.lg.jp", "--limit", "50", check=True).stdout
    assert "落ちる連携先" in mail
    _publish(fast, _reminder("zaisei"), f"int-{uuid.uuid4().hex}")
    eventually(lambda: _queue_drained(fast), timeout_s=30)
    assert len(received(fast, "/status/500/failing")) == tries  # paused: nothing more is tried


@pytest.mark.parametrize(("staff_id", "status"), [(HEAD, 200), (COORDINATOR, 200), (MEMBER, 403), (STRANGER, 404)])
def test_the_unit_s_channel_page_per_role(fast: RunningStack, staff_id: str, status: int) -> None:
    got = sign_in(fast.base_url, staff_id).get(f"{fast.base_url}/units/zaisei/channels", timeout=30)
    assert got.status_code == status
    if status == 200:
        assert "財政課 Teams" in got.text and "http://127.0.0.1/…/••••eams" in got.text
        assert "/hooks/zaisei-teams" not in got.text


def test_fifty_connects_at_once_leave_a_unit_at_most_ten_channels(fast: RunningStack) -> None:
    from concurrent.futures import ThreadPoolExecutor

    coordinator = sign_in(fast.base_url, "tanaka.h")  # 人事課 所属長: a 所属 no other test connects
    page = coordinator.get(f"{fast.base_url}/units/jinji/channels", timeout=30)
    token = csrf_from(page.text)

    def connect(i: int) -> int:
        form = [("csrf_token", token), ("type", "slack"), ("name", f"同時 {i}")]
        form += [("url", f"{fast.receiver_url}/hooks/jinji-{i:04d}"), ("kinds", "survey_issued")]
        return coordinator.post(f"{fast.base_url}/units/jinji/channels", data=form, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(pool.map(connect, range(50)))
    assert codes.count(201) == 10 and codes.count(409) == 40
    listed = coordinator.get(f"{fast.base_url}/units/jinji/channels", timeout=30).text
    assert listed.count('data-testid="channel"') == 10
