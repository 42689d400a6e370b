"""The SSRF guard of chat channels (notifications/channels/guard.py): which URLs may be posted
to, that the post goes to the address that was checked, and that no redirect is followed."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from chalicelib.notifications.channels import guard
from chalicelib.notifications.channels.guard import Refused, check, is_blocked


def resolver(*addresses: str) -> guard.Resolver:
    return lambda host, port: list(addresses)


PUBLIC = resolver("93.184.215.14")


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",  # the instance metadata service
        "100.64.0.1",  # CGNAT
        "100.127.255.254",
        "0.0.0.0",
        "224.0.0.251",  # multicast
        "239.255.255.250",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "198.18.0.1",
        "192.0.0.8",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "::ffff:10.1.2.3",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "::10.0.0.1",  # IPv4-compatible
    ],
)
def test_internal_addresses_are_blocked(address: str) -> None:
    assert is_blocked(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "52.68.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_not(address: str) -> None:
    assert not is_blocked(ipaddress.ip_address(address))


def test_an_ipv4_mapped_answer_is_refused_even_with_a_public_address_inside() -> None:
    # A DNS server has no reason to answer with ::ffff:a.b.c.d; failing closed costs nothing.
    assert is_blocked(ipaddress.ip_address("::ffff:8.8.8.8"))


def test_a_public_https_url_is_checked_with_its_addresses_and_path() -> None:
    target = check("https://hooks.slack.com/services/T0/B0/xyz?a=1", allowed_hosts=frozenset(), resolve=PUBLIC)
    assert (target.scheme, target.host, target.port) == ("https", "hooks.slack.com", 443)
    assert target.path == "/services/T0/B0/xyz?a=1"
    assert target.addresses == ("93.184.215.14",)
    assert target.host_header == "hooks.slack.com"


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",  # http outside local
        "ftp://hooks.example.com/x",
        "file:///etc/passwd",
        "gopher://hooks.example.com/",
        "https://user:pw@hooks.example.com/x",
        "https:///nohost",
        "https://hooks.example.com:99999/x",
        "https://hooks.example.com/a b",
        "https://" + "a" * 3000 + ".com/",
    ],
)
def test_malformed_or_unsafe_urls_are_refused(url: str) -> None:
    with pytest.raises(Refused):
        check(url, allowed_hosts=frozenset(), allow_http=False, resolve=PUBLIC)


def test_http_is_allowed_only_where_the_stage_allows_it() -> None:
    assert check("http://hooks.example.com/x", allowed_hosts=frozenset(), allow_http=True, resolve=PUBLIC).port == 80
    with pytest.raises(Refused, match="https"):
        check("http://hooks.example.com/x", allowed_hosts=frozenset(), allow_http=False, resolve=PUBLIC)


def test_the_local_stage_allows_http_and_a_deployed_one_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import config

    assert check("http://hooks.example.com/x", allowed_hosts=frozenset(), resolve=PUBLIC)
    for name, value in {
        "KUMO_STAGE": "prod",
        "KUMO_ACCOUNT": "1",
        "KUMO_FILES_BUCKET": "b",
        "KUMO_USER_POOL_ID": "p",
        "KUMO_USER_POOL_CLIENT_ID": "c",
        "KUMO_MAIL_FROM": "a@b.jp",
        "KUMO_BASE_URL": "https://kumo.example.lg.jp",
        "KUMO_FRONTEND_DIR": "/f",
        "KUMO_STATIC_MANIFEST": "/m",
        "KUMO_TOKEN_KEY_ID": "k",
        "KUMO_MAIL_LINK_SECRET_ARN": "s",
        "KUMO_WEBHOOK_KEY_ID": "w",
        "AWS_REGION": "ap-northeast-1",
    }.items():
        monkeypatch.setenv(name, value)
    config.reset()
    with pytest.raises(Refused):
        check("http://hooks.example.com/x", allowed_hosts=frozenset(), resolve=PUBLIC)


@pytest.mark.parametrize(
    "addresses",
    [
        ("10.0.0.1",),
        ("93.184.215.14", "127.0.0.1"),  # one internal answer among public ones is enough
        ("::ffff:169.254.169.254",),
        ("fe80::1%eth0",),
    ],
)
def test_a_host_that_resolves_inside_is_refused(addresses: tuple[str, ...]) -> None:
    with pytest.raises(Refused, match="internal"):
        check("https://intranet.example.lg.jp/hook", allowed_hosts=frozenset(), resolve=resolver(*addresses))


@pytest.mark.parametrize(
    "url", ["https://127.0.0.1/x", "https://[::1]/x", "https://169.254.169.254/latest/meta-data", "https://0x7f000001/"]
)
def test_literal_internal_addresses_are_refused_without_any_lookup(url: str) -> None:
    def no_lookup(host: str, port: int) -> list[str]:
        if host == "0x7f000001":  # what getaddrinfo makes of it
            return ["127.0.0.1"]
        raise AssertionError("a literal address needs no lookup")

    with pytest.raises(Refused):
        check(url, allowed_hosts=frozenset(), resolve=no_lookup)


def test_an_unknown_host_is_refused() -> None:
    with pytest.raises(Refused, match="could not be found"):
        check("https://nowhere.invalid/x", allowed_hosts=frozenset(), resolve=resolver())


def test_an_administrator_may_allow_a_named_internal_host() -> None:
    allowed = frozenset({"logo-gw.pref.example.lg.jp"})
    target = check("https://LOGO-GW.pref.example.lg.jp./in", allowed_hosts=allowed, resolve=resolver("10.9.8.7"))
    assert target.addresses == ("10.9.8.7",)
    with pytest.raises(Refused):  # only that host
        check("https://other.pref.example.lg.jp/in", allowed_hosts=allowed, resolve=resolver("10.9.8.7"))


def test_allowed_hosts_come_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import config

    monkeypatch.setenv("KUMO_WEBHOOK_ALLOWED_HOSTS", " Gw.Example.lg.jp , 10.1.1.1")
    config.reset()
    assert config.settings().webhook_allowed_hosts == frozenset({"gw.example.lg.jp", "10.1.1.1"})
    assert check("https://10.1.1.1/x").addresses == ("10.1.1.1",)
    monkeypatch.setenv("KUMO_WEBHOOK_ALLOWED_HOSTS", "https://gw.example.lg.jp/")
    config.reset()
    with pytest.raises(config.SettingsError, match="KUMO_WEBHOOK_ALLOWED_HOSTS"):
        config.settings()


# --- the post itself --------------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, bytes]] = []

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((self.path, self.headers.get("Host", ""), body))
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
        else:
            self.send_response(500 if self.path.startswith("/fail") else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def server() -> Iterator[int]:
    _Recorder.seen = []
    httpd = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield int(httpd.server_address[1])
    httpd.shutdown()
    httpd.server_close()


def test_the_post_goes_to_the_checked_address_whatever_the_name_resolves_to_later(server: int) -> None:
    # "rebinding.example" resolved to the allowed address when checked; the post never looks it up again.
    target = check(
        f"http://rebinding.example:{server}/hook?x=1",
        allowed_hosts=frozenset({"rebinding.example"}),
        allow_http=True,
        resolve=resolver("127.0.0.1"),
    )
    outcome = guard.post(target, b'{"a":1}', {"Content-Type": "application/json"})
    assert outcome.ok and outcome.status_code == 204 and outcome.error == ""
    assert _Recorder.seen == [("/hook?x=1", f"rebinding.example:{server}", b'{"a":1}')]


def test_a_redirect_is_not_followed_and_counts_as_a_failure(server: int) -> None:
    target = check(f"http://127.0.0.1:{server}/redirect", allowed_hosts=frozenset({"127.0.0.1"}), allow_http=True)
    outcome = guard.post(target, b"{}", {})
    assert not outcome.ok and outcome.status_code == 302 and "redirect" in outcome.error
    assert [p for p, _, _ in _Recorder.seen] == ["/redirect"]  # nothing went to the Location


def test_errors_are_short_and_never_name_the_url(server: int) -> None:
    target = check(
        f"http://127.0.0.1:{server}/fail/secret-token", allowed_hosts=frozenset({"127.0.0.1"}), allow_http=True
    )
    outcome = guard.post(target, b"{}", {})
    assert (outcome.status_code, outcome.error) == (500, "HTTP 500")
    closed = guard.Target("http", "127.0.0.1", 1, "/secret-token", ("127.0.0.1",))
    refused = guard.post(closed, b"{}", {})
    assert refused.status_code is None and refused.error == "connection failed"
    assert "secret-token" not in refused.error and "127.0.0.1" not in refused.error
