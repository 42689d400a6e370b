"""Chat channels on in-process moto: who may manage them, how their URLs are kept, which events
reach which channel, once, and the breaker that pauses a failing channel and tells its managers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chalicelib.core.errors import BadRequest, Forbidden, NotFound
from chalicelib.core.event_catalogue import SurveyIssued, SurveyReminder
from chalicelib.core.project_events import CardAssigned
from tests.unit.test_project_notifications import demo_project, me

HEAD, COORDINATOR = "nishida.k", "harada.y"  # 財政課
MEMBER = "yamada.k"  # 総務課, 兼務 in 財政課 without a post
STRANGER = "kubo.s"  # 情報システム課
UNIT = "zaisei"


class Hook(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], bytes]] = []
    status = 200

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Hook.received.append((self.path, dict(self.headers.items()), body))
        self.send_response(Hook.status)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network here: hooks.example.com stands for a public host."""
    from chalicelib.notifications.channels import guard

    real = guard._resolve
    monkeypatch.setattr(
        guard, "_resolve", lambda host, port: ["93.184.215.14"] if host.endswith("example.com") else real(host, port)
    )


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from chalicelib.core import config

    Hook.received, Hook.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("KUMO_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("KUMO_BASE_URL", "https://kumo.example.lg.jp")
    config.reset()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def project_id(aws_mock: None) -> str:
    return demo_project()  # 総務課's, owner yamada.k, members fujita.e and ogata.r


def _connect(staff_id: str, scope: Any, url: str, kind: str = "webhook", kinds: tuple[str, ...] = ()) -> Any:
    from chalicelib.notifications.channels import service

    return service.connect(me(staff_id), scope, service.ChannelIn(kind, "連携", url, kinds or scope.kinds))


def _survey(units: list[str], event_id: str = "ev-issued") -> dict[str, Any]:
    detail = SurveyIssued(
        survey_id="s1",
        number="総務第12号",
        title="備品の調査",
        issuer_unit_id="somuka",
        target_unit_ids=units,
        deadline="2027-01-20T08:00:00+00:00",
    )
    return detail.event(event_id=event_id).as_delivered()


# --- who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("staff_id", [HEAD, COORDINATOR])
def test_the_head_and_the_coordinator_manage_their_unit_s_channels(project_id: str, staff_id: str) -> None:
    from chalicelib.notifications.channels import model, service

    connected = _connect(staff_id, model.unit(UNIT), "https://hooks.example.com/a/b/c/defghijkl")
    assert [c.channel_id for c in service.list_channels(me(HEAD), model.unit(UNIT))] == [connected.channel.channel_id]
    assert service.list_channels(me(COORDINATOR), model.unit(UNIT))


def test_another_member_is_refused_and_a_stranger_told_there_is_no_such_unit(project_id: str) -> None:
    from chalicelib.notifications.channels import model, service

    made = _connect(HEAD, model.unit(UNIT), "https://hooks.example.com/a/b/c/defghijkl").channel
    with pytest.raises(Forbidden):
        service.list_channels(me(MEMBER), model.unit(UNIT))
    with pytest.raises(Forbidden):
        service.pause(me(MEMBER), made.channel_id)
    with pytest.raises(NotFound):
        service.list_channels(me(STRANGER), model.unit(UNIT))
    with pytest.raises(NotFound):
        service.delete(me(STRANGER), made.channel_id)
    with pytest.raises(NotFound):
        service.list_channels(me(HEAD), model.unit("no-such-unit"))
    assert service.get(me(HEAD), made.channel_id).active  # untouched


def test_a_project_s_managers_manage_its_channels_members_and_strangers_do_not(project_id: str) -> None:
    from chalicelib.notifications.channels import model, service

    scope = model.project(project_id)
    _connect("yamada.k", scope, "https://hooks.example.com/a/b/c/defghijkl")  # the owner
    assert len(service.list_channels(me("ohashi.t"), scope)) == 1  # 総務課's 所属長
    with pytest.raises(Forbidden):
        service.list_channels(me("fujita.e"), scope)  # a member
    with pytest.raises(NotFound):
        service.list_channels(me(STRANGER), scope)  # a members-only project


# --- what is kept ---------------------------------------------------------------------------------


def test_the_url_and_the_secret_are_sealed_and_shown_masked(project_id: str) -> None:
    import boto3

    from chalicelib.core.config import settings
    from chalicelib.notifications.channels import model

    url = "https://hooks.example.com/services/T0/B0/SECRETPARTabcd"
    connected = _connect(HEAD, model.unit(UNIT), url)
    assert connected.secret and connected.secret.startswith("kumo_whsec_")
    assert connected.channel.masked_url == "https://hooks.example.com/…/••••abcd"
    items = boto3.client("dynamodb").scan(TableName=settings().table_name("channels"))["Items"]
    stored = json.dumps(items, ensure_ascii=False)
    assert "SECRETPART" not in stored and connected.secret not in stored
    assert "••••abcd" in stored
    teams = _connect(HEAD, model.unit(UNIT), "https://hooks.example.com/x/y/z/1234567890", kind="teams")
    assert teams.secret is None  # only the generic webhook signs


@pytest.mark.parametrize(
    ("url", "kinds", "field"),
    [
        ("https://10.0.0.8/hook", (), "url"),
        ("https://169.254.169.254/latest", (), "url"),
        ("ftp://hooks.example.com/x", (), "url"),
        ("https://hooks.example.com/x", ("card_assigned",), "kinds"),  # a project's kind, on a 所属
    ],
)
def test_what_cannot_be_connected_is_refused_by_field(
    project_id: str, url: str, kinds: tuple[str, ...], field: str
) -> None:
    from chalicelib.notifications.channels import model, service

    with pytest.raises(BadRequest) as refused:
        service.connect(
            me(HEAD), model.unit(UNIT), service.ChannelIn("webhook", "連携", url, kinds or ("survey_issued",))
        )
    assert refused.value.details["field"] == field


# --- delivery ------------------------------------------------------------------------------------


def test_an_event_reaches_its_unit_s_channel_once_signed_and_without_secrets(project_id: str, hook: str) -> None:
    from chalicelib.notifications.channels import delivery, formats, model

    scope = model.unit(UNIT)
    connected = _connect(HEAD, scope, f"{hook}/hooks/zaisei")
    _connect(HEAD, scope, f"{hook}/hooks/reminders-only", kinds=("survey_reminder",))
    _connect("tanaka.h", model.unit("jinji"), f"{hook}/hooks/jinji")  # another 所属, not a target
    event = _survey([UNIT, "doro"])
    assert delivery.deliver_event(event).sent == 1
    assert delivery.deliver_event(event).sent == 0  # redelivered: nothing posted again
    assert delivery.deliver_event(event).skipped == 1
    ((path, headers, body),) = Hook.received
    assert path == "/hooks/zaisei"
    assert formats.verify(connected.secret, headers["X-Kumo-Timestamp"], body, headers["X-Kumo-Signature"])
    payload = json.loads(body)
    assert payload["kind"] == "survey_issued" and payload["scope"] == {"type": "unit", "id": UNIT, "name": "財政課"}
    assert payload["title"] == "照会が届きました"
    assert payload["text"] == "財政課に照会が届きました：総務第12号 備品の調査（回答期限 2027-01-20 17:00）"
    assert payload["url"] == "https://kumo.example.lg.jp/surveys/s1/answers/zaisei"


def test_a_project_event_names_people_and_links_to_the_card(project_id: str, hook: str) -> None:
    from chalicelib.notifications.channels import delivery, model

    _connect("yamada.k", model.project(project_id), f"{hook}/hooks/p", kind="slack")
    event = (
        CardAssigned(
            project_id=project_id,
            project_name="窓口DX検討",
            board_id="b1",
            card_id="c1",
            title="様式を洗い出す",
            assignee_ids=["fujita.e"],
            assigned_by="yamada.k",
            assigned_by_name="山田 健一",
        )
        .event(event_id="ev-card")
        .as_delivered()
    )
    delivery.deliver_event(event)
    ((_, _, body),) = Hook.received
    payload = json.loads(body)
    assert "山田 健一さんがカード「様式を洗い出す」の担当を" in payload["text"]
    button = payload["blocks"][-1]["elements"][0]
    assert button["url"] == f"https://kumo.example.lg.jp/projects/{project_id}/boards/b1?card=c1"


def test_a_failed_post_is_logged_without_its_url_and_retried_until_it_goes_through(project_id: str, hook: str) -> None:
    from chalicelib.notifications.channels import delivery, model, service

    channel = _connect(HEAD, model.unit(UNIT), f"{hook}/hooks/secret-path-abcd").channel
    Hook.status = 500
    with pytest.raises(delivery.RetryLater):
        delivery.deliver_event(_survey([UNIT]))
    (failed,) = service.log(me(HEAD), channel.channel_id)
    assert (failed.ok, failed.status_code, failed.error, failed.kind) == (False, 500, "HTTP 500", "survey_issued")
    assert service.get(me(HEAD), channel.channel_id).failing_since is not None
    Hook.status = 200
    assert delivery.deliver_event(_survey([UNIT])).sent == 1
    assert delivery.deliver_event(_survey([UNIT])).sent == 0
    latest = service.log(me(HEAD), channel.channel_id)
    assert [a.ok for a in latest] == [True, False]
    assert all("secret-path" not in a.error for a in latest)
    assert service.get(me(HEAD), channel.channel_id).failing_since is None  # a success clears it
    assert len(Hook.received) == 2


def test_a_paused_channel_hears_nothing_and_a_test_message_goes_at_once(project_id: str, hook: str) -> None:
    from chalicelib.notifications.channels import delivery, model, service

    channel = _connect(COORDINATOR, model.unit(UNIT), f"{hook}/hooks/z", kind="logochat").channel
    service.pause(me(HEAD), channel.channel_id)
    assert delivery.deliver_event(_survey([UNIT])).sent == 0
    assert Hook.received == []
    tested = service.send_test(me(COORDINATOR), channel.channel_id)
    assert tested.ok and tested.kind == "test"
    ((_, _, body),) = Hook.received
    assert "Kumoからのテストメッセージです。財政課の通知がこのチャンネルに届きます。" in json.loads(body)["text"]
    service.resume(me(HEAD), channel.channel_id)
    assert delivery.deliver_event(_survey([UNIT])).sent == 1


# --- the breaker ----------------------------------------------------------------------------------


def test_should_pause_only_after_the_whole_window_without_a_success() -> None:
    from chalicelib.notifications.channels.breaker import should_pause

    t0, day = datetime(2027, 1, 12, tzinfo=UTC), timedelta(days=1)
    assert not should_pause(None, t0, day)
    assert not should_pause(t0, t0 + day - timedelta(seconds=1), day)
    assert should_pause(t0, t0 + day, day)


def test_failing_for_the_window_pauses_once_and_tells_the_unit_s_managers(project_id: str, hook: str) -> None:
    from chalicelib.core.storage import get_or_none
    from chalicelib.notifications import service as inbox
    from chalicelib.notifications.channels import breaker, model, service, storage

    channel = _connect(HEAD, model.unit(UNIT), f"{hook}/hooks/z").channel
    storage.bind()
    t0 = datetime.now(UTC)

    def record() -> Any:
        return get_or_none(storage.ChannelRecord, channel.channel_id, consistent_read=True)

    assert not breaker.failed(record(), t0, "財政課")
    assert not breaker.failed(record(), t0 + timedelta(hours=23), "財政課")
    assert breaker.failed(record(), t0 + timedelta(hours=24), "財政課")
    assert not breaker.failed(record(), t0 + timedelta(hours=25), "財政課")  # paused already: told once
    paused = service.get(me(HEAD), channel.channel_id)
    assert not paused.active and paused.paused_by_breaker
    for staff_id in (HEAD, COORDINATOR):
        (notice,) = [n for n in inbox.inbox(me(staff_id)) if n.kind == "channel_paused"]
        assert notice.params == {"channel": "連携", "owner": "財政課", "hours": "24"}
        assert notice.link == "/units/zaisei/channels"
    assert not [n for n in inbox.inbox(me(MEMBER)) if n.kind == "channel_paused"]
    resumed = service.resume(me(COORDINATOR), channel.channel_id)
    assert resumed.active and resumed.failing_since is None


def test_a_success_in_between_restarts_the_window(project_id: str, hook: str) -> None:
    from chalicelib.core.storage import get_or_none
    from chalicelib.notifications.channels import breaker, model, storage

    channel = _connect(HEAD, model.unit(UNIT), f"{hook}/hooks/z").channel
    storage.bind()
    t0 = datetime.now(UTC)

    def record() -> Any:
        return get_or_none(storage.ChannelRecord, channel.channel_id, consistent_read=True)

    breaker.failed(record(), t0, "財政課")
    breaker.succeeded(record())
    assert not breaker.failed(record(), t0 + timedelta(hours=24), "財政課")  # failing since now, not t0
    assert breaker.failed(record(), t0 + timedelta(hours=48), "財政課")


def test_health_counts_sent_failed_and_queued_per_channel_and_kind(project_id: str, hook: str) -> None:
    from chalicelib.notifications.channels import delivery, health, model

    channel = _connect(HEAD, model.unit(UNIT), f"{hook}/hooks/z").channel
    quiet = _connect(HEAD, model.unit(UNIT), f"{hook}/hooks/q", kinds=("survey_closed",)).channel
    since = datetime.now(UTC) - timedelta(minutes=1)
    delivery.deliver_event(_survey([UNIT], "ev-1"))
    delivery.deliver_event(_survey([UNIT], "ev-2"))
    Hook.status = 503
    reminder = SurveyReminder(
        survey_id="s1",
        number="総務第12号",
        title="備品",
        unit_id=UNIT,
        step="before",
        deadline="2027-01-20T08:00:00+00:00",
    )
    with pytest.raises(delivery.RetryLater):
        delivery.deliver_event(reminder.event(event_id="ev-3").as_delivered())
    rows = {(r.channel_id, r.kind): (r.sent, r.failed, r.queued) for r in health.channel_health(since)}
    assert rows[(channel.channel_id, "survey_issued")] == (2, 0, 0)
    assert rows[(channel.channel_id, "survey_reminder")] == (0, 1, 0)
    assert rows[(quiet.channel_id, "")] == (0, 0, 0)


@pytest.mark.parametrize(("count", "wait"), [(1, 30), (2, 60), (3, 120), (9, 7680), (10, 14400), (14, 14400)])
def test_retries_back_off_exponentially_to_four_hours(count: int, wait: int) -> None:
    from functions.channels.app import backoff_s

    assert backoff_s(count, 30) == wait


def test_the_bus_rule_brings_exactly_the_events_channels_route() -> None:
    from chalicelib.core.bus_rules import BUS_RULES, CHANNEL_EVENTS
    from chalicelib.notifications.channels import model, routing, texts

    assert set(CHANNEL_EVENTS) == set(routing.ROUTES)
    (rule,) = [r for r in BUS_RULES if r.target_queue == "channels"]
    assert set(rule.pattern["detail-type"]) == {d.EVENT.name for d in CHANNEL_EVENTS}
    every = {*model.UNIT_KINDS, *model.PROJECT_KINDS, model.TEST_KIND}
    assert set(texts.TEXTS) == every and set(texts.TITLES) == every


def test_a_scope_connects_at_most_ten_channels_and_a_removal_frees_a_place(project_id: str) -> None:
    from chalicelib.core.errors import Conflict
    from chalicelib.notifications.channels import model, service

    scope = model.unit(UNIT)
    made = [_connect(HEAD, scope, f"https://hooks.example.com/a/b/c/{i:010d}").channel for i in range(10)]
    with pytest.raises(Conflict):
        _connect(HEAD, scope, "https://hooks.example.com/a/b/c/eleventh00")
    service.delete(me(HEAD), made[0].channel_id)
    _connect(HEAD, scope, "https://hooks.example.com/a/b/c/eleventh00")
    assert len(service.list_channels(me(HEAD), scope)) == 10
    with pytest.raises(NotFound):
        service.get(me(HEAD), f"count#{scope.key}")  # the counter is no channel
