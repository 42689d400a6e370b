"""Mail goes from its own queue: the notifier hands each mail it plans to the mail queue, and
functions/mailer renders and sends it.

Why a queue of its own: rendering a mail and SES's call took about a third of the notifier's
time per event (bench/notify.py), and the inbox should not wait for mail, nor a throttled SES
hold up everybody's inbox. A mail job carries up to 25 mails of a notifier batch, each as its
delivery (who, which kind, its words and link, never an address: the mailer reads the person
when it sends, so an address changed since, or a person gone, is honoured); packed, a batch's
mails usually take one message (the queue's cost is per message).

Exactly once holds across the two functions: the notifier puts an event's mail jobs on the
queue *before* its transaction (the event's claim), so a run that dies after the claim has no
mail left to hand over; a run that dies before it hands the jobs over again on the retry, and
the mailer's claim per event and address (email._mail) sends each mail once. A job the mailer
fails on comes back whole: its mails that went are skipped by their claims.
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
MAILS_PER_JOB = 25  # a job's work stays well inside the mailer's timeout (SES takes ~50 ms a mail)
JOB_BYTES = 200_000  # SQS takes 256 KiB a message (and a SendMessageBatch call)


class MalformedJob(ValueError):
    """A mail queue message that is not a mail job (it stays for the DLQ)."""


def _delivery_json(delivery: Delivery) -> dict[str, Any]:
    return {
        "staff_id": delivery.staff_id,
        "kind": delivery.kind,
        "event_id": delivery.event_id,
        "occurred_at": delivery.occurred_at.isoformat(),
        "params": delivery.params,
        "link": delivery.link,
    }


def body(deliveries: list[Delivery]) -> str:
    """A mail job: the mails of one or more events of a notifier batch."""
    return json.dumps({"mails": [_delivery_json(d) for d in deliveries]}, ensure_ascii=False)


def parse(raw: str) -> list[Delivery]:
    """The deliveries a mail job carries; MalformedJob when it carries none."""
    try:
        job: dict[str, Any] = json.loads(raw)
        deliveries = [
            Delivery(
                str(mail["staff_id"]),
                str(mail["kind"]),
                str(mail["event_id"]),
                datetime.fromisoformat(str(mail["occurred_at"])),
                params=dict(mail.get("params") or {}),
                link=mail.get("link"),
            )
            for mail in job["mails"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise MalformedJob(f"not a mail job: {exc!r}") from exc
    if not deliveries or any(not d.staff_id or not d.event_id for d in deliveries):
        raise MalformedJob("a mail job names, for each mail, its person and its event")
    return deliveries


def enqueue_each(groups: list[list[Planned]]) -> list[BaseException | None]:
    """Every mail of several events (a notifier batch) on the mail queue, packed into jobs of up
    to 25 mails, ten jobs a call: a batch's mails usually take one SendMessageBatch with one
    message. Returns per event the first error among its mails, or None: an event with a mail in
    a job not accepted fails whole and is retried (its mails that were accepted go again, and
    the mailer's claim keeps each to one mail)."""
    errors: list[BaseException | None] = [None] * len(groups)
    jobs = _pack([(n, p.delivery) for n, group in enumerate(groups) for p in group if p.route is Route.MAIL_NOW])
    if not jobs:
        return errors
    sqs = aws.client("sqs")
    url = _queue_url(sqs, settings().queue_name(QUEUE))
    for start in range(0, len(jobs), SQS_BATCH):
        chunk = jobs[start : start + SQS_BATCH]
        entries = [{"Id": str(i), "MessageBody": text} for i, (_, text) in enumerate(chunk)]
        try:
            failed = [int(f["Id"]) for f in sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed") or []]
        except Exception as exc:  # noqa: BLE001 - every event of this call is retried; the batch's others go on
            failed, error = list(range(len(chunk))), exc
        else:
            error = RuntimeError("mail job not accepted by the queue")
        for i in failed:
            for n in chunk[i][0]:
                errors[n] = errors[n] or error
    return errors


def _pack(mails: list[tuple[int, Delivery]]) -> list[tuple[set[int], str]]:
    """The mails as jobs of up to MAILS_PER_JOB mails and JOB_BYTES, each with its events' numbers;
    a call of ten jobs stays under SQS's 256 KiB a call too, as each job is far below it."""
    jobs: list[tuple[set[int], str]] = []
    current: list[tuple[int, Delivery]] = []
    for mail in mails:
        candidate = [*current, mail]
        if current and (len(candidate) > MAILS_PER_JOB or len(body([d for _, d in candidate]).encode()) > JOB_BYTES):
            jobs.append(({n for n, _ in current}, body([d for _, d in current])))
            candidate = [mail]
        current = candidate
    if current:
        jobs.append(({n for n, _ in current}, body([d for _, d in current])))
    return jobs


@functools.cache
def _queue_url(sqs: Any, name: str) -> str:
    """Read once per client (a new client, as after a change of settings, reads it again)."""
    return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
