"""Lambda handler: mail jobs from the mail queue become mails (SES), each sent once.

The notifier plans who gets a mail now and puts them on the mail queue, up to 25 mails a job
(chalicelib/notifications/mail_queue.py); this function reads the people of its batch at once,
and claims and sends each mail (notifications/email.py: a mail claimed per event and address,
its claim given back when SES refused it, so the retry sends it). A job with a mail that failed
is reported alone and comes back whole after the queue's visibility timeout (its mails that
went are skipped by their claims); after five receives it rests in the mail DLQ (the
administrators' health page shows it and can replay it).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from chalicelib.core.config import settings
from chalicelib.core.observability import logger, metrics, traced_handler

settings()  # fail closed: outside stage local a missing setting stops the cold start, by name


def handler_body(event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.notifications import email, mail_queue, stats
    from chalicelib.notifications.email import Planned
    from chalicelib.notifications.kinds import Route

    records = [(str(r.get("messageId")), str(r.get("body") or "")) for r in event.get("Records") or []]
    errors: dict[str, BaseException] = {}
    jobs: list[tuple[str, list[Planned]]] = []
    for message_id, body in records:
        try:
            jobs.append((message_id, [Planned(d, Route.MAIL_NOW) for d in mail_queue.parse(body)]))
        except mail_queue.MalformedJob as exc:
            logger.error("not a mail job", extra={"message_id": message_id, "error": str(exc)})
            errors[message_id] = exc
    with stats.counting():  # the batch's mail outcomes: one counter write (ops health page)
        sent = email.send_each([planned for _, planned in jobs])
    for (message_id, _), error in zip(jobs, sent, strict=True):
        if error is not None:  # the job comes back whole; its mails that went are claimed
            logger.warning("mail not sent", extra={"message_id": message_id, "error": type(error).__name__})
            errors[message_id] = error
    metrics.add_metric(name="MailJobsHandled", unit="Count", value=len(jobs) - len(errors))
    if records and len(errors) == len(records):  # as Powertools' batch processing: all failed, the invocation fails
        raise BatchProcessingError(
            f"All records failed processing. {len(errors)} individual errors logged separately below.",
            [(type(e), e, e.__traceback__) for e in errors.values()],
        )
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in errors]}


@traced_handler
@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path="Records[0].messageId")
def handler(event: dict[str, Any], context: Any) -> Any:
    return handler_body(event)
