"""The event path end to end: action -> PutEvents -> bus rule -> SQS -> notifier -> inbox -> API."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
import requests

from tests.conftest import eventually
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]


def _inbox(session: requests.Session, base_url: str) -> list[dict[str, object]]:
    return session.get(f"{base_url}/api/notifications", timeout=30).json()["items"]  # type: ignore[no-any-return]


def _post_notice(session: requests.Session, base_url: str, department: str, title: str) -> requests.Response:
    return session.post(
        f"{base_url}/api/departments/{department}/notices",
        json={"title": title, "body": "詳細は添付の資料をご確認ください。"},
        timeout=30,
    )


def test_a_department_notice_reaches_every_member_but_not_others(stack: RunningStack, signed_in: Signed) -> None:
    title = f"庁舎設備点検のお知らせ {uuid.uuid4().hex[:6]}"
    response = _post_notice(signed_in("tanaka.h"), stack.base_url, "somu", title)
    assert response.status_code == 201, response.text

    member = signed_in("yamada.k")
    arrived = eventually(lambda: [n for n in _inbox(member, stack.base_url) if title in str(n["text"])])
    assert len(arrived) == 1
    assert arrived[0]["read_at"] is None
    assert arrived[0]["link"] == f"/departments/somu#notice-{response.json()['notice_id']}"
    assert member.get(f"{stack.base_url}/api/notifications/unread-count", timeout=30).json()["unread"] >= 1

    outsider = signed_in("kimura.t")  # 健康福祉部
    author = signed_in("tanaka.h")
    assert not [n for n in _inbox(outsider, stack.base_url) if title in str(n["text"])]
    assert not [n for n in _inbox(author, stack.base_url) if title in str(n["text"])]

    page = member.get(f"{stack.base_url}/notifications", timeout=30)
    assert title in page.text


def test_marking_read_changes_the_unread_count(stack: RunningStack, signed_in: Signed) -> None:
    title = f"読了テスト {uuid.uuid4().hex[:6]}"
    assert _post_notice(signed_in("nakamura.s"), stack.base_url, "digital", title).status_code == 201
    member = signed_in("ogata.r")
    item = eventually(lambda: next((n for n in _inbox(member, stack.base_url) if title in str(n["text"])), None))
    before = member.get(f"{stack.base_url}/api/notifications/unread-count", timeout=30).json()["unread"]
    after = member.post(f"{stack.base_url}/api/notifications/{item['id']}/read", timeout=30).json()["unread"]
    assert after == before - 1
    # Someone else's notification id is simply not found for another reader.
    other = signed_in("nakamura.s").post(f"{stack.base_url}/api/notifications/{item['id']}/read", timeout=30)
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("staff_id", "department", "status"),
    [
        ("yamada.k", "somu", 403),  # member of the department
        ("inoue.a", "somu", 403),  # administrator of another department
        ("admin", "somu", 201),  # system administrator
        ("tanaka.h", "nowhere", 403),  # not an administrator there: refused before anything is looked up
        ("admin", "nowhere", 404),  # a system administrator learns the department does not exist
    ],
)
def test_who_may_post_a_notice(
    stack: RunningStack, signed_in: Signed, staff_id: str, department: str, status: int
) -> None:
    response = _post_notice(signed_in(staff_id), stack.base_url, department, f"権限確認 {uuid.uuid4().hex[:6]}")
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.json()["message"], "a refusal says why"


def test_bad_notice_input_gets_a_clear_400(stack: RunningStack, signed_in: Signed) -> None:
    admin = signed_in("tanaka.h")
    empty = _post_notice(admin, stack.base_url, "somu", "   ")
    too_long = _post_notice(admin, stack.base_url, "somu", "長" * 500)
    not_json = admin.post(
        f"{stack.base_url}/api/departments/somu/notices",
        data=b"{oops",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert empty.status_code == too_long.status_code == not_json.status_code == 400
    assert empty.json()["details"]["field"] == "title"
    assert "120" in too_long.json()["message"]


def _queue_url(stack: RunningStack, name: str) -> str:
    return str(stack.boto3("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def _bus_event(detail: dict[str, object], detail_type: str = "DepartmentNoticePosted") -> str:
    """An EventBridge event exactly as the bus delivers it to an SQS target."""
    return json.dumps(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": "kumo.directory",
            "account": "123456789012",
            "time": "2026-11-26T01:00:00Z",
            "region": "ap-northeast-1",
            "resources": [],
            "detail": detail,
        },
        ensure_ascii=False,
    )


def test_a_redelivered_event_is_handled_once(stack: RunningStack, signed_in: Signed) -> None:
    event_id = str(uuid.uuid4())
    title = f"重複配信テスト {event_id[:6]}"
    body = _bus_event(
        {
            "department_id": "kankyo",
            "notice_id": "n1",
            "title": title,
            "author_id": "admin",
            "author_name": "情報 太郎",
            "event_id": event_id,
            "occurred_at": "2026-11-26T01:00:00+00:00",
        }
    )
    sqs = stack.boto3("sqs")
    url = _queue_url(stack, "kumo-notify")
    sqs.send_message(QueueUrl=url, MessageBody=body)
    member = signed_in("hayashi.m")
    eventually(lambda: [n for n in _inbox(member, stack.base_url) if title in str(n["text"])])
    sqs.send_message(QueueUrl=url, MessageBody=body)  # the same event again (at-least-once delivery)
    sqs.send_message(
        QueueUrl=url,
        MessageBody=_bus_event(
            {
                "department_id": "kankyo",
                "notice_id": "n2",
                "title": "後続",
                "author_id": "admin",
                "author_name": "情報 太郎",
                "event_id": str(uuid.uuid4()),
            }
        ),
    )
    eventually(lambda: [n for n in _inbox(member, stack.base_url) if "後続" in str(n["text"])])
    assert len([n for n in _inbox(member, stack.base_url) if title in str(n["text"])]) == 1


def test_a_failing_record_goes_to_the_dlq_and_the_rest_of_the_batch_is_handled(
    stack: RunningStack, signed_in: Signed
) -> None:
    sqs = stack.boto3("sqs")
    url = _queue_url(stack, "kumo-notify")
    poison = _bus_event({"title": "no department id, no event id"})
    good_title = f"同じバッチの正常なイベント {uuid.uuid4().hex[:6]}"
    good = _bus_event(
        {
            "department_id": "shoko",
            "notice_id": "n3",
            "title": good_title,
            "author_id": "admin",
            "author_name": "情報 太郎",
            "event_id": str(uuid.uuid4()),
        }
    )
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": "poison", "MessageBody": poison}, {"Id": "good", "MessageBody": good}]
    )
    member = signed_in("shimizu.d")
    eventually(lambda: [n for n in _inbox(member, stack.base_url) if good_title in str(n["text"])])
    dlq = _queue_url(stack, "kumo-notify-dlq")

    def poison_in_dlq() -> bool:
        messages = sqs.receive_message(
            QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=1
        ).get("Messages", [])
        return any(m["Body"] == poison for m in messages)

    eventually(poison_in_dlq, timeout_s=40)
