"""Who may see and do what in recruiting, as a matrix of role × relation over real HTTP.

Relations: the applicant, another staff member, the project's owner, the 所属長 of the project's
所属 (who manages the project but does not own it), the applicant's 所属長, another 所属長, a
system administrator. An application is the owner's and the applicant's until the owner
proceeds; then the applicant's 所属長 sees it too. Whoever cannot see a thing gets 404; whoever
sees it but may not take the step gets 403. The pages follow the same rules and work as plain
forms without JavaScript.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from chalicelib.directory.placement import jst_today  # the server's dates are Japan's
from tests.integration.recruiting_world import World, make_world
from tests.integration.test_recruiting import applied, post_recruitment, proceeded
from tests.support.stack import RunningStack, csrf_from

pytestmark = pytest.mark.integration
ROLES = ("applicant", "other", "owner", "projecthead", "head", "otherhead", "admin")


@pytest.fixture(scope="module")
def world(stack: RunningStack) -> World:
    return make_world(stack, [{"key": "a", "name": "県民アンケート改善", "description": "設問の見直し"}])


def _statuses(w: World, method: str, path: str, roles: tuple[str, ...] = ROLES, **kw: object) -> dict[str, int]:
    return {role: w.call(role, method, path, **kw).status_code for role in roles}  # type: ignore[arg-type]


# What each relation gets, step by step (None: that relation takes the step for real, below).
#                 see it   its 公募's list  proceed  see it once sent  consent
MATRIX: dict[str, tuple[int | None, ...]] = {
    "applicant": (200, 403, 403, 200, 403),
    "other": (404, 403, 404, 404, 404),
    "owner": (200, 200, None, 200, 403),
    "projecthead": (404, 403, 404, 404, 404),
    "head": (404, 403, 404, 200, None),
    "otherhead": (404, 403, 404, 404, 404),
    "admin": (404, 403, 404, 404, 404),
}


def _column(n: int) -> tuple[str, ...]:
    return tuple(role for role, row in MATRIX.items() if row[n] is not None)


def _expected(n: int) -> dict[str, int | None]:
    return {role: MATRIX[role][n] for role in _column(n)}


def test_an_application_is_the_owners_and_the_applicants_until_it_is_sent_for_consent(world: World) -> None:
    w = world
    rid = post_recruitment(w, "a")["id"]
    aid = applied(w, rid)["id"]
    assert _statuses(w, "GET", f"/api/applications/{aid}", _column(0)) == _expected(0)
    assert _statuses(w, "GET", f"/api/recruitments/{rid}/applications", _column(1)) == _expected(1)
    assert _statuses(w, "POST", f"/api/applications/{aid}/proceed", _column(2), json={}) == _expected(2)
    assert _statuses(w, "POST", f"/api/applications/{aid}/withdraw", ("owner", "other")) == {"owner": 403, "other": 404}

    proceeded(w, aid)
    assert _statuses(w, "GET", f"/api/applications/{aid}", _column(3)) == _expected(3)
    assert _statuses(w, "POST", f"/api/applications/{aid}/consent", _column(4), json={}) == _expected(4)
    refusals = _statuses(
        w, "POST", f"/api/applications/{aid}/refuse", ("applicant", "otherhead"), json={"comment": "x"}
    )
    assert refusals == {"applicant": 403, "otherhead": 404}
    assert w.call("head", "POST", f"/api/applications/{aid}/consent", json={}).status_code == 200
    assert w.call("head", "POST", f"/api/applications/{aid}/consent", json={}).status_code == 409, "decided once"


def test_every_staff_member_sees_a_recruitment_only_its_managers_close_it(world: World) -> None:
    w = world
    rid = post_recruitment(w, "a")["id"]
    assert set(_statuses(w, "GET", f"/api/recruitments/{rid}").values()) == {200}
    assert w.call("other", "GET", "/api/recruitments/rec_unknown").status_code == 404
    assert _statuses(w, "POST", f"/api/recruitments/{rid}/close", ("applicant", "other", "head", "admin")) == {
        "applicant": 403,
        "other": 403,
        "head": 403,
        "admin": 403,
    }
    assert w.call("projecthead", "POST", f"/api/recruitments/{rid}/close").json()["state"] == "closed"
    assert w.call("owner", "POST", f"/api/recruitments/{rid}/close").status_code == 409
    late = w.call("other", "POST", f"/api/recruitments/{rid}/applications", json={"message": "まだ間に合いますか"})
    assert late.status_code == 409
    body = {
        "project_id": w.projects["a"],
        "title": "x",
        "period_start": "2030-01-01",
        "period_end": "2030-02-01",
        "deadline": "2030-01-01",
    }
    assert _statuses(w, "POST", "/api/recruitments", ("other", "head", "admin"), json=body) == {
        "other": 404,
        "head": 404,
        "admin": 404,
    }  # a members-only project they do not see


def test_settings_are_a_system_administrators_the_staff_view_a_heads(world: World) -> None:
    w = world
    assert _statuses(w, "GET", "/api/admin/time-shares") == {r: 403 if r != "admin" else 200 for r in ROLES}
    month = jst_today().strftime("%Y-%m")
    export = _statuses(
        w,
        "GET",
        "/api/admin/time-shares/export",
        ("owner", "head", "admin"),
        params={"from": month, "to": month},
        allow_redirects=False,
    )
    assert export == {"owner": 403, "head": 403, "admin": 303}
    assert _statuses(w, "PUT", "/api/admin/time-shares/default", ("owner", "head"), json={"cap_percent": 50}) == {
        "owner": 403,
        "head": 403,
    }
    assert _statuses(w, "GET", "/api/actuals/staff", ("applicant", "other", "head", "otherhead")) == {
        "applicant": 403,
        "other": 403,
        "head": 200,
        "otherhead": 200,
    }
    others = w.call("otherhead", "GET", "/api/actuals/staff").json()["items"]
    assert w.id("applicant") not in {s["staff_id"] for s in others}, "another 所属長 sees none of the applicant's"


def test_the_pages_work_as_plain_forms(world: World) -> None:
    """Another 部局's staff member ("other") applies through the pages; their 所属長 consents."""
    w = world
    listing = w.call("other", "GET", "/recruitments", params={"q": w.tag})
    assert listing.status_code == 200 and 'data-testid="recruitment-filter"' in listing.text
    assert 'href="/recruitments"' in w.call("other", "GET", "/").text, "the header links to 公募"

    new = w.call("owner", "GET", "/recruitments/new")
    assert w.projects["a"] in new.text and '<label for="share_percent">' in new.text
    token = csrf_from(new.text)
    made = w.call(
        "owner",
        "POST",
        "/recruitments",
        data={
            "csrf_token": token,
            "project_id": w.projects["a"],
            "title": f"ページから募集 {w.tag}",
            "needs": "集計の手伝い",
            "tags": "Excel、集計",
            "share_percent": "10",
            "period_start": jst_today().isoformat(),
            "period_end": date(jst_today().year + 1, 3, 31).isoformat(),
            "positions": "1",
            "deadline": jst_today().isoformat(),
        },
        allow_redirects=False,
    )
    assert made.status_code == 303, made.text
    rid = re.search(r"/recruitments/(rec_[0-9a-f]+)\?done=posted", made.headers["Location"]).group(1)  # type: ignore[union-attr]
    bad = w.call(
        "owner",
        "POST",
        "/recruitments",
        data={"csrf_token": token, "project_id": w.projects["a"], "title": "", "share_percent": "x", "positions": "1"},
    )
    assert bad.status_code == 400 and 'data-testid="page-error"' in bad.text

    shown = w.call("other", "GET", f"/recruitments/{rid}")
    assert "集計の手伝い" in shown.text and 'data-testid="apply-form"' in shown.text
    token = csrf_from(shown.text)
    sent = w.call(
        "other",
        "POST",
        f"/recruitments/{rid}/apply",
        data={"csrf_token": token, "message": "表計算が得意です"},
        allow_redirects=False,
    )
    assert sent.status_code == 303
    aid = sent.headers["Location"].split("/applications/")[1].split("?")[0]
    assert 'data-testid="apply-form"' not in w.call("other", "GET", f"/recruitments/{rid}").text

    owner_page = w.call("owner", "GET", f"/recruitments/{rid}")
    assert f'data-application-id="{aid}"' in owner_page.text and "表計算が得意です" in owner_page.text
    assert 'data-testid="applications"' not in w.call("applicant", "GET", f"/recruitments/{rid}").text
    assert w.call("otherhead", "GET", f"/applications/{aid}").status_code == 404

    proceed = w.call(
        "owner",
        "POST",
        f"/applications/{aid}/proceed",
        data={"csrf_token": csrf_from(owner_page.text)},
        allow_redirects=False,
    )
    assert proceed.status_code == 303 and proceed.headers["Location"].endswith("?done=proceeded")
    consents = w.call("otherhead", "GET", "/consents")
    assert f'data-application-id="{aid}"' in consents.text
    page = w.call("otherhead", "GET", f"/applications/{aid}")
    assert 'data-testid="consent-form"' in page.text and 'data-over="no"' in page.text
    refuse = w.call(
        "otherhead", "POST", f"/applications/{aid}/refuse", data={"csrf_token": csrf_from(page.text), "comment": ""}
    )
    assert refuse.status_code == 400 and 'data-testid="page-error"' in refuse.text
    consent = w.call(
        "otherhead",
        "POST",
        f"/applications/{aid}/consent",
        data={"csrf_token": csrf_from(page.text)},
        allow_redirects=False,
    )
    assert consent.status_code == 303 and consent.headers["Location"].endswith("?done=consented")

    form = w.call("other", "GET", "/actuals", params={"month": jst_today().strftime("%Y-%m")})
    assert 'data-testid="actuals-form"' in form.text and 'value="10"' in form.text, "pre-filled from the plan"
    saved = w.call(
        "other",
        "POST",
        "/actuals",
        data={
            "csrf_token": csrf_from(form.text),
            "month": jst_today().strftime("%Y-%m"),
            "project_id": w.projects["a"],
            f"percent_{w.projects['a']}": "8",
            f"hours_{w.projects['a']}": "",
        },
        allow_redirects=False,
    )
    assert saved.status_code == 303
    assert 'data-testid="done"' in w.call("other", "GET", saved.headers["Location"]).text
    assert w.call("otherhead", "GET", "/consents").text.count(f'data-staff-id="{w.id("other")}"') == 1

    assert w.call("owner", "GET", "/admin/time-shares").status_code == 403
    admin = w.call("admin", "GET", "/admin/time-shares")
    assert admin.status_code == 200 and 'data-testid="download-xlsx"' in admin.text
    for path in ("/recruitments/mine", "/consents", "/actuals"):
        assert w.call("applicant", "GET", path).status_code == 200, path
