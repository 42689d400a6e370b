"""Mail goes from its own queue: the notifier hands each mail it plans to the mail queue, and
functions/mailer renders and sends it.

Why a queue of its own: rendering a mail and SES's call took about a third of the notifier's
time per event (bench/notify.py), and the inbox should not wait for mail, nor a throttled SES
hold up everybody's inbox. A mail job is one delivery (who, which kind, its words and link,
never an address: the mailer reads the person when it sends, so an address changed since, or a
person gone, is honoured).

Exactly once holds across the two functions: the notifier puts an event's mail jobs on the
queue *before* its transaction (the event's claim), so a run that dies after the claim has no
mail left to hand over; a run that dies before it hands the jobs over again on the retry, and
the mailer's claim per event and address (email._mail) sends each mail once.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.notifications.email import Planned
from chalicelib.notifications.kinds import Route
from chalicelib.notifications.service import Delivery

QUEUE = "mail"
SQS_BATCH = 10  # SendMessageBatch's limit


class MalformedJob(ValueError):
    """A mail queue message that is not a mail job (it stays for the DLQ)."""


def body(delivery: Delivery) -> str:
    return json.dumps(
        {
            "staff_id": delivery.staff_id,
            "kind": delivery.kind,
            "event_id": delivery.event_id,
            "occurred_at": delivery.occurred_at.isoformat(),
            "params": delivery.params,
            "link": delivery.link,
        },
        ensure_ascii=False,
    )


def parse(raw: str) -> Delivery:
    """The delivery a mail job carries; MalformedJob when it carries none."""
    try:
        job: dict[str, Any] = json.loads(raw)
        delivery = Delivery(
            str(job["staff_id"]),
            str(job["kind"]),
            str(job["event_id"]),
            datetime.fromisoformat(str(job["occurred_at"])),
            params=dict(job.get("params") or {}),
            link=job.get("link"),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise MalformedJob(f"not a mail job: {exc}") from exc
    if not delivery.staff_id or not delivery.event_id:
        raise MalformedJob("a mail job names its person and its event")
    return delivery


def enqueue_each(groups: list[list[Planned]]) -> list[BaseException | None]:
    """Every mail of several events (a notifier batch) on the mail queue, ten a call. Returns per
    event the first error among its mails, or None: an event with a mail not accepted fails
    whole and is retried (its mails that were accepted go again, and the mailer's claim keeps
    each to one mail)."""
    errors: list[BaseException | None] = [None] * len(groups)
    jobs = [(n, p.delivery) for n, group in enumerate(groups) for p in group if p.route is Route.MAIL_NOW]
    if not jobs:
        return errors
    sqs = aws.client("sqs")
    url = _queue_url(sqs, settings().queue_name(QUEUE))
    for start in range(0, len(jobs), SQS_BATCH):
        chunk = jobs[start : start + SQS_BATCH]
        entries = [{"Id": str(i), "MessageBody": body(d)} for i, (_, d) in enumerate(chunk)]
        try:
            failed = sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed") or []
        except Exception as exc:  # noqa: BLE001 - every event of this call is retried; the batch's others go on
            for n, _ in chunk:
                errors[n] = errors[n] or exc
            continue
        for entry in failed:
            n = chunk[int(entry["Id"])][0]
            errors[n] = errors[n] or RuntimeError(f"mail job not accepted: {entry.get('Code')}")
    return errors


@functools.cache
def _queue_url(sqs: Any, name: str) -> str:
    """Read once per client (a new client, as after a change of settings, reads it again)."""
    return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
