"""The SSRF guard: a channel's post reaches the public internet, never an internal address.

A webhook URL is typed by a user, so Kumo must not become their way into the VPC, the
instance metadata service (169.254.169.254) or a colleague's intranet server. Every post:

- refuses anything but https (http only on the local stage, whose receiver is plain http),
  user names or passwords in the URL, and hosts that do not resolve;
- resolves the host once and refuses it when *any* address it resolves to is private,
  loopback, link-local, multicast, reserved, unspecified, CGNAT (100.64.0.0/10) or otherwise
  not global, for IPv4 and IPv6 alike, looking through IPv4-mapped, NAT64, 6to4 and Teredo
  addresses to the IPv4 address inside;
- then connects to the address it checked (TLS still verifies the certificate for the host
  name, sent as SNI and Host), so a DNS answer that changes between check and connect
  (rebinding) cannot move the post elsewhere; and follows no redirect.

An administrator may let channels reach named hosts although they resolve to internal
addresses (KUMO_WEBHOOK_ALLOWED_HOSTS: an on-premises LoGoチャット gateway, the local receiver).
The check runs when a channel is connected and again at every send.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from chalicelib.core.config import settings
from chalicelib.core.i18n_markers import N_

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]
MAX_URL = 2048
TIMEOUT_S = 10.0
MAX_RESPONSE_BYTES = 64 * 1024

# Not global, although Python's ipaddress does not say so for every release it supports.
_EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "100.64.0.0/10",  # CGNAT (RFC 6598)
        "192.0.0.0/24",
        "198.18.0.0/15",  # benchmarking
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and broadcast
        "64:ff9b:1::/48",  # local-use NAT64
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The URL may not be posted to. ``reason`` is a msgid that never repeats the URL."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``addresses``, already checked) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # the client's address
    if int(ip) >> 32 == 0 and int(ip) > 1:  # IPv4-compatible (::a.b.c.d), deprecated
        return ipaddress.IPv4Address(int(ip))
    return None


def is_blocked(ip: IP) -> bool:
    """Whether an address is internal in any of the senses above (the IPv4 inside an IPv6 too)."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and is_blocked(inner):
            return True
    if any(ip in net for net in _EXTRA_BLOCKED if net.version == ip.version):
        return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check(
    url: str,
    *,
    allowed_hosts: frozenset[str] | None = None,
    allow_http: bool | None = None,
    resolve: Resolver | None = None,
) -> Target:
    """The target of a URL that may be posted to, or Refused. Defaults come from the settings."""
    s = settings()
    allowed = s.webhook_allowed_hosts if allowed_hosts is None else allowed_hosts
    http_ok = s.is_local if allow_http is None else allow_http
    if len(url) > MAX_URL or any(c.isspace() for c in url):
        raise Refused(N_("This is not a valid address."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(N_("This is not a valid address.")) from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and http_ok):
        raise Refused(N_("Only https:// addresses can be used."))
    if parts.username is not None or parts.password is not None:
        raise Refused(N_("An address with a user name or password cannot be used."))
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise Refused(N_("This is not a valid address."))
    port = port or (443 if scheme == "https" else 80)
    addresses = _addresses(host, port, resolve or _resolve)
    if not addresses:
        raise Refused(N_("The address's host name could not be found."))
    if host not in allowed and any(is_blocked(ipaddress.ip_address(a)) for a in addresses):
        raise Refused(N_("The address points to an internal network, which channels may not reach."))
    path = parts.path or "/"
    return Target(scheme, host, port, path + (f"?{parts.query}" if parts.query else ""), tuple(addresses))


def _addresses(host: str, port: int, resolve: Resolver) -> list[str]:
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        found = []
        for a in resolve(host, port):
            try:
                found.append(str(ipaddress.ip_address(a.split("%", 1)[0])))
            except ValueError:
                continue
        return found
    return [str(literal)]


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str  # short, in English, never the URL; "" when it went through

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout_s: float = TIMEOUT_S) -> Outcome:
    """POST to the checked address itself (no DNS lookup here: no rebinding), no redirects."""
    import urllib3
    from urllib3 import exceptions as e

    last = Outcome(None, "connection failed")
    for address in target.addresses[:3]:
        pool: urllib3.HTTPConnectionPool
        timeout = urllib3.Timeout(connect=min(5.0, timeout_s), read=timeout_s)
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                target.port,
                timeout=timeout,
                retries=False,
                cert_reqs="CERT_REQUIRED",
                server_hostname=target.host,
                assert_hostname=target.host,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False)
        try:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers={**headers, "Host": target.host_header},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            response.read(MAX_RESPONSE_BYTES)
            response.release_conn()
        except e.NewConnectionError:
            last = Outcome(None, "connection failed")
            continue  # the next address, if there is one
        except (e.ConnectTimeoutError, e.ReadTimeoutError):
            return Outcome(None, "timed out")
        except e.SSLError:
            return Outcome(None, "TLS handshake or certificate not accepted")
        except (e.ProtocolError, e.HTTPError):
            return Outcome(None, "connection broken")
        finally:
            pool.close()
        status = int(response.status)
        if 300 <= status < 400:
            return Outcome(status, f"HTTP {status}: redirects are not followed")
        return Outcome(status, "" if 200 <= status < 300 else f"HTTP {status}")
    return last
