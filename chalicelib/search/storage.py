"""pynamodb models of search's own settings (the synonym groups an administrator edits)."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.core.storage import Binder


class SettingsRecord(Model):
    class Meta:
        table_name = "search_settings"

    key = UnicodeAttribute(hash_key=True)
    value = UnicodeAttribute()  # JSON
    updated_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()


bind = Binder((SettingsRecord, "search_settings"))
