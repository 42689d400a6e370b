"""The administrators' delivery health through real HTTP on the local stack: a message in the
notify DLQ shows as its depth on /admin/notifications; 「再送」 (a CSRF-protected form) puts it
back on the notify queue, where the notifier delivers it (the notice reaches the inbox and the
counters rise); the DLQ is empty after. Anyone but a system administrator gets 403 and no 管理
link."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

import pytest
import requests

from chalicelib.core.event_catalogue import StaffSignedInFirstTime
from chalicelib.core.events import DomainEvent
from tests.conftest import eventually, translated
from tests.support.stack import RunningStack, csrf_from

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]
ADMIN, MEMBER = "admin", "kubo.s"
PAGE = "/admin/notifications"


def _page(session: requests.Session, stack: RunningStack, path: str = PAGE) -> requests.Response:
    return session.get(f"{stack.base_url}{path}", timeout=60)


def _cell(html: str, attribute: str, value: str, inside: str | None = None) -> int:
    """The number in the cell marked ``attribute="value"`` (within the row ``inside`` if given)."""
    if inside is not None:
        row = re.search(rf"<tr {inside}>.*?</tr>", html, re.S)
        assert row is not None, inside
        html = row.group(0)
    found = re.search(rf'{attribute}="{value}">(\d+)<', html)
    assert found is not None, value
    return int(found.group(1))


def _dead_notify(html: str) -> int:
    return _cell(html, "data-depth", "dlq-visible", inside='data-queue="notify"')


def _welcome_sent(html: str) -> int:
    row = re.search(r'<tr data-name="welcome">.*?</tr>', html, re.S)
    return 0 if row is None else _cell(row.group(0), "data-outcome", "sent")


def test_a_dead_letter_is_shown_replayed_and_delivered(stack: RunningStack, signed_in: Signed) -> None:
    admin = signed_in(ADMIN)
    before = _page(admin, stack)
    assert before.status_code == 200, before.text[:300]
    assert 'data-testid="admin-link"' in before.text
    welcomes = _welcome_sent(before.text)
    name = f"再送 テスト {uuid.uuid4().hex[:6]}"
    event = DomainEvent(StaffSignedInFirstTime(staff_id=MEMBER, department_id="digital", display_name=name))
    sqs = stack.boto3("sqs")
    dead_url = sqs.get_queue_url(QueueName="kumo-notify-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=dead_url, MessageBody=json.dumps(event.as_delivered(), ensure_ascii=False))

    shown = _page(admin, stack)
    assert _dead_notify(shown.text) >= 1
    form = re.search(
        r'<form method="post" action="([^"]+)"[^>]*data-testid="replay-notify">.*?</form>', shown.text, re.S
    )
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(0)))
    assert fields["csrf_token"] == csrf_from(shown.text)
    bare = requests.Session()  # the cookie only, as a browser posting the form: the form's token proves the origin
    bare.cookies.update(admin.cookies)
    forged = bare.post(f"{stack.base_url}{form.group(1)}", data={"queue": "notify"}, allow_redirects=False, timeout=60)
    assert forged.status_code == 403, "no CSRF token: refused"
    assert _dead_notify(_page(admin, stack).text) >= 1

    done = bare.post(
        f"{stack.base_url}{form.group(1)}", data={**fields, "max": "100"}, allow_redirects=False, timeout=60
    )
    assert done.status_code == 303, done.text[:300]
    assert done.headers["Location"].startswith(f"{PAGE}?replayed=")
    back = _page(admin, stack, done.headers["Location"])
    moved = int(re.search(r'data-testid="replayed" data-count="(\d+)"', back.text).group(1))  # type: ignore[union-attr]
    assert moved >= 1
    assert _dead_notify(back.text) == 0

    member = signed_in(MEMBER)

    def delivered() -> bool:
        items = member.get(f"{stack.base_url}/api/notifications", timeout=60).json()["items"]
        return any(n["kind"] == "welcome" and name in n["text"] for n in items)

    eventually(delivered, timeout_s=60)
    eventually(lambda: _welcome_sent(_page(admin, stack).text) > welcomes, timeout_s=30)
    final = _page(admin, stack).text
    assert _dead_notify(final) == 0
    log = re.search(r'<table[^>]*data-testid="replays">.*?</table>', final, re.S)
    assert log is not None and "<td>admin</td>" in log.group(0), "the replay is in the log, with who did it"
    assert translated("Replay") in final


@pytest.mark.parametrize("who", [MEMBER, "tanaka.h"], ids=["member", "department admin"])
def test_anyone_else_is_refused_and_sees_no_admin_link(stack: RunningStack, signed_in: Signed, who: str) -> None:
    session = signed_in(who)
    home = session.get(f"{stack.base_url}/", timeout=60)
    assert home.status_code == 200 and 'data-testid="admin-link"' not in home.text
    for path in ("/admin", PAGE):
        assert _page(session, stack, path).status_code == 403, path
    bare = requests.Session()
    bare.cookies.update(session.cookies)
    replay = bare.post(
        f"{stack.base_url}{PAGE}/replay",
        data={"csrf_token": csrf_from(home.text), "queue": "notify", "max": "10"},
        allow_redirects=False,
        timeout=60,
    )
    assert replay.status_code == 403
