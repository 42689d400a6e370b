"""pynamodb models of the directory (org units, staff, notices).

The `departments` table holds every org unit, 部局, 所属 and 係 alike: it kept its first name
(and its key, `department_id`) when the directory became a tree. A record written before the
tree has no `kind` and no `parent_id`: it is a 部局, read as such without any migration.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.core.storage import Binder


class DepartmentRecord(Model):
    class Meta:
        table_name = "departments"

    department_id = UnicodeAttribute(hash_key=True)  # the unit's id, whatever its kind
    name_ja = UnicodeAttribute()
    name_en = UnicodeAttribute()
    sort_order = NumberAttribute(default=0)
    kind = UnicodeAttribute(null=True)  # bukyoku / shozoku / kakari; none: a 部局
    parent_id = UnicodeAttribute(null=True)  # none for a 部局
    short_name = UnicodeAttribute(null=True)  # none: derived from the name


class PlacementMap(MapAttribute[str, Any]):
    """Where someone works besides their main 所属 (兼務), or will work (in a transfer)."""

    unit_id = UnicodeAttribute()
    section_id = UnicodeAttribute(null=True)
    post = UnicodeAttribute(null=True)


class TransferMap(MapAttribute[str, Any]):
    """A dated move (人事異動): from `effective` (a JST date) the person's places are these."""

    effective = UnicodeAttribute()  # YYYY-MM-DD
    unit_id = UnicodeAttribute()
    section_id = UnicodeAttribute(null=True)
    post = UnicodeAttribute(null=True)
    concurrent = ListAttribute(of=PlacementMap, null=True)


def placement_map(unit_id: str, section_id: str | None, post: str) -> PlacementMap:
    return PlacementMap(unit_id=unit_id, section_id=section_id, post=post)


def transfer_map(effective: str, main: PlacementMap, concurrent: list[PlacementMap]) -> TransferMap:
    return TransferMap(
        effective=effective,
        unit_id=main.unit_id,
        section_id=main.section_id,
        post=main.post,
        concurrent=concurrent,
    )


class StaffByDepartment(GlobalSecondaryIndex["StaffRecord"]):
    class Meta:
        index_name = "by_department"
        projection = AllProjection()

    department_id = UnicodeAttribute(hash_key=True)
    staff_id = UnicodeAttribute(range_key=True)


class StaffByEmail(GlobalSecondaryIndex["StaffRecord"]):
    class Meta:
        index_name = "by_email"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class StaffWithPlacesElsewhere(GlobalSecondaryIndex["StaffRecord"]):
    """Sparse: only staff with a place outside their main 部局 (a 兼務 there, or a pending
    transfer). With by_department it finds everyone of a unit in two queries, not a scan."""

    class Meta:
        index_name = "by_elsewhere"
        projection = AllProjection()

    elsewhere = UnicodeAttribute(hash_key=True)
    staff_id = UnicodeAttribute(range_key=True)


class StaffRecord(Model):
    class Meta:
        table_name = "staff"

    staff_id = UnicodeAttribute(hash_key=True)
    display_name = UnicodeAttribute()
    email = UnicodeAttribute()
    department_id = UnicodeAttribute()  # the 部局 of the main 所属 (as of the last write)
    role = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    first_signed_in_at = UTCDateTimeAttribute(null=True)
    unit_id = UnicodeAttribute(null=True)  # the main 所属; none: directly in the 部局
    section_id = UnicodeAttribute(null=True)  # the 係 in it
    post = UnicodeAttribute(null=True)
    concurrent = ListAttribute(of=PlacementMap, null=True)  # 兼務
    transfers = ListAttribute(of=TransferMap, null=True)  # pending, oldest first
    elsewhere = UnicodeAttribute(null=True)  # "y" puts the record in by_elsewhere

    by_department = StaffByDepartment()
    by_email = StaffByEmail()
    by_elsewhere = StaffWithPlacesElsewhere()


class NoticeRecord(Model):
    class Meta:
        table_name = "notices"

    department_id = UnicodeAttribute(hash_key=True)
    notice_id = UnicodeAttribute(range_key=True)  # time-ordered: ISO timestamp + random
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class DirectoryStampRecord(Model):
    """One item (id STAMP_ID) that every write to `staff` changes to a fresh random value: a
    process that cached people under the stamp it read knows, by one GetItem, whether they may
    have changed since (directory/staff_cache.py). Its own table, so that no scan of `staff` or
    `departments` ever meets it."""

    class Meta:
        table_name = "directory_stamp"

    id = UnicodeAttribute(hash_key=True)
    stamp = UnicodeAttribute()  # uuid4 hex: moto is reset between tests, a counter would repeat
    written_at = UTCDateTimeAttribute()


bind = Binder(
    (DepartmentRecord, "departments"),
    (StaffRecord, "staff"),
    (NoticeRecord, "notices"),
    (DirectoryStampRecord, "directory_stamp"),
)
