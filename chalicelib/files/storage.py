"""pynamodb models of spaces, folders/files, names, versions and uploads in progress."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.core.storage import Binder


class SpaceRecord(Model):
    class Meta:
        table_name = "spaces"

    space_id = UnicodeAttribute(hash_key=True)  # "dept:<department_id>" or "user:<staff_id>"
    quota_bytes = NumberAttribute()
    used_bytes = NumberAttribute(default=0)


class ByParent(GlobalSecondaryIndex["FileRecord"]):
    class Meta:
        index_name = "by_parent"
        projection = AllProjection()

    parent_id = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class Trash(GlobalSecondaryIndex["FileRecord"]):
    class Meta:
        index_name = "trash"
        projection = AllProjection()

    space_id = UnicodeAttribute(hash_key=True)
    trashed_at = UnicodeAttribute(range_key=True)


class FileRecord(Model):
    class Meta:
        table_name = "files"

    file_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()  # "folder" | "file"
    name = UnicodeAttribute()
    name_key = UnicodeAttribute()  # NFKC + casefold: what "the same name" means
    parent_id = UnicodeAttribute()  # a folder id, or the space id for the space's root
    space_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    visibility = UnicodeAttribute()  # private | department | all
    size = NumberAttribute(default=0)
    content_type = UnicodeAttribute(null=True)
    version = NumberAttribute(default=0)
    # The highest version number handed to an upload in progress: each upload writes straight
    # to its own version key, so numbers are reserved at the start (a gap is an abandoned upload).
    reserved_version = NumberAttribute(null=True)
    status = UnicodeAttribute(default="active")  # active | trashed
    trashed_at = UnicodeAttribute(null=True)  # ISO time; only set while in the trash (sparse index)
    trashed_by = UnicodeAttribute(null=True)
    # Malware scan of the current version: None = not required (staff uploads), else
    # pending | clean | infected | unscannable. Only None and clean can be downloaded or indexed.
    scan_status = UnicodeAttribute(null=True)
    # Why the current version's text could not be indexed ("encrypted", "corrupt", "timeout",
    # "too_large"); None when it was (or has no text to read). Written by the search indexer.
    search_note = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    by_parent = ByParent()
    trash = Trash()


class FileNameRecord(Model):
    class Meta:
        table_name = "file_names"

    parent_id = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)
    file_id = UnicodeAttribute()


class VersionRecord(Model):
    class Meta:
        table_name = "file_versions"

    file_id = UnicodeAttribute(hash_key=True)
    version = UnicodeAttribute(range_key=True)  # zero-padded, so they sort
    s3_key = UnicodeAttribute()
    size = NumberAttribute()
    content_type = UnicodeAttribute()
    uploaded_by = UnicodeAttribute()  # the staff member, or the link's owner for a partner's upload
    uploaded_at = UTCDateTimeAttribute()
    scan_status = UnicodeAttribute(null=True)  # as FileRecord.scan_status, for this version
    # A partner's upload: the name they gave, through which link and which partner session.
    partner_name = UnicodeAttribute(null=True)
    via_link = UnicodeAttribute(null=True)
    via_link_session = UnicodeAttribute(null=True)


class UploadRecord(Model):
    class Meta:
        table_name = "uploads"

    upload_id = UnicodeAttribute(hash_key=True)
    s3_key = UnicodeAttribute()  # the version's final key: the object is never copied
    multipart_id = UnicodeAttribute(null=True)  # S3's UploadId, for multipart uploads
    file_id = UnicodeAttribute(null=True)  # the file it becomes (new) or adds a version to
    version = NumberAttribute(null=True)  # the version number reserved for it
    adds_version = BooleanAttribute(null=True)  # True: next version of file_id; else a new file
    folder_id = UnicodeAttribute()
    space_id = UnicodeAttribute()
    name = UnicodeAttribute()
    size = NumberAttribute()
    content_type = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    visibility = UnicodeAttribute()
    via_link_session = UnicodeAttribute(null=True)  # a partner's upload: only that session may go on
    via_link = UnicodeAttribute(null=True)
    partner_name = UnicodeAttribute(null=True)
    scan_required = BooleanAttribute(null=True)  # a staff upload that must be scanned (e.g. to a survey answer)
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    ttl = NumberAttribute()


bind = Binder(
    (SpaceRecord, "spaces"),
    (FileRecord, "files"),
    (FileNameRecord, "file_names"),
    (VersionRecord, "file_versions"),
    (UploadRecord, "uploads"),
)
