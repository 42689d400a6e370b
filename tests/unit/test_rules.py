"""Rules without AWS: roles, redirects, languages, cookies, secrets in logs, resource names."""

from __future__ import annotations

import pytest

from chalicelib.core import auth, i18n, web
from chalicelib.core.auth import Principal, Role
from chalicelib.core.errors import Forbidden, Unauthenticated
from chalicelib.core.observability import redact
from chalicelib.core.resources import RESOURCES


def _p(role: Role, department: str = "somu") -> Principal:
    return Principal("x", "名前", "x@example.jp", department, role)


@pytest.mark.parametrize(
    ("role", "department", "allowed"),
    [
        (Role.MEMBER, "somu", False),
        (Role.DEPARTMENT_ADMIN, "somu", True),
        (Role.DEPARTMENT_ADMIN, "doboku", False),
        (Role.SYSTEM_ADMIN, "doboku", True),
    ],
)
def test_department_administration(role: Role, department: str, allowed: bool) -> None:
    principal = _p(role)
    assert principal.administers(department) is allowed
    if allowed:
        assert auth.require_department_admin(principal, department) is principal
    else:
        with pytest.raises(Forbidden):
            auth.require_department_admin(principal, department)


def test_role_ranks_and_anonymous() -> None:
    with pytest.raises(Unauthenticated):
        auth.require_signed_in(None)
    with pytest.raises(Forbidden) as refused:
        auth.require_role(_p(Role.MEMBER), Role.SYSTEM_ADMIN)
    assert refused.value.text() == "This needs the role system_admin; your role is member."
    assert auth.require_role(_p(Role.SYSTEM_ADMIN), Role.DEPARTMENT_ADMIN).role is Role.SYSTEM_ADMIN


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/notifications", "/notifications"),
        ("/departments/somu?posted=1", "/departments/somu?posted=1"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
        ("javascript:alert(1)", "/"),
        # what a sign-in link may carry that would split the header or leave the site
        ("/\r\nSet-Cookie: kumo_session=x", "/"),
        ("/%0d%0a", "/%0d%0a"),  # still encoded: a path, never a header break
        ("/files\nLocation: https://evil.example", "/"),
        ("/\t/evil.example", "/"),  # browsers drop the tab: //evil.example
        ("/\x00", "/"),
        ("/\x7f", "/"),
        ("/\x85next-line", "/"),
        ("/\u2028", "/"),
        ("\\\\evil.example", "/"),
        ("/\\\\evil.example", "/"),
        ("/files\\..\\x", "/"),
        ("///evil.example", "/"),
        ("https:/evil.example", "/"),
        ("HTTPS://evil.example", "/"),
        ("data:text/html,<script>alert(1)</script>", "/"),
        (" /files", "/"),
        ("files", "/"),
        ("?next=//evil", "/"),
        ("/" + "a" * 5000, "/"),
        (["/files"], "/"),
        (42, "/"),
        # what a way back may rightly hold
        ("/files/dept:somu#top", "/files/dept:somu#top"),
        ("/search?q=%E8%A6%8B%E7%A9%8D&scope=all", "/search?q=%E8%A6%8B%E7%A9%8D&scope=all"),
        ("/search?q=見積", "/search?q=%E8%A6%8B%E7%A9%8D"),  # a header carries ASCII only
        ("/s/../files", "/s/../files"),
    ],
)
def test_safe_next(target: object, expected: str) -> None:
    assert web.safe_next(target) == expected
    assert web.safe_next(target).isascii()


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, None, "ja"),
        (None, "en-US,en;q=0.9", "ja"),  # Japanese first, whatever the browser says
        ("en", "ja-JP", "en"),
        ("ja", "en-US", "ja"),
        ("xx", "de", "ja"),
    ],
)
def test_language_negotiation(cookie: str | None, accept: str | None, expected: str) -> None:
    assert i18n.negotiate(cookie, accept) == expected


def test_cookie_flags_follow_the_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import config

    assert "Secure" not in web.cookie("kumo_session", "v")
    from tests.unit.test_settings import DEPLOYED

    for name, value in DEPLOYED.items():
        monkeypatch.setenv(name, value)
    config.reset()
    cookie = web.cookie("kumo_session", "v", max_age=60)
    assert {"HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=60"} <= set(cookie.split("; "))


def test_secrets_never_reach_logs() -> None:
    jwt_like = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    cleaned = redact(
        {
            "password": "hunter2",
            "nested": {"refresh_token": "r"},
            "note": f"token {jwt_like} here",
            "items": [{"csrf_token": "c"}],
            "staff_id": "yamada.k",
        }
    )
    assert cleaned == {
        "password": "[redacted]",
        "nested": {"refresh_token": "[redacted]"},
        "note": "token [redacted-jwt] here",
        "items": [{"csrf_token": "[redacted]"}],
        "staff_id": "yamada.k",
    }


