"""pynamodb models of share links, their token hashes, partner sessions and the audit trail."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.core.storage import Binder


class ByTarget(GlobalSecondaryIndex["LinkRecord"]):
    class Meta:
        index_name = "by_target"
        projection = AllProjection()

    target_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ByOwner(GlobalSecondaryIndex["LinkRecord"]):
    class Meta:
        index_name = "by_owner"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class LinkRecord(Model):
    class Meta:
        table_name = "share_links"

    link_id = UnicodeAttribute(hash_key=True)
    token_hash = UnicodeAttribute()  # of the live token (so a re-issue can retire it)
    kind = UnicodeAttribute()  # download | request | exchange
    target_id = UnicodeAttribute()  # a file (download) or a folder
    target_kind = UnicodeAttribute()
    space_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    owner_name = UnicodeAttribute()
    owner_department_id = UnicodeAttribute()
    message = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()  # ISO UTC (also the index range key)
    updated_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    password_hash = UnicodeAttribute(null=True)  # scrypt$salt$hash
    max_downloads = NumberAttribute(null=True)
    download_count = NumberAttribute(default=0)
    # Partner uploads (file request, exchange): caps set by the link's creator, and what is used.
    # Reserved when an upload starts, released when one is abandoned or refused.
    upload_max_bytes = NumberAttribute(null=True)
    upload_max_files = NumberAttribute(null=True)
    upload_bytes = NumberAttribute(null=True)
    upload_files = NumberAttribute(null=True)
    recipients = ListAttribute(of=UnicodeAttribute, null=True)  # e-mails that may verify
    verify_email = BooleanAttribute(default=False)
    notify_on_access = BooleanAttribute(default=False)
    notify_on_upload = BooleanAttribute(default=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    session_epoch = NumberAttribute(default=1)  # bumped to end every open partner session
    failed_attempts = NumberAttribute(default=0)  # attempts reserved since the last lock (attempts.py)
    locked_until = UTCDateTimeAttribute(null=True)
    code_sends_hour = UnicodeAttribute(null=True)  # the clock hour (UTC, YYYY-MM-DDTHH) code_sends counts
    code_sends = NumberAttribute(null=True)  # one-time-code e-mails asked for in that hour
    expiry_warned = BooleanAttribute(null=True)  # the owner was told it expires within a day
    # A new or re-issued link's address, sealed for the creator's next page view only (reveal.py).
    reveal = UnicodeAttribute(null=True)
    reveal_until = UTCDateTimeAttribute(null=True)

    by_target = ByTarget()
    by_owner = ByOwner()


class TokenRecord(Model):
    class Meta:
        table_name = "share_tokens"

    token_hash = UnicodeAttribute(hash_key=True)
    link_id = UnicodeAttribute()


class PartnerSessionRecord(Model):
    class Meta:
        table_name = "share_sessions"

    session_hash = UnicodeAttribute(hash_key=True)
    link_id = UnicodeAttribute()
    epoch = NumberAttribute()
    password_ok = BooleanAttribute(default=False)
    verified_email = UnicodeAttribute(null=True)
    pending_email = UnicodeAttribute(null=True)
    otp_hash = UnicodeAttribute(null=True)
    otp_expires_at = UTCDateTimeAttribute(null=True)
    otp_attempts = NumberAttribute(default=0)
    otp_sent = NumberAttribute(default=0)
    uploader_name = UnicodeAttribute(null=True)
    upload_folder_id = UnicodeAttribute(null=True)  # this uploader's own folder (file requests)
    uploaded = ListAttribute(of=UnicodeAttribute, null=True)  # "<file id>#<version>" this session sent
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    ttl = NumberAttribute()


class ByFile(GlobalSecondaryIndex["AuditRecord"]):
    class Meta:
        index_name = "by_file"
        projection = AllProjection()

    file_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)


class AuditRecord(Model):
    class Meta:
        table_name = "share_audit"

    link_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)  # ISO UTC time + random: time-ordered, unique
    file_id = UnicodeAttribute(null=True)
    action = UnicodeAttribute()
    actor = UnicodeAttribute()  # a staff id, or "partner" / "partner:<verified e-mail>"
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    object_name = UnicodeAttribute(null=True)
    detail = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute()

    by_file = ByFile()


class ShareSettingRecord(Model):
    """Settings of partner sharing that a system administrator changes (e.g. the upload types)."""

    class Meta:
        table_name = "share_settings"

    key = UnicodeAttribute(hash_key=True)
    values = ListAttribute(of=UnicodeAttribute, null=True)
    updated_by = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)


bind = Binder(
    (LinkRecord, "share_links"),
    (TokenRecord, "share_tokens"),
    (PartnerSessionRecord, "share_sessions"),
    (AuditRecord, "share_audit"),
    (ShareSettingRecord, "share_settings"),
)
