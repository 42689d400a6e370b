"""The staff's share-link forms become link options: dates in Japan time, only what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.errors import BadRequest
from chalicelib.sharing import staff_views
from chalicelib.sharing.links import Link

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # 15:00 in Japan


def _link(**changes: Any) -> Link:
    base: dict[str, Any] = dict(
        link_id="sl_1",
        kind="download",
        target_id="fi_1",
        target_kind="file",
        space_id="dept:somu",
        owner_id="yamada.k",
        owner_name="山田 健一",
        owner_department_id="somu",
        message="ご確認ください",
        created_at=NOW.isoformat(),
        expires_at=datetime(2026, 12, 3, 14, 59, 59, tzinfo=UTC),
        has_password=True,
        max_downloads=3,
        download_count=0,
        recipients=["a@example.jp"],
        verify_email=False,
        notify_on_access=False,
        notify_on_upload=True,
        revoked_at=None,
        session_epoch=1,
        locked_until=None,
    )
    base.update(changes)
    return Link(**base)


def test_a_date_means_the_end_of_that_day_in_japan() -> None:
    assert staff_views.expiry_from_date("2026-12-03", now=NOW) == "2026-12-03T23:59:59+09:00"


def test_the_last_allowed_day_ends_at_the_maximum_and_a_later_day_is_left_to_be_refused() -> None:
    latest = NOW + timedelta(days=90)
    assert datetime.fromisoformat(staff_views.expiry_from_date("2027-02-24", now=NOW)) == latest
    assert staff_views.expiry_from_date("2027-02-25", now=NOW) == "2027-02-25T23:59:59+09:00"


@pytest.mark.parametrize("bad", ["", "tomorrow", "2026-13-01", "2026/12/01"])
def test_a_date_that_is_not_one_is_refused_with_the_field(bad: str) -> None:
    with pytest.raises(BadRequest) as refused:
        staff_views.expiry_from_date(bad, now=NOW)
    assert refused.value.to_dict(str)["details"]["field"] == "expires_at"


def test_the_create_form_says_no_to_an_unticked_box() -> None:
    kind, options = staff_views.create_options({"kind": "request", "expires_on": "2026-12-01", "max_downloads": " "})
    assert kind == "request" and options["notify_on_upload"] is False and options["max_downloads"] is None
    assert options["password"] is None and options["expires_at"].startswith("2026-12-01T23:59:59")


def test_an_untouched_settings_form_changes_nothing() -> None:
    link = _link()
    form = {**staff_views.current_values(link), "password": ""}
    form = {k: v for k, v in form.items() if v}  # an unticked box is not sent at all
    assert staff_views.change_options(form, link) == {}


def test_only_what_was_changed_is_sent() -> None:
    link = _link()
    form = {
        **staff_views.current_values(link),
        "max_downloads": "",
        "recipients": "A@example.jp\nb@example.jp",
        "notify_on_access": "on",
    }
    assert staff_views.change_options({k: v for k, v in form.items() if v or k == "max_downloads"}, link) == {
        "max_downloads": None,
        "recipients": "A@example.jp\nb@example.jp",
        "notify_on_access": True,
    }
    assert staff_views.change_options({**form, "remove_password": "on"}, link)["password"] is None
    assert staff_views.change_options({**form, "password": "new-password"}, link)["password"] == "new-password"
