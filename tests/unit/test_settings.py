"""Settings fail closed: outside stage local a missing setting stops the app and every function,
named; nothing but chalicelib/core/config.py reads the environment."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.core import assets, config
from chalicelib.core.config import REQUIRED_OUTSIDE_LOCAL, SettingsError, from_environ

ROOT = config.PROJECT_ROOT
DEPLOYED = {
    "KUMO_STAGE": "prod",
    "AWS_REGION": "ap-northeast-1",
    "KUMO_PREFIX": "kumo",
    "KUMO_ACCOUNT": "210987654321",
    "KUMO_FILES_BUCKET": "kumo-files-210987654321",
    "KUMO_USER_POOL_ID": "ap-northeast-1_abcdef",
    "KUMO_USER_POOL_CLIENT_ID": "client",
    "KUMO_MAIL_FROM": "no-reply@pref.example.lg.jp",
    "KUMO_BASE_URL": "https://kumo.pref.example.lg.jp",
    "KUMO_FRONTEND_DIR": "/opt/python/frontend",
    "KUMO_STATIC_MANIFEST": "/opt/python/frontend/static-manifest.json",
    "KUMO_TOKEN_KEY_ID": "arn:aws:kms:ap-northeast-1:210987654321:key/x",
    "KUMO_MAIL_LINK_SECRET_ARN": "arn:aws:secretsmanager:ap-northeast-1:210987654321:secret:mail-links",
    "KUMO_WEBHOOK_KEY_ID": "arn:aws:kms:ap-northeast-1:210987654321:key/w",
}


def test_a_complete_deployment_parses() -> None:
    settings = from_environ(DEPLOYED)
    assert settings.base_url == "https://kumo.pref.example.lg.jp"
    assert settings.token_key_id and settings.static_manifest and settings.secure_cookies


@pytest.mark.parametrize("name", REQUIRED_OUTSIDE_LOCAL)
def test_each_missing_setting_is_named(name: str) -> None:
    env = {k: v for k, v in DEPLOYED.items() if k != name}
    with pytest.raises(SettingsError, match=rf"missing required settings: {name}$"):
        from_environ(env)
    with pytest.raises(SettingsError, match=name):
        from_environ({**env, name: "  "})  # blank is missing too


def test_every_missing_setting_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        from_environ({"KUMO_STAGE": "prod"})
    for name in (*REQUIRED_OUTSIDE_LOCAL, "AWS_REGION"):
        assert name in str(raised.value)
    assert "KUMO_STAGE=prod" in str(raised.value)


def test_the_dev_receiver_and_a_host_list_with_paths_are_refused_outside_local() -> None:
    with pytest.raises(SettingsError, match="KUMO_DEV_RECEIVER_URL is for the local stack only"):
        from_environ({**DEPLOYED, "KUMO_DEV_RECEIVER_URL": "http://127.0.0.1:8025"})
    with pytest.raises(SettingsError, match="KUMO_WEBHOOK_ALLOWED_HOSTS"):
        from_environ({**DEPLOYED, "KUMO_WEBHOOK_ALLOWED_HOSTS": "gw.example.lg.jp,https://x.example.lg.jp/"})
    assert from_environ(DEPLOYED).webhook_allowed_hosts == frozenset()  # none unless an administrator says


def test_the_base_url_outside_local_is_https() -> None:
    with pytest.raises(SettingsError, match="KUMO_BASE_URL must be an https:// address"):
        from_environ({**DEPLOYED, "KUMO_BASE_URL": "http://127.0.0.1:8000"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KUMO_SESSION_IDLE_MINUTES", "ten"),
        ("KUMO_SHARE_MAX_DAYS", "0"),
        ("KUMO_SCAN_MAX_MB", "-1"),
        ("KUMO_SCANNER", "clamav"),
    ],
)
def test_a_malformed_value_is_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        from_environ({**DEPLOYED, name: value})
    with pytest.raises(SettingsError, match=name):
        from_environ({name: value})  # locally too


def test_stage_local_keeps_its_defaults() -> None:
    settings = from_environ({})
    assert settings.is_local and settings.base_url == "http://127.0.0.1:8000"
    assert settings.static_manifest is None and settings.token_key_id is None and not settings.secure_cookies


HANDLERS = ["app.py", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "functions").glob("*/app.py"))]


@pytest.mark.parametrize("handler", HANDLERS)
def test_the_app_and_every_function_refuse_to_start_without_a_setting(handler: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUMO_", "AWS_"))}
    env.update({k: v for k, v in DEPLOYED.items() if k != "KUMO_BASE_URL"}, PYTHONPATH=str(ROOT))
    started = subprocess.run(
        [sys.executable, "-c", f"import runpy; runpy.run_path({handler!r})"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert "SettingsError" in started.stderr and "missing required settings: KUMO_BASE_URL" in started.stderr


# Reads: os.environ[...], .get, .copy, "in os.environ", getenv. Writes (update, setdefault) are the
# local runner's job: it sets what the stack sets in AWS.
ENVIRONMENT_READ = re.compile(r"\bgetenv\b|os\.environ(?!\.(update|setdefault)\()")


def test_only_the_settings_module_reads_the_environment() -> None:
    sources = [ROOT / "app.py", *(ROOT / "chalicelib").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
    reads = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sources
        if path != ROOT / "chalicelib/core/config.py"
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if ENVIRONMENT_READ.search(line)
    ]
    assert reads == []


def test_the_api_role_gets_the_cognito_actions_web_requests_use() -> None:
    """accounts/service.py is what web requests reach; the admin calls of the cognito.py functions
    it calls are the API role's Cognito actions (infra/components/auth.py API_ACTIONS)."""
    from infra.components.auth import API_ACTIONS

    tree = ast.parse((ROOT / "chalicelib/accounts/cognito.py").read_text("utf-8"))
    admin_calls = {
        fn.name: {
            n.func.attr
            for n in ast.walk(fn)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr.startswith("admin_")
        }
        for fn in tree.body
        if isinstance(fn, ast.FunctionDef)
    }
    web = ast.parse((ROOT / "chalicelib/accounts/service.py").read_text("utf-8"))
    called = {
        n.attr
        for n in ast.walk(web)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "cognito"
    }
    used = {call for name in called & set(admin_calls) for call in admin_calls[name]}
    as_actions = {"cognito-idp:" + "".join(part.title() for part in call.split("_")) for call in used}
    assert as_actions == set(API_ACTIONS)


