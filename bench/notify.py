"""Notifications at scale on the local stack's emulator: events fanned out to staff with mixed
settings, each measured beside its floor, interleaved, in one run.

    .venv/bin/python bench/notify.py            # 10,000 events, 5,000 staff (several minutes)
    .venv/bin/python bench/notify.py --quick    # 200 events, 500 staff
    .venv/bin/python bench/notify.py --smoke    # 20 events, 60 staff (the integration test)

- notifier: functions/notifier's handler on SQS batches of its batch size (10 events: files and
  sharing, 照会, projects, a notice to a whole 所属; bench/notify_world.py; `--batch 1` one by
  one), its routing, settings, mutes, inbox, digest lines and mail jobs included. Per event: the
  batch's time over its events, beside a bare BatchWriteItem of that event's inbox items into a
  table of the same shape (the goal: notifier <= 1.5x, per event), and beside one bare writer of
  the whole batch's items. The AWS calls per event are counted, to say where the time goes.
- mailer: functions/mailer on the mail jobs the events left on the mail queue (the mails are
  sent off the notifier's path since the mail queue): per mail, with its calls.
- digest: the sweep's step (digest.send_due) for everyone with notices waiting, per person.

Quiet hours apply as configured (KUMO_QUIET_HOURS): at night in Japan mail is held for the
digest instead of sent, which the output says.

Where it stands (--quick, a shared 2-core machine, KUMO_QUIET_HOURS=false): one event at a time,
20.3x the bare write on the mean before the notifier's first rework (10.7 AWS calls per event),
9.0-9.6x after it; handling the SQS batch as one (notifications/fanout.py) 5.8-6.8x (4.2 calls
per event, two of them per mail). Then (2026-12-02): mail from its own queue and function
(mail_queue.py, functions/mailer: jobs of up to 25 mails, one SendMessageBatch a batch) 4.0-4.2x;
the routing's 部局 reads kept per process until the directory stamp changes
(directory/staff_cache.py) and who a 所属's 取りまとめ担当 are worked out once per stamp and day
2.1x; project mutes as point reads in the batch's one BatchGetItem with the mutes and settings
1.4-1.5x; the stamp checked in that same BatchGetItem (not before routing) and the worked-out
coordinators kept across the tree's 30-s re-read: --quick 1.36x (p50 0.99x), the full run
(10,000 events, 5,000 staff, 3.2 inbox items per event) 1.45x (p50 1.35x, p95 1.48x): 0.4 calls
per event (BatchGetItem, SendMessageBatch, transaction, counters: one each per batch). The
mailer: 15-17 ms per mail (claim, render, SES). Digest 57-90 ms per person at --quick.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import notify_world  # noqa: E402

BATCH = 25  # BatchWriteItem's limit


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Context:
    function_name = "kumo-notifier"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:kumo-notifier"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class Calls:
    """AWS calls made by any botocore client, by service and operation, while on."""

    def __init__(self) -> None:
        from botocore.client import BaseClient

        self.on = False
        self.counts: Counter[str] = Counter()
        real = BaseClient._make_api_call
        calls = self

        def counted(client: Any, operation: str, params: Any) -> Any:
            if calls.on:
                calls.counts[f"{client.meta.service_model.service_name}.{operation}"] += 1
            return real(client, operation, params)

        BaseClient._make_api_call = counted  # type: ignore[method-assign]


def _bare_table(client: Any, source: str) -> str:
    """An empty table of the inbox's shape, for the bare writes."""
    shape = client.describe_table(TableName=source)["Table"]
    name = f"{source}-bare"
    client.create_table(
        TableName=name,
        KeySchema=shape["KeySchema"],
        AttributeDefinitions=[
            a for a in shape["AttributeDefinitions"] if a["AttributeName"] in ("staff_id", "notification_id")
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def _items(deliveries: list[Any]) -> list[dict[str, Any]]:
    """The inbox items the notifier writes for these deliveries, in DynamoDB's wire format."""
    from chalicelib.notifications.storage import NotificationRecord

    now = datetime.now(UTC)
    return [
        NotificationRecord(
            d.staff_id,
            d.notification_id,
            kind=d.kind,
            params=d.params,
            link=d.link,
            event_id=d.event_id,
            created_at=now,
        ).serialize()
        for d in deliveries
    ]


def _bare_write(client: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), BATCH):
        requests = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH]]}
        while requests:
            requests = client.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}


