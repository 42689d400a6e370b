"""pynamodb model of the in-app notification inbox."""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.core.storage import Binder


class NotificationRecord(Model):
    class Meta:
        table_name = "notifications"

    staff_id = UnicodeAttribute(hash_key=True)
    # "<UTC timestamp>_<event id>": newest first when queried backwards, and one event
    # makes at most one notification per person (the put is conditional on this key).
    notification_id = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    params: MapAttribute[str, object] = MapAttribute(default=dict)  # rendered in the reader's language at display time
    link = UnicodeAttribute(null=True)
    event_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    read_at = UTCDateTimeAttribute(null=True)


bind = Binder((NotificationRecord, "notifications"))
