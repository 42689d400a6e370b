"""Recruiting's limits under 50 parallel requests against `kumo dev`'s parallel web workers, as
tests/integration/test_concurrency.py does for share links: one application per person per
公募, and a person's cap reserved atomically so two consents at once never both get through."""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest
import requests

from tests.integration.recruiting_world import World, make_world
from tests.integration.test_concurrency import PARALLEL, all_at_once
from tests.integration.test_recruiting import applied, post_recruitment, proceeded
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
PROJECTS = 10  # each posts a 10 % 公募 the same person applies to: a 20 % cap takes two of them


def _connection(w: World, role: str) -> requests.Session:
    """The same signed-in person over a new connection (another browser tab, another worker)."""
    signed = w.as_(role)
    own = requests.Session()
    own.cookies.update(signed.cookies)
    own.headers["X-CSRF-Token"] = signed.headers["X-CSRF-Token"]
    return own


def _send(session: requests.Session, url: str, body: dict[str, object]) -> requests.Response:
    return session.post(url, json=body, timeout=180)


def test_fifty_parallel_applications_of_one_person_make_one(stack: RunningStack) -> None:
    w = make_world(stack, [{"key": "a", "name": "庁内チャットの試行", "description": "試行の運営"}])
    rid = post_recruitment(w, "a")["id"]
    url = f"{stack.base_url}/api/recruitments/{rid}/applications"
    calls = [partial(_send, _connection(w, "applicant"), url, {"message": f"{i} 回目"}) for i in range(PARALLEL)]
    answers = all_at_once(calls)
    assert Counter(r.status_code for r in answers) == {201: 1, 409: PARALLEL - 1}
    workers = {r.headers.get("X-Kumo-Worker") for r in answers}
    assert len(workers) > 1, "the requests really ran on several workers"
    listed = w.call("owner", "GET", f"/api/recruitments/{rid}/applications").json()["items"]
    assert [a["applicant_id"] for a in listed] == [w.id("applicant")]


def test_fifty_parallel_consents_never_push_a_person_over_the_cap(stack: RunningStack) -> None:
    w = make_world(
        stack,
        [{"key": f"p{i}", "name": f"並行同意の試験 {i}", "description": "同時に同意する"} for i in range(PROJECTS)],
    )
    pending = []
    for i in range(PROJECTS):
        recruitment = post_recruitment(w, f"p{i}", share=10, positions=1)
        application = applied(w, recruitment["id"])
        proceeded(w, application["id"])
        pending.append(application["id"])
    # Two 所属長 of the applicant's 所属, each over several connections: every application asked
    # for five times at once.
    heads = [_connection(w, "head" if i % 2 else "deputy") for i in range(PARALLEL)]
    calls = [
        partial(_send, heads[i], f"{stack.base_url}/api/applications/{pending[i % PROJECTS]}/consent", {})
        for i in range(PARALLEL)
    ]
    answers = all_at_once(calls)

    assert Counter(r.status_code for r in answers) == {200: 2, 409: PARALLEL - 2}, [
        r.text for r in answers if r.status_code >= 500
    ][:3]
    joined = {r.json()["id"] for r in answers if r.status_code == 200}
    states = {aid: w.call("applicant", "GET", f"/api/applications/{aid}").json()["state"] for aid in pending}
    assert {aid for aid, state in states.items() if state == "joined"} == joined
    assert Counter(states.values()) == {"joined": 2, "consent_requested": PROJECTS - 2}
    [person] = [
        s for s in w.call("head", "GET", "/api/actuals/staff").json()["items"] if s["staff_id"] == w.id("applicant")
    ]
    assert person["committed_percent"] == 20 and len(person["commitments"]) == 2
    refusals = Counter(r.json().get("details", {}).get("field") for r in answers if r.status_code == 409)
    assert refusals["override"] > 0, f"the later ones were refused for the cap, not only as duplicates: {refusals}"
    assert set(refusals) <= {"override", "state"}, refusals
    # What is left over the cap still needs an override, as before.
    rest = next(aid for aid, state in states.items() if state == "consent_requested")
    assert w.call("head", "GET", f"/api/applications/{rest}").json()["cap"]["over"]
