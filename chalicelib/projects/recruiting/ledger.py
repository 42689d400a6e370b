"""Each person's time-share commitments: what their 所属長 consented to, kept as one versioned item.

A commitment counts towards the cap while its period has not ended and its membership has not
ended (the member left, or was removed). History stays: an ended commitment is kept, it only
stops counting. A consent writes the item under "version unchanged" inside the same transaction
that moves the application, so of two consents for one person at once the second finds the
version changed, counts again, and is refused if the first has used up the cap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from chalicelib.core.storage import get_or_none
from chalicelib.projects.model import Member
from chalicelib.projects.recruiting import storage
from chalicelib.projects.recruiting.model import now
from chalicelib.projects.recruiting.storage import TimeShareRecord

BATCH = 100


@dataclass(frozen=True)
class Commitment:
    application_id: str
    recruitment_id: str
    project_id: str
    project_name: str
    unit_id: str  # the person's main 所属 that consented: the time is that 所属's
    share_percent: int
    period_start: str  # ISO date
    period_end: str  # ISO date
    consented_at: str  # ISO time
    consented_by: str
    consented_by_name: str
    over_cap: bool = False
    override_reason: str | None = None

    def ended_by(self, on: date) -> bool:
        return self.period_end < on.isoformat()


@dataclass(frozen=True)
class Ledger:
    staff_id: str
    commitments: tuple[Commitment, ...]
    version: int  # 0: nothing stored yet


def _commitments(text: str) -> tuple[Commitment, ...]:
    fields = Commitment.__dataclass_fields__
    return tuple(Commitment(**{k: v for k, v in c.items() if k in fields}) for c in json.loads(text or "[]"))


def ledger_of(record: TimeShareRecord) -> Ledger:
    return Ledger(record.staff_id, _commitments(record.commitments_json), int(record.version or 0))


def load(staff_id: str) -> Ledger:
    storage.bind()
    record = get_or_none(TimeShareRecord, staff_id, consistent_read=True)
    return ledger_of(record) if record is not None else Ledger(staff_id, (), 0)


def load_many(staff_ids: Iterable[str]) -> dict[str, Ledger]:
    ids = list(dict.fromkeys(staff_ids))
    storage.bind()
    found = {staff_id: Ledger(staff_id, (), 0) for staff_id in ids}
    for start in range(0, len(ids), BATCH):
        for record in TimeShareRecord.batch_get(ids[start : start + BATCH]):
            found[record.staff_id] = ledger_of(record)
    return found


def every_ledger() -> Iterator[Ledger]:
    """Every person who ever had a commitment (the export, the monthly reminder)."""
    storage.bind()
    for record in TimeShareRecord.scan():
        yield ledger_of(record)


def counts(c: Commitment, on: date, membership: Member | None) -> bool:
    """Whether a commitment takes up part of the person's cap on this day.

    No membership yet: the consent has been written and the join is under way (it counts, so
    a consent at the same moment cannot take the same room). A membership from another
    application: this one's membership ended and the person came back another way.
    """
    if c.ended_by(on):
        return False
    if membership is None:
        return True
    return membership.via == c.application_id and membership.active


def committed_share(commitments: Iterable[Commitment], on: date, memberships: dict[str, Member]) -> int:
    """The person's committed share (%) on this day; `memberships` by project id."""
    return sum(c.share_percent for c in commitments if counts(c, on, memberships.get(c.project_id)))


def memberships(staff_id: str) -> dict[str, Member]:
    from chalicelib.projects import membership

    return {m.project_id: m for m in membership.memberships_of(staff_id, include_left=True)}


def committed(staff_id: str, on: date) -> tuple[Ledger, int]:
    ledger = load(staff_id)
    if not ledger.commitments:
        return ledger, 0
    return ledger, committed_share(ledger.commitments, on, memberships(staff_id))


def record_with(ledger: Ledger, commitments: tuple[Commitment, ...]) -> tuple[TimeShareRecord, Any]:
    """The item with these commitments, and the condition that it has not changed since read."""
    storage.bind()
    record = TimeShareRecord(
        ledger.staff_id,
        commitments_json=json.dumps([asdict(c) for c in commitments], ensure_ascii=False),
        version=ledger.version + 1,
        updated_at=now(),
    )
    unchanged = (
        TimeShareRecord.version == ledger.version if ledger.version else TimeShareRecord.staff_id.does_not_exist()
    )
    return record, unchanged


def release(staff_id: str, application_id: str, attempts: int = 10) -> bool:
    """Take back a commitment whose join failed (the consent is being undone)."""
    for _ in range(attempts):
        ledger = load(staff_id)
        kept = tuple(c for c in ledger.commitments if c.application_id != application_id)
        if len(kept) == len(ledger.commitments):
            return False
        record, unchanged = record_with(ledger, kept)
        if storage.save_if(record, unchanged):
            return True
    return False
