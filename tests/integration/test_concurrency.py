"""Limits under parallel requests: 50 at once against `kumo dev`'s parallel web workers.

Each request goes over its own connection (its own requests.Session), so the requests spread
over the workers and run at the same time, as they would in concurrent Lambda containers. The
threads wait at a barrier and then all send at once. What counts is what the server evaluated:
the link's audit trail records each evaluated wrong password or code, each code e-mail and
each download, whatever the responses say.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
import requests

from chalicelib.sharing import attempts
from tests.integration.test_files import _api
from tests.integration.test_sharing import Partner, _code_from_outbox, _share, shared_file  # noqa: F401 - fixture
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
PARALLEL = 50
TIME = re.compile(r"\d{2}:\d{2}")
WRONG_CODE = "1234567"  # certainly wrong: the codes have six digits


def all_at_once(calls: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Run every call on its own thread, released together; the responses in the calls' order."""
    barrier = threading.Barrier(len(calls))
    results: list[requests.Response | BaseException | None] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = calls[i]()
        except BaseException as exc:  # reported below, with the others
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    failed = [r for r in results if not isinstance(r, requests.Response)]
    assert not failed, f"{len(failed)} calls did not complete: {failed[:3]}"
    return [r for r in results if isinstance(r, requests.Response)]


def connection_of(partner: Partner) -> Partner:
    """The same partner session over a new connection (a browser opening another one)."""
    clone = Partner.__new__(Partner)
    clone.stack, clone.token = partner.stack, partner.token
    clone.http = requests.Session()
    clone.http.cookies.update(partner.http.cookies)
    clone.http.headers["X-CSRF-Token"] = partner.http.headers["X-CSRF-Token"]
    return clone


def opened(stack: RunningStack, link: dict[str, Any], count: int) -> list[Partner]:
    partners = [Partner(stack, link["url"]) for _ in range(count)]
    for p in partners:
        assert p.open().status_code == 200
    return partners


def actions(owner: requests.Session, stack: RunningStack, link: dict[str, Any]) -> Counter[str]:
    trail = _api(owner, stack, "GET", f"/api/shares/{link['id']}/audit").json()["items"]
    return Counter(e["action"] for e in trail)


def lock_time(response: requests.Response) -> str:
    found = TIME.search(response.json()["message"])
    assert found, f"the refusal says until when: {response.text}"
    return found.group(0)


