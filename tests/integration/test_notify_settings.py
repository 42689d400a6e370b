"""A person's notification settings through real HTTP on the local stack: card assignments moved
to the daily digest send no mail at once and exactly one digest mail listing them (`kumo sweep
--at` the next working morning: two at once, then again); the unsubscribe link in that mail, opened without
signing in, turns that kind's mail off."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
import requests

from chalicelib.notifications import quiet
from tests.conftest import eventually
from tests.integration.test_projects import OWNER, Signed, _api, add_card, board_path, load, start_project
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
PERSON = "ueda.s"  # no other test mails this person: their settings change here


def _outbox(stack: RunningStack, staff_id: str) -> list[str]:
    out = str(stack.kumo("outbox", "--to", f"{staff_id}@pref.example.lg.jp", "--limit", "200", check=True).stdout)
    return [m for m in out.split("-" * 60) if m.strip()]


def _settings(session: requests.Session, stack: RunningStack) -> dict[str, str]:
    got = _api(session, stack, "GET", "/api/settings/notifications")
    assert got.status_code == 200, got.text
    return {k["kind"]: k["choice"] for g in got.json()["groups"] for k in g["kinds"]}


def test_assignments_in_the_digest_come_as_one_mail_and_its_link_unsubscribes(
    stack: RunningStack, signed_in: Signed
) -> None:
    person, owner = signed_in(PERSON), signed_in(OWNER)
    changed = _api(person, stack, "PUT", "/api/settings/notifications", json={"choices": {"card_assigned": "digest"}})
    assert changed.status_code == 200, changed.text
    assert _settings(person, stack)["card_assigned"] == "digest"
    refused = _api(person, stack, "PUT", "/api/settings/notifications", json={"choices": {"survey_reminder": "off"}})
    assert refused.status_code == 400, "a reminder for one's 所属 cannot be turned off"

    project = start_project(stack, signed_in)
    added = _api(owner, stack, "POST", f"/api/projects/{project['id']}/members", json={"staff_id": PERSON})
    assert added.status_code == 201, added.text
    tag = uuid.uuid4().hex[:6]
    titles = [f"{name} {tag}" for name in ("議事録の整理", "予算資料の確認", "説明会の会場手配")]
    for title in titles:
        card = add_card(owner, stack, project, load(owner, stack, project)["lists"][0]["id"], title)
        put = _api(
            owner,
            stack,
            "PUT",
            f"{board_path(project)}/cards/{card['id']}",
            json={"version": card["version"], "assignees": [PERSON]},
        )
        assert put.status_code == 200, put.text

    def inbox() -> list[dict[str, Any]]:
        items = _api(person, stack, "GET", "/api/notifications").json()["items"]
        return [n for n in items if n["kind"] == "card_assigned" and tag in n["text"]]

    eventually(lambda: len(inbox()) == 3)  # the inbox has each at once
    assert not [m for m in _outbox(stack, PERSON) if tag in m], "no mail at once"

    morning = datetime.combine(quiet.digest_day(datetime.now(quiet.JST)), quiet.DIGEST_AT, quiet.JST)
    at = morning.replace(hour=9).isoformat()
    # Two sweeps at once (as two scheduler invocations may overlap), then one more.
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: stack.kumo("sweep", "--at", at, check=True).stdout, range(2)))
    assert sum("digests_sent=1" in out for out in runs) <= 1, runs
    assert "digests_sent" not in stack.kumo("sweep", "--at", at, check=True).stdout
    digests = eventually(lambda: [m for m in _outbox(stack, PERSON) if tag in m])
    assert len(digests) == 1, digests
    (digest,) = digests
    assert all(title in digest for title in titles) and f"/projects/{project['id']}/boards/" in digest
    assert "担当" in digest  # Japanese: the kind's heading and the texts

    # `kumo sweep` ran with the default base URL: the path is what the link is about.
    # The body's link is the kind's; the List-Unsubscribe header's (above the body) stops the digest.
    (path,) = set(re.findall(r"https?://[^/\s]+(/unsubscribe/\S+)", digest.split("\n\n", 1)[1]))
    link = f"{stack.base_url}{path}"
    stranger = requests.Session()  # not signed in
    shown = stranger.get(link, timeout=60)
    assert shown.status_code == 200 and "confirm-unsubscribe" in shown.text
    assert _settings(person, stack)["card_assigned"] == "digest", "opening the link changes nothing"
    token = re.search(r'name="csrf_token" value="([^"]+)"', shown.text)
    assert token is not None
    done = stranger.post(link, data={"csrf_token": token.group(1)}, timeout=60)
    assert done.status_code == 200 and 'data-testid="unsubscribed"' in done.text
    assert _settings(person, stack)["card_assigned"] == "inbox"
    assert stranger.get(link[:-4] + "AAAA", timeout=60).status_code == 404, "a tampered link is refused"
