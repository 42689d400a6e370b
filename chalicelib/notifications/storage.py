"""pynamodb models of the notifications slice: the inbox, each person's settings, the daily digest,
what each person muted."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
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


class PreferenceRecord(Model):
    """One person's notification settings (absent: every default, quiet hours on)."""

    class Meta:
        table_name = "notification_prefs"

    staff_id = UnicodeAttribute(hash_key=True)
    choices: MapAttribute[str, object] = MapAttribute(default=dict)  # kind -> kinds.Choice value
    quiet_hours = BooleanAttribute(default=True)
    digest_at = UnicodeAttribute(null=True)  # "HH:MM" JST, one of preferences.DIGEST_TIMES (absent: 08:30)
    updated_at = UTCDateTimeAttribute(null=True)


class DueDayIndex(GlobalSecondaryIndex["DigestRecord"]):
    class Meta:
        index_name = "by_due"
        projection = AllProjection()

    due_day = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)


class DigestRecord(Model):
    """The daily digest: ``queued#<notification id>`` is a notice waiting for the digest of
    ``due_day`` (or a later one); ``sent#<day>`` reserves a person's digest mail of that day, put
    on the condition that it is absent before the mail goes (digest.py)."""

    class Meta:
        table_name = "notification_digest"

    staff_id = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)
    due_day = UnicodeAttribute(null=True)  # only queued items: the index holds nothing else
    kind = UnicodeAttribute(null=True)
    params: MapAttribute[str, object] = MapAttribute(default=dict)
    link = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    items = NumberAttribute(null=True)  # sent#: how many notices that mail listed
    by_due = DueDayIndex()


bind_prefs = Binder((PreferenceRecord, "notification_prefs"), (DigestRecord, "notification_digest"))


class MuteRecord(Model):
    """One person muted one subject (``share:<link id>``, ``survey:<survey id>``): present means muted."""

    class Meta:
        table_name = "notification_mutes"

    staff_id = UnicodeAttribute(hash_key=True)
    subject = UnicodeAttribute(range_key=True)
    muted_at = UTCDateTimeAttribute()


bind_mutes = Binder((MuteRecord, "notification_mutes"))
