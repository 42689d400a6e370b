"""pynamodb model of browser sessions. Only a SHA-256 of the cookie value is stored."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.core.storage import Binder


class SessionRecord(Model):
    class Meta:
        table_name = "sessions"

    session_hash = UnicodeAttribute(hash_key=True)
    staff_id = UnicodeAttribute()
    id_token = UnicodeAttribute()
    refresh_token = UnicodeAttribute(null=True)
    csrf_token = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    last_seen_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()  # absolute end, checked in code on every request
    ttl = NumberAttribute()  # DynamoDB TTL clean-up only (it may lag by days)
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)


bind = Binder((SessionRecord, "sessions"))
