"""The front door: CloudFront before API Gateway, static files from S3, and the web ACL.

- ``/static/*``: the files of frontend/static, copied at deploy time to a private bucket under
  content-hashed names (chalicelib/core/assets.py) and served with a one-year immutable cache:
  a CSS/JS/Uppy request never reaches Lambda. The API's templates name the hashed files through
  the manifest the layer carries (KUMO_STATIC_MANIFEST).
- everything else (pages and the JSON API): API Gateway as an origin that is never cached;
  cookies, query strings and every viewer header but Host reach the app (API Gateway routes
  on its own Host name).
- a custom domain and its ACM certificate (context domain_name, certificate_arn) or, without
  them, the distribution's own domain: that address is KUMO_BASE_URL.

AWS WAF, and why a REGIONAL web ACL on the API stage rather than a CloudFront one: a
CloudFront-scope web ACL must be created in us-east-1, which turns one stack in the
prefecture's region into two stacks in two regions with cross-region references (and many
public-sector accounts restrict regions by SCP to Tokyo/Osaka). On the stage it also guards
the execute-api address itself. What the edge is needed for, it still gets:
- a CloudFront Function writes the viewer's address into X-Kumo-Viewer-Ip (overwriting
  anything a client sent), and the rate-based rule counts per that address: behind CloudFront
  the connecting address is an edge server's, and X-Forwarded-For's first entry is the
  client's to choose;
- CloudFront adds an origin header carrying this stack's unguessable id (the UUID of its
  StackId, known only at deploy time), and the first rule blocks every request without it: no
  one can reach the API around CloudFront and pick their own viewer address.
The static files bypass WAF: they are public, immutable, and served by CloudFront alone.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, Duration, Fn, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_wafv2 as wafv2
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from chalicelib.core.assets import STATIC_PATH, publish
from chalicelib.core.resources import VIEWER_IP_HEADER
from infra.config import BUILD_DIR, InfraConfig

STATIC_PATTERN = STATIC_PATH + "*"  # the behaviour served from the assets bucket
STATIC_KEY_PREFIX = STATIC_PATH.strip("/") + "/"  # the hashed copies' keys: static/<hashed name>
IMMUTABLE = "public, max-age=31536000, immutable"  # one year: a changed file gets a new name
ONE_YEAR = Duration.days(365)
ORIGIN_VERIFY_HEADER = "x-kumo-origin-verify"
# The paths partners reach without signing in: guessing passwords and codes happens here.
RATE_LIMITED_PATHS = ("/api/share/", "/s/")
# WAF on a REST API stage sees the path with the stage in front ("/api/s/..."); both shapes match.
RATE_LIMITED_PATH_REGEX = r"^(/api)?/(api/share|s)/"
RATE_WINDOW_S = 300
CRS_COUNTED_RULE = "SizeRestrictions_BODY"
# The Chalice stage (.chalice/config.json api_gateway_stage): CloudFront's origin path.
API_STAGE = "api"

_VIEWER_IP_FUNCTION = f"""function handler(event) {{
  // The rate-based WAF rule counts per this header: the viewer's address, never the client's word.
  event.request.headers['{VIEWER_IP_HEADER}'] = {{ value: event.viewer.ip }};
  return event.request;
}}
"""


def origin_verify_value() -> str:
    """The UUID of this stack's id: unknown until deploy, unguessable, stable for the stack's life."""
    return Fn.select(2, Fn.split("/", Aws.STACK_ID))


class FrontDoor(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        static_dir: Path,
        rest_api_id: str,
        access_logs: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        self.domain_name = config.domain_name
        self.assets = s3.Bucket(
            self,
            "Assets",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="assets/",
            removal_policy=config.removal_policy,
            auto_delete_objects=False,
        )
        self.static_cache = cloudfront.CachePolicy(
            self,
            "StaticCache",
            comment="Kumo static files: content-hashed names, cached a year",
            default_ttl=ONE_YEAR,
            min_ttl=ONE_YEAR,
            max_ttl=ONE_YEAR,
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            header_behavior=cloudfront.CacheHeaderBehavior.none(),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.none(),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )
        self.viewer_ip = cloudfront.Function(
            self,
            "ViewerIp",
            comment="Kumo: the viewer's address for the WAF rate rule",
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            code=cloudfront.FunctionCode.from_inline(_VIEWER_IP_FUNCTION),
        )
        api_origin = origins.HttpOrigin(
            f"{rest_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}",
            origin_path=f"/{API_STAGE}",
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            custom_headers={ORIGIN_VERIFY_HEADER: origin_verify_value()},
            read_timeout=Duration.seconds(30),  # the API function's own timeout
        )
        certificate = (
            acm.Certificate.from_certificate_arn(self, "Certificate", config.certificate_arn)
            if config.certificate_arn
            else None
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"Kumo ({config.prefix})",
            default_behavior=cloudfront.BehaviorOptions(
                origin=api_origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                compress=False,  # nothing is cached here; the app answers as it answers
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=self.viewer_ip, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={
                STATIC_PATTERN: cloudfront.BehaviorOptions(
                    origin=origins.S3BucketOrigin.with_origin_access_control(self.assets),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                    cache_policy=self.static_cache,
                    compress=True,
                )
            },
            domain_names=[config.domain_name] if config.domain_name else None,
            certificate=certificate,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,  # includes Japan; not the costliest edges
        )
        published = BUILD_DIR / "static"
        self.manifest = publish(static_dir, published)
        self.deployment = s3deploy.BucketDeployment(
            self,
            "StaticFiles",
            sources=[s3deploy.Source.asset(str(published))],
            destination_bucket=self.assets,
            destination_key_prefix=STATIC_KEY_PREFIX,
            cache_control=[s3deploy.CacheControl.from_string(IMMUTABLE)],
            prune=False,  # pages already open keep loading the names they were rendered with
            memory_limit=256,
        )
        self.web_acl = self._web_acl(config)
        self._suppress_findings()

    @property
    def base_url(self) -> str:
        """KUMO_BASE_URL: the custom domain, or the distribution's own."""
        return f"https://{self.domain_name or self.distribution.distribution_domain_name}"

    def _web_acl(self, config: InfraConfig) -> wafv2.CfnWebACL:
        rule = wafv2.CfnWebACL.RuleProperty
        visibility = wafv2.CfnWebACL.VisibilityConfigProperty

        def seen(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return visibility(
                cloud_watch_metrics_enabled=True, metric_name=f"{config.prefix}-{name}", sampled_requests_enabled=True
            )

        only_through_cloudfront = rule(
            name="OnlyThroughCloudFront",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                not_statement=wafv2.CfnWebACL.NotStatementProperty(
                    statement=wafv2.CfnWebACL.StatementProperty(
                        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                                single_header={"Name": ORIGIN_VERIFY_HEADER}
                            ),
                            positional_constraint="EXACTLY",
                            search_string=origin_verify_value(),
                            text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
                        )
                    )
                )
            ),
            visibility_config=seen("only-through-cloudfront"),
        )
        common = rule(
            name="AWSManagedRulesCommonRuleSet",
            priority=1,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS",
                    name="AWSManagedRulesCommonRuleSet",
                    # Counted, not blocked: it refuses bodies over 8 KB, and the app takes forms up to
                    # 64 KB (chalicelib/core/web.py MAX_FORM_BYTES: synonym lists, long notices) and
                    # checks that size itself. Uploads never pass here (presigned, straight to S3).
                    rule_action_overrides=[
                        wafv2.CfnWebACL.RuleActionOverrideProperty(
                            name=CRS_COUNTED_RULE, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                        )
                    ],
                )
            ),
            visibility_config=seen("common-rule-set"),
        )
        share_rate = rule(
            name="PartnerPathsRateLimit",
            priority=2,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=config.share_rate_limit,
                    evaluation_window_sec=RATE_WINDOW_S,
                    aggregate_key_type="FORWARDED_IP",
                    # MATCH: a request without a valid address there gets the rule's action (fail closed);
                    # through CloudFront it always has one, and rule 0 blocks every other way in.
                    forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                        header_name=VIEWER_IP_HEADER, fallback_behavior="MATCH"
                    ),
                    scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                        regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
                            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                            regex_string=RATE_LIMITED_PATH_REGEX,
                            text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
                        )
                    ),
                )
            ),
            visibility_config=seen("partner-paths-rate"),
        )
        web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=f"{config.prefix}-api",
            description="Kumo API stage: only through CloudFront, AWS common rules, partner path rate limit",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=seen("web-acl"),
            rules=[only_through_cloudfront, common, share_rate],
        )
        # ${RestAPI.Stage}: the SAM transform resolves it to the stage Chalice's API creates.
        self.association = wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            web_acl_arn=web_acl.attr_arn,
            resource_arn=Fn.sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/${RestAPI.Stage}"
            ),
        )
        return web_acl

    def _suppress_findings(self) -> None:
        NagSuppressions.add_resource_suppressions(
            self.distribution,
            [
                NagPackSuppression(
                    id="AwsSolutions-CFR3",
                    reason="Every dynamic request is logged by API Gateway's access log; the static "
                    "files are public and immutable. CloudFront standard logs would need an "
                    "ACL-enabled bucket, which the account's buckets refuse (owner enforced).",
                ),
                NagPackSuppression(
                    id="AwsSolutions-CFR4",
                    reason="Without a custom domain the distribution's *.cloudfront.net certificate "
                    "allows TLSv1 (CloudFront's default); with domain_name/certificate_arn the "
                    "minimum is TLSv1.2_2021.",
                ),
            ],
            apply_to_children=True,
        )
        handlers = [
            child for child in Stack.of(self).node.children if child.node.id.startswith("Custom::CDKBucketDeployment")
        ]
        NagSuppressions.add_resource_suppressions(
            [self.deployment, *handlers],
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM4",
                    reason="CDK's BucketDeployment custom resource uses the AWS-managed basic execution "
                    "role for its own logs.",
                    applies_to=[
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                    ],
                ),
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="CDK's BucketDeployment copies its asset (CDK's asset bucket) into the assets "
                    "bucket: object-level S3 actions on those two buckets.",
                ),
                NagPackSuppression(
                    id="AwsSolutions-L1", reason="CDK's BucketDeployment chooses its own custom resource runtime."
                ),
            ],
            apply_to_children=True,
        )
