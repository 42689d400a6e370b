"""What each kind of chat channel receives (Teams, Slack, LoGoチャット, generic webhook), the
generic webhook's signature, and how webhook URLs are shown (notifications/channels)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from chalicelib.notifications.channels import formats
from chalicelib.notifications.channels.model import ChannelType, mask_url

MESSAGE = formats.Message(
    event_id="ev-1",
    kind="survey_issued",
    title="照会が届きました",
    text="財政課に照会が届きました: 総務第12号 <b>備品</b> & 調査",
    scope_name="財政課",
    scope_key="unit:zaisei",
    link="https://kumo.example.lg.jp/surveys/s1/answers/zaisei",
    occurred_at=datetime(2027, 1, 12, 0, 30, tzinfo=UTC),
)


def _post(kind: ChannelType, secret: str | None = None, now: float = 1_800_000_000) -> tuple[dict, dict[str, str]]:  # type: ignore[type-arg]
    body, headers = formats.request(kind, MESSAGE, channel_id="c1", channel_name="財政課 Teams", secret=secret, now=now)
    return json.loads(body), headers


def test_teams_gets_an_adaptive_card_in_the_workflows_message_envelope() -> None:
    payload, headers = _post(ChannelType.TEAMS)
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [block["text"] for block in card["body"]]
    assert texts[0] == "照会が届きました" and MESSAGE.text in texts[1]
    assert "財政課 ・ 2027-01-12 09:30" in texts[2]  # Japan time
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Kumoで開く", "url": MESSAGE.link}]
    assert headers["Content-Type"].startswith("application/json") and "X-Kumo-Signature" not in headers


def test_slack_gets_block_kit_with_a_fallback_text_and_escaped_markup() -> None:
    payload, _ = _post(ChannelType.SLACK)
    assert payload["text"].startswith("照会が届きました: ")
    header, section, context, actions = payload["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "照会が届きました", "emoji": False}}
    assert section["text"]["type"] == "mrkdwn"
    # A title cannot make a link, a mention or markup in Slack.
    assert "&lt;b&gt;備品&lt;/b&gt; &amp; 調査" in section["text"]["text"]
    assert context["elements"][0]["text"].startswith("財政課")
    (button,) = actions["elements"]
    assert button["type"] == "button" and button["url"] == MESSAGE.link and button["text"]["text"] == "Kumoで開く"


def test_logo_chat_gets_plain_text_with_the_link() -> None:
    payload, _ = _post(ChannelType.LOGO)
    assert payload == {"text": f"【照会が届きました】財政課\n{MESSAGE.text}\n{MESSAGE.link}"}


def test_the_generic_webhook_is_kumos_json_signed_over_timestamp_and_body() -> None:
    body, headers = formats.request(
        ChannelType.WEBHOOK, MESSAGE, channel_id="c1", channel_name="連携", secret="s3cret", now=1_800_000_000
    )
    payload = json.loads(body)
    assert payload == {
        "version": 1,
        "id": "ev-1",
        "kind": "survey_issued",
        "test": False,
        "occurred_at": "2027-01-12T00:30:00+00:00",
        "channel": {"id": "c1", "name": "連携"},
        "scope": {"type": "unit", "id": "zaisei", "name": "財政課"},
        "title": "照会が届きました",
        "text": MESSAGE.text,
        "url": MESSAGE.link,
    }
    assert headers["X-Kumo-Timestamp"] == "1800000000" and headers["X-Kumo-Event"] == "ev-1"
    import hashlib
    import hmac

    expected = hmac.new(b"s3cret", b"1800000000." + body, hashlib.sha256).hexdigest()
    assert headers["X-Kumo-Signature"] == f"v1={expected}"
    assert formats.verify("s3cret", "1800000000", body, headers["X-Kumo-Signature"], now=1_800_000_100)


@pytest.mark.parametrize(
    ("secret", "timestamp", "tamper", "now"),
    [
        ("other", "1800000000", False, 1_800_000_000),  # another channel's secret
        ("s3cret", "1800000000", True, 1_800_000_000),  # a changed body
        ("s3cret", "1800000001", False, 1_800_000_000),  # a changed timestamp
        ("s3cret", "1800000000", False, 1_800_000_301),  # a replay after five minutes
        ("s3cret", "soon", False, 1_800_000_000),
    ],
)
def test_a_receiver_refuses_what_was_not_signed_now_for_this_body(
    secret: str, timestamp: str, tamper: bool, now: float
) -> None:
    body, headers = formats.request(
        ChannelType.WEBHOOK, MESSAGE, channel_id="c1", channel_name="連携", secret="s3cret", now=1_800_000_000
    )
    sent = body.replace("財政課".encode(), "人事課".encode()) if tamper else body
    assert not formats.verify(secret, timestamp, sent, headers["X-Kumo-Signature"], now=now)


def test_links_are_absolute_from_the_site_url(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import config

    monkeypatch.setenv("KUMO_BASE_URL", "https://kumo.pref.example.lg.jp/")
    config.reset()
    assert formats.absolute("/surveys/s1") == "https://kumo.pref.example.lg.jp/surveys/s1"
    assert formats.absolute(None) == "https://kumo.pref.example.lg.jp/"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.slack.com/services/T0AAA/B0BBB/abcdefghijklmnopWXYZ", "https://hooks.slack.com/…/••••WXYZ"),
        (
            "https://prod-12.japaneast.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=SECRETSIGabcd",
            "https://prod-12.japaneast.logic.azure.com/…/••••abcd",
        ),
        ("https://example.com/short", "https://example.com/…/••••"),
    ],
)
def test_a_webhook_url_is_shown_masked(url: str, shown: str) -> None:
    masked = mask_url(url)
    assert masked == shown
    assert "SECRETSIG" not in masked and "B0BBB" not in masked
