"""The audit trail of share links: who did what to which link or file, when, from where."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.core.spreadsheet import csv_bytes
from chalicelib.core.templating import jst
from chalicelib.sharing.storage import AuditRecord, bind

ACTIONS = (
    "created",
    "changed",
    "reissued",
    "revoked",
    "opened",
    "password_failed",
    "password_ok",
    "locked",
    "code_sent",
    "code_failed",
    "email_verified",
    "downloaded",
    "uploaded",
    "answered",  # a survey's respondent link: the answer was submitted (sharing/external.py)
    "refused",
)


@dataclass(frozen=True)
class AuditEvent:
    link_id: str
    at: datetime
    action: str
    actor: str
    ip: str | None
    user_agent: str | None
    file_id: str | None
    object_name: str | None
    detail: str | None
    key: str = ""  # the record's time-ordered unique key within its link

    @property
    def order(self) -> tuple[datetime, str]:
        return self.at, self.key


def record(
    link_id: str,
    action: str,
    actor: str,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
    file_id: str | None = None,
    object_name: str | None = None,
    detail: str | None = None,
) -> None:
    bind()
    now = datetime.now(UTC)
    AuditRecord(
        link_id,
        f"{now.isoformat()}#{secrets.token_hex(4)}",
        file_id=file_id,
        action=action,
        actor=actor,
        ip=ip,
        user_agent=(user_agent or "")[:256] or None,
        object_name=object_name,
        detail=(detail or "")[:500] or None,
        at=now,
    ).save()


def _event(r: AuditRecord) -> AuditEvent:
    return AuditEvent(
        r.link_id, r.at, r.action, r.actor, r.ip, r.user_agent, r.file_id, r.object_name, r.detail, r.event_key
    )


def for_link(link_id: str, limit: int = 1000) -> list[AuditEvent]:
    bind()
    return [_event(r) for r in AuditRecord.query(link_id, scan_index_forward=False, limit=limit)]


def for_file(file_id: str, limit: int = 1000) -> list[AuditEvent]:
    bind()
    return [_event(r) for r in AuditRecord.by_file.query(file_id, scan_index_forward=False, limit=limit)]


def newest(streams: list[list[AuditEvent]], limit: int) -> list[AuditEvent]:
    """Several newest-first trails as one, newest first, each record once."""
    unique = {(e.link_id, e.key): e for stream in streams for e in stream}
    return sorted(unique.values(), key=lambda e: e.order, reverse=True)[:limit]


def to_csv(events: list[AuditEvent]) -> bytes:
    """For Excel (spreadsheet.csv_bytes: BOM, no formulas from partners' text); times in JST."""
    header = ["日時 (JST)", "操作", "実行者", "IPアドレス", "ユーザーエージェント", "リンク", "ファイル", "詳細"]
    return csv_bytes(
        header,
        (
            [
                jst(e.at, "%Y-%m-%d %H:%M:%S"),
                e.action,
                e.actor,
                e.ip,
                e.user_agent,
                e.link_id,
                e.object_name or e.file_id,
                e.detail,
            ]
            for e in events
        ),
    )
