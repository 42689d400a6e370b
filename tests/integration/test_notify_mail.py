"""Mail on the local stack, through real HTTP: a person's digest comes at the time they chose,
once however many sweeps run at once (50, against the emulator's atomic DynamoDB); every notice
mail is a raw message carrying List-Unsubscribe + List-Unsubscribe-Post (RFC 8058), shown by
`kumo outbox` with its Japanese subject and body; a mail client's one-click POST to that link,
with no cookie, no CSRF token and no sign-in, stops that mail."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

import pytest
import requests

from chalicelib.notifications import quiet
from tests.conftest import eventually
from tests.integration.test_surveys import _api, issue_survey
from tests.support.stack import ROOT, RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]
PERSON, UNIT = "okada.s", "kenpoku-somu"  # 県北地域振興局 総務課's 取りまとめ担当: no other test reads their mail
PARALLEL = 50

# 50 sweeps' digest step at once, in one process of their own aimed at the stack (as 50
# overlapping scheduler invocations would be): each thread waits at a barrier, then runs.
CONCURRENT_DIGESTS = """
import sys, threading
from datetime import datetime
from chalicelib.notifications import digest
at, n = datetime.fromisoformat(sys.argv[1]), int(sys.argv[2])
barrier, sent, failed = threading.Barrier(n), [], []
def run():
    barrier.wait(timeout=60)
    try:
        sent.append(digest.send_due(at))
    except Exception as exc:
        failed.append(repr(exc))
threads = [threading.Thread(target=run) for _ in range(n)]
[t.start() for t in threads]
[t.join(timeout=300) for t in threads]
print(f"runs={len(sent)} failed={failed[:3]}")
"""


def _mails(stack: RunningStack, needle: str) -> list[str]:
    out = str(stack.kumo("outbox", "--to", f"{PERSON}@pref.example.lg.jp", "--limit", "200", check=True).stdout)
    return [m for m in out.split("-" * 60) if needle in m]


def _settings(session: requests.Session, stack: RunningStack) -> dict[str, Any]:
    got = _api(session, stack, "GET", "/api/settings/notifications")
    assert got.status_code == 200, got.text
    return dict(got.json())


def _digests_at(stack: RunningStack, at: datetime) -> None:
    run = subprocess.run(
        [sys.executable, "-c", CONCURRENT_DIGESTS, at.isoformat(), str(PARALLEL)],
        check=False,
        cwd=ROOT,
        env=stack.env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0 and f"runs={PARALLEL} failed=[]" in run.stdout, run.stdout + run.stderr


def test_the_digest_comes_at_the_person_s_time_once_under_fifty_sweeps(stack: RunningStack, signed_in: Signed) -> None:
    person = signed_in(PERSON)
    changed = _api(
        person,
        stack,
        "PUT",
        "/api/settings/notifications",
        json={"choices": {"survey_issued": "digest"}, "digest_at": "12:00"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["digest_at"] == "12:00" and "07:30" in changed.json()["digest_times"]
    refused = _api(person, stack, "PUT", "/api/settings/notifications", json={"digest_at": "09:10"})
    assert refused.status_code == 400 and _settings(person, stack)["digest_at"] == "12:00"

    numbers = [issue_survey(stack, signed_in, [UNIT])["number"] for _ in range(2)]
    eventually(
        lambda: all(
            any(n in i["text"] for i in _api(person, stack, "GET", "/api/notifications").json()["items"])
            for n in numbers
        )
    )
    assert not [m for n in numbers for m in _mails(stack, n)], "no mail at once"

    day = quiet.digest_day(datetime.now(quiet.JST), time(12, 0))
    _digests_at(stack, datetime.combine(day, time(11, 45), quiet.JST))
    assert not _mails(stack, numbers[0]), "before the person's time: nothing"
    _digests_at(stack, datetime.combine(day, time(12, 0), quiet.JST))
    _digests_at(stack, datetime.combine(day, time(12, 15), quiet.JST))  # and again, later that day
    digests = eventually(lambda: _mails(stack, numbers[0]))
    assert len(digests) == 1, digests
    assert numbers[1] in digests[0] and "まとめメール" in digests[0]


def test_a_notice_mail_is_raw_with_a_one_click_unsubscribe_that_needs_no_sign_in(
    stack: RunningStack, signed_in: Signed
) -> None:
    person = signed_in(PERSON)
    put = _api(person, stack, "PUT", "/api/settings/notifications", json={"choices": {"survey_closed": "mail"}})
    assert put.status_code == 200, put.text
    survey = issue_survey(stack, signed_in, [UNIT])
    closed = _api(signed_in("yamada.k"), stack, "POST", f"/api/surveys/{survey['id']}/close", json={})
    assert closed.status_code == 200, closed.text
    (mail,) = eventually(lambda: [m for m in _mails(stack, survey["number"]) if "締め切" in m or "closed" in m])

    subject = re.search(r"^Subject: (.+)$", mail, re.M)
    assert subject is not None and subject.group(1).startswith("【Kumo】") and survey["number"] in subject.group(1)
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in mail
    header = re.search(r"^List-Unsubscribe: <(https?://[^>\s]+)>$", mail, re.M)
    assert header is not None, mail
    path = re.sub(r"^https?://[^/]+", "", header.group(1))  # `kumo outbox` ran with the default base URL
    assert path.startswith("/unsubscribe/") and path in mail, "the same link in the body"

    # What a mail client does (RFC 8058): a bare POST, no cookie, no token, either encoding.
    client = requests.Session()
    one_click = client.post(f"{stack.base_url}{path}", data={"List-Unsubscribe": "One-Click"}, timeout=60)
    assert one_click.status_code == 200 and 'data-testid="unsubscribed"' in one_click.text
    kinds = {k["kind"]: k["choice"] for g in _settings(person, stack)["groups"] for k in g["kinds"]}
    assert kinds["survey_closed"] == "inbox"
    again = requests.post(
        f"{stack.base_url}{path}", files={"List-Unsubscribe": (None, "One-Click")}, timeout=60
    )  # multipart/form-data
    assert again.status_code == 200, again.text[:300]
    tampered = requests.post(f"{stack.base_url}{path[:-4]}AAAA", data={"List-Unsubscribe": "One-Click"}, timeout=60)
    assert tampered.status_code == 404, "the signature is the whole right"
    # Other forms still need their token: the exemption is this path's alone.
    assert requests.post(f"{stack.base_url}/settings/notifications", data={}, timeout=60).status_code == 403
