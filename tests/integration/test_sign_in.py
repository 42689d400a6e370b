"""Staff sign-in through real HTTP against the local stack (moto Cognito, JWKS, DynamoDB)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import DEMO_PASSWORD, sign_in
from tests.support.stack import RunningStack, csrf_from

pytestmark = pytest.mark.integration


def _moto_private_key() -> dict[str, str]:
    """The emulator's signing key: lets a test mint validly signed but expired tokens."""
    import gzip

    import moto.cognitoidp

    path = Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-private.json.gz"
    return json.loads(gzip.decompress(path.read_bytes()))  # type: ignore[no-any-return]


def _pool(stack: RunningStack) -> tuple[str, str]:
    idp = stack.boto3("cognito-idp")
    pool = next(p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == "kumo-staff")
    client = idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"][0]
    return pool["Id"], client["ClientId"]


def _claims(stack: RunningStack, username: str, *, token_use: str, lifetime_s: int) -> dict[str, object]:
    pool_id, client_id = _pool(stack)
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": f"https://cognito-idp.ap-northeast-1.amazonaws.com/{pool_id}",
        "sub": "x-sub",
        "token_use": token_use,
        "iat": now - 10,
        "auth_time": now - 10,
        "exp": now + lifetime_s,
    }
    if token_use == "access":
        claims.update({"client_id": client_id, "username": username})
    else:
        claims.update({"aud": client_id, "cognito:username": username})
    return claims


def _moto_signed(claims: dict[str, object]) -> str:
    key = jwt.PyJWK(_moto_private_key()).key
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


def _access_token(stack: RunningStack, staff_id: str) -> str:
    _, client_id = _pool(stack)
    result = stack.boto3("cognito-idp").initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": staff_id, "PASSWORD": DEMO_PASSWORD},
    )
    return str(result["AuthenticationResult"]["AccessToken"])


def test_login_page_is_japanese_and_carries_a_csrf_token(stack: RunningStack) -> None:
    page = requests.get(f"{stack.base_url}/login", timeout=30)
    assert page.status_code == 200
    assert '<html lang="ja">' in page.text
    assert csrf_from(page.text)
    assert "kumo_csrf=" in page.headers["Set-Cookie"]