def _row(label: str, values: list[float], floor: list[float]) -> str:
    mean, fmean = statistics.fmean(values), statistics.fmean(floor)
    p50, fp50 = statistics.median(values), statistics.median(floor)
    p95, fp95 = _percentile(values, 0.95), _percentile(floor, 0.95)
    return (
        f"{label:<36} {mean:>8.2f} {p50:>8.2f} {p95:>8.2f}   {fmean:>7.2f} {fp50:>7.2f} {fp95:>7.2f}   "
        f"{mean / fmean if fmean else float('nan'):>6.2f} {p50 / fp50 if fp50 else float('nan'):>6.2f} "
        f"{p95 / fp95 if fp95 else float('nan'):>6.2f}"
    )


def _batched(events: list[tuple[str, dict[str, Any]]], size: int) -> list[tuple[list[str], dict[str, Any]]]:
    """The one-record SQS events as Lambda hands them to the notifier: `size` records a batch."""
    out = []
    for start in range(0, len(events), size):
        chunk = events[start : start + size]
        out.append(([name for name, _ in chunk], {"Records": [r for _, e in chunk for r in e["Records"]]}))
    return out


def run_events(world: notify_world.World, count: int, seed: int, batch_size: int) -> None:
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from chalicelib.notifications import quiet, service
    from functions.notifier import app

    client = aws.client("dynamodb")
    bare = _bare_table(client, settings().table_name("notifications"))
    batches = _batched(notify_world.events(world, count, seed), batch_size)
    captured: list[list[dict[str, Any]]] = []  # per event of the batch: its inbox items
    real_writes = service.inbox_writes

    def spy(deliveries: list[Any]) -> Any:
        unique, writes = real_writes(deliveries)
        captured.append([w["Put"]["Item"] for w in writes])
        return unique, writes

    service.inbox_writes = spy  # type: ignore[assignment]
    calls = Calls()
    handler, context = app.handler, Context()
    quiet_out = io.StringIO()
    handler(notify_world.warm_up_event(), context)  # imports and first clients, not measured
    kumo: list[float] = []  # ms per event: each batch's time over its events
    floor: list[float] = []  # ms per event: a bare BatchWriteItem of that event's items
    floor_batched: list[float] = []  # ms per event: one bare writer for the batch's items
    items_total = 0
    names: Counter[str] = Counter()
    started = time.perf_counter()
    for batch_names, batch in batches:
        captured.clear()
        calls.on = True
        t = time.perf_counter()
        with contextlib.redirect_stdout(quiet_out):  # Powertools' metric lines
            result = handler(batch, context)
        elapsed = (time.perf_counter() - t) * 1000
        calls.on = False
        if result != {"batchItemFailures": []}:
            raise RuntimeError(f"the notifier failed on {batch_names}: {result}")
        events_here = len(batch_names)
        names.update(batch_names)
        per_event = []
        for items in captured:
            t = time.perf_counter()
            _bare_write(client, bare, items)
            per_event.append((time.perf_counter() - t) * 1000)
        per_event += [0.0] * (events_here - len(per_event))  # an event reaching nobody writes nothing
        t = time.perf_counter()
        again = [dict(i, notification_id={"S": i["notification_id"]["S"] + "#b"}) for items in captured for i in items]
        _bare_write(client, bare, again)  # the batch's items once more, as new items, 25 a call
        batched_ms = (time.perf_counter() - t) * 1000
        kumo += [elapsed / events_here] * events_here
        floor += per_event
        floor_batched += [batched_ms / events_here] * events_here
        items_total += sum(len(items) for items in captured)
    wall = time.perf_counter() - started
    service.inbox_writes = real_writes  # type: ignore[assignment]

    hushed = settings().quiet_hours and quiet.is_quiet(datetime.now(UTC))
    print(
        f"notifier: {count} events in SQS batches of {batch_size}, {len(world.staff)} staff, "
        f"{items_total} inbox items ({items_total / count:.1f} per event); "
        f"quiet hours now: {'yes, mail held for the digest' if hushed else 'no'}"
    )
    print("events: " + ", ".join(f"{name} {n}" for name, n in names.most_common()))
    print(
        f"{'ms per event':<36} {'mean':>8} {'p50':>8} {'p95':>8}   {'bare':>7} {'p50':>7} {'p95':>7}   "
        f"{'mean x':>6} {'p50 x':>6} {'p95 x':>6}"
    )
    print(_row("notifier vs bare write per event", kumo, floor))
    print(_row("notifier vs bare write per batch", kumo, floor_batched))
    print(
        f"RATIO notifier/bare (mean per event): {statistics.fmean(kumo) / statistics.fmean(floor):.2f}  (goal <= 1.5); "
        f"against one bare write per batch: {statistics.fmean(kumo) / statistics.fmean(floor_batched):.2f}"
    )
    print("AWS calls per event (notifier): " + ", ".join(f"{k} {v / count:.2f}" for k, v in calls.counts.most_common()))
    print(f"events wall time: {wall:.1f} s")


