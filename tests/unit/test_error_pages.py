"""The one error path: which page or JSON an error becomes, and that it never fails in turn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice import Response

from chalicelib.core import error_pages, web
from chalicelib.core.errors import Forbidden, KumoError, NotFound


@pytest.fixture
def registry() -> Iterator[None]:
    saved = list(error_pages._renderers)
    error_pages._renderers.clear()
    yield
    error_pages._renderers[:] = saved


def _state(language: str = "ja", path: str = "/files/x") -> web.RequestState:
    return web.RequestState(language=language, correlation_id="c", path=path, csrf_token="t")


def _named(name: str) -> error_pages.Renderer:
    return lambda message, status, state: Response(body=name, status_code=status)


def test_the_most_specific_registered_prefix_renders(registry: None) -> None:
    error_pages.register("/", _named("shell"))
    error_pages.register("/s", _named("partner"))
    assert error_pages.renderer_for("/s")("", 404, _state()).body == "partner"
    assert error_pages.renderer_for("/s/view")("", 404, _state()).body == "partner"
    assert error_pages.renderer_for("/search")("", 404, _state()).body == "shell"
    assert error_pages.renderer_for("/shares/x")("", 404, _state()).body == "shell"


def test_without_registrations_the_core_page_answers(registry: None) -> None:
    assert error_pages.renderer_for("/anything") is error_pages.staff_page


@pytest.mark.parametrize(
    ("path", "accept", "json"),
    [
        ("/api/files", None, True),
        ("/api", "text/html", True),
        ("/files", "application/json", True),
        ("/files", "text/html,application/xhtml+xml,*/*;q=0.8", False),
        ("/files", "text/html, application/json", False),
        ("/files", None, False),
        ("/apiary", None, False),
    ],
)
def test_who_gets_json(path: str, accept: str | None, json: bool) -> None:
    assert error_pages.wants_json(path, accept) is json


def test_a_page_in_the_readers_language_with_title_lang_and_a_way_home(registry: None) -> None:
    for language, heading in (("ja", "ページが見つかりません"), ("en", "Not found")):
        response = error_pages.respond("/no/such", "text/html", NotFound(error_pages.UNKNOWN_PATH), _state(language))
        assert response.status_code == 404
        assert f'<html lang="{language}">' in response.body and f"<title>{heading} (404)" in response.body
        assert 'href="/"' in response.body


def test_api_errors_are_json_in_the_readers_language(registry: None) -> None:
    response = error_pages.respond("/api/x", None, Forbidden("You cannot do this."), _state("en"))
    assert response.status_code == 403 and response.headers["Content-Type"].startswith("application/json")
    assert '"error": "forbidden"' in response.body


def test_a_failing_error_page_falls_back_and_never_raises(registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(message: str, status: int, state: web.RequestState) -> Response:
        raise RuntimeError("database away")

    error_pages.register("/", broken)
    shown = error_pages.respond("/files", "text/html", KumoError(error_pages.SERVER_ERROR), _state(), status=500)
    assert shown.status_code == 500 and '<html lang="ja">' in shown.body  # the core page

    monkeypatch.setattr(error_pages, "staff_page", broken)
    plain = error_pages.respond("/files", "text/html", KumoError(error_pages.SERVER_ERROR), _state("en"), status=500)
    assert plain.status_code == 500
    assert '<html lang="en">' in plain.body and "<title>Error 500" in plain.body and 'href="/"' in plain.body


def test_a_signed_out_page_goes_to_sign_in_and_back() -> None:
    response = error_pages.staff_page("Sign in", 401, _state(path="/files/x?view=list"))
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=%2Ffiles%2Fx%3Fview%3Dlist"


@pytest.mark.parametrize("status", [405, 415, 500, 400])
def test_chalices_own_errors_become_kumo_errors(status: int) -> None:
    refused = error_pages.chalice_error(Response(body={"Code": "X", "Message": "y"}, status_code=status))
    assert refused is not None and refused.message


def test_an_apps_own_response_is_left_alone() -> None:
    assert error_pages.chalice_error(Response(body={"error": "not_found"}, status_code=404)) is None
    assert error_pages.chalice_error(Response(body="<html>", status_code=404)) is None
    assert error_pages.chalice_error(Response(body={"Code": "x"}, status_code=200)) is None
