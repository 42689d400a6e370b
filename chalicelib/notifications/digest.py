"""The daily digest: notices a person chose to read once a day (and mail held in quiet hours)
wait in the notification_digest table, and the sweep (every 15 minutes) mails each person one list
on working days, from the time they chose (08:30 JST unless they chose another:
preferences.DIGEST_TIMES). A notice is queued for the digest of the day it falls into by that
person's time (quiet.digest_day); a person who changes the time keeps what is queued, and gets
at most one digest that day still.

Never the same notice twice, whatever runs twice:
1. a person's digest of a day is reserved first, by a put conditional on its absence
   (``sent#<day>``): two sweeps at once, or the same sweep run again, find it taken and skip;
2. each notice in it is then claimed for that day (an update conditional on no earlier claim),
   so one left behind by a crash after the mail went is never listed again, only removed;
3. the mail goes; then the notices are removed. If SES refuses, reservation and claims are
   released and the next sweep tries again.
Nothing is sent when nothing waits: a reservation that finds nothing to claim is given back.
The claims go a hundred to a transaction, and the people are read in batches: the sweep's cost
per person is a few round trips, whatever they have waiting (bench/notify.py).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.core.config import settings
from chalicelib.core.observability import logger
from chalicelib.core.storage import (
    failed_conditions,
    is_cancelled_transaction,
    save_if_absent,
    transaction,
    transaction_error,
)
from chalicelib.notifications import kinds, preferences, quiet, stats, texts, transactions, unsubscribe
from chalicelib.notifications.kinds import Route
from chalicelib.notifications.service import Delivery
from chalicelib.notifications.storage import DigestRecord, bind_prefs

if TYPE_CHECKING:
    from chalicelib.directory.service import Staff
    from chalicelib.notifications.email import Planned

QUEUED, SENT = "queued#", "sent#"
LOOKBACK_DAYS = 14  # notices whose digest day passed unsent (a failed day) are still picked up


def _queued_record(delivery: Delivery, at: datetime, digest_at: time) -> DigestRecord:
    return DigestRecord(
        delivery.staff_id,
        QUEUED + delivery.notification_id,
        due_day=quiet.digest_day(at, digest_at).isoformat(),
        kind=delivery.kind,
        params=delivery.params,
        link=delivery.link,
        created_at=at,
    )


def enqueue(delivery: Delivery, at: datetime, digest_at: time = quiet.DIGEST_AT) -> bool:
    """Holds one notice arriving at ``at`` for its person's next digest, sent at ``digest_at``
    (idempotent: a redelivered event's notice has the same key and is not queued twice).
    Returns whether it was new."""
    bind_prefs()
    return save_if_absent(_queued_record(delivery, at, digest_at), DigestRecord.item)


def queued_writes(planned: list[Planned], at: datetime | None = None) -> list[dict[str, Any]]:
    """What `enqueue` writes for each planned digest line, as conditional puts of one transaction
    with the event's inbox items (notifications/transactions.py)."""
    moment = at or datetime.now(UTC)
    bind_prefs()
    lines: dict[tuple[str, str], Planned] = {}
    for p in planned:
        if p.route is Route.DIGEST:
            lines.setdefault((p.delivery.staff_id, p.delivery.notification_id), p)
    return [
        transactions.put_if_absent(DigestRecord, _queued_record(p.delivery, moment, p.digest_at), "staff_id")
        for p in lines.values()
    ]


def _waiting_people(day: date) -> set[str]:
    people: set[str] = set()
    for offset in range(LOOKBACK_DAYS + 1):
        key = (day - timedelta(days=offset)).isoformat()
        people.update(r.staff_id for r in DigestRecord.by_due.query(key))
    return people


def send_due(now: datetime | None = None) -> int:
    """The sweep's step: the digest of today of each person whose time has come, once. Returns how
    many mails went."""
    from chalicelib.directory import service as directory

    moment = now or datetime.now(UTC)
    day = quiet.digest_due(moment, min(preferences.DIGEST_TIMES))
    if day is None:
        return 0
    bind_prefs()
    waiting = sorted(_waiting_people(day))
    times = preferences.for_staff(waiting)  # one batch read: whose time has come
    due = [s for s in waiting if quiet.digest_due(moment, times[s].digest_at) == day]
    people = directory.find_staff_many(due)  # batch reads, not one per mail
    sent = 0
    for staff_id in due:
        with stats.counting():  # one person's digest is one event for the health counters
            sent += _send_one(staff_id, people.get(staff_id), day, moment)
    return sent


def _queued(staff_id: str, day: date) -> list[DigestRecord]:
    return [
        r
        for r in DigestRecord.query(staff_id, DigestRecord.item.startswith(QUEUED), consistent_read=True)
        if (r.due_day or "") <= day.isoformat()
    ]


def _send_one(staff_id: str, person: Staff | None, day: date, now: datetime) -> int:
    reservation = DigestRecord(staff_id, f"{SENT}{day.isoformat()}", created_at=now)
    if not save_if_absent(reservation, DigestRecord.item):
        return 0  # another run has it
    claimed = _claim(_queued(staff_id, day), day)
    if not claimed:
        reservation.delete()  # nothing waits (the index is behind): no digest today after all
        return 0
    try:
        delivered = _mail(person, day, claimed)
    except ClientError:
        for r in claimed:
            r.update(actions=[DigestRecord.items.remove()])
        reservation.delete()
        _count(claimed, "failed")
        raise
    _count(claimed, "sent" if delivered else "skipped")
    reservation.update(actions=[DigestRecord.items.set(len(claimed))])
    with DigestRecord.batch_write() as batch:
        for r in claimed:
            batch.delete(r)
    return 1 if delivered else 0


def _count(records: list[DigestRecord], outcome: str) -> None:
    for r in records:
        stats.count("digest", r.kind or "", outcome)


def _claim(records: list[DigestRecord], day: date) -> list[DigestRecord]:
    """Marks queued notices as listed in ``day``'s digest, a hundred per transaction, unless a
    digest already listed them (``items`` doubles as the claim: a queued item never has it
    otherwise); one that was listed by a digest that went (a crash after its mail) is removed."""
    mark = int(day.strftime("%Y%m%d"))
    claimed: list[DigestRecord] = []
    for start in range(0, len(records), transactions.MAX_WRITES):
        pending = records[start : start + transactions.MAX_WRITES]
        while pending:
            try:
                with transaction() as t:
                    for r in pending:
                        t.update(
                            r, actions=[DigestRecord.items.set(mark)], condition=DigestRecord.items.does_not_exist()
                        )
            except transaction_error() as exc:
                listed = failed_conditions(exc)
                if not is_cancelled_transaction(exc) or not any(listed):
                    raise
                for r, gone in zip(pending, listed, strict=False):
                    if gone:
                        r.delete()
                pending = [r for r, gone in zip(pending, listed, strict=False) if not gone]
                continue
            claimed += pending
            break
    return claimed


def grouped(records: list[DigestRecord]) -> list[tuple[kinds.Kind | None, str, list[DigestRecord]]]:
    """The notices by kind in the settings page's order (kind, its key, oldest first)."""
    by_kind: dict[str, list[DigestRecord]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.created_at, r.item)):
        by_kind[r.kind or ""].append(r)
    order = {k.key: i for i, k in enumerate(kinds.KINDS)}
    return [(kinds.kind(key), key, by_kind[key]) for key in sorted(by_kind, key=lambda k: (order.get(k, 999), k))]


