"""pynamodb model of the ops slice: the log of dead-letter replays."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.core.storage import Binder


class ReplayRecord(Model):
    """One replay of one queue's DLQ: who asked, when, how many messages went back."""

    class Meta:
        table_name = "dlq_replays"

    queue = UnicodeAttribute(hash_key=True)  # the source queue's key: notify, mail, index, scan, channels
    replay_key = UnicodeAttribute(range_key=True)  # "<ISO time>#<random>": newest last
    who = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    moved = NumberAttribute()
    asked = NumberAttribute()


bind = Binder((ReplayRecord, "dlq_replays"))
