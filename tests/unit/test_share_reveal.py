"""A new link's address is kept sealed for one view by the browser that made it (in-process moto)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.sharing import audit, reveal, staff_views

URL = "http://127.0.0.1:8000/s/#tok_secret-token-value"
MINE = "session-cookie-of-the-creator"


def _link(link_id: str = "sl_0001") -> str:
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
    ).save()
    return link_id


def _stored(link_id: str) -> str | None:
    from chalicelib.sharing.storage import LinkRecord

    return LinkRecord.get(link_id, consistent_read=True).reveal


def test_only_the_session_that_made_the_link_sees_it_and_only_once(aws_mock: None) -> None:
    link_id = _link()
    reveal.keep(link_id, URL, MINE)
    sealed = _stored(link_id)
    assert sealed and "secret-token" not in sealed and "tok_" not in sealed, "never stored readable"
    assert reveal.take(link_id, "another-session") is None
    assert reveal.take(link_id, None) is None
    assert _stored(link_id) == sealed, "someone else looking takes nothing away"
    assert reveal.take(link_id, MINE) == URL
    assert _stored(link_id) is None
    assert reveal.take(link_id, MINE) is None, "a reload shows it no more"


def test_a_kept_address_expires(aws_mock: None) -> None:
    link_id = _link()
    reveal.keep(link_id, URL, MINE, now=datetime.now(UTC) - reveal.KEEP_FOR - timedelta(seconds=1))
    assert reveal.take(link_id, MINE) is None
    assert _stored(link_id) is None, "an expired one is removed"


def test_nothing_is_kept_for_a_link_that_does_not_exist(aws_mock: None) -> None:
    reveal.keep("sl_missing", URL, MINE)
    assert reveal.take("sl_missing", MINE) is None


def test_a_sealed_address_is_bound_to_its_link() -> None:
    sealed = reveal.seal(URL, "sl_a", MINE)
    assert reveal.unseal(sealed, "sl_a", MINE) == URL
    assert reveal.unseal(sealed, "sl_b", MINE) is None
    assert reveal.unseal("not base64!", "sl_a", MINE) is None


@pytest.mark.parametrize(
    ("agent", "short"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
            "Safari/537.36",
            "Chrome 126 / Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
            "Safari/537.36 Edg/126.0.2592.87",
            "Edge 126 / Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari 17 / iPhone",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox 128 / Linux"),
        ("python-requests/2.32.3", "python-requests/2.32.3"),
        ("x" * 60, "x" * 39 + "…"),
        (None, ""),
    ],
)
def test_user_agents_are_shortened(agent: str | None, short: str) -> None:
    assert staff_views.short_agent(agent) == short


def _event(link_id: str, key: str) -> audit.AuditEvent:
    at = datetime.fromisoformat(key.partition("#")[0])
    return audit.AuditEvent(link_id, at, "opened", "partner", None, None, None, None, None, key)


def test_trails_merge_newest_first_each_record_once() -> None:
    a1, a2 = _event("sl_a", "2026-01-01T00:00:01+00:00#1"), _event("sl_a", "2026-01-01T00:00:03+00:00#2")
    b1 = _event("sl_b", "2026-01-01T00:00:02+00:00#3")
    merged = audit.newest([[a2, a1], [b1], [a2]], limit=10)
    assert merged == [a2, b1, a1]
    assert audit.newest([[a2, a1], [b1]], limit=2) == [a2, b1]


def test_who_a_partner_is_when_it_is_known() -> None:
    created = _event("sl_a", "2026-01-01T00:00:01+00:00#1")
    upload = audit.AuditEvent(
        "sl_a", created.at, "uploaded", "partner", None, None, "fi_1", "図.pdf", "by 九州設計 佐藤", "k"
    )
    assert staff_views.AuditRow(upload, "partner").partner_name == "九州設計 佐藤"
    assert staff_views.AuditRow(created, "partner:a@example.jp").partner_name == "a@example.jp"
    assert staff_views.AuditRow(created, "partner").partner_name == ""
    staff = staff_views.AuditRow(created, "山田 健一")
    assert not staff.is_partner and staff.partner_name == ""
