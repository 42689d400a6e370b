"""E-mail about share links, sent through SES. Bodies are Jinja2 templates, Japanese and English."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.observability import logger

if TYPE_CHECKING:
    from chalicelib.sharing.links import Link


def _render(template: str, **context: object) -> str:
    from chalicelib.core import templating

    return templating.render(template, "ja", **context)


def send(to: str, subject: str, body: str) -> None:
    aws.client("ses").send_email(
        Source=settings().mail_from,
        Destination={"ToAddresses": [to]},
        Message={
            "Subject": {"Data": subject, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
        },
    )
    logger.info("mail sent", extra={"template": subject[:40]})  # never the body: it may hold a code


def send_code(to: str, code: str, link: Link, *, minutes: int) -> None:
    body = _render("email/share_code.txt", code=code, link=link, minutes=minutes)
    send(to, "【Kumo】確認コード / Verification code", body)


def send_partner_upload(
    to: str, *, owner_name: str, uploader: str, file_name: str, folder_url: str, footer: str = ""
) -> None:
    body = _render(
        "email/partner_upload.txt",
        owner_name=owner_name,
        uploader=uploader,
        file_name=file_name,
        folder_url=folder_url,
        footer=footer,
    )
    send(to, f"【Kumo】{uploader} さんからファイルが届きました / New file from {uploader}", body)
