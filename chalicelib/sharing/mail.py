"""E-mail Kumo sends, through SES: composed here as a raw MIME message (the standard library's
email package) and sent with SendRawEmail, since only a raw message can carry the headers a
notice needs: ``List-Unsubscribe`` (its one-click https link) and ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click`` (RFC 8058), which let a mail client offer "unsubscribe" and POST it
without opening a page. Subject and body are UTF-8: the Japanese subject as RFC 2047 encoded
words, the body in base64 (7-bit safe on any relay). Bodies are Jinja2 templates, Japanese and
English. The local emulator keeps the raw message; chalicelib/local/outbox.py reads it back.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from typing import TYPE_CHECKING

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.observability import logger

if TYPE_CHECKING:
    from chalicelib.sharing.links import Link

ONE_CLICK = "List-Unsubscribe=One-Click"


def _render(template: str, **context: object) -> str:
    from chalicelib.core import templating

    return templating.render(template, "ja", **context)


def compose(to: str, subject: str, body: str, *, unsubscribe: str | None = None) -> bytes:
    """The raw message. ``unsubscribe``: the one-click link (https outside local, as
    KUMO_BASE_URL must be), given for a notice a person may stop; None for mail that is no
    subscription (a verification code, an answer to the person's own request)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = settings().mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message.set_content(body, charset="utf-8", cte="base64")
    raw = message.as_bytes()
    if not unsubscribe:
        return raw
    # Prepended as they are: the folder would turn a link longer than a line (they are) into
    # RFC 2047 encoded words, which no mail client reads as a URL. One line of ASCII, well
    # under RFC 5322's 998 characters; refused if it could carry anything but the link.
    if not unsubscribe.isascii() or any(c.isspace() or c in "<>" for c in unsubscribe) or len(unsubscribe) > 900:
        raise ValueError("an unsubscribe link is one line of ASCII without spaces")
    return f"List-Unsubscribe: <{unsubscribe}>\r\nList-Unsubscribe-Post: {ONE_CLICK}\r\n".encode() + raw


def send(to: str, subject: str, body: str, *, unsubscribe: str | None = None) -> None:
    # No Destinations: SES takes the recipient from the To header, so it is named once.
    aws.client("ses").send_raw_email(
        Source=settings().mail_from, RawMessage={"Data": compose(to, subject, body, unsubscribe=unsubscribe)}
    )
    logger.info("mail sent", extra={"template": subject[:40]})  # never the body: it may hold a code


def send_code(to: str, code: str, link: Link, *, minutes: int) -> None:
    body = _render("email/share_code.txt", code=code, link=link, minutes=minutes)
    send(to, "【Kumo】確認コード / Verification code", body)


def send_partner_upload(
    to: str,
    *,
    owner_name: str,
    uploader: str,
    file_name: str,
    folder_url: str,
    footer: str = "",
    unsubscribe: str | None = None,
) -> None:
    body = _render(
        "email/partner_upload.txt",
        owner_name=owner_name,
        uploader=uploader,
        file_name=file_name,
        folder_url=folder_url,
        footer=footer,
    )
    subject = f"【Kumo】{uploader} さんからファイルが届きました / New file from {uploader}"
    send(to, subject, body, unsubscribe=unsubscribe)
