"""What a share form may ask for, checked: expiry, recipients, password, limits, message.

Each function takes what the staff member sent and returns the value to store, or refuses it
with a message naming the field (400).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.core.config import settings
from chalicelib.core.errors import BadRequest
from chalicelib.files import spaces
from chalicelib.sharing import credentials
from chalicelib.sharing.links import DEFAULT_UPLOAD_MAX_FILES, DEFAULT_UPLOAD_MAX_MB, now

DEFAULT_DAYS = 7
PASSWORD_MIN = 8
MESSAGE_MAX = 2000
RECIPIENTS_MAX = 20
UPLOAD_MAX_FILES_LIMIT = 10_000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def checked_expiry(options: dict[str, Any]) -> datetime:
    max_days = settings().share_max_days
    if options.get("expires_at"):
        try:
            expires = datetime.fromisoformat(str(options["expires_at"]).replace("Z", "+00:00"))
        except ValueError:
            raise BadRequest("The expiry date is not a date.", field="expires_at") from None
        expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    else:
        try:
            days = float(options.get("expires_in_days", DEFAULT_DAYS))
        except (TypeError, ValueError):
            raise BadRequest("The expiry must be a number of days.", field="expires_in_days") from None
        expires = now() + timedelta(days=days)
    if expires <= now():
        raise BadRequest("The expiry must be in the future.", field="expires_at")
    if expires > now() + timedelta(days=max_days, minutes=1):
        raise BadRequest("A link can be valid for at most {days} days.", field="expires_at", days=max_days)
    return expires


def checked_recipients(options: dict[str, Any]) -> list[str]:
    raw = options.get("recipients") or []
    if isinstance(raw, str):
        raw = re.split(r"[\s,;]+", raw)
    emails = sorted({str(e).strip().lower() for e in raw if str(e).strip()})
    if len(emails) > RECIPIENTS_MAX:
        raise BadRequest("At most {max} recipients.", field="recipients", max=RECIPIENTS_MAX)
    bad = [e for e in emails if not EMAIL.match(e)]
    if bad:
        raise BadRequest("Not an e-mail address: {email}", field="recipients", email=bad[0])
    return emails


def checked_password(value: Any) -> str | None:
    if value in (None, ""):
        return None
    password = str(value)
    if len(password) < PASSWORD_MIN or len(password) > 128:
        raise BadRequest("A link password has {min} to 128 characters.", field="password", min=PASSWORD_MIN)
    return credentials.hash_password(password)


def checked_max_downloads(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadRequest("The download limit must be a whole number.", field="max_downloads") from None
    if not 1 <= number <= 10_000:
        raise BadRequest("The download limit is between 1 and 10000.", field="max_downloads")
    return number


def checked_upload_caps(options: dict[str, Any], space_id: str) -> tuple[int, int]:
    """(bytes, files) partners may send through the link; never more than the space holds."""
    quota = spaces.space(space_id).quota_bytes
    try:
        mb = int(options.get("upload_max_mb") or DEFAULT_UPLOAD_MAX_MB)
    except (TypeError, ValueError):
        raise BadRequest("The upload limit must be a whole number of MB.", field="upload_max_mb") from None
    try:
        count = int(options.get("upload_max_files") or DEFAULT_UPLOAD_MAX_FILES)
    except (TypeError, ValueError):
        raise BadRequest("The file limit must be a whole number.", field="upload_max_files") from None
    if mb < 1 or mb * 1024**2 > quota:
        raise BadRequest(
            "The upload limit is between 1 MB and the space's quota ({quota} MB).",
            field="upload_max_mb",
            quota=quota // 1024**2,
        )
    if not 1 <= count <= UPLOAD_MAX_FILES_LIMIT:
        raise BadRequest("The file limit is between 1 and {max}.", field="upload_max_files", max=UPLOAD_MAX_FILES_LIMIT)
    return mb * 1024**2, count


def checked_message(value: Any) -> str | None:
    text = str(value or "").strip()
    if len(text) > MESSAGE_MAX:
        raise BadRequest("The message is too long (at most {limit} characters).", field="message", limit=MESSAGE_MAX)
    return text or None
