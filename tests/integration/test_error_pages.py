"""What a browser or an API client gets when something is refused, missing or broken, and where
a `next=` may send a person: never a bare page, never a 5xx for bad input, never another site."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import requests

from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _is_kumo_page(response: requests.Response, status: int, language: str, *, home: bool = True) -> str:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("text/html")
    text = response.text
    assert f'<html lang="{language}">' in text
    title = re.search(r"<title>([^<]+)</title>", text)
    assert title and title.group(1).strip(), "a page without a title"
    assert 'href="/"' in text or not home, "no way home"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    return text


@pytest.mark.parametrize("path", ["/no/such/page", "/nosuch", "/files/x/y/z/extra", "/static-nope/a.css"])
def test_an_unknown_path_is_a_kumo_page_in_japanese(stack: RunningStack, path: str) -> None:
    response = requests.get(f"{stack.base_url}{path}", headers=HTML, timeout=30, allow_redirects=False)
    text = _is_kumo_page(response, 404, "ja")
    assert "ページが見つかりません" in text


def test_an_unknown_path_is_in_english_for_who_chose_english(stack: RunningStack) -> None:
    response = requests.get(f"{stack.base_url}/no/such/page", headers=HTML, cookies={"kumo_lang": "en"}, timeout=30)
    text = _is_kumo_page(response, 404, "en")
    assert "Not found" in text and "This page does not exist." in text


def test_an_unknown_path_signed_in_keeps_the_layout(stack: RunningStack, signed_in: Signed) -> None:
    response = signed_in("yamada.k").get(f"{stack.base_url}/no/such/page", headers=HTML, timeout=30)
    text = _is_kumo_page(response, 404, "ja")
    assert 'data-testid="signed-in-as"' in text


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "OPTIONS"])
def test_an_unknown_api_path_answers_json(stack: RunningStack, method: str) -> None:
    response = requests.request(method, f"{stack.base_url}/api/no/such/thing", headers=HTML, timeout=30)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "not_found"


def test_a_client_that_asks_for_json_gets_json(stack: RunningStack) -> None:
    response = requests.get(f"{stack.base_url}/no/such/page", headers={"Accept": "application/json"}, timeout=30)
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_a_missing_item_refused_csrf_and_wrong_method_are_kumo_pages(stack: RunningStack, signed_in: Signed) -> None:
    member = signed_in("yamada.k")
    _is_kumo_page(member.get(f"{stack.base_url}/files/no-such-file", headers=HTML, timeout=30), 404, "ja")
    refused = requests.post(
        f"{stack.base_url}/language",
        data={"language": "en", "next": "/"},
        headers=HTML,
        timeout=30,
        allow_redirects=False,
    )
    _is_kumo_page(refused, 403, "ja")
    _is_kumo_page(member.put(f"{stack.base_url}/login", headers=HTML, timeout=30), 405, "ja")


def test_an_unknown_partner_path_is_the_partners_own_page(stack: RunningStack) -> None:
    response = requests.get(f"{stack.base_url}/s/no-such-page", headers=HTML, timeout=30)
    text = _is_kumo_page(response, 404, "ja", home=False)  # a partner has no Kumo home: the e-mail is the way in
    assert 'data-testid="share-error"' in text and "signed-in-as" not in text and 'href="/"' not in text


# --- next= -----------------------------------------------------------------------------------

NASTY_NEXT = [
    "/\r\nSet-Cookie: kumo_session=evil",
    "/\r\n",
    "/%0d%0a",
    "//evil.example/",
    "/\\evil.example",
    "https://evil.example/",
    "/\t/evil.example",
    "javascript:alert(1)",
    "/\x00",
    "/見積書",
]


@pytest.mark.parametrize("target", NASTY_NEXT)
def test_signed_in_login_with_a_nasty_next_goes_home_not_500(
    stack: RunningStack, signed_in: Signed, target: str
) -> None:
    response = signed_in("yamada.k").get(
        f"{stack.base_url}/login", params={"next": target}, timeout=30, allow_redirects=False
    )
    assert response.status_code == 302, response.text[:300]
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location
    assert "evil" not in location and "\r" not in location and "\n" not in location
    assert "kumo_session=evil" not in str(response.headers.get("Set-Cookie"))


@pytest.mark.parametrize("target", NASTY_NEXT)
def test_the_sign_in_page_and_language_switch_take_no_nasty_next(stack: RunningStack, target: str) -> None:
    http = requests.Session()
    page = http.get(f"{stack.base_url}/login", params={"next": target}, timeout=30)
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    switched = http.post(
        f"{stack.base_url}/language",
        data={"csrf_token": csrf.group(1), "language": "en", "next": target},
        timeout=30,
        allow_redirects=False,
    )
    assert switched.status_code == 303
    assert switched.headers["Location"] in ("/", "/%0d%0a", "/%E8%A6%8B%E7%A9%8D%E6%9B%B8")