def render(name: str, staff_id: str, day: date, records: list[DigestRecord]) -> tuple[str, str]:
    """Subject and body of one digest mail, in Japanese."""
    from chalicelib.core.i18n import gettext_for

    translate = gettext_for("ja")
    base = settings().base_url.rstrip("/")
    lines = [f"{name} 様", "", translate("Your Kumo notices since the last digest:"), ""]
    for spec, key, items in grouped(records):
        lines.append(f"■ {translate(spec.label) if spec else key}（{len(items)}）")
        for r in items:
            params = r.params.as_dict() if hasattr(r.params, "as_dict") else dict(r.params or {})  # type: ignore[no-untyped-call]
            lines.append(f"・{texts.render(key, params, translate)}")
            lines.append(f"  {base}{r.link or '/notifications'}")
        if spec is not None and not spec.mandatory:
            lines.append(f"  {translate('Stop mail for this kind of notice:')} {unsubscribe.link(staff_id, key)}")
        lines.append("")
    lines += [f"{translate('Notification settings:')} {base}/settings/notifications", "", "-- Kumo", ""]
    subject = f"【Kumo】{translate('Daily digest')} {day.month}/{day.day}（{len(records)}）"
    return subject, "\n".join(lines)


def _mail(person: Staff | None, day: date, records: list[DigestRecord]) -> bool:
    from chalicelib.sharing import mail

    if person is None:
        return False
    subject, body = render(person.display_name, person.staff_id, day, records)
    # One click on the digest stops the digest: each kind it was chosen for goes to the inbox only.
    mail.send(person.email, subject, body, unsubscribe=unsubscribe.link(person.staff_id, kinds.DIGEST_MAIL.key))
    logger.info("digest sent", extra={"staff_id": person.staff_id, "items": len(records)})
    return True