def test_wrong_password_is_refused_with_one_message_for_every_case(stack: RunningStack) -> None:
    session = requests.Session()
    csrf = csrf_from(session.get(f"{stack.base_url}/login", timeout=30).text)
    wrong = session.post(
        f"{stack.base_url}/login",
        timeout=30,
        data={"csrf_token": csrf, "staff_id": "yamada.k", "password": "not-the-password"},
    )
    unknown = session.post(
        f"{stack.base_url}/login",
        timeout=30,
        data={"csrf_token": csrf, "staff_id": "nobody.here", "password": "not-the-password"},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert 'data-testid="login-error"' in wrong.text
    message = wrong.text.split('data-testid="login-error">')[1].split("<")[0]
    assert message == unknown.text.split('data-testid="login-error">')[1].split("<")[0]
    assert "kumo_session=" not in wrong.headers.get("Set-Cookie", "")


def test_session_cookie_flags_and_who_am_i(stack: RunningStack) -> None:
    session = requests.Session()
    csrf = csrf_from(session.get(f"{stack.base_url}/login", timeout=30).text)
    response = session.post(
        f"{stack.base_url}/login",
        allow_redirects=False,
        timeout=30,
        data={"csrf_token": csrf, "staff_id": "yamada.k", "password": DEMO_PASSWORD, "next": "/notifications"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/notifications"
    cookie = next(c for c in response.headers["Set-Cookie"].split(", ") if c.startswith("kumo_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http locally; the AWS stage sets Secure
    me = session.get(f"{stack.base_url}/api/me", timeout=30).json()
    assert me == {
        "staff_id": "yamada.k",
        "display_name": "山田 健一",
        "email": "yamada.k@pref.example.lg.jp",
        "department_id": "somu",
        "unit_id": "somuka",  # 総務課, with a 兼務 in 財政課
        "assignments": [
            {"path": ["somu", "somuka"], "post": "coordinator"},
            {"path": ["somu", "zaisei"], "post": "general"},
        ],
        "role": "member",
    }


def test_login_refuses_an_offsite_next(stack: RunningStack) -> None:
    session = requests.Session()
    csrf = csrf_from(session.get(f"{stack.base_url}/login", timeout=30).text)
    response = session.post(
        f"{stack.base_url}/login",
        allow_redirects=False,
        timeout=30,
        data={"csrf_token": csrf, "staff_id": "ogata.r", "password": DEMO_PASSWORD, "next": "//evil.example/"},
    )
    assert response.headers["Location"] == "/"


def test_pages_redirect_and_api_answers_401_without_a_session(stack: RunningStack) -> None:
    page = requests.get(f"{stack.base_url}/notifications?x=1", allow_redirects=False, timeout=30)
    assert page.status_code == 302
    assert page.headers["Location"] == "/login?next=%2Fnotifications%3Fx%3D1"
    api = requests.get(f"{stack.base_url}/api/me", timeout=30)
    assert api.status_code == 401
    assert api.json()["error"] == "unauthenticated"
    assert api.json()["message"]


def test_state_changing_requests_need_the_csrf_token(stack: RunningStack) -> None:
    session = sign_in(stack.base_url, "tanaka.h")
    token = session.headers.pop("X-CSRF-Token")
    url = f"{stack.base_url}/api/departments/somu/notices"
    missing = session.post(url, json={"title": "CSRF check"}, timeout=30)
    wrong = session.post(url, json={"title": "CSRF check"}, headers={"X-CSRF-Token": "forged"}, timeout=30)
    form = session.post(f"{stack.base_url}/departments/somu/notices", data={"title": "CSRF check"}, timeout=30)
    assert missing.status_code == wrong.status_code == form.status_code == 403
    assert "reload" in missing.json()["message"].lower() or missing.json()["message"]
    notices = session.get(url, timeout=30).json()["items"]
    assert not any(n["title"] == "CSRF check" for n in notices), "a refused request must write nothing"
    session.headers["X-CSRF-Token"] = token


def test_login_form_needs_the_pre_session_csrf_cookie(stack: RunningStack) -> None:
    response = requests.post(
        f"{stack.base_url}/login",
        allow_redirects=False,
        timeout=30,
        data={"csrf_token": "made-up", "staff_id": "yamada.k", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 403


def test_logout_really_ends_the_session(stack: RunningStack) -> None:
    session = sign_in(stack.base_url, "matsumoto.y")
    cookie_value = session.cookies["kumo_session"]
    response = session.post(
        f"{stack.base_url}/logout",
        allow_redirects=False,
        timeout=30,
        data={"csrf_token": session.headers["X-CSRF-Token"]},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    replay = requests.get(f"{stack.base_url}/api/me", cookies={"kumo_session": cookie_value}, timeout=30)
    assert replay.status_code == 401


def test_bearer_access_token_is_accepted(stack: RunningStack) -> None:
    token = _access_token(stack, "ogata.r")
    me = requests.get(f"{stack.base_url}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert me.status_code == 200 and me.json()["staff_id"] == "ogata.r"


@pytest.mark.parametrize("case", ["other-key", "alg-none", "expired", "id-token-as-access", "wrong-client"])
def test_forged_or_expired_tokens_are_refused(stack: RunningStack, case: str) -> None:
    claims = _claims(stack, "admin", token_use="access", lifetime_s=3600)
    if case == "other-key":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "dummy"})
    elif case == "alg-none":
        token = jwt.encode(claims, None, algorithm="none")
    elif case == "expired":
        token = _moto_signed({**claims, "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600})
    elif case == "id-token-as-access":
        token = _moto_signed(_claims(stack, "admin", token_use="id", lifetime_s=3600))
    else:
        token = _moto_signed({**claims, "client_id": "someone-elses-client"})
    response = requests.get(f"{stack.base_url}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "unauthenticated"


def test_session_tokens_are_refreshed_before_they_expire(stack: RunningStack) -> None:
    """A session whose ID token has a minute left is renewed with the refresh token."""
    import hashlib

    session = sign_in(stack.base_url, "hayashi.m")
    session_hash = hashlib.sha256(session.cookies["kumo_session"].encode()).hexdigest()
    ddb = stack.boto3("dynamodb")
    key = {"session_hash": {"S": session_hash}}
    nearly_expired = _moto_signed(_claims(stack, "hayashi.m", token_use="id", lifetime_s=60))
    ddb.update_item(
        TableName="kumo-sessions",
        Key=key,
        UpdateExpression="SET id_token = :t",
        ExpressionAttributeValues={":t": {"S": nearly_expired}},
    )
    me = session.get(f"{stack.base_url}/api/me", timeout=30)
    assert me.status_code == 200 and me.json()["staff_id"] == "hayashi.m"
    stored = ddb.get_item(TableName="kumo-sessions", Key=key)["Item"]["id_token"]["S"]
    assert stored != nearly_expired
    assert jwt.decode(stored, options={"verify_signature": False})["exp"] > time.time() + 600


def test_an_expired_session_without_refresh_ends(stack: RunningStack) -> None:
    import hashlib

    session = sign_in(stack.base_url, "mori.n")
    key = {"session_hash": {"S": hashlib.sha256(session.cookies["kumo_session"].encode()).hexdigest()}}
    stack.boto3("dynamodb").update_item(
        TableName="kumo-sessions",
        Key=key,
        UpdateExpression="SET expires_at = :t",
        ExpressionAttributeValues={":t": {"S": "2020-01-01T00:00:00.000000+0000"}},
    )
    assert session.get(f"{stack.base_url}/api/me", timeout=30).status_code == 401


def test_security_headers_on_every_page(stack: RunningStack) -> None:
    for path in ("/login", "/static/kumo.css", "/api/me"):
        headers = requests.get(f"{stack.base_url}{path}", timeout=30).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_a_path_with_no_route_is_a_404_with_the_security_headers(stack: RunningStack) -> None:
    for path in ("/no-such-page", "/api/no-such-call"):  # a page for a browser, JSON for the API
        response = requests.get(f"{stack.base_url}{path}", timeout=30)
        assert response.status_code == 404
        if path.startswith("/api/"):
            assert response.json()["error"] == "not_found"
        else:
            assert response.headers["Content-Type"].startswith("text/html")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
