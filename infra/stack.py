"""The Kumo stack: every resource of chalicelib/core/resources.py, the API and the functions."""

from __future__ import annotations

from typing import Any

from aws_cdk import Aws, CfnOutput, Duration, Fn, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra.components.api import REST_API, KumoApi
from infra.components.auth import MailLinkSecret, StaffAuth, TokenKey, WebhookKey
from infra.components.data import Tables
from infra.components.frontdoor import FrontDoor
from infra.components.functions import EventFunctions
from infra.components.messaging import Messaging
from infra.components.runtime import (
    Deployed,
    SharedLayer,
    kumo_environment,
    suppress_data_wildcards,
    suppress_tracing_wildcard,
)
from infra.components.scanning import MalwareScanning
from infra.components.scheduler import Housekeeping
from infra.components.search import Indexing, Search
from infra.components.storage import Storage
from infra.config import InfraConfig

# The services that talk to the search domain (KUMO_SEARCH_URL, SigV4): its access policy admits no other.
SEARCH_CLIENTS = ("api", "indexer")


class KumoStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        self.tables = Tables(self, "Data", config=config)
        self.messaging = Messaging(self, "Messaging", config=config)
        self.storage = Storage(self, "Storage", config=config, queues=self.messaging.queues)
        self.auth = StaffAuth(self, "Auth", config=config)
        self.layer = SharedLayer(self, "Shared", config=config)
        self.search = Search(self, "Search", config=config)
        self.token_key = TokenKey(self, "Tokens", config=config)
        self.mail_links = MailLinkSecret(self, "MailLinks", config=config)
        self.webhook_key = WebhookKey(self, "Webhooks", config=config)
        # Before the API: its settings name the distribution (KUMO_BASE_URL), whose origin is the
        # REST API Chalice declares (referenced by its logical id; see KumoApi._integrate_by_name).
        self.front_door = FrontDoor(
            self,
            "FrontDoor",
            config=config,
            static_dir=self.layer.static_dir,
            rest_api_id=Fn.ref(REST_API),
            access_logs=self.storage.access_logs,
        )
        self.storage.allow_browser_origin(self.front_door.base_url)
        deployed = Deployed(
            files_bucket=self.storage.files.bucket_name,
            user_pool_id=self.auth.user_pool.user_pool_id,
            user_pool_client_id=self.auth.client.user_pool_client_id,
            base_url=self.front_door.base_url,
            token_key_id=self.token_key.key.key_arn,
            mail_link_secret_arn=self.mail_links.secret.secret_arn,
            webhook_key_id=self.webhook_key.key.key_arn,
        )

        def environment(service: str) -> dict[str, str]:
            return kumo_environment(
                config,
                deployed,
                service=f"kumo-{service}",
                search_url=self.search.endpoint_url if service in SEARCH_CLIENTS else None,
            )

        self.api = KumoApi(
            self, "Api", config=config, environment=environment("api"), layer_arn=self.layer.layer.layer_version_arn
        )
        self._grant_api(self.api.role)
        self.functions = EventFunctions(
            self,
            "Functions",
            config=config,
            layer=self.layer.layer,
            queues=self.messaging.queues,
            tables=self.tables,
            environment=environment,
        )
        self.scanning = MalwareScanning(
            self,
            "Scanning",
            config=config,
            bucket=self.storage.files,
            bus=self.messaging.bus,
            queue=self.messaging.queues["scan"],
            dead_letters=self.messaging.dead_letter_queues["scan"],
            scanner=self.functions.functions["scanner"],
            sweeper=self.functions.functions["scheduler"],
        )
        indexer = self.functions.functions["indexer"]
        assert indexer.role is not None
        self.search.admit(api=self.api.role, indexer=indexer.role)
        self.indexing = Indexing(
            self,
            "Indexing",
            indexer=indexer,
            bucket=self.storage.files,
            dead_letters=self.messaging.dead_letter_queues["index"],
            api_role=self.api.role,
        )
        self.housekeeping = Housekeeping(
            self,
            "Housekeeping",
            config=config,
            functions=self.functions.functions,
            bucket=self.storage.files,
            bus=self.messaging.bus,
        )
        mailer = self.functions.functions["mailer"]
        assert mailer.role is not None
        self._grant_mail(mailer.role)  # notices by mail (chalicelib/notifications/email.py)
        self.mail_links.grant_read(mailer.role)  # each mail's unsubscribe link
        sweeper = self.functions.functions["scheduler"]
        assert sweeper.role is not None
        self._grant_mail(sweeper.role)  # the daily digest (chalicelib/notifications/digest.py)
        self.mail_links.grant_read(sweeper.role)
        self._channels()
        self._dead_letter_alarms()
        self._outputs()

    def _channels(self) -> None:
        """The function that posts to chat channels: it opens their sealed URLs, tells a paused
        channel's managers by mail, and its DLQ has an alarm (a post given up after a day)."""
        poster = self.functions.functions["channels"]
        assert poster.role is not None
        self.webhook_key.grant(poster.role, seal=False)
        self._grant_mail(poster.role)
        self.mail_links.grant_read(poster.role)
        self.channels_dead_letter_alarm = self._dead_letter_alarm(
            "ChannelsDeadLettersAlarm",
            "channels",
            "An event could not be posted to a chat channel after a day of retries: "
            "see the channels DLQ (and the channel's delivery log).",
        )

    def _dead_letter_alarms(self) -> None:
        """The notifications' own dead letters: an event no inbox got, a mail SES kept refusing."""
        self.notify_dead_letter_alarm = self._dead_letter_alarm(
            "NotifyDeadLettersAlarm",
            "notify",
            "An event reached nobody's inbox after three tries: see the notify DLQ "
            "(the administrators' health page replays it once fixed).",
        )
        self.mail_dead_letter_alarm = self._dead_letter_alarm(
            "MailDeadLettersAlarm",
            "mail",
            "A notice mail could not be sent after five tries (SES refused or throttled it): "
            "see the mail DLQ (the administrators' health page replays it).",
        )

    def _dead_letter_alarm(self, construct_id: str, queue: str, description: str) -> cloudwatch.Alarm:
        return cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=description,
            metric=self.messaging.dead_letter_queues[queue].metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5), statistic="Maximum"
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    def _grant_api(self, role: iam.IRole) -> None:
        """The API serves every feature: all tables, the files bucket, the bus, sign-out, mail,
        and the key that seals refresh tokens."""
        for data in self.tables.read_write_policies(self, "ApiData", role):
            suppress_data_wildcards(data)
        self._grant_dead_letter_replay(role)
        self.storage.files.grant_read_write(role)
        self.messaging.bus.grant_put_events_to(role)
        self.auth.grant_web_requests(role)
        self.token_key.grant_sealing(role)
        self.webhook_key.grant(role, seal=True)  # connects channels, sends test messages
        self.mail_links.grant_read(role)  # checks unsubscribe links
        self._grant_mail(role)  # the search domain: granted by Search.admit
        suppress_tracing_wildcard(role)
        suppress_data_wildcards(role)

    def _grant_dead_letter_replay(self, role: iam.IRole) -> None:
        """The administrators' health page and replay (chalicelib/ops/dlq.py): every queue's depth,
        and moving messages from a DLQ back to its queue (receive, send, delete), in a policy of
        its own so the API's default policy does not grow past its size limit."""
        assert isinstance(role, iam.Role), "granted to the stack's own API role"
        queues = list(self.messaging.queues.values())
        dead = list(self.messaging.dead_letter_queues.values())
        iam.Policy(
            role,
            "DeadLetterReplay",
            roles=[role],
            statements=[
                iam.PolicyStatement(
                    actions=["sqs:GetQueueUrl", "sqs:GetQueueAttributes"],
                    resources=[q.queue_arn for q in queues + dead],
                ),
                iam.PolicyStatement(
                    actions=["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
                    resources=[q.queue_arn for q in dead],
                ),
                iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[q.queue_arn for q in queues]),
            ],
        )

    def _grant_mail(self, role: iam.IRole) -> None:
        """Sending from Kumo's one From address, in a policy of its own: a role's default policy
        is split into overflow policies at synthesis when it grows past IAM's size limit (the
        sweep's does), after the suppression below was attached, which then would miss it."""
        identities = f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}:identity/*"
        assert isinstance(role, iam.Role), "mail is granted to the stack's own roles"
        policy = iam.Policy(
            role,
            "SendMail",
            roles=[role],
            statements=[
                iam.PolicyStatement(
                    actions=["ses:SendEmail", "ses:SendRawEmail"],
                    resources=[identities],
                    conditions={"StringEquals": {"ses:FromAddress": self.config.mail_from}},
                )
            ],
        )
        NagSuppressions.add_resource_suppressions(
            policy,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="SES checks sending rights per identity (address or domain); the "
                    "ses:FromAddress condition narrows '*' to Kumo's one From address.",
                    applies_to=["Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*"],
                )
            ],
            apply_to_children=True,
        )

    def _outputs(self) -> None:
        outputs = {
            "UserPoolId": self.auth.user_pool.user_pool_id,
            "UserPoolClientId": self.auth.client.user_pool_client_id,
            "ApiUrl": self.api.url,
            "FilesBucketName": self.storage.files.bucket_name,
            "EventBusName": self.messaging.bus.event_bus_name,
            "SearchUrl": self.search.endpoint_url,
            "BaseUrl": self.front_door.base_url,
            "DistributionId": self.front_door.distribution.distribution_id,
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
