"""The event-driven functions: one per FunctionSpec, fed by its SQS queue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from chalicelib.core.resources import RESOURCES, FunctionSpec
from infra.components.data import Tables
from infra.components.runtime import (
    Execution,
    suppress_data_wildcards,
    suppress_tracing_wildcard,
)
from infra.components.scheduler import SCHEDULER_FUNCTION
from infra.config import LAMBDA_ARCHITECTURE, PROJECT_ROOT, RUNTIME, InfraConfig

_CODE_EXCLUDES = ["__pycache__", "*.pyc", "tests"]


@dataclass(frozen=True)
class Permissions:
    """What a function may touch besides its own queue, logs and traces."""

    read_write_tables: tuple[str, ...] = ()
    read_tables: tuple[str, ...] = ()
    send_to_own_queue: bool = False  # it splits big jobs into messages on its own queue
    update_tables: tuple[str, ...] = ()  # UpdateItem only: counters raised with ADD
    send_to_queues: tuple[str, ...] = ()  # other functions' queues it hands work to (QueueSpec keys)


# Least privilege, declared per function: a FunctionSpec without an entry fails the synth.
PERMISSIONS: dict[str, Permissions] = {
    # It sends no mail: it puts mail jobs on the mail queue, for the mailer.
    # "project_members": who muted a project (notifications/project_routing.py drops their notices).
    # "notification_prefs": each person's settings decide inbox, mail or digest; "notification_digest":
    # notices held for the digest (and mail held in quiet hours); "notification_mutes": the share
    # links and surveys each person muted (notifications/mutes.py drops their notices);
    # "directory_stamp": whether the staff it keeps from batch to batch changed (directory/staff_cache.py).
    "notifier": Permissions(
        read_write_tables=("notifications", "idempotency", "notification_digest"),
        read_tables=(
            "staff",
            "departments",
            "directory_stamp",
            "project_members",
            "notification_prefs",
            "notification_mutes",
        ),
        update_tables=("notification_stats",),  # delivery counters (notifications/stats.py)
        send_to_queues=("mail",),  # mail jobs (notifications/mail_queue.py)
    ),
    # Mail jobs become mails: each claimed in "idempotency" per event and address, its person read
    # from "staff" when it is sent. + SES from Kumo's one From address and the unsubscribe links'
    # secret: granted by infra/stack.py (_grant_mail, mail_links).
    "mailer": Permissions(
        read_write_tables=("idempotency",),
        read_tables=("staff",),
        update_tables=("notification_stats",),  # mail sent / failed / skipped
    ),
    # + S3 (spaces/, quarantine/) and PutEvents: granted by infra/components/scanning.py
    "scanner": Permissions(read_write_tables=("files", "file_versions", "idempotency")),
    # "files": it records why a file's text is not searchable. "staff": a personal space's department;
    # "departments": the 部局 a 所属's space is searched under. "surveys", "survey_answers": what a
    # survey or an answer says and who may find it (surveys/indexing.py; kumo reindex scans them).
    # "projects", "project_members", "board_items", "project_activity": what a card says (its list,
    # labels, assignees, comments) and who may find it (projects/indexing.py; kumo reindex too).
    # + S3 GetObject on spaces/ and es:ESHttp* on the domain: granted by infra/components/search.py
    # send_to_own_queue: a change to a big folder (a project with many cards) becomes one message
    # per file (per card): indexer.enqueue.
    "indexer": Permissions(
        read_write_tables=("files",),
        read_tables=(
            "file_versions",
            "staff",
            "departments",
            "surveys",
            "survey_answers",
            "projects",
            "project_members",
            "board_items",
            "project_activity",
        ),
        send_to_own_queue=True,
    ),
    # chalicelib/maintenance/sweep.py and what it calls (files.trash.purge_expired_trash,
    # directory.service.apply_due_transfers: "staff", reading the tree in "departments", stamping
    # "directory_stamp" after the moves (a notifier then reads the people again);
    # surveys.issuing.issue_scheduled, surveys.reminders.send_due_reminders;
    # projects.reminders.send_due_reminders: cards by due date in "board_items", each step taken
    # on the card; the project, the card's list and the members are only read;
    # projects.recruiting.actuals.send_actuals_due: the month's reminder taken once in
    # "recruiting_settings", who had a time share from "time_shares" and "project_members").
    # + S3 deletes/aborts and PutEvents: granted by infra/components/scheduler.py
    "scheduler": Permissions(
        read_write_tables=(
            "staff",
            "directory_stamp",
            "uploads",
            "spaces",
            "files",
            "file_names",
            "file_versions",
            "share_links",
            "share_tokens",
            "share_sessions",
            # surveys: scheduled issue (numbers, answers) and reminder steps (history)
            "surveys",
            "survey_answers",
            "survey_history",
            "survey_numbers",
            # projects: a card's due reminder steps (board_items.reminded)
            "board_items",
            # the daily digest: reserved per person and day, its notices removed once mailed
            "notification_digest",
            # projects: the monthly 実績 reminder, taken once per month
            "recruiting_settings",
        ),
        # notification_prefs: each person's digest time (notifications/digest.py)
        read_tables=("departments", "projects", "project_members", "time_shares", "notification_prefs"),
        update_tables=("notification_stats",),  # the digest's delivery counters
    ),
}

PERMISSIONS["channels"] = Permissions(
    # notifications/channels: one post per event and channel, the log, the breaker's state;
    # "notifications", "notification_digest": a paused channel's managers are told (inbox, mail).
    read_write_tables=(
        "channels",
        "channel_deliveries",
        "channel_attempts",
        "notifications",
        "notification_digest",
    ),
    # names of 所属, people and projects in messages; who manages a 所属 or a project; settings.
    read_tables=("staff", "departments", "projects", "project_members", "notification_prefs"),
    update_tables=("notification_stats",),  # each post's delivery counters
)
# + KMS Decrypt of the webhook key, SES and the mail link secret: granted by infra/stack.py (_channels)

# Functions infra declares itself (no queue, so the local runner has no use for a FunctionSpec);
# a FunctionSpec of the same key in chalicelib/core/resources.py takes its place.
INFRA_FUNCTIONS: tuple[FunctionSpec, ...] = (SCHEDULER_FUNCTION,)


def function_specs() -> tuple[FunctionSpec, ...]:
    """Every function of the stack: resources.py's, then infra's own."""
    declared = {spec.key for spec in RESOURCES.functions}
    return RESOURCES.functions + tuple(spec for spec in INFRA_FUNCTIONS if spec.key not in declared)


class EventFunctions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        layer: lambda_.ILayerVersion,
        queues: dict[str, sqs.Queue],
        tables: Tables,
        environment: Callable[[str], dict[str, str]],
    ) -> None:
        super().__init__(scope, construct_id)
        self.functions: dict[str, lambda_.Function] = {}
        for spec in function_specs():
            if spec.key not in PERMISSIONS:
                raise KeyError(
                    f"functions/{spec.key}: declare its permissions in infra/components/functions.py PERMISSIONS"
                )
            function = self._function(spec, config, layer, environment(spec.key))
            if spec.source_queue:
                self._subscribe(function, spec, queues[spec.source_queue])
            permissions = PERMISSIONS[spec.key]
            tables.grant_read_write(function, *permissions.read_write_tables)
            tables.grant_read(function, *permissions.read_tables)
            tables.grant_update(function, *permissions.update_tables)
            if permissions.send_to_own_queue and spec.source_queue:
                queues[spec.source_queue].grant_send_messages(function)
            for queue in permissions.send_to_queues:
                queues[queue].grant_send_messages(function)
            self.functions[spec.key] = function

    def _function(
        self,
        spec: FunctionSpec,
        config: InfraConfig,
        layer: lambda_.ILayerVersion,
        environment: dict[str, str],
    ) -> lambda_.Function:
        construct_id = spec.key.title()
        access = Execution(self, f"{construct_id}Execution", config=config)
        function = lambda_.Function(
            self,
            construct_id,
            function_name=spec.physical_name(config.prefix),
            description=spec.purpose or None,
            runtime=RUNTIME,
            architecture=LAMBDA_ARCHITECTURE,
            handler=spec.handler,
            code=lambda_.Code.from_asset(str(PROJECT_ROOT / "functions" / spec.key), exclude=_CODE_EXCLUDES),
            layers=[layer],
            environment=environment,
            timeout=Duration.seconds(spec.timeout_s),
            memory_size=spec.memory_mb,
            tracing=lambda_.Tracing.ACTIVE,
            role=access.role,
            log_group=access.log_group,
            # No reserved concurrency: it is carved out of the account's pool, and new
            # accounts start with 10, which a reservation can exhaust at deploy time.
        )
        suppress_tracing_wildcard(access.role)
        suppress_data_wildcards(access.role)
        NagSuppressions.add_resource_suppressions(
            function,
            [
                NagPackSuppression(
                    id="AwsSolutions-L1",
                    reason=f"Deliberate: {RUNTIME.name}, a supported runtime, pinned in one place "
                    "(layers/build.py PYTHON_VERSION) because the layer's compiled wheels and "
                    ".pyc files are built for it; upgrading is that constant plus a rebuild.",
                )
            ],
        )
        return function

    def _subscribe(self, function: lambda_.Function, spec: FunctionSpec, queue: sqs.Queue) -> None:
        queue_spec = RESOURCES.queue(spec.source_queue or "")
        if spec.timeout_s > queue_spec.visibility_timeout_s:
            # Lambda refuses the mapping: a message would reappear while still being handled.
            raise ValueError(
                f"functions/{spec.key}: timeout {spec.timeout_s}s exceeds the "
                f"visibility timeout {queue_spec.visibility_timeout_s}s of queue "
                f"{queue_spec.key}"
            )
        # Failed messages are retried by SQS and reach the queue's DLQ after max_receive_count.
        function.add_event_source(
            event_sources.SqsEventSource(queue, batch_size=spec.batch_size, report_batch_item_failures=True)
        )
