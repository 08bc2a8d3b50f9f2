"""One stack per service: its Chalice app (through :class:`ChaliceService`), its execution role with
least-privilege grants, and the event-source settings Chalice cannot express."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra import settings
from infra.constructs.chalice_service import ChaliceService
from infra.stacks.gateway_responses import gateway_responses
from infra.stacks.shared import SharedStack
from truckroll.config import LINK_BASE_URL_ENV, LINK_SECRET_ENV
from truckroll.resources import (
    INBOUND_SMS_TOPIC,
    Queue,
    Resources,
    Schedule,
    Service,
    StreamConsumer,
)

# Item reads and writes, transactions included (they authorize per item action). No Scan: every
# list is a Query.
BUCKET_OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")
TABLE_DATA_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:DescribeTable",
)
ALARM_PERIOD = cdk.Duration.minutes(5)
ITERATOR_AGE_ALARM = cdk.Duration.minutes(5)


class DeclarationMismatch(ValueError):
    """The app's handlers and the resource declaration disagree."""


@dataclass(frozen=True)
class ServicePlan:
    """What the declaration says one service runs and touches."""

    service: Service
    queues: tuple[Queue, ...]
    stream_consumers: tuple[StreamConsumer, ...]
    schedules: tuple[Schedule, ...]
    owned_tables: tuple[str, ...]

    @classmethod
    def of(cls, service: Service, resources: Resources) -> ServicePlan:
        return cls(
            service=service,
            queues=tuple(q for q in resources.queues if q.consumer == service),
            stream_consumers=tuple(c for c in resources.stream_consumers if c.consumer == service),
            schedules=tuple(s for s in resources.schedules if s.consumer == service),
            owned_tables=tuple(t.name for t in resources.tables if service in t.owners),
        )

    @property
    def relays_outbox(self) -> bool:
        """A stream consumer relays outbox items to every subscribed queue, whatever the event type."""
        return bool(self.stream_consumers)

    def handlers(self) -> set[str]:
        """Handler strings of the declared event functions."""
        names = [q.handler for q in self.queues] + [c.handler for c in self.stream_consumers]
        names += [s.handler for s in self.schedules]
        return {f"app.{name}" for name in names}


def rate_expression(minutes: int) -> str:
    return f"rate({minutes} minute)" if minutes == 1 else f"rate({minutes} minutes)"


class ServiceStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service: Service,
        stage: str,
        shared: SharedStack,
        resources: Resources,
        source_dir: Path,
        work_dir: Path,
        cache_dir: Path = settings.CACHE_DIR,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.add_stack_dependency(shared)
        self.service = service
        self.plan = ServicePlan.of(service, resources)
        self._shared = shared
        for queue in self.plan.queues:
            timeout = queue.timeout_seconds or settings.LAMBDA_TIMEOUT_SECONDS
            if queue.visibility_timeout_seconds < 6 * timeout:
                raise DeclarationMismatch(
                    f"{queue.name}: visibility timeout {queue.visibility_timeout_seconds}s is under 6 x the "
                    f"function timeout ({timeout}s)"
                )

        self.role = iam.Role(
            self,
            "FunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Truckroll {service} functions ({stage})",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSLambdaBasicExecutionRole"),
                iam.ManagedPolicy.from_aws_managed_policy_name("AWSXRayDaemonWriteAccess"),
            ],
        )
        self.function_environment = self._environment(stage, resources)
        self.app = ChaliceService(
            self,
            "Service",
            source_dir=source_dir,
            work_dir=work_dir,
            cache_dir=cache_dir,
            stage_config={
                "api_gateway_stage": settings.API_GATEWAY_STAGE,
                "api_gateway_endpoint_type": "REGIONAL",
                "manage_iam_role": False,
                "iam_role_arn": self.role.role_arn,
                "autogen_policy": False,
                "automatic_layer": False,
                "lambda_timeout": settings.LAMBDA_TIMEOUT_SECONDS,
                "lambda_memory_size": settings.LAMBDA_MEMORY_MB,
                "xray": True,
                "environment_variables": self.function_environment,
                "tags": {"truckroll:service": service, "truckroll:stage": stage},
            },
        )
        self._grant()
        self._wire_event_sources()
        self._problem_gateway_responses()
        self._functions_wait_for_their_permissions()
        self._log_groups()
        self._alarms()
        self._inbound_sms_subscription()

    def _environment(self, stage: str, resources: Resources) -> dict[str, str]:
        auth = self._shared.auth
        env = {
            **resources.environment(stage),
            "POWERTOOLS_SERVICE_NAME": self.service,
            "POWERTOOLS_METRICS_NAMESPACE": "Truckroll",
            "AUTH_ISSUER": auth.issuer,
            "AUTH_AUDIENCE": auth.audience,
            "AUTH_JWKS_URL": auth.jwks_url,
        }
        for queue in self.plan.queues:
            env[queue.arn_env_var] = self._shared.queues[queue.name].queue_arn
        for consumer in self.plan.stream_consumers:
            table = resources.table(consumer.table)
            stream_arn = self._shared.tables[table.name].table_stream_arn
            assert stream_arn is not None  # the shared stack refuses consumers of stream-less tables
            env[table.stream_env_var] = stream_arn
        for bucket in resources.buckets:
            if self.service in bucket.owners:
                env[bucket.env_var] = self._shared.buckets[bucket.name].bucket_name
        if self.service == "notify":
            for topic in resources.topics:
                env[topic.arn_env_var] = self._shared.topics[topic.name].topic_arn
            # The technician app's push applications hold FCM/APNs credentials and are made outside
            # the stacks: ``-c PUSH_FCM_APPLICATION_ARN=arn:...``. Without one, registering a device
            # of that platform is refused with a problem saying so.
            for application in resources.push_applications:
                arn = self.node.try_get_context(application.env_var)
                if arn:
                    env[application.env_var] = str(arn)
        if self.service == "tracking":
            env.update(self._tracking_link_environment())
        return env

    def _tracking_link_environment(self) -> dict[str, str]:
        """The customer links' secret (generated, resolved by CloudFormation at deploy time) and,
        from context ``tracking_link_base_url``, the public URL they start with. Without it the
        service refuses to mint links (a failed, retried event), never a link to nowhere."""
        secret = secretsmanager.Secret(
            self,
            "TrackingLinkSecret",
            description="Truckroll: the secret customer tracking link tokens are derived from",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        env = {LINK_SECRET_ENV: secret.secret_value.unsafe_unwrap()}
        base_url = self.node.try_get_context("tracking_link_base_url")
        if base_url:
            env[LINK_BASE_URL_ENV] = str(base_url)
        return env

    # -- permissions ---------------------------------------------------------------------------------

    def _grant(self) -> None:
        shared, role = self._shared, self.role
        for name in self.plan.owned_tables:
            table = shared.tables[name]
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=list(TABLE_DATA_ACTIONS),
                    resources=[table.table_arn, f"{table.table_arn}/index/*"],
                )
            )
        for bucket in self._shared.resources.buckets:
            if self.service in bucket.owners:  # presigned URLs act with the signer's rights
                construct = shared.buckets[bucket.name]
                role.add_to_principal_policy(
                    iam.PolicyStatement(
                        actions=list(BUCKET_OBJECT_ACTIONS), resources=[construct.arn_for_objects("*")]
                    )
                )
                # Without it, asking for an object not (yet) uploaded answers 403 instead of 404.
                role.add_to_principal_policy(
                    iam.PolicyStatement(actions=["s3:ListBucket"], resources=[construct.bucket_arn])
                )
        for consumer in self.plan.stream_consumers:
            shared.tables[consumer.table].grant_stream_read(role)
            # Lambda sends the on-failure record with the function's role.
            shared.failure_queues[consumer].grant_send_messages(role)
        for queue in self.plan.queues:
            shared.queues[queue.name].grant_consume_messages(role)
        if self.plan.relays_outbox:
            for event_queue in shared.queues.values():
                event_queue.grant_send_messages(role)
        if self.service == "notify":
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    sid="SmsThroughSns",
                    actions=["sns:Publish"],
                    # Publishing to a phone number has no resource ARN; excluding every topic ARN leaves
                    # exactly direct SMS.
                    not_resources=[f"arn:{cdk.Aws.PARTITION}:sns:*:*:*"],
                )
            )
            sns_arn = f"arn:{cdk.Aws.PARTITION}:sns:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}"
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    sid="PushThroughSnsPlatformEndpoints",
                    actions=["sns:CreatePlatformEndpoint", "sns:Publish"],
                    resources=[f"{sns_arn}:app/*", f"{sns_arn}:endpoint/*"],
                )
            )
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    sid="EmailThroughSes",
                    actions=["ses:SendEmail", "ses:SendRawEmail"],
                    resources=[
                        f"arn:{cdk.Aws.PARTITION}:ses:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:identity/*",
                        f"arn:{cdk.Aws.PARTITION}:ses:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:configuration-set/*",
                    ],
                )
            )

    def _functions_wait_for_their_permissions(self) -> None:
        """Event source mappings are validated against the role when created: make every function
        (and so its mappings) wait for the role's policy."""
        policy = self.role.node.try_find_child("DefaultPolicy")
        if policy is None:
            return
        cfn_policy = policy.node.default_child
        for logical_id in self.app.functions():
            self.app.resource(logical_id).add_resource_dependency(cfn_policy)

    # -- event sources -------------------------------------------------------------------------------

    def _event_of(self, handler: str, event_type: str) -> tuple[str, str, dict[str, Any]]:
        """(function logical id, event id, event properties) of the app's ``handler`` function."""
        for logical_id, function in self.app.functions().items():
            if function["Properties"]["Handler"] != f"app.{handler}":
                continue
            events = {
                eid: e
                for eid, e in function["Properties"].get("Events", {}).items()
                if e["Type"] == event_type
            }
            if len(events) != 1:
                raise DeclarationMismatch(
                    f"{self.service}: {handler} is declared as a {event_type} consumer but has {len(events)} "
                    f"such event sources"
                )
            ((event_id, event),) = events.items()
            return logical_id, event_id, event["Properties"]
        raise DeclarationMismatch(
            f"{self.service}: the declaration names handler {handler!r} ({event_type}), "
            f"but app.py has no such function"
        )

    def _override(self, logical_id: str, event_id: str, properties: dict[str, Any]) -> None:
        resource = self.app.resource(logical_id)
        for key, value in properties.items():
            resource.add_property_override(f"Events.{event_id}.Properties.{key}", value)

    def _wire_event_sources(self) -> None:
        declared = self.plan.handlers()
        for function in self.app.functions().values():
            handler = function["Properties"]["Handler"]
            has_events = bool(function["Properties"].get("Events"))
            if has_events and handler not in declared:
                raise DeclarationMismatch(
                    f"{self.service}: {handler} has event sources but truckroll.resources declares no such "
                    f"consumer or schedule for this service"
                )

        for queue in self.plan.queues:
            logical_id, event_id, props = self._event_of(queue.handler, "SQS")
            expected = self._shared.queues[queue.name].queue_arn
            if props.get("Queue") != expected:
                raise DeclarationMismatch(
                    f"{self.service}.{queue.handler} must consume queue_arn=os.environ[{queue.arn_env_var!r}]"
                )
            self._override(
                logical_id,
                event_id,
                {
                    "BatchSize": queue.batch_size,
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                },
            )
            if queue.timeout_seconds:  # Chalice's stage settings give every function one timeout
                self.app.resource(logical_id).add_property_override("Timeout", queue.timeout_seconds)

        for consumer in self.plan.stream_consumers:
            logical_id, event_id, props = self._event_of(consumer.handler, "DynamoDB")
            table = self._shared.resources.table(consumer.table)
            if props.get("Stream") != self._shared.tables[consumer.table].table_stream_arn:
                raise DeclarationMismatch(
                    f"{self.service}.{consumer.handler} must read "
                    f"stream_arn=os.environ[{table.stream_env_var!r}]"
                )
            properties: dict[str, Any] = {
                "BatchSize": consumer.batch_size,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "BisectBatchOnFunctionError": True,
                "MaximumRetryAttempts": consumer.maximum_retry_attempts,
                "DestinationConfig": {
                    "OnFailure": {
                        "Type": "SQS",
                        "Destination": self._shared.failure_queues[consumer].queue_arn,
                    }
                },
            }
            if consumer.filter_pattern is not None:  # records it drops never invoke the function
                properties["FilterCriteria"] = {"Filters": [{"Pattern": consumer.filter_pattern}]}
            self._override(logical_id, event_id, properties)

        for schedule in self.plan.schedules:
            logical_id, event_id, _props = self._event_of(schedule.handler, "Schedule")
            self._override(logical_id, event_id, {"Schedule": rate_expression(schedule.rate_minutes)})

    def _log_groups(self) -> None:
        """Lambda would create each function's log group on first use, keeping logs forever. (Chalice's own
        ``log_retention_in_days`` names the renamed API handler wrongly in a SAM package.)"""
        for logical_id in self.app.functions():
            logs.CfnLogGroup(
                self,
                f"{logical_id}Logs",
                log_group_name=f"/aws/lambda/{self.app.resource(logical_id).ref}",
                retention_in_days=settings.LOG_RETENTION_DAYS,
            )

    def _alarms(self) -> None:
        """To the shared alarms topic: any function error within 5 minutes (an API handler's crash, a
        consumer's failed batch, a schedule's failed run), and a stream consumer whose oldest unread
        record is over :data:`ITERATOR_AGE_ALARM` old (it is failing or cannot keep up)."""
        stream_handlers = {f"app.{c.handler}" for c in self.plan.stream_consumers}
        for logical_id, function in self.app.functions().items():
            self._function_alarm(
                logical_id, "Errors", "Sum", 0, f"{logical_id} failed at least once in 5 minutes."
            )
            if function["Properties"]["Handler"] in stream_handlers:
                self._function_alarm(
                    logical_id,
                    "IteratorAge",
                    "Maximum",
                    ITERATOR_AGE_ALARM.to_milliseconds(),
                    f"{logical_id} is more than {ITERATOR_AGE_ALARM.to_minutes()} minutes behind its stream.",
                )

    def _function_alarm(
        self, logical_id: str, metric_name: str, statistic: str, threshold: float, description: str
    ) -> None:
        """The function's ``metric_name`` above ``threshold`` for 5 minutes: the alarms topic hears of
        it, and of its recovery."""
        alarm = cloudwatch.Alarm(
            self,
            f"{logical_id}{metric_name}Alarm",
            alarm_description=f"{self.service}: {description}",
            metric=cloudwatch.Metric(
                namespace="AWS/Lambda",
                metric_name=metric_name,
                dimensions_map={"FunctionName": self.app.resource(logical_id).ref},
                statistic=statistic,
                period=ALARM_PERIOD,
            ),
            threshold=threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        action = cw_actions.SnsAction(self._shared.alarms_topic)
        alarm.add_alarm_action(action)
        alarm.add_ok_action(action)

    # -- HTTP edge -----------------------------------------------------------------------------------

    @property
    def api_domain_name(self) -> str:
        """The REST API's own host name (``{id}.execute-api.{region}.amazonaws.com``), whose stage
        :data:`settings.API_GATEWAY_STAGE` answers the service's routes."""
        api = self.app.resource("RestAPI").ref
        return f"{api}.execute-api.{cdk.Aws.REGION}.{cdk.Aws.URL_SUFFIX}"

    def _inbound_sms_subscription(self) -> None:
        """Customers' text replies reach notify's webhook through an HTTPS subscription of the
        inbound-SMS topic (notify confirms it and verifies each message's SNS signature)."""
        topic = self._shared.topics.get(INBOUND_SMS_TOPIC)
        if self.service != "notify" or topic is None:
            return
        sns.Subscription(
            self,
            "InboundSmsSubscription",
            topic=topic,
            protocol=sns.SubscriptionProtocol.HTTPS,
            endpoint=f"https://{self.api_domain_name}/{settings.API_GATEWAY_STAGE}/sms/inbound",
        )

    def _problem_gateway_responses(self) -> None:
        if "RestAPI" not in self.app.sam_resources:
            return
        self.app.resource("RestAPI").add_property_override(
            "DefinitionBody.x-amazon-apigateway-gateway-responses", gateway_responses()
        )
