"""Links of another slice (sharing/external.py): the file links' gates, without a file behind them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.core.auth import Principal, Role
from chalicelib.core.errors import BadRequest, Forbidden, NotFound, Unauthenticated
from chalicelib.sharing import external, links, partner

OWNER = Principal("tanaka.h", "田中 花子", "tanaka.h@pref.example.lg.jp", "somu", Role.MEMBER)
CONTACT = "kikaku@city.example.lg.jp"
KEY = "survey:sv_1/ext:org_1"


def _issue(key: str = KEY, days: float = 14, **kw: Any) -> external.ExternalIssued:
    return external.create_external(OWNER, key, [CONTACT], datetime.now(UTC) + timedelta(days=days), **kw)


def _sent_code(to: str) -> str:
    from moto.backends import get_backend

    from chalicelib.local import outbox

    sent = get_backend("ses")["123456789012"]["ap-northeast-1"].sent_messages
    mails = [outbox.sent_mail(m) for m in sent]
    bodies = [m["body"] for m in mails if to in m["destinations"]["ToAddresses"]]
    assert bodies, f"no mail to {to}"
    match = re.search(r"確認コード: (\d{6})", bodies[-1])
    assert match
    return match.group(1)


def _through(token: str) -> str:
    """A partner session through the e-mail gate; returns its cookie."""
    cookie, _ = partner.open_link(token)
    partner.send_code(partner.visit(cookie), CONTACT)
    partner.enter_code(partner.visit(cookie), _sent_code(CONTACT))
    return cookie


def test_the_token_is_kept_only_as_its_hash_and_the_link_is_no_staff_share(aws_mock: None) -> None:
    from chalicelib.sharing.storage import LinkRecord, TokenRecord

    issued = _issue()
    stored = LinkRecord.get(issued.link.link_id)
    assert issued.token not in str(stored.attribute_values)
    assert [t.link_id for t in TokenRecord.scan()] == [issued.link.link_id]
    assert issued.link.external and not issued.link.allows_download and not issued.link.allows_upload
    assert links.mine(OWNER) == [], "the owner's share list shows file links only"
    with pytest.raises(NotFound):
        links.get(OWNER, issued.link.link_id)  # changed through the survey, never the share pages
    assert external.links_to(KEY) == [issued.link]


def test_the_session_reaches_its_key_only_after_the_code(aws_mock: None) -> None:
    issued = _issue()
    cookie, _ = partner.open_link(issued.token)
    before = partner.visit(cookie)
    assert before.gates == ["email"]
    with pytest.raises(Forbidden):
        external.key_of(before, "survey")
    partner.send_code(before, CONTACT)
    with pytest.raises(Unauthenticated):
        partner.enter_code(partner.visit(cookie), "000000" if _sent_code(CONTACT) != "000000" else "111111")
    partner.enter_code(partner.visit(cookie), _sent_code(CONTACT))
    assert external.key_of(partner.visit(cookie), "survey") == KEY


def test_nothing_of_the_files_is_reachable_through_it(aws_mock: None) -> None:
    visit = partner.visit(_through(_issue().token))
    with pytest.raises(Forbidden):
        partner.browse(visit)
    with pytest.raises(Forbidden):
        partner.download(visit, "fi_anything")
    with pytest.raises(NotFound):
        partner.reachable(visit, "fi_anything")


def test_a_reissued_link_retires_the_old_token_and_its_sessions(aws_mock: None) -> None:
    issued = _issue()
    cookie = _through(issued.token)
    again = external.reissue_external(issued.link.link_id, OWNER.staff_id, recipients=["new@town.example.jp"])
    assert again.token != issued.token and again.link.recipients == ["new@town.example.jp"]
    with pytest.raises(NotFound):
        partner.open_link(issued.token)
    with pytest.raises(Unauthenticated):
        partner.visit(cookie)
    partner.open_link(again.token)


def test_an_expired_link_is_refused(aws_mock: None) -> None:
    from chalicelib.sharing.storage import LinkRecord

    issued = _issue()
    LinkRecord(issued.link.link_id).update(
        actions=[LinkRecord.expires_at.set(datetime.now(UTC) - timedelta(seconds=1))]
    )
    with pytest.raises(partner.LinkGone):
        partner.open_link(issued.token)


def test_what_an_external_link_is_made_with_is_checked(aws_mock: None) -> None:
    soon = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(BadRequest):
        external.create_external(OWNER, KEY, ["not-an-address"], soon)
    with pytest.raises(BadRequest):
        external.create_external(OWNER, KEY, [], soon)
    with pytest.raises(BadRequest):
        external.create_external(OWNER, KEY, [CONTACT], datetime.now(UTC) - timedelta(minutes=1))
    with pytest.raises(ValueError):
        external.create_external(OWNER, KEY, [CONTACT], soon, kind="download")


def test_a_page_registered_for_a_kind_is_where_its_sessions_continue() -> None:
    external.register_page("survey", "/r/view")
    assert external.page_for("survey") == "/r/view"
    assert external.page_for("unknown") is None
    assert external.url("tok", "/r/").endswith("/r/#tok")
