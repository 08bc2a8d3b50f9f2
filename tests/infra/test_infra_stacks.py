"""The synthesized CloudFormation matches the resource declaration and keeps every async path safe."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from infra_assembly import STAGE, Assembly

from infra import settings
from infra.settings import stack_name
from infra.stacks.shared import logical_id
from truckroll.resources import RESOURCES, SERVICES, physical_name

pytestmark = pytest.mark.infra

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
HTTP_HANDLERS = {"app.app", "app.jwt_auth"}
CFN_LINT = str(Path(sys.executable).with_name("cfn-lint"))  # the API handler and the JWT authorizer


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {lid: res for lid, res in template["Resources"].items() if res["Type"] == kind}


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {lid: res["Properties"] for lid, res in resources_of(template, SERVERLESS_FUNCTION).items()}


def function_by_handler(template: dict[str, Any], handler: str) -> dict[str, Any]:
    matches = [props for props in functions(template).values() if props["Handler"] == f"app.{handler}"]
    assert len(matches) == 1, f"expected one function with handler app.{handler}, found {len(matches)}"
    return matches[0]


def single_event(function: dict[str, Any], kind: str) -> dict[str, Any]:
    events = [e["Properties"] for e in function.get("Events", {}).values() if e["Type"] == kind]
    assert len(events) == 1, f"{function['Handler']}: expected one {kind} event source, found {len(events)}"
    return events[0]


class SharedRefs:
    """Resolves a service stack's ``Fn::ImportValue`` to the shared stack's (logical id, attribute)."""

    def __init__(self, shared: dict[str, Any]) -> None:
        self.shared = shared
        self.exports: dict[str, tuple[str, str]] = {}
        for output in shared.get("Outputs", {}).values():
            if "Export" not in output:
                continue
            value = output["Value"]
            target = (
                (value["Fn::GetAtt"][0], value["Fn::GetAtt"][1])
                if "Fn::GetAtt" in value
                else (value["Ref"], "Ref")
            )
            self.exports[output["Export"]["Name"]] = target

    def resolve(self, value: Any) -> tuple[str, str]:
        assert isinstance(value, dict), f"not a shared-stack reference: {value}"
        assert "Fn::ImportValue" in value, f"not a shared-stack reference: {value}"
        return self.exports[value["Fn::ImportValue"]]

    def logical_id_named(self, kind: str, name_property: str, name: str) -> str:
        found = [
            lid
            for lid, res in resources_of(self.shared, kind).items()
            if res["Properties"].get(name_property) == name
        ]
        assert len(found) == 1, f"expected one {kind} named {name}, found {found}"
        return found[0]

    def queue(self, logical_name: str) -> str:
        return self.logical_id_named("AWS::SQS::Queue", "QueueName", physical_name(STAGE, logical_name))

    def table(self, logical_name: str) -> str:
        return self.logical_id_named("AWS::DynamoDB::Table", "TableName", physical_name(STAGE, logical_name))


@pytest.fixture(scope="module")
def refs(assembly: Assembly) -> SharedRefs:
    return SharedRefs(assembly.shared)


def test_the_app_has_a_shared_stack_a_web_stack_and_one_stack_per_service(assembly: Assembly) -> None:
    expected = {
        stack_name(STAGE, "shared"),
        stack_name(STAGE, "web"),
        *(stack_name(STAGE, s) for s in SERVICES),
    }
    assert set(assembly.all_templates()) == expected
    assert resources_of(assembly.shared, SERVERLESS_FUNCTION) == {}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_stack_holds_only_its_own_handlers(assembly: Assembly, service: str) -> None:
    template = assembly.service(service)
    declared = {q.handler for q in RESOURCES.queues if q.consumer == service}
    declared |= {c.handler for c in RESOURCES.stream_consumers if c.consumer == service}
    declared |= {s.handler for s in RESOURCES.schedules if s.consumer == service}
    handlers = {props["Handler"] for props in functions(template).values()}
    assert handlers == HTTP_HANDLERS | {f"app.{h}" for h in declared}
    for props in functions(template).values():
        # Chalice tags each function with the app it was packaged from.
        assert props["Tags"]["aws-chalice"].endswith(f":app=truckroll-{service}")
        assert props["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == service
    (api,) = resources_of(template, "AWS::Serverless::Api").values()
    assert api["Properties"]["DefinitionBody"]["info"]["title"] == f"truckroll-{service}"


def test_every_function_runs_python313(assembly: Assembly) -> None:
    runtimes = {
        (stack, lid): res["Properties"].get("Runtime")
        for stack, template in assembly.all_templates().items()
        for lid, res in template["Resources"].items()
        if res["Type"] in {SERVERLESS_FUNCTION, "AWS::Lambda::Function"}
    }
    assert runtimes, "no functions synthesized"
    assert set(runtimes.values()) == {settings.LAMBDA_PYTHON}, runtimes


def test_every_queue_consumer_reports_partial_failures_and_has_a_bounded_redrive(
    assembly: Assembly, refs: SharedRefs
) -> None:
    consumers = 0
    for service in SERVICES:
        for props in functions(assembly.service(service)).values():
            for event in props.get("Events", {}).values():
                if event["Type"] != "SQS":
                    continue
                consumers += 1
                source = event["Properties"]
                assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"], props["Handler"]
                queue_id, attribute = refs.resolve(source["Queue"])
                assert attribute == "Arn"
                queue = assembly.shared["Resources"][queue_id]["Properties"]
                redrive = queue["RedrivePolicy"]
                declared = next(
                    q for q in RESOURCES.queues if physical_name(STAGE, q.name) == queue["QueueName"]
                )
                assert declared.consumer == service
                assert redrive["maxReceiveCount"] == declared.max_receive_count
                assert 1 <= redrive["maxReceiveCount"] <= 10
                assert redrive["deadLetterTargetArn"] == {
                    "Fn::GetAtt": [refs.queue(declared.dlq_name), "Arn"]
                }
                assert source["BatchSize"] == declared.batch_size
                assert props["Timeout"] == (declared.timeout_seconds or settings.LAMBDA_TIMEOUT_SECONDS)
                # SQS: visibility timeout at least 6x the function timeout.
                assert queue["VisibilityTimeout"] >= 6 * props["Timeout"]
    assert consumers == len(RESOURCES.queues)


def test_automatic_dispatch_runs_one_request_per_call_in_a_function_of_its_own(assembly: Assembly) -> None:
    dispatch = assembly.service("dispatch")
    runs = function_by_handler(dispatch, "on_run_request")
    (event,) = runs["Events"].values()
    assert (event["Properties"]["BatchSize"], runs["Timeout"]) == (1, 120)
    assert function_by_handler(dispatch, "on_event")["Timeout"] == settings.LAMBDA_TIMEOUT_SECONDS


def test_every_declared_consumer_is_deployed_on_its_queue_or_stream(
    assembly: Assembly, refs: SharedRefs
) -> None:
    for queue in RESOURCES.queues:
        function = function_by_handler(assembly.service(queue.consumer), queue.handler)
        source = single_event(function, "SQS")
        assert refs.resolve(source["Queue"]) == (refs.queue(queue.name), "Arn")
    for consumer in RESOURCES.stream_consumers:
        function = function_by_handler(assembly.service(consumer.consumer), consumer.handler)
        source = single_event(function, "DynamoDB")
        assert refs.resolve(source["Stream"]) == (refs.table(consumer.table), "StreamArn")
    for schedule in RESOURCES.schedules:
        function = function_by_handler(assembly.service(schedule.consumer), schedule.handler)
        unit = "minute" if schedule.rate_minutes == 1 else "minutes"
        assert single_event(function, "Schedule")["Schedule"] == f"rate({schedule.rate_minutes} {unit})"


def test_every_stream_consumer_bisects_retries_a_bounded_number_of_times_and_keeps_failures(
    assembly: Assembly, refs: SharedRefs
) -> None:
    consumers = 0
    for service in SERVICES:
        for props in functions(assembly.service(service)).values():
            for event in props.get("Events", {}).values():
                if event["Type"] != "DynamoDB":
                    continue
                consumers += 1
                source = event["Properties"]
                declared = next(
                    c
                    for c in RESOURCES.stream_consumers
                    if c.consumer == service and props["Handler"] == f"app.{c.handler}"
                )
                assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
                assert source["BisectBatchOnFunctionError"] is True
                assert source["MaximumRetryAttempts"] == declared.maximum_retry_attempts
                assert 0 <= source["MaximumRetryAttempts"] <= 10  # -1 (the default) retries for a day
                assert source["BatchSize"] == declared.batch_size
                assert source["FilterCriteria"] == {"Filters": [{"Pattern": declared.filter_pattern}]}
                on_failure = source["DestinationConfig"]["OnFailure"]
                assert refs.resolve(on_failure["Destination"]) == (
                    refs.queue(declared.failure_queue_name),
                    "Arn",
                )
    assert consumers == len(RESOURCES.stream_consumers)


def test_every_dead_letter_queue_alarms_to_the_alarms_topic(assembly: Assembly, refs: SharedRefs) -> None:
    shared = assembly.shared
    queues = resources_of(shared, "AWS::SQS::Queue")
    redrive_targets = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    }
    failure_queues = {refs.queue(c.failure_queue_name) for c in RESOURCES.stream_consumers}
    dead_letter_queues = redrive_targets | failure_queues
    assert len(dead_letter_queues) == len(RESOURCES.queues) + len(RESOURCES.stream_consumers)
    # Every queue is either consumed (has a redrive policy) or is a dead-letter queue.
    consumed = {lid for lid, q in queues.items() if "RedrivePolicy" in q["Properties"]}
    assert consumed | dead_letter_queues == set(queues)

    alarms_topic = refs.logical_id_named("AWS::SNS::Topic", "TopicName", physical_name(STAGE, "alarms"))
    alarmed = {}
    for alarm in resources_of(shared, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        if (
            props.get("Namespace") == "AWS/SQS"
            and props["MetricName"] == "ApproximateNumberOfMessagesVisible"
        ):
            (dimension,) = props["Dimensions"]
            alarmed[dimension["Value"]["Fn::GetAtt"][0]] = props
    for dlq in dead_letter_queues:
        assert dlq in alarmed, f"{queues[dlq]['Properties']['QueueName']} has no depth alarm"
        props = alarmed[dlq]
        assert props["ComparisonOperator"] == "GreaterThanThreshold"
        assert props["Threshold"] == 0
        assert {"Ref": alarms_topic} in props["AlarmActions"]
        assert queues[dlq]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def _function_alarms(template: dict[str, Any], metric: str) -> dict[str, dict[str, Any]]:
    """Alarms on a Lambda metric, by the logical id of the function they watch."""
    alarms = {}
    for alarm in resources_of(template, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        if props.get("Namespace") == "AWS/Lambda" and props["MetricName"] == metric:
            (dimension,) = props["Dimensions"]
            assert dimension["Name"] == "FunctionName"
            alarms[dimension["Value"]["Ref"]] = props
    return alarms


def test_every_function_alarms_on_errors_and_every_stream_consumer_on_falling_behind(
    assembly: Assembly, refs: SharedRefs
) -> None:
    alarms_topic = refs.logical_id_named("AWS::SNS::Topic", "TopicName", physical_name(STAGE, "alarms"))
    stream_handlers = {f"app.{c.handler}" for c in RESOURCES.stream_consumers}
    watched = 0
    for service in SERVICES:
        template = assembly.service(service)
        errors = _function_alarms(template, "Errors")
        behind = _function_alarms(template, "IteratorAge")
        for lid, function in functions(template).items():
            alarm = errors[lid]
            assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Sum", 300, 0)
            assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
            assert [refs.resolve(a) for a in alarm["AlarmActions"]] == [(alarms_topic, "Ref")]
            if function["Handler"] in stream_handlers and function.get("Events"):
                alarm = behind[lid]
                assert (alarm["Statistic"], alarm["Threshold"]) == ("Maximum", 5 * 60 * 1000)
                assert [refs.resolve(a) for a in alarm["AlarmActions"]] == [(alarms_topic, "Ref")]
                watched += 1
        assert set(behind) <= set(errors)
    assert watched == len(RESOURCES.stream_consumers)


def test_tables_match_the_declaration(assembly: Assembly, refs: SharedRefs) -> None:
    tables = resources_of(assembly.shared, "AWS::DynamoDB::Table")
    assert len(tables) == len(RESOURCES.tables)
    for table in RESOURCES.tables:
        props = tables[refs.table(table.name)]["Properties"]
        assert props["KeySchema"] == [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        if table.stream:
            assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
        else:
            assert "StreamSpecification" not in props
        if table.ttl_attribute:
            assert props["TimeToLiveSpecification"] == {"AttributeName": table.ttl_attribute, "Enabled": True}
        indexes = {i["IndexName"]: i for i in props.get("GlobalSecondaryIndexes", [])}
        assert set(indexes) == {i.name for i in table.indexes}
        for index in table.indexes:
            assert indexes[index.name]["KeySchema"] == [
                {"AttributeName": index.partition_key, "KeyType": "HASH"},
                {"AttributeName": index.sort_key, "KeyType": "RANGE"},
            ]
        types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
        assert set(types.values()) == {"S"}


def test_functions_are_told_every_resource_name_and_how_to_verify_tokens(
    assembly: Assembly, refs: SharedRefs
) -> None:
    user_pool = next(iter(resources_of(assembly.shared, "AWS::Cognito::UserPool")))
    client = next(iter(resources_of(assembly.shared, "AWS::Cognito::UserPoolClient")))
    for service in SERVICES:
        for props in functions(assembly.service(service)).values():
            env = props["Environment"]["Variables"]
            for key, value in RESOURCES.environment(STAGE).items():
                assert env[key] == value, (service, key)
            issuer = env["AUTH_ISSUER"]["Fn::Join"][1]
            assert issuer[0] == "https://cognito-idp."
            assert issuer[1] == {"Ref": "AWS::Region"}
            assert issuer[2] == ".amazonaws.com/"
            assert refs.resolve(issuer[3]) == (user_pool, "Ref")
            assert env["AUTH_JWKS_URL"]["Fn::Join"][1] == [*issuer, "/.well-known/jwks.json"]
            assert refs.resolve(env["AUTH_AUDIENCE"]) == (client, "Ref")
            for queue in RESOURCES.queues:
                if queue.consumer == service:
                    assert refs.resolve(env[queue.arn_env_var]) == (refs.queue(queue.name), "Arn")
                else:
                    assert queue.arn_env_var not in env
            for consumer in RESOURCES.stream_consumers:
                stream_var = RESOURCES.table(consumer.table).stream_env_var
                if consumer.consumer == service:
                    assert refs.resolve(env[stream_var]) == (refs.table(consumer.table), "StreamArn")
            for topic in RESOURCES.topics:  # notify verifies inbound texts come from its topic
                if service == "notify":
                    name = RESOURCES.environment(STAGE)[topic.env_var]
                    expected = refs.logical_id_named("AWS::SNS::Topic", "TopicName", name)
                    assert refs.resolve(env[topic.arn_env_var]) == (expected, "Ref")
                else:
                    assert topic.arn_env_var not in env


def test_shared_resources_carry_the_declared_names(assembly: Assembly, refs: SharedRefs) -> None:
    environment = RESOURCES.environment(STAGE)
    for table in RESOURCES.tables:
        assert refs.table(table.name)
        assert environment[table.env_var] == physical_name(STAGE, table.name)
    for queue in RESOURCES.queues:
        assert refs.queue(queue.name)
        assert refs.queue(queue.dlq_name)
        props = assembly.shared["Resources"][refs.queue(queue.name)]["Properties"]
        assert props["VisibilityTimeout"] == queue.visibility_timeout_seconds
    for topic in RESOURCES.topics:
        assert refs.logical_id_named("AWS::SNS::Topic", "TopicName", environment[topic.env_var])


def _statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    policies = resources_of(template, "AWS::IAM::Policy").values()
    return [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _resources(statement: dict[str, Any]) -> list[Any]:
    resources = statement.get("Resource", [])
    return resources if isinstance(resources, list) else [resources]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_role_reaches_only_what_the_declaration_gives_it(
    assembly: Assembly, refs: SharedRefs, service: str
) -> None:
    template = assembly.service(service)
    roles = resources_of(template, "AWS::IAM::Role")
    assert len(roles) == 1, "one execution role per service"
    (role_id,) = roles
    for props in functions(template).values():
        assert props["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}
    statements = _statements(template)
    assert all(s["Effect"] == "Allow" for s in statements)

    written_tables = set()
    for statement in statements:
        assert "dynamodb:Scan" not in _actions(statement)
        assert "*" not in _actions(statement)
        assert not any(a.endswith(":*") for a in _actions(statement))
        if "dynamodb:PutItem" in _actions(statement):
            for resource in _resources(statement):
                target = resource if "Fn::ImportValue" in resource else resource["Fn::Join"][1][0]
                written_tables.add(refs.resolve(target)[0])
    owned = {refs.table(t.name) for t in RESOURCES.tables if service in t.owners}
    assert written_tables == owned

    sent_to = {
        refs.resolve(r)[0] for s in statements if "sqs:SendMessage" in _actions(s) for r in _resources(s)
    }
    consumes_stream = [c for c in RESOURCES.stream_consumers if c.consumer == service]
    expected_sends = {refs.queue(c.failure_queue_name) for c in consumes_stream}
    if consumes_stream:  # the outbox relay sends to every subscribed queue
        expected_sends |= {refs.queue(q.name) for q in RESOURCES.queues}
    assert sent_to == expected_sends

    received = {
        refs.resolve(r)[0] for s in statements if "sqs:ReceiveMessage" in _actions(s) for r in _resources(s)
    }
    assert received == {refs.queue(q.name) for q in RESOURCES.queues if q.consumer == service}

    wildcard = [s for s in statements if "*" in _resources(s)]
    assert all(_actions(s) == {"dynamodb:ListStreams"} for s in wildcard), wildcard

    publishes = [s for s in statements if "sns:Publish" in _actions(s)]
    sends_mail = [s for s in statements if "ses:SendEmail" in _actions(s)]
    if service == "notify":
        (sms,) = [s for s in publishes if "NotResource" in s]
        assert "Resource" not in sms
        (push,) = [s for s in publishes if s is not sms]
        assert _actions(push) == {"sns:Publish", "sns:CreatePlatformEndpoint"}
        targets = [r["Fn::Join"][1][-1] for r in _resources(push)]
        assert targets == [":app/*", ":endpoint/*"]
        assert sends_mail
    else:
        assert publishes == []
        assert sends_mail == []


def test_functions_wait_for_their_role_policy(assembly: Assembly) -> None:
    for service in SERVICES:
        template = assembly.service(service)
        (policy_id,) = resources_of(template, "AWS::IAM::Policy")
        for lid, res in resources_of(template, SERVERLESS_FUNCTION).items():
            assert policy_id in res.get("DependsOn", []), lid


def test_every_function_logs_to_a_group_with_bounded_retention(assembly: Assembly) -> None:
    for service in SERVICES:
        template = assembly.service(service)
        groups = {
            json.dumps(res["Properties"]["LogGroupName"]): res["Properties"]
            for res in resources_of(template, "AWS::Logs::LogGroup").values()
        }
        for lid in resources_of(template, SERVERLESS_FUNCTION):
            name = json.dumps({"Fn::Join": ["", ["/aws/lambda/", {"Ref": lid}]]})
            assert name in groups, f"{service}: {lid} has no log group"
            assert 1 <= groups[name]["RetentionInDays"] <= 365


def test_the_user_pool_carries_tenant_and_role_that_users_cannot_change(assembly: Assembly) -> None:
    (pool,) = resources_of(assembly.shared, "AWS::Cognito::UserPool").values()
    schema = {a["Name"]: a for a in pool["Properties"]["Schema"]}
    assert schema["tenant_id"]["Mutable"] is False
    assert schema["role"]["AttributeDataType"] == "String"
    assert pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    (client,) = resources_of(assembly.shared, "AWS::Cognito::UserPoolClient").values()
    props = client["Properties"]
    assert {"custom:tenant_id", "custom:role"} <= set(props["ReadAttributes"])
    assert not {"custom:tenant_id", "custom:role"} & set(props["WriteAttributes"])
    assert props["GenerateSecret"] is False
    assert "implicit" not in props.get("AllowedOAuthFlows", [])


@pytest.mark.parametrize("service", SERVICES)
def test_gateway_errors_are_problem_details(assembly: Assembly, service: str) -> None:
    (api,) = resources_of(assembly.service(service), "AWS::Serverless::Api").values()
    responses = api["Properties"]["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    for response_type, status in {"UNAUTHORIZED": 401, "ACCESS_DENIED": 403, "EXPIRED_TOKEN": 401}.items():
        response = responses[response_type]
        assert response["statusCode"] == str(status)
        assert (
            response["responseParameters"]["gatewayresponse.header.Content-Type"]
            == "'application/problem+json'"
        )
        # API Gateway substitutes $context variables; messageString arrives already quoted.
        body = response["responseTemplates"]["application/json"]
        body = body.replace("$context.error.messageString", '"Unauthorized"').replace(
            "$context.requestId", "r-1"
        )
        problem = json.loads(body)
        assert problem["status"] == status
        assert re.fullmatch(r"https://truckroll\.dev/problems/[a-z-]+", problem["type"])
        assert problem["title"]
        assert problem["detail"] == "Unauthorized"
    for body in (r["responseTemplates"]["application/json"] for r in responses.values()):
        json.loads(body.replace("$context.error.messageString", '"x"').replace("$context.requestId", "r"))


def test_cfn_lint_passes_on_every_template(assembly: Assembly) -> None:
    # No rule is ignored: cfn-lint expands the SAM transform of the service stacks itself.
    templates = sorted(str(p) for p in assembly.directory.glob("*.template.json"))
    # The shared stack, the web stack and one stack per service.
    assert len(templates) == 2 + len(SERVICES)
    result = subprocess.run([CFN_LINT, *templates], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_notify_is_subscribed_to_the_inbound_sms_topic_over_https(
    assembly: Assembly, refs: SharedRefs
) -> None:
    name = RESOURCES.environment(STAGE)["INBOUND_SMS_TOPIC"]
    topic = refs.logical_id_named("AWS::SNS::Topic", "TopicName", name)
    for service in SERVICES:
        subscriptions = resources_of(assembly.service(service), "AWS::SNS::Subscription").values()
        if service != "notify":
            assert not subscriptions
            continue
        (subscription,) = subscriptions
        props = subscription["Properties"]
        assert props["Protocol"] == "https"
        assert refs.resolve(props["TopicArn"]) == (topic, "Ref")
        url = props["Endpoint"]["Fn::Join"][1]
        assert url[0] == "https://"
        assert url[-1].endswith("/api/sms/inbound")


def test_tracking_derives_link_tokens_from_a_generated_secret(assembly: Assembly) -> None:
    tracking = assembly.service("tracking")
    (secret_id,) = resources_of(tracking, "AWS::SecretsManager::Secret")
    for service in SERVICES:
        for props in functions(assembly.service(service)).values():
            env = props["Environment"]["Variables"]
            if service != "tracking":
                assert "TRACKING_LINK_SECRET" not in env
                continue
            reference = json.dumps(env["TRACKING_LINK_SECRET"])
            assert "resolve:secretsmanager" in reference
            assert secret_id in reference


def test_buckets_are_private_encrypted_tls_only_and_take_the_pages_uploads(assembly: Assembly) -> None:
    buckets = resources_of(assembly.shared, "AWS::S3::Bucket")
    assert len(buckets) == len(RESOURCES.buckets)
    policies = resources_of(assembly.shared, "AWS::S3::BucketPolicy").values()
    for declared in RESOURCES.buckets:
        (bucket_id,) = [lid for lid in buckets if lid.startswith(logical_id(declared.name, "Bucket"))]
        props = buckets[bucket_id]["Properties"]
        assert "BucketName" not in props  # named by CloudFormation: bucket names are global
        assert all(props["PublicAccessBlockConfiguration"].values())
        (encryption,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
        (cors,) = props["CorsConfiguration"]["CorsRules"]
        assert set(cors["AllowedMethods"]) == set(declared.cors_methods)
        assert cors["AllowedHeaders"] == ["Content-Type"]  # what a presigned PUT signs beside the host
        (lifecycle,) = props["LifecycleConfiguration"]["Rules"]
        assert lifecycle["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
        assert lifecycle["Transitions"] == [
            {"StorageClass": "STANDARD_IA", "TransitionInDays": declared.infrequent_access_after_days}
        ]
        (tls_only,) = [p for p in policies if p["Properties"]["Bucket"] == {"Ref": bucket_id}]
        (deny,) = tls_only["Properties"]["PolicyDocument"]["Statement"]
        assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})


def test_only_a_buckets_owners_are_told_its_name_and_reach_its_objects(
    assembly: Assembly, refs: SharedRefs
) -> None:
    for declared in RESOURCES.buckets:
        (bucket_id,) = [
            lid
            for lid in resources_of(assembly.shared, "AWS::S3::Bucket")
            if lid.startswith(logical_id(declared.name, "Bucket"))
        ]
        for service in SERVICES:
            template = assembly.service(service)
            object_rights = [
                s for s in _statements(template) if any(a.startswith("s3:") for a in _actions(s))
            ]
            for props in functions(template).values():
                env = props["Environment"]["Variables"]
                if service in declared.owners:
                    assert refs.resolve(env[declared.env_var]) == (bucket_id, "Ref")
                else:
                    assert declared.env_var not in env
            if service not in declared.owners:
                assert object_rights == []
                continue
            actions = {a for s in object_rights for a in _actions(s)}
            assert actions == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"}
            for statement in object_rights:
                (resource,) = _resources(statement)
                arn = resource["Fn::Join"][1][0] if "Fn::Join" in resource else resource
                assert refs.resolve(arn) == (bucket_id, "Arn")


@pytest.mark.parametrize("service", SERVICES)
def test_api_gateway_caches_no_authorizer_answer(assembly: Assembly, service: str) -> None:
    """A deactivated user must be refused at their next request: every request runs the authorizer,
    which reads the user directory (a cached "allow" would outlive the deactivation)."""
    (api,) = resources_of(assembly.service(service), "AWS::Serverless::Api").values()
    schemes = api["Properties"]["DefinitionBody"]["securityDefinitions"]
    authorizers = [s["x-amazon-apigateway-authorizer"] for s in schemes.values()]
    assert authorizers
    assert all(a["authorizerResultTtlInSeconds"] == 0 for a in authorizers), authorizers
