"""The shared stack: every table, queue, DLQ, stream failure queue, topic, bucket and alarm the
declaration names, plus the Cognito user pool whose tokens the services' JWT authorizer verifies."""

from __future__ import annotations

import re
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from truckroll.resources import Bucket, Resources, StreamConsumer, physical_name

ALARMS_TOPIC = "alarms"
DLQ_RETENTION = cdk.Duration.days(14)
# Origins whose pages may PUT and GET the buckets' objects through presigned URLs: context
# ``web_origins`` (comma-separated, e.g. the web distribution's https://d123.cloudfront.net), any
# origin by default. A presigned URL carries its own authorization; CORS only lets a page read it.
WEB_ORIGINS_CONTEXT = "web_origins"
# Custom attributes the authorizer reads (as ``custom:tenant_id`` / ``custom:role`` in ID tokens).
TENANT_ATTRIBUTE = "tenant_id"
ROLE_ATTRIBUTE = "role"


def logical_id(*parts: str) -> str:
    """``("dispatch-events", "Dlq")`` -> ``DispatchEventsDlq``."""
    words = [w for part in parts for w in re.split(r"[^A-Za-z0-9]+", part) if w]
    return "".join(w[:1].upper() + w[1:] for w in words)


@dataclass(frozen=True)
class AuthConfig:
    """What the JWT authorizer needs to verify Cognito ID tokens (values are CDK tokens)."""

    issuer: str
    audience: str
    jwks_url: str


class SharedStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        resources: Resources,
        retain_data: bool,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.stage = stage
        self.resources = resources
        removal = cdk.RemovalPolicy.RETAIN if retain_data else cdk.RemovalPolicy.DESTROY

        self.topics: dict[str, sns.Topic] = {
            t.name: sns.Topic(
                self, logical_id(t.name, "Topic"), topic_name=physical_name(stage, t.name), enforce_ssl=True
            )
            for t in resources.topics
        }
        if ALARMS_TOPIC not in self.topics:
            raise ValueError(f"the resource declaration has no {ALARMS_TOPIC!r} topic for DLQ alarms")
        self.alarms_topic = self.topics[ALARMS_TOPIC]

        self.tables: dict[str, dynamodb.Table] = {}
        for table in resources.tables:
            construct = dynamodb.Table(
                self,
                logical_id(table.name, "Table"),
                table_name=physical_name(stage, table.name),
                partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
                sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if table.stream else None,
                time_to_live_attribute=table.ttl_attribute,
                deletion_protection=retain_data,
                removal_policy=removal,
            )
            for index in table.indexes:
                construct.add_global_secondary_index(
                    index_name=index.name,
                    partition_key=dynamodb.Attribute(
                        name=index.partition_key, type=dynamodb.AttributeType.STRING
                    ),
                    sort_key=dynamodb.Attribute(name=index.sort_key, type=dynamodb.AttributeType.STRING),
                    projection_type=dynamodb.ProjectionType.ALL,
                )
            self.tables[table.name] = construct

        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        for queue in resources.queues:
            dlq = self._dead_letter_queue(logical_id(queue.dlq_name), physical_name(stage, queue.dlq_name))
            self.dead_letter_queues[queue.name] = dlq
            self.queues[queue.name] = sqs.Queue(
                self,
                logical_id(queue.name, "Queue"),
                queue_name=physical_name(stage, queue.name),
                visibility_timeout=cdk.Duration.seconds(queue.visibility_timeout_seconds),
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=queue.max_receive_count, queue=dlq),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )

        self.failure_queues: dict[StreamConsumer, sqs.Queue] = {}
        for consumer in resources.stream_consumers:
            if not resources.table(consumer.table).stream:
                raise ValueError(
                    f"{consumer.consumer} reads the stream of {consumer.table!r}, which has none"
                )
            self.failure_queues[consumer] = self._dead_letter_queue(
                logical_id(consumer.failure_queue_name), physical_name(stage, consumer.failure_queue_name)
            )

        origins = str(self.node.try_get_context(WEB_ORIGINS_CONTEXT) or "*").split(",")
        self.buckets: dict[str, s3.Bucket] = {
            b.name: self._bucket(b, [o.strip() for o in origins if o.strip()]) for b in resources.buckets
        }

        self._user_pool(removal, retain_data)

    def _bucket(self, bucket: Bucket, origins: list[str]) -> s3.Bucket:
        """A private, encrypted, TLS-only bucket named by CloudFormation (bucket names are global)."""
        transitions = (
            [
                s3.Transition(
                    storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                    transition_after=cdk.Duration.days(bucket.infrequent_access_after_days),
                )
            ]
            if bucket.infrequent_access_after_days is not None
            else None
        )
        return s3.Bucket(
            self,
            logical_id(bucket.name, "Bucket"),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods(m) for m in bucket.cors_methods],
                    allowed_origins=origins,
                    allowed_headers=["Content-Type"],
                    exposed_headers=["ETag"],
                    max_age=3000,
                )
            ]
            if bucket.cors_methods
            else None,
            lifecycle_rules=[
                s3.LifecycleRule(
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(
                        bucket.abort_incomplete_uploads_days
                    ),
                    transitions=transitions,
                )
            ],
            # S3 refuses to delete a bucket holding objects: a stage's photos outlive `cdk destroy`.
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

    def _dead_letter_queue(self, construct_id: str, name: str) -> sqs.Queue:
        """A queue nobody consumes: it keeps failed work for 14 days and alarms as soon as it has any."""
        queue = sqs.Queue(
            self,
            construct_id,
            queue_name=name,
            retention_period=DLQ_RETENTION,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        alarm = cloudwatch.Alarm(
            self,
            f"{construct_id}DepthAlarm",
            alarm_name=f"{name}-depth",
            alarm_description=f"Messages are waiting in {name}: work failed and needs a look.",
            metric=queue.metric_approximate_number_of_messages_visible(
                period=cdk.Duration.minutes(1), statistic="Maximum"
            ),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.alarms_topic))
        alarm.add_ok_action(cw_actions.SnsAction(self.alarms_topic))
        return queue

    def _user_pool(self, removal: cdk.RemovalPolicy, retain_data: bool) -> None:
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=physical_name(self.stage, "users"),
            self_sign_up_enabled=False,  # an admin creates each user with their tenant and role
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            custom_attributes={
                # Immutable: a user never moves between tenants.
                TENANT_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=64, mutable=False),
                ROLE_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=32, mutable=True),
            },
            password_policy=cognito.PasswordPolicy(min_length=12, require_symbols=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            deletion_protection=retain_data,
            removal_policy=removal,
        )
        self.user_pool_client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=physical_name(self.stage, "web"),
            generate_secret=False,
            # SRP for the apps; the admin flow needs IAM credentials (smoke tests, support).
            auth_flows=cognito.AuthFlow(user_srp=True, admin_user_password=True),
            # Sign-in goes through the SRP API (Amplify or the SDK); no hosted UI, no implicit grant.
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            # Short-lived tokens: API Gateway honours a revoked token until it expires.
            id_token_validity=cdk.Duration.minutes(30),
            access_token_validity=cdk.Duration.minutes(30),
            refresh_token_validity=cdk.Duration.days(30),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, email_verified=True, fullname=True)
            .with_custom_attributes(TENANT_ATTRIBUTE, ROLE_ATTRIBUTE),
            # Users may edit their name, never their tenant or role.
            write_attributes=cognito.ClientAttributes().with_standard_attributes(fullname=True),
        )
        # Unscoped AWS::Region, so the service stacks resolve it themselves rather than importing it.
        issuer = f"https://cognito-idp.{cdk.Aws.REGION}.amazonaws.com/{self.user_pool.user_pool_id}"
        self.auth = AuthConfig(
            issuer=issuer,
            audience=self.user_pool_client.user_pool_client_id,
            jwks_url=f"{issuer}/.well-known/jwks.json",
        )
        cdk.CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id)
        cdk.CfnOutput(self, "UserPoolClientId", value=self.user_pool_client.user_pool_client_id)
        cdk.CfnOutput(self, "AuthIssuer", value=issuer)
        cdk.CfnOutput(self, "AlarmsTopicArn", value=self.alarms_topic.topic_arn)