def test_every_model_matches_its_table_spec() -> None:
    """The pynamodb models and resources.py (which infra/ and the bootstrap read) agree."""
    from chalicelib.accounts.storage import SessionRecord
    from chalicelib.directory.storage import DepartmentRecord, DirectoryStampRecord, NoticeRecord, StaffRecord
    from chalicelib.files.storage import FileNameRecord, FileRecord, SpaceRecord, UploadRecord, VersionRecord
    from chalicelib.notifications.channels.storage import AttemptRecord, ChannelRecord, DeliveryRecord
    from chalicelib.notifications.storage import DigestRecord, MuteRecord, NotificationRecord, PreferenceRecord
    from chalicelib.ops.storage import ReplayRecord
    from chalicelib.projects.feed_storage import FeedRecord
    from chalicelib.projects.recruiting.storage import (
        ActualRecord,
        ApplicationRecord,
        RecruitmentRecord,
        SettingRecord,
        TimeShareRecord,
    )
    from chalicelib.projects.storage import ActivityRecord, AssignmentRecord, ItemRecord, MemberRecord, ProjectRecord
    from chalicelib.search.storage import SettingsRecord
    from chalicelib.sharing.storage import (
        AuditRecord,
        LinkRecord,
        PartnerSessionRecord,
        ShareSettingRecord,
        TokenRecord,
    )
    from chalicelib.surveys.storage import AnswerRecord, HistoryRecord, NumberRecord, PartRecord, SurveyRecord

    models = {
        "departments": DepartmentRecord,
        "staff": StaffRecord,
        "directory_stamp": DirectoryStampRecord,
        "sessions": SessionRecord,
        "notices": NoticeRecord,
        "notifications": NotificationRecord,
        "notification_prefs": PreferenceRecord,
        "notification_digest": DigestRecord,
        "notification_mutes": MuteRecord,
        "channels": ChannelRecord,
        "channel_deliveries": DeliveryRecord,
        "channel_attempts": AttemptRecord,
        "spaces": SpaceRecord,
        "files": FileRecord,
        "file_names": FileNameRecord,
        "file_versions": VersionRecord,
        "uploads": UploadRecord,
        "share_links": LinkRecord,
        "share_tokens": TokenRecord,
        "share_sessions": PartnerSessionRecord,
        "share_audit": AuditRecord,
        "search_settings": SettingsRecord,
        "share_settings": ShareSettingRecord,
        "surveys": SurveyRecord,
        "survey_answers": AnswerRecord,
        "survey_parts": PartRecord,
        "survey_history": HistoryRecord,
        "survey_numbers": NumberRecord,
        "projects": ProjectRecord,
        "project_members": MemberRecord,
        "board_items": ItemRecord,
        "card_assignments": AssignmentRecord,
        "project_activity": ActivityRecord,
        "project_feeds": FeedRecord,
        "recruitments": RecruitmentRecord,
        "recruitment_applications": ApplicationRecord,
        "time_shares": TimeShareRecord,
        "project_actuals": ActualRecord,
        "recruiting_settings": SettingRecord,
        "dlq_replays": ReplayRecord,
    }
    for key, model in models.items():
        spec = RESOURCES.table(key)
        assert model._hash_keyname == spec.partition.name, key
        assert model._range_keyname == (spec.sort.name if spec.sort else None), key
        indexes = {name: index for name, index in model._indexes.items()}
        assert set(indexes) == {i.name for i in spec.indexes}, key
    # idempotency: Powertools' own; notification_stats: counters raised with ADD (notifications/stats.py)
    assert {t.key for t in RESOURCES.tables} == {*models, "idempotency", "notification_stats"}


def test_the_logger_redacts_what_it_prints() -> None:
    import io
    import logging

    from chalicelib.core.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)  # the formatter the Lambda's handler uses
    logger.addHandler(handler)
    level = logger.log_level
    logger.setLevel("INFO")  # other tests in the session may have raised it
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    try:
        logger.warning("sign-out failed", extra={"password": "hunter2", "detail": f"NotAuthorized: {token}"})
        try:
            raise ValueError(f"bad token {token}")
        except ValueError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    out = stream.getvalue()
    assert "hunter2" not in out and token not in out
    assert out.count("[redacted-jwt]") >= 3  # the extra field, the traceback text, the stack_trace value


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, False),  # not in Lambda: never trace
        ({"AWS_LAMBDA_FUNCTION_NAME": "kumo-notifier"}, True),
        ({"AWS_LAMBDA_FUNCTION_NAME": "kumo-notifier", "POWERTOOLS_TRACE_DISABLED": "true"}, False),
    ],
)
def test_tracing_only_inside_lambda(env: dict[str, str], expected: bool) -> None:
    from chalicelib.core.config import from_environ

    assert from_environ(env).tracing is expected
