"""Cognito: the staff user pool and the web app's client."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from chalicelib.core.resources import RESOURCES
from chalicelib.core.sealing import CONTEXT_KEY as SEALING_CONTEXT_KEY
from infra.config import InfraConfig

# What web requests do to users (chalicelib/accounts/cognito.py, reached from accounts/service.py):
# sign-out revokes the user's refresh tokens. InitiateAuth / RespondToAuthChallenge with a public
# client need no IAM permission. tests/unit/test_settings.py keeps this list and the code in step.
API_ACTIONS = ("cognito-idp:AdminUserGlobalSignOut",)
# What `kumo users import` and `kumo seed-demo` do as an operator, with the operator's own
# credentials: granted to no role of the stack.
OPERATOR_ACTIONS = (
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminUserGlobalSignOut",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminResetUserPassword",
)

_INVITATION_BODY = (
    "Kumo のアカウントが作成されました。<br>"
    "職員ID: {username}<br>仮パスワード: {####}<br>"
    "初回サインイン時に新しいパスワードを設定してください。<br><br>"
    "A Kumo account was created for you. Staff ID: {username}, "
    "temporary password: {####}. You will choose a new password when you first sign in."
)


class StaffAuth(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "StaffPool",
            user_pool_name=RESOURCES.user_pool_name(config.prefix),
            self_sign_up_enabled=False,  # administrators create staff accounts
            # Staff sign in with their staff id as the username; e-mail is not an alias.
            sign_in_aliases=cognito.SignInAliases(username=True, email=False),
            sign_in_case_sensitive=False,
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=False, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            user_invitation=cognito.UserInvitationConfig(
                email_subject="Kumo アカウントのご案内 / Your Kumo account",
                email_body=_INVITATION_BODY,
            ),
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=config.deletion_protection,
            removal_policy=config.removal_policy,
        )
        self.client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=RESOURCES.user_pool_client_name(config.prefix),
            generate_secret=False,
            # CDK adds ALLOW_REFRESH_TOKEN_AUTH to any explicit flow list.
            auth_flows=cognito.AuthFlow(user_password=True),
            disable_o_auth=True,  # no hosted UI: the API signs staff in
            prevent_user_existence_errors=True,
            id_token_validity=Duration.minutes(60),
            access_token_validity=Duration.minutes(60),
            refresh_token_validity=Duration.hours(12),
            enable_token_revocation=True,
        )
        NagSuppressions.add_resource_suppressions(
            self.user_pool,
            [
                NagPackSuppression(
                    id="AwsSolutions-COG2",
                    reason="Deliberate: MFA (TOTP) is optional, not required, until SSO federation "
                    "arrives; requiring it now would lock out staff without an authenticator.",
                ),
                NagPackSuppression(
                    id="AwsSolutions-COG8",
                    reason="Deliberate: the Essentials feature plan. Plus (threat protection) is "
                    "billed per active user; staff pools are small and sign-in throttling "
                    "and lockout are Cognito's defaults. Revisit with the security office.",
                ),
            ],
        )

    def grant_web_requests(self, grantee: iam.IGrantable) -> None:
        self.user_pool.grant(grantee, *API_ACTIONS)


class TokenKey(Construct):
    """The KMS key that seals staff sessions' refresh tokens (chalicelib/core/sealing.py)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            alias=f"alias/{config.prefix}-session-tokens",
            description="Kumo: seals Cognito refresh tokens stored with staff sessions",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
        )

    def grant_sealing(self, role: iam.IRole) -> None:
        """Encrypt and decrypt, only with Kumo's encryption context (a value sealed for a session)."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="SealSessionTokens",
                actions=["kms:Encrypt", "kms:Decrypt"],
                resources=[self.key.key_arn],
                conditions={"StringLike": {f"kms:EncryptionContext:{SEALING_CONTEXT_KEY}": "*"}},
            )
        )


class WebhookKey(Construct):
    """The KMS key that seals chat channels' webhook URLs and signing secrets
    (chalicelib/core/sealing.py, key WEBHOOKS): the API seals and opens them (connect, test),
    the channels function only opens them (to post)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            alias=f"alias/{config.prefix}-webhooks",
            description="Kumo: seals chat channels' webhook URLs and signing secrets",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
        )

    def grant(self, role: iam.IRole, *, seal: bool) -> None:
        actions = ["kms:Encrypt", "kms:Decrypt"] if seal else ["kms:Decrypt"]
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="SealWebhooks" if seal else "OpenWebhooks",
                actions=actions,
                resources=[self.key.key_arn],
                conditions={"StringLike": {f"kms:EncryptionContext:{SEALING_CONTEXT_KEY}": "channel:*"}},
            )
        )


class MailLinkSecret(Construct):
    """The key of the unsubscribe links' HMAC (chalicelib/notifications/unsubscribe.py): a random
    value Secrets Manager generates, read by the API (which checks links) and by the functions
    that send mail (the notifier, the sweep's digest), never written into the template."""

    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig) -> None:
        super().__init__(scope, construct_id)
        self.secret = secretsmanager.Secret(
            self,
            "Secret",
            description="Kumo: signs the unsubscribe links in notification mail",
            generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=64),
            removal_policy=config.removal_policy,
        )
        NagSuppressions.add_resource_suppressions(
            self.secret,
            [
                NagPackSuppression(
                    id="AwsSolutions-SMG4",
                    reason="Rotating it would void the unsubscribe links in mail already sent; it signs "
                    "one harmless action (a kind's mail off) and can be replaced by hand if exposed.",
                )
            ],
        )

    def grant_read(self, role: iam.IRole) -> None:
        self.secret.grant_read(role)
