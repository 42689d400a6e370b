"""pynamodb models of the directory (departments, staff, notices)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.core.storage import Binder


class DepartmentRecord(Model):
    class Meta:
        table_name = "departments"

    department_id = UnicodeAttribute(hash_key=True)
    name_ja = UnicodeAttribute()
    name_en = UnicodeAttribute()
    sort_order = NumberAttribute(default=0)


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


class StaffRecord(Model):
    class Meta:
        table_name = "staff"

    staff_id = UnicodeAttribute(hash_key=True)
    display_name = UnicodeAttribute()
    email = UnicodeAttribute()
    department_id = UnicodeAttribute()
    role = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    first_signed_in_at = UTCDateTimeAttribute(null=True)

    by_department = StaffByDepartment()
    by_email = StaffByEmail()


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


bind = Binder((DepartmentRecord, "departments"), (StaffRecord, "staff"), (NoticeRecord, "notices"))