def statuses(responses: list[requests.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def test_the_dev_server_answers_from_several_workers_at_once(stack: RunningStack) -> None:
    def healthz() -> requests.Response:
        with requests.Session() as own_connection:
            return own_connection.get(f"{stack.base_url}/healthz", timeout=60)

    answered = all_at_once([healthz] * PARALLEL)
    assert statuses(answered) == {200: PARALLEL}
    workers = {r.headers.get("X-Kumo-Worker") for r in answered}
    assert None not in workers and len(workers) > 1, f"one worker answered everything: {workers}"


def test_parallel_wrong_passwords_are_evaluated_at_most_the_limit_then_the_link_is_locked(
    stack: RunningStack,
    shared_file: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    owner = shared_file["owner"]
    link = _share(owner, stack, shared_file["file"]["id"], password="correct-horse-battery")
    partners = opened(stack, link, PARALLEL)  # many people (or one attacker), each with a session
    answers = all_at_once(
        [partial(p.call, "POST", "/password", json={"password": f"guess-{i}"}) for i, p in enumerate(partners)]
    )

    limit = attempts.LOCK_AFTER_FAILURES
    trail = actions(owner, stack, link)
    assert trail["password_failed"] == limit, f"{trail['password_failed']} wrong passwords were evaluated"
    assert trail["locked"] == 1
    assert statuses(answers) == {401: limit - 1, 429: PARALLEL - limit + 1}
    lock_times = {lock_time(r) for r in answers if r.status_code == 429}
    assert len(lock_times) == 1, f"every refusal names the same end of the lock: {lock_times}"
    late = partners[0].call("POST", "/password", json={"password": "correct-horse-battery"})
    assert late.status_code == 429, "locked: even the right password waits"
    assert lock_time(late) in lock_times
    assert _api(owner, stack, "GET", f"/api/shares/{link['id']}").json()["locked_until"]


def _with_codes_sent(stack: RunningStack, link: dict[str, Any], address: str, sessions: int) -> list[Partner]:
    partners = opened(stack, link, sessions)
    for p in partners:
        assert p.call("POST", "/email", json={"email": address}).status_code == 200
    _code_from_outbox(stack, address)  # the mail went out
    return partners


def test_parallel_wrong_codes_are_evaluated_at_most_the_limits(
    stack: RunningStack,
    shared_file: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    owner = shared_file["owner"]
    address = f"code-{uuid.uuid4().hex[:6]}@partner.example.co.jp"
    link = _share(owner, stack, shared_file["file"]["id"], verify_email=True, recipients=[address])
    sessions = 5  # 5 sessions x 10 guesses: the per-session limit (5 a code) and the link's (10) both bind
    partners = _with_codes_sent(stack, link, address, sessions)
    guesses = [connection_of(partners[i % sessions]) for i in range(PARALLEL)]
    answers = all_at_once([partial(g.call, "POST", "/code", json={"code": WRONG_CODE}) for g in guesses])

    trail = actions(owner, stack, link)
    assert trail["code_failed"] == attempts.LOCK_AFTER_FAILURES, f"{trail['code_failed']} codes were evaluated"
    assert trail["code_sent"] == sessions
    assert trail["locked"] == 1
    limit = attempts.LOCK_AFTER_FAILURES
    assert statuses(answers) == {401: limit - 1, 429: PARALLEL - limit + 1}
    assert partners[-1].call("POST", "/code", json={"code": "000000"}).status_code == 429


def test_parallel_code_attempts_of_one_session_are_evaluated_at_most_its_limit(
    stack: RunningStack,
    shared_file: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    owner = shared_file["owner"]
    address = f"session-{uuid.uuid4().hex[:6]}@partner.example.co.jp"
    link = _share(owner, stack, shared_file["file"]["id"], verify_email=True, recipients=[address])
    [partner] = _with_codes_sent(stack, link, address, 1)
    answers = all_at_once(
        [
            partial(g.call, "POST", "/code", json={"code": WRONG_CODE})
            for g in [connection_of(partner) for _ in range(PARALLEL)]
        ]
    )
    trail = actions(owner, stack, link)
    assert trail["code_failed"] == attempts.CODE_ATTEMPTS, f"{trail['code_failed']} codes were evaluated"
    assert statuses(answers) == {401: attempts.CODE_ATTEMPTS, 429: PARALLEL - attempts.CODE_ATTEMPTS}


def test_a_download_limit_of_3_allows_exactly_3_of_50_parallel_downloads(
    stack: RunningStack,
    shared_file: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    """The download counter already took its slot atomically (a conditional ADD before the URL is
    made); this holds it to that when the requests really run at the same time."""
    owner, file_id = shared_file["owner"], shared_file["file"]["id"]
    link = _share(owner, stack, file_id, max_downloads=3)
    [partner] = opened(stack, link, 1)
    connections = [connection_of(partner) for _ in range(PARALLEL)]
    looks = all_at_once([partial(g.call, "GET", "/folder") for g in connections])  # warm every worker up
    assert statuses(looks) == {200: PARALLEL}, "looking never counts"
    answers = all_at_once([partial(g.call, "POST", f"/files/{file_id}/download") for g in connections])
    assert statuses(answers) == {200: 3, 410: PARALLEL - 3}
    assert _api(owner, stack, "GET", f"/api/shares/{link['id']}").json()["download_count"] == 3
    assert actions(owner, stack, link)["downloaded"] == 3


def test_code_emails_are_limited_per_link_per_hour_under_parallel_requests(
    stack: RunningStack,
    shared_file: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    owner = shared_file["owner"]
    address = f"mail-{uuid.uuid4().hex[:6]}@partner.example.co.jp"
    link = _share(owner, stack, shared_file["file"]["id"], verify_email=True, recipients=[address])
    sessions = opened(stack, link, PARALLEL // attempts.CODE_SENDS)  # each within its own limit of 5
    asks = [connection_of(sessions[i % len(sessions)]) for i in range(PARALLEL)]
    answers = all_at_once([partial(g.call, "POST", "/email", json={"email": address}) for g in asks])

    limit = attempts.code_sends_per_hour(1)
    assert statuses(answers) == {200: limit, 429: PARALLEL - limit}
    assert actions(owner, stack, link)["code_sent"] == limit
    refusal = next(r.json()["message"] for r in answers if r.status_code == 429)
    assert re.search(r"\d{2}:00", refusal), f"the refusal says when to try again: {refusal}"