def test_static_urls_use_the_manifest_when_one_is_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    static = ROOT / "frontend" / "static"
    assert assets.static_url("kumo.css") == "/static/kumo.css"  # locally: from disk, as named
    manifest = tmp_path / assets.MANIFEST_NAME
    names = assets.write_manifest(static, manifest)
    monkeypatch.setenv("KUMO_STATIC_MANIFEST", str(manifest))
    config.reset()
    assets.reset()
    try:
        url = assets.static_url("kumo.css")
        assert re.fullmatch(r"/static/kumo\.[0-9a-f]{12}\.css", url) and url == "/static/" + names["kumo.css"]
        with pytest.raises(LookupError, match="nothing.css"):
            assets.static_url("nothing.css")
        from chalicelib.core import templating

        templating.environment.cache_clear()
        html = templating.render("share_base.html", "ja", title="x")
        assert url in html and 'href="/static/kumo.css"' not in html
    finally:
        assets.reset()


def test_every_static_file_a_template_names_exists() -> None:
    names = set(assets.build_manifest(ROOT / "frontend" / "static"))
    named = {
        m
        for p in (ROOT / "frontend" / "templates").glob("*.html")
        for m in re.findall(r'static_url\("([^"]+)"\)', p.read_text("utf-8"))
    }
    assert named and named <= names | {n for n in named if n.startswith("vendor/")}
    assert not any(
        re.search(r'(href|src)="/static/', p.read_text("utf-8"))
        for p in (ROOT / "frontend" / "templates").glob("*.html")
    )


def test_the_viewer_address_comes_from_the_front_doors_header_only_when_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import SimpleNamespace

    from chalicelib.core import web
    from chalicelib.core.resources import VIEWER_IP_HEADER

    request = SimpleNamespace(
        context={"identity": {"sourceIp": "130.176.1.1"}},  # a CloudFront edge
        headers={VIEWER_IP_HEADER: "203.0.113.7"},
    )
    assert web.client_ip(request) == "130.176.1.1"  # locally nothing puts it there: not trusted
    monkeypatch.setenv("KUMO_VIEWER_IP_HEADER", VIEWER_IP_HEADER.upper())
    config.reset()
    assert web.client_ip(request) == "203.0.113.7"
    assert (
        web.client_ip(SimpleNamespace(context={"identity": {"sourceIp": "198.51.100.2"}}, headers={})) == "198.51.100.2"
    )
