"""The event publisher: batches of ten, rejected entries retried, then an error."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core import events
from chalicelib.core.event_catalogue import DepartmentNoticePosted
from chalicelib.core.events import DomainEvent, PublishError


class Bus:
    """Stands in for PutEvents: rejects the first `reject` entries of each call, `times` times."""

    def __init__(self, reject: int = 0, times: int = 0) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.reject = reject
        self.times = times

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 - boto3's name
        self.calls.append(Entries)
        failing = self.reject if self.times > 0 else 0
        self.times -= 1
        results = [
            {"ErrorCode": "ThrottlingException"} if i < failing else {"EventId": str(i)} for i in range(len(Entries))
        ]
        return {"FailedEntryCount": min(failing, len(Entries)), "Entries": results}


def _events(n: int) -> list[DomainEvent]:
    return [
        DepartmentNoticePosted(
            department_id="somu", notice_id=f"n{i}", title="t", author_id="a", author_name="A"
        ).event()
        for i in range(n)
    ]


def test_entries_are_sent_in_batches_of_ten_with_source_and_bus() -> None:
    bus = Bus()
    events.publish(_events(23), put_events=bus.put_events, sleep=lambda _: None)
    assert [len(c) for c in bus.calls] == [10, 10, 3]
    entry = bus.calls[0][0]
    assert entry["Source"] == "kumo.directory" and entry["DetailType"] == "DepartmentNoticePosted"
    assert entry["EventBusName"] == "kumo-events"
    assert '"event_id"' in entry["Detail"] and '"occurred_at"' in entry["Detail"]


def test_rejected_entries_are_retried_until_accepted() -> None:
    bus = Bus(reject=2, times=2)
    events.publish(_events(5), put_events=bus.put_events, sleep=lambda _: None)
    assert [len(c) for c in bus.calls] == [5, 2, 2]


def test_entries_still_rejected_after_every_attempt_raise() -> None:
    bus = Bus(reject=1, times=99)
    with pytest.raises(PublishError, match="1 event"):
        events.publish(_events(3), put_events=bus.put_events, sleep=lambda _: None)
    assert len(bus.calls) == events.MAX_ATTEMPTS


def test_nothing_to_publish_makes_no_call() -> None:
    bus = Bus()
    events.publish([], put_events=bus.put_events)
    assert bus.calls == []


def test_each_function_keeps_its_own_idempotency_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """One event reaches several functions (PartnerUploaded: notifier and scanner), all sharing
    one table: Powertools keys records by the function it wraps, which must be each handler."""
    import aws_lambda_powertools.utilities.idempotency.base as base

    from chalicelib.core import idempotency

    def probe(event: dict[str, object]) -> int:
        return 1

    keyed_by: list[str] = []

    def spy(self: object, function: object, *args: object, **kwargs: object) -> None:
        keyed_by.append(f"{function.__module__}.{function.__qualname__}")  # type: ignore[attr-defined]
        raise RuntimeError("stop before any AWS call")

    monkeypatch.setattr(base.IdempotencyHandler, "__init__", spy)
    handle_once, _ = idempotency.once(probe, key_path="[source]")()
    with pytest.raises(RuntimeError):
        handle_once(event={"source": "x"})
    assert keyed_by == [f"{__name__}.test_each_function_keeps_its_own_idempotency_records.<locals>.probe"]