class MailerContext(Context):
    function_name = "kumo-mailer"
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:kumo-mailer"


def run_mailer(events: int) -> None:
    """The mail jobs the events left on the mail queue, through functions/mailer ten a batch as
    Lambda hands them over: its time per mail (the queue's receive and delete are Lambda's, not
    timed)."""
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from chalicelib.notifications import mail_queue
    from functions.mailer import app

    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=settings().queue_name("mail"))["QueueUrl"]
    calls = Calls()
    handler, context = app.handler, MailerContext()
    quiet_out = io.StringIO()
    per_mail: list[float] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=120).get("Messages", [])
        if not messages:
            break
        records = [{"messageId": m["MessageId"], "body": m["Body"]} for m in messages]
        calls.on = True
        t = time.perf_counter()
        with contextlib.redirect_stdout(quiet_out):
            result = handler({"Records": records}, context)
        elapsed = (time.perf_counter() - t) * 1000
        calls.on = False
        if result != {"batchItemFailures": []}:
            raise RuntimeError(f"the mailer failed: {result}")
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]
        )
        mails = sum(len(mail_queue.parse(m["Body"])) for m in messages)
        per_mail += [elapsed / mails] * mails
    if not per_mail:
        print("mailer: no mail jobs (quiet hours hold mail for the digest)")
        return
    print(
        f"mailer: {len(per_mail)} mails ({len(per_mail) / events:.2f} per event) in jobs of up to 25, 10 jobs a batch: "
        f"MAILER per mail mean {statistics.fmean(per_mail):.2f} ms, p95 {_percentile(per_mail, 0.95):.2f} ms "
        f"(people read, claim, render, SES); per event {sum(per_mail) / events:.2f} ms, off the notifier's path"
    )
    print(
        "AWS calls per mail (mailer): "
        + ", ".join(f"{k} {v / len(per_mail):.2f}" for k, v in calls.counts.most_common())
    )


def run_digest(world: notify_world.World) -> None:
    from chalicelib.notifications import digest, quiet
    from chalicelib.notifications.storage import DigestRecord, bind_prefs

    now = datetime.now(UTC)
    day = quiet.digest_day(now, quiet.DIGEST_AT)
    bind_prefs()
    with DigestRecord.batch_write() as batch:  # three notices waiting for everyone
        for staff_id in world.staff:
            for k, kind in enumerate(("share_accessed", "survey_issued", "card_assigned")):
                batch.save(
                    DigestRecord(
                        staff_id, f"{digest.QUEUED}bench-{k}-{staff_id}", due_day=day.isoformat(), kind=kind,
                        params={"title": "計測", "number": "計測第1号", "deadline": "12月10日", "by": "主査",
                                "project": "計測"}, link="/notifications", created_at=now,
                    )
                )  # fmt: skip
    # The evening of that day in Japan: every digest time has come.
    sweep_at = datetime.combine(day, datetime.min.time(), tzinfo=quiet.JST) + timedelta(hours=18)
    t = time.perf_counter()
    sent = digest.send_due(sweep_at)
    elapsed = time.perf_counter() - t
    people = len(world.staff)
    print(
        f"digest: {people} people, {sent} mails, {elapsed:.1f} s: "
        f"DIGEST per person {elapsed * 1000 / people:.2f} ms (queue read, reservation, claims, render, mail, clean-up)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--staff", type=int, default=5_000)
    parser.add_argument("--quick", action="store_true", help="200 events, 500 staff")
    parser.add_argument("--smoke", action="store_true", help="20 events, 60 staff (a test's few seconds)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--batch", type=int, default=0, help="records per SQS batch (default: the notifier's batch size; 1: one by one)"
    )
    args = parser.parse_args()
    if args.quick:
        args.events, args.staff = 200, 500
    if args.smoke:
        args.events, args.staff = 20, 60
    if not args.batch:
        from chalicelib.core.resources import RESOURCES

        args.batch = RESOURCES.function("notifier").batch_size

    proc, endpoint = notify_world.start_emulator()
    try:
        notify_world.apply(notify_world.environment(endpoint))
        from chalicelib.local import bootstrap

        t = time.perf_counter()
        bootstrap.bootstrap(["http://127.0.0.1:8000"], search=False)
        world = notify_world.build(args.staff)
        print(f"world: {len(world.departments)} 部局, {len(world.units)} 所属, {len(world.staff)} staff, "
              f"settings {dict(sorted(world.preferences.items()))} ({time.perf_counter() - t:.1f} s)")  # fmt: skip
        run_events(world, args.events, args.seed, args.batch)
        run_mailer(args.events)
        run_digest(world)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
