"""Names and shapes of every AWS resource Kumo uses.

This is the one list that `infra/` (the CDK stack) and the local bootstrap both read, so a
table, queue or rule has the same name and shape in AWS and on a developer's machine.
Physical names are derived from a prefix (``KUMO_PREFIX``, default ``kumo``).
Pure data: importing this module touches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar


@dataclass(frozen=True)
class KeyAttr:
    name: str
    type: str = "S"  # DynamoDB scalar type: S or N


@dataclass(frozen=True)
class IndexSpec:
    """A global secondary index (projection: ALL)."""

    name: str
    partition: KeyAttr
    sort: KeyAttr | None = None


@dataclass(frozen=True)
class TableSpec:
    key: str  # logical name; the physical name is f"{prefix}-{key}"
    partition: KeyAttr
    sort: KeyAttr | None = None
    indexes: tuple[IndexSpec, ...] = ()
    ttl_attribute: str | None = None  # clean-up only: expiry is always checked in code
    purpose: str = ""
    # Why a throttled write here is worth an alarm (a hot partition users would feel); empty: none.
    throttle_alarm: str = ""

    def physical_name(self, prefix: str) -> str:
        return f"{prefix}-{self.key}"

    def attributes(self) -> list[KeyAttr]:
        """Every attribute that appears in a key of the table or an index, once."""
        seen: dict[str, KeyAttr] = {}
        for attr in (self.partition, self.sort, *[a for i in self.indexes for a in (i.partition, i.sort)]):
            if attr is not None:
                seen.setdefault(attr.name, attr)
        return list(seen.values())


@dataclass(frozen=True)
class QueueSpec:
    key: str
    visibility_timeout_s: int
    max_receive_count: int  # deliveries before a message moves to the DLQ
    retention_s: int = 4 * 24 * 3600
    dlq_retention_s: int = 14 * 24 * 3600
    purpose: str = ""

    def physical_name(self, prefix: str) -> str:
        return f"{prefix}-{self.key}"

    def dlq_physical_name(self, prefix: str) -> str:
        return f"{prefix}-{self.key}-dlq"


@dataclass(frozen=True)
class RuleSpec:
    key: str
    pattern: dict[str, Any]
    target_queue: str  # QueueSpec.key
    purpose: str = ""

    def physical_name(self, prefix: str) -> str:
        return f"{prefix}-{self.key}"


@dataclass(frozen=True)
class BucketSpec:
    key: str
    # S3 events that go to a queue: (event names, QueueSpec.key)
    notifications: tuple[tuple[tuple[str, ...], str], ...] = ()
    cors_methods: tuple[str, ...] = ("GET", "PUT", "POST", "HEAD")
    cors_expose_headers: tuple[str, ...] = ("ETag",)
    cors_max_age_s: int = 3600
    purpose: str = ""

    def physical_name(self, prefix: str, account: str) -> str:
        # Bucket names are global: the account id keeps two deployments apart.
        return f"{prefix}-{self.key}-{account}"


@dataclass(frozen=True)
class FunctionSpec:
    key: str  # folder under functions/
    handler: str  # module.function inside that folder
    source_queue: str | None  # QueueSpec.key that triggers it
    batch_size: int = 10
    timeout_s: int = 30
    memory_mb: int = 512
    purpose: str = ""
    # It sets a failed message's visibility itself (exponential backoff), so the local consumer
    # leaves it be instead of retrying after its short fixed delay.
    own_backoff: bool = False

    def physical_name(self, prefix: str) -> str:
        return f"{prefix}-{self.key}"


@dataclass(frozen=True)
class Resources:
    tables: tuple[TableSpec, ...]
    queues: tuple[QueueSpec, ...]
    buckets: tuple[BucketSpec, ...]
    functions: tuple[FunctionSpec, ...]
    event_bus_key: str = "events"
    user_pool_key: str = "staff"
    user_pool_client_key: str = "web"
    search_index_key: str = "documents"
    extra: dict[str, Any] = field(default_factory=dict)

    def table(self, key: str) -> TableSpec:
        return _by_key(self.tables, key)

    def queue(self, key: str) -> QueueSpec:
        return _by_key(self.queues, key)

    def bucket(self, key: str) -> BucketSpec:
        return _by_key(self.buckets, key)

    def function(self, key: str) -> FunctionSpec:
        return _by_key(self.functions, key)

    def event_bus_name(self, prefix: str) -> str:
        return f"{prefix}-{self.event_bus_key}"

    def user_pool_name(self, prefix: str) -> str:
        return f"{prefix}-{self.user_pool_key}"

    def user_pool_client_name(self, prefix: str) -> str:
        return f"{prefix}-{self.user_pool_client_key}"

    def search_alias(self, prefix: str) -> str:
        return f"{prefix}-{self.search_index_key}"


class _HasKey(Protocol):
    @property
    def key(self) -> str: ...


_Keyed = TypeVar("_Keyed", bound=_HasKey)


def _by_key(items: tuple[_Keyed, ...], key: str) -> _Keyed:
    for item in items:
        if item.key == key:
            return item
    raise KeyError(f"no resource named {key!r}")


RESOURCES = Resources(
    tables=(
        TableSpec(
            "departments",
            partition=KeyAttr("department_id"),
            purpose="the prefecture's org units: 部局, 所属 and 係, their names and places in the tree",
        ),
        TableSpec(
            "staff",
            partition=KeyAttr("staff_id"),
            indexes=(
                IndexSpec("by_department", KeyAttr("department_id"), KeyAttr("staff_id")),
                IndexSpec("by_email", KeyAttr("email")),
                IndexSpec("by_elsewhere", KeyAttr("elsewhere"), KeyAttr("staff_id")),
            ),
            purpose="staff directory: name, e-mail, 部局, 所属, 係, post, 兼務, pending transfers, role",
        ),
        TableSpec(
            "directory_stamp",
            partition=KeyAttr("id"),
            purpose="one item every write to staff changes: the notifier keeps a 部局's people per process "
            "until it changes (directory/staff_cache.py)",
        ),
        TableSpec(
            "sessions",
            partition=KeyAttr("session_hash"),
            ttl_attribute="ttl",
            purpose="signed-in browser sessions (only a hash of the cookie is stored)",
        ),
        TableSpec(
            "notices",
            partition=KeyAttr("department_id"),
            sort=KeyAttr("notice_id"),
            purpose="notices a department admin posts to the department",
        ),
        TableSpec(
            "notifications",
            partition=KeyAttr("staff_id"),
            sort=KeyAttr("notification_id"),
            purpose="each staff member's in-app notification inbox",
        ),
        TableSpec(
            "notification_prefs",
            partition=KeyAttr("staff_id"),
            purpose="each staff member's notification settings: per kind inbox/mail/digest/off, quiet hours",
        ),
        TableSpec(
            "notification_digest",
            partition=KeyAttr("staff_id"),
            sort=KeyAttr("item"),
            indexes=(IndexSpec("by_due", KeyAttr("due_day"), KeyAttr("item")),),
            purpose="notices waiting for a person's daily digest, and each day's digest reserved once",
        ),
        TableSpec(
            "notification_mutes",
            partition=KeyAttr("staff_id"),
            sort=KeyAttr("subject"),
            purpose="the share links and surveys each person muted: none of their notices but the mandatory",
        ),
        TableSpec(
            "notification_stats",
            partition=KeyAttr("hour"),
            ttl_attribute="expires",
            purpose="delivery counters per UTC hour: '<channel>|<kind>|<outcome>' raised with ADD (health page)",
        ),
        TableSpec(
            "dlq_replays",
            partition=KeyAttr("queue"),
            sort=KeyAttr("replay_key"),
            purpose="each replay of a dead-letter queue: who, when, how many messages went back (ops/dlq.py)",
        ),
        TableSpec(
            "spaces",
            partition=KeyAttr("space_id"),
            purpose="storage spaces (a department's or a person's): quota and bytes used",
        ),
        TableSpec(
            "files",
            partition=KeyAttr("file_id"),
            indexes=(
                IndexSpec("by_parent", KeyAttr("parent_id"), KeyAttr("name_key")),
                IndexSpec("trash", KeyAttr("space_id"), KeyAttr("trashed_at")),
            ),
            purpose="folders and files: name, place, owner, visibility, current version",
        ),
        TableSpec(
            "file_names",
            partition=KeyAttr("parent_id"),
            sort=KeyAttr("name_key"),
            purpose="one live name per folder (taken in the same transaction as the file)",
        ),
        TableSpec(
            "file_versions",
            partition=KeyAttr("file_id"),
            sort=KeyAttr("version"),
            purpose="every stored version of a file and its S3 object",
        ),
        TableSpec(
            "uploads",
            partition=KeyAttr("upload_id"),
            ttl_attribute="ttl",
            purpose="uploads in progress: what was declared, where it goes",
        ),
        TableSpec(
            "share_links",
            partition=KeyAttr("link_id"),
            indexes=(
                IndexSpec("by_target", KeyAttr("target_id"), KeyAttr("created_at")),
                IndexSpec("by_owner", KeyAttr("owner_id"), KeyAttr("created_at")),
            ),
            purpose="share links for partners: what, how, until when, with which protections",
        ),
        TableSpec(
            "share_tokens",
            partition=KeyAttr("token_hash"),
            purpose="SHA-256 of each live link token -> link (the token itself is never stored)",
        ),
        TableSpec(
            "share_sessions",
            partition=KeyAttr("session_hash"),
            ttl_attribute="ttl",
            purpose="a partner's browser session on one link (password passed, e-mail verified)",
        ),
        TableSpec(
            "share_audit",
            partition=KeyAttr("link_id"),
            sort=KeyAttr("event_key"),
            indexes=(IndexSpec("by_file", KeyAttr("file_id"), KeyAttr("event_key")),),
            purpose="every creation, change, access, download, upload, failed attempt, revocation",
        ),
        TableSpec(
            "share_settings",
            partition=KeyAttr("key"),
            purpose="partner sharing settings a system admin edits: the file types partners may upload",
        ),
        TableSpec(
            "search_settings",
            partition=KeyAttr("key"),
            purpose="search settings a system admin edits: the synonym groups applied at search time",
        ),
        TableSpec(
            "surveys",
            partition=KeyAttr("survey_id"),
            indexes=(IndexSpec("by_issuer", KeyAttr("issuer_unit_id"), KeyAttr("created_at")),),
            purpose="surveys (照会): number, title, issuing 所属, deadline, form, targets, state",
        ),
        TableSpec(
            "survey_answers",
            partition=KeyAttr("survey_id"),
            sort=KeyAttr("unit_id"),
            indexes=(IndexSpec("by_unit", KeyAttr("unit_id"), KeyAttr("survey_id")),),
            purpose="one answer per target 所属: state, values, who touched it last (the status board)",
        ),
        TableSpec(
            "survey_parts",
            partition=KeyAttr("answer_key"),
            sort=KeyAttr("part_id"),
            indexes=(IndexSpec("by_assignee", KeyAttr("assignee_key"), KeyAttr("answer_key")),),
            purpose="parts of an answer a 取りまとめ担当 forwarded to a 係 or a person, merged back",
        ),
        TableSpec(
            "survey_history",
            partition=KeyAttr("answer_key"),
            sort=KeyAttr("event_key"),
            purpose="who changed, submitted, approved or returned an answer, and each reminder step taken once",
        ),
        TableSpec(
            "survey_numbers",
            partition=KeyAttr("counter_key"),
            purpose="the last 照会番号 given per issuer prefix and fiscal year (atomic counter)",
        ),
        TableSpec(
            "projects",
            partition=KeyAttr("project_id"),
            indexes=(IndexSpec("by_visibility", KeyAttr("visibility"), KeyAttr("created_at")),),
            purpose="projects (庁内プロジェクト): owning 所属, owner, visibility, boards, labels",
        ),
        TableSpec(
            "project_members",
            partition=KeyAttr("project_id"),
            sort=KeyAttr("staff_id"),
            indexes=(IndexSpec("by_staff", KeyAttr("staff_id"), KeyAttr("project_id")),),
            purpose="who belongs to a project, with their committed time share (20%-rule)",
        ),
        TableSpec(
            "board_items",
            partition=KeyAttr("board_id"),
            sort=KeyAttr("item_id"),
            # by_due: the cards due on a JST day, across boards (the scheduler's due reminders)
            indexes=(IndexSpec("by_due", KeyAttr("due"), KeyAttr("item_id")),),
            purpose="the lists and cards of a board, each with a fractional rank (one query loads a board)",
            throttle_alarm="A board is one partition: throttled writes mean a board too busy for it "
            "(moves and edits failing for its members); look for a runaway client or split the board.",
        ),
        TableSpec(
            "card_assignments",
            partition=KeyAttr("staff_id"),
            sort=KeyAttr("card_key"),
            purpose="the cards assigned to each person across projects (自分のタスク, calendar, iCal)",
        ),
        TableSpec(
            "project_activity",
            partition=KeyAttr("project_id"),
            sort=KeyAttr("event_key"),
            indexes=(IndexSpec("by_card", KeyAttr("card_id"), KeyAttr("event_key")),),
            purpose="what happened in a project and on each card, comments included",
            throttle_alarm="A project's activity is one partition written with every move: throttled "
            "writes make moves and edits of its boards fail; look for a runaway client.",
        ),
        TableSpec(
            "project_feeds",
            partition=KeyAttr("feed_key"),
            purpose="each person's iCal feed: the SHA-256 of its secret URL (never the secret), fetches counted",
        ),
        TableSpec(
            "recruitments",
            partition=KeyAttr("recruitment_id"),
            indexes=(
                IndexSpec("by_listing", KeyAttr("listing"), KeyAttr("deadline")),
                IndexSpec("by_project", KeyAttr("project_id"), KeyAttr("created_at")),
            ),
            purpose="公募 of projects (20%-rule): the open ones by deadline (sparse), a project's own",
        ),
        TableSpec(
            "recruitment_applications",
            partition=KeyAttr("application_id"),
            indexes=(
                IndexSpec("by_recruitment", KeyAttr("recruitment_id"), KeyAttr("applied_at")),
                IndexSpec("by_applicant", KeyAttr("applicant_id"), KeyAttr("applied_at")),
                IndexSpec("by_consent_unit", KeyAttr("consent_unit_id"), KeyAttr("requested_at")),
            ),
            purpose="応募: one per person per 公募 (derived id), the owners' decision, the 所属長's consent",
        ),
        TableSpec(
            "time_shares",
            partition=KeyAttr("staff_id"),
            purpose="each person's consented time-share commitments, versioned: the cap is reserved here",
        ),
        TableSpec(
            "project_actuals",
            partition=KeyAttr("staff_id"),
            sort=KeyAttr("entry_key"),
            indexes=(IndexSpec("by_month", KeyAttr("month"), KeyAttr("staff_id")),),
            purpose="monthly 実績 of members with a time share, per project (plan vs actual for 人事)",
        ),
        TableSpec(
            "recruiting_settings",
            partition=KeyAttr("setting_key"),
            purpose="time-share caps (default, per 所属), the 実績 lock, monthly reminders taken once",
        ),
        TableSpec(
            "channels",
            partition=KeyAttr("channel_id"),
            indexes=(IndexSpec("by_scope", KeyAttr("scope"), KeyAttr("created_at")),),
            purpose="chat channels and webhooks of a 所属 or a project: sealed URL, kinds, pause state",
        ),
        TableSpec(
            "channel_deliveries",
            partition=KeyAttr("channel_id"),
            sort=KeyAttr("event_id"),
            ttl_attribute="expires",
            purpose="one post per event and channel: claimed before it is sent, marked sent after",
        ),
        TableSpec(
            "channel_attempts",
            partition=KeyAttr("channel_id"),
            sort=KeyAttr("attempt_key"),
            ttl_attribute="expires",
            purpose="each channel's delivery log: time, kind, status code, short error (never the URL)",
        ),
        TableSpec(
            "idempotency",
            partition=KeyAttr("id"),
            ttl_attribute="expiration",
            purpose="Powertools idempotency records: a redelivered event is handled once",
        ),
    ),
    queues=(
        QueueSpec(
            "notify",
            visibility_timeout_s=180,
            max_receive_count=3,
            purpose="domain events from the bus, for functions/notifier",
        ),
        # 6 x the mailer's timeout; SES refusing or throttling a mail retries it four more times.
        QueueSpec(
            "mail",
            visibility_timeout_s=180,
            max_receive_count=5,
            purpose="mails the notifier planned (one job per mail, no address), for functions/mailer",
        ),
        # 6 x the indexer's timeout, as Lambda advises for SQS sources.
        QueueSpec(
            "index",
            visibility_timeout_s=720,
            max_receive_count=3,
            purpose="S3 object created/removed events, for functions/indexer",
        ),
        # 6 x the scanner's timeout, as Lambda advises for SQS sources.
        QueueSpec(
            "scan",
            visibility_timeout_s=720,
            max_receive_count=5,
            purpose="uploads awaiting a malware verdict (locally) / GuardDuty scan results (AWS), "
            "for functions/scanner",
        ),
        # Backoff is the deliverer's (30 s doubling to 4 h): 14 receives span about a day, the
        # breaker's window, so a channel that stays down is paused by the retries of its own posts.
        QueueSpec(
            "channels",
            visibility_timeout_s=180,
            max_receive_count=14,
            purpose="domain events a chat channel may hear of, for functions/channels",
        ),
    ),
    buckets=(
        BucketSpec(
            "files",
            notifications=((("s3:ObjectCreated:*", "s3:ObjectRemoved:*"), "index"),),
            purpose="every stored file; browsers upload to it with presigned requests",
        ),
    ),
    functions=(
        FunctionSpec(
            "notifier",
            handler="app.handler",
            source_queue="notify",
            purpose="turns domain events into in-app notices, digest lines and mail jobs",
        ),
        FunctionSpec(
            "mailer",
            handler="app.handler",
            source_queue="mail",
            purpose="renders and sends the mails the notifier planned, each once (SES)",
        ),
        FunctionSpec(
            "scanner",
            handler="app.handler",
            source_queue="scan",
            batch_size=5,
            timeout_s=120,
            purpose="records malware verdicts on partner uploads: clean, or quarantined",
        ),
        FunctionSpec(
            "indexer",
            handler="app.handler",
            source_queue="index",
            batch_size=5,
            timeout_s=120,
            memory_mb=1024,
            purpose="extracts the text of stored files and keeps the search index in step with them",
        ),
        FunctionSpec(
            "channels",
            handler="app.handler",
            source_queue="channels",
            batch_size=5,
            own_backoff=True,
            purpose="posts events to the chat channels (Teams, Slack, LoGoチャット, webhooks) that asked for them",
        ),
    ),
)


# --- malware scanning of partner uploads ---------------------------------------------------
# GuardDuty Malware Protection for S3 scans new objects under SCAN_PREFIX and publishes each
# result on the account's *default* event bus (never on Kumo's), so this rule is not one of
# bus_rules.BUS_RULES: infra/components/scanning.py puts it on the default bus, narrowed to the files
# bucket, with the "scan" queue as its target.
GUARDDUTY_SCAN_RESULT_RULE = RuleSpec(
    "scan-guardduty-results",
    pattern={"source": ["aws.guardduty"], "detail-type": ["GuardDuty Malware Protection Object Scan Result"]},
    target_queue="scan",
    purpose="GuardDuty Malware Protection scan results for the files bucket reach the scanner",
)
SCAN_PREFIX = "spaces/"  # where stored file versions live (chalicelib/files/s3.py version_key)
QUARANTINE_PREFIX = "quarantine/"  # infected/unscannable objects: quarantine/<original key>; nothing serves it
# The front door (CloudFront) writes the viewer's address here, overwriting what a client sent;
# the web ACL's rate rule and the audit log read it (KUMO_VIEWER_IP_HEADER in AWS).
VIEWER_IP_HEADER = "x-kumo-viewer-ip"
# Partner uploads carry this object tag; the bucket policy denies reading a tagged object until
# GuardDuty's own tag says NO_THREATS_FOUND. So do staff uploads that asked for a scan (files on a
# survey answer: upload_start.start(scan_required=True)); other staff uploads carry neither and are never gated.
SCAN_REQUIRED_TAG = ("kumo-scan", "required")
GUARDDUTY_STATUS_TAG = "GuardDutyMalwareScanStatus"
GUARDDUTY_CLEAN = "NO_THREATS_FOUND"
