"""pynamodb model of the personal iCal feeds (自分のタスク in a calendar app), table `project_feeds`.

Two kinds of item share the table, each found by one strongly consistent GetItem:
- "secret#<SHA-256 of the secret>": the feed a calendar app fetches; names whose feed it is, and
  counts the fetches of the current clock hour (the feed's rate limit);
- "staff#<staff id>": the person's current feed (the hash of its secret), so a reset finds the
  old secret's item and deletes it in the same transaction that writes the new one. The secret
  itself is stored nowhere.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.core.storage import Binder


class FeedRecord(Model):
    class Meta:
        table_name = "project_feeds"

    feed_key = UnicodeAttribute(hash_key=True)  # "secret#<sha256 hex>" or "staff#<staff id>"
    staff_id = UnicodeAttribute()
    secret_hash = UnicodeAttribute()  # the current secret's SHA-256 (hex)
    created_at = UTCDateTimeAttribute()
    hour = UnicodeAttribute(default="")  # the clock hour (UTC, YYYYMMDDHH) whose fetches are counted
    fetches = NumberAttribute(default=0)  # fetches in that hour
    fetched_at = UTCDateTimeAttribute(null=True)  # the last fetch, shown to the person


bind = Binder((FeedRecord, "project_feeds"))
