"""Attempt reservation (sharing/attempts.py): the rules, against in-process moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.errors import BadRequest, TooManyRequests
from chalicelib.sharing import attempts


def _link(link_id: str = "sl_0001", **extra: Any) -> str:
    from chalicelib.sharing.storage import LinkRecord, bind

    bind()
    now = datetime.now(UTC)
    LinkRecord(
        link_id,
        token_hash="h",
        kind="download",
        target_id="fi_1",
        target_kind="file",
        space_id="dept:somu",
        owner_id="yamada.k",
        owner_name="山田 健一",
        owner_department_id="somu",
        created_at=now.isoformat(),
        updated_at=now,
        expires_at=now + timedelta(days=7),
        **extra,
    ).save()
    return link_id


def _session(session_hash: str = "sess", **extra: Any) -> str:
    from chalicelib.sharing.storage import PartnerSessionRecord

    now = datetime.now(UTC)
    PartnerSessionRecord(
        session_hash, link_id="sl_0001", epoch=1, created_at=now, expires_at=now + timedelta(hours=8), ttl=0, **extra
    ).save()
    return session_hash


def _stored(link_id: str = "sl_0001") -> Any:
    from chalicelib.sharing.storage import LinkRecord

    return LinkRecord.get(link_id, consistent_read=True)


def test_the_last_slot_locks_the_link_at_once_and_the_next_attempt_is_told_until_when(aws_mock: None) -> None:
    link_id = _link()
    slots = [attempts.reserve(link_id) for _ in range(attempts.LOCK_AFTER_FAILURES)]
    assert [s.locks_until is not None for s in slots] == [False] * (attempts.LOCK_AFTER_FAILURES - 1) + [True]
    until = slots[-1].locks_until
    assert until is not None
    assert (
        timedelta(minutes=attempts.LOCK_MINUTES - 1)
        < until - datetime.now(UTC)
        <= timedelta(minutes=attempts.LOCK_MINUTES)
    )
    record = _stored(link_id)
    assert record.locked_until == until and int(record.failed_attempts) == 0, "locked while the last one is evaluated"
    with pytest.raises(TooManyRequests) as refused:
        attempts.reserve(link_id)
    assert refused.value.details["time"] == attempts.locked(until).details["time"]


def test_after_the_lock_ends_the_link_has_all_its_attempts_again(aws_mock: None) -> None:
    link_id = _link(locked_until=datetime.now(UTC) - timedelta(seconds=1), failed_attempts=0)
    slots = [attempts.reserve(link_id) for _ in range(attempts.LOCK_AFTER_FAILURES)]
    assert slots[-1].locks_until is not None and all(s.locks_until is None for s in slots[:-1])


def test_a_right_password_on_the_last_slot_lifts_the_lock_and_forgives(aws_mock: None) -> None:
    link_id = _link()
    for _ in range(attempts.LOCK_AFTER_FAILURES - 1):
        attempts.reserve(link_id)
    last = attempts.reserve(link_id)
    attempts.forgive(last)
    record = _stored(link_id)
    assert record.locked_until is None and int(record.failed_attempts) == 0
    assert attempts.reserve(link_id).locks_until is None


def test_a_right_password_resets_the_count(aws_mock: None) -> None:
    link_id = _link()
    for _ in range(5):
        attempts.reserve(link_id)
    attempts.forgive(attempts.reserve(link_id))
    assert int(_stored(link_id).failed_attempts) == 0


def test_a_right_code_gives_its_slot_back_and_no_more(aws_mock: None) -> None:
    link_id = _link()
    for _ in range(3):
        attempts.reserve(link_id)
    attempts.give_back(attempts.reserve(link_id))
    assert int(_stored(link_id).failed_attempts) == 3, "the failures before it still count"
    for _ in range(attempts.LOCK_AFTER_FAILURES - 4):
        attempts.reserve(link_id)
    last = attempts.reserve(link_id)
    assert last.locks_until is not None
    attempts.give_back(last)
    assert _stored(link_id).locked_until is None


def test_a_lock_set_by_another_attempt_is_not_lifted(aws_mock: None) -> None:
    later = datetime.now(UTC) + timedelta(minutes=10)
    link_id = _link(locked_until=later)
    attempts.give_back(attempts.Slot(link_id, datetime.now(UTC) + timedelta(minutes=15)))
    assert _stored(link_id).locked_until == later


def test_a_link_that_does_not_exist_gets_no_item_made_for_it(aws_mock: None) -> None:
    from chalicelib.core.errors import Unauthenticated
    from chalicelib.core.storage import get_or_none
    from chalicelib.sharing.storage import LinkRecord, bind

    bind()
    with pytest.raises(Unauthenticated):
        attempts.reserve("sl_missing")
    assert get_or_none(LinkRecord, "sl_missing") is None


def test_code_tries_are_per_code_sent_and_need_a_live_code(aws_mock: None) -> None:
    _link()
    soon = datetime.now(UTC) + timedelta(minutes=10)
    session = _session(otp_hash="h", pending_email="a@example.jp", otp_expires_at=soon, otp_attempts=0)
    taken = [attempts.reserve_code_attempt(session) for _ in range(attempts.CODE_ATTEMPTS)]
    assert taken[0].otp_hash == "h" and taken[0].pending_email == "a@example.jp", "the session as it was"
    with pytest.raises(TooManyRequests):
        attempts.reserve_code_attempt(session)
    expired = _session("old", otp_hash="h", otp_expires_at=datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(BadRequest):
        attempts.reserve_code_attempt(expired)
    with pytest.raises(BadRequest):
        attempts.reserve_code_attempt(_session("never"))


def test_code_emails_are_limited_per_session(aws_mock: None) -> None:
    _link()
    session = _session()
    for _ in range(attempts.CODE_SENDS):
        attempts.reserve_code_send_for_session(session)
    with pytest.raises(TooManyRequests):
        attempts.reserve_code_send_for_session(session)


def test_code_emails_per_link_per_hour_scale_with_the_recipients() -> None:
    assert attempts.code_sends_per_hour(1) == attempts.CODE_SENDS_PER_LINK_HOUR_MIN
    assert attempts.code_sends_per_hour(20) == 20 * attempts.CODE_SENDS_PER_RECIPIENT_HOUR


def test_code_emails_per_link_run_out_for_the_hour_and_come_back_the_next(aws_mock: None) -> None:
    link_id = _link()
    limit = attempts.code_sends_per_hour(1)
    for _ in range(limit):
        attempts.reserve_code_send_for_link(link_id, 1)
    with pytest.raises(TooManyRequests) as refused:
        attempts.reserve_code_send_for_link(link_id, 1)
    assert "this hour" in refused.value.message and refused.value.details["time"].endswith(":00")
    from chalicelib.sharing.storage import LinkRecord

    last_hour = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H")
    LinkRecord(link_id).update(actions=[LinkRecord.code_sends_hour.set(last_hour)])
    attempts.reserve_code_send_for_link(link_id, 1)
    assert int(_stored(link_id).code_sends) == 1, "a new hour starts a new count"
