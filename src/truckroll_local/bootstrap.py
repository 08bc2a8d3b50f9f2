"""Create every declared resource in the embedded AWS, from ``RESOURCES`` only.

Tables (``pk``/``sk`` string keys, their GSIs, a NEW_AND_OLD_IMAGES stream where declared, TTL),
each queue after its dead-letter queue with the declared ``maxReceiveCount``, each stream
consumer's failure queue, the topics, the technician app's push applications and the buckets. The result names
everything the functions and the pumps need.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from mypy_boto3_dynamodb.type_defs import (
    AttributeDefinitionTypeDef,
    CreateTableInputTypeDef,
    GlobalSecondaryIndexTypeDef,
    KeySchemaElementTypeDef,
)
from mypy_boto3_sqs.literals import QueueAttributeNameType

from truckroll.resources import Resources, Table, physical_name
from truckroll_local.aws import Aws

STAGE = "local"


@dataclass(frozen=True)
class QueueRef:
    url: str
    arn: str


@dataclass(frozen=True)
class Provisioned:
    """Physical names and ARNs of what :func:`provision` created, keyed by logical name."""

    stage: str
    stream_arns: dict[str, str] = field(default_factory=dict)
    queues: dict[str, QueueRef] = field(default_factory=dict)
    topic_arns: dict[str, str] = field(default_factory=dict)
    push_application_arns: dict[str, str] = field(default_factory=dict)
    bucket_names: dict[str, str] = field(default_factory=dict)


def _key_schema(partition_key: str, sort_key: str) -> list[KeySchemaElementTypeDef]:
    return [
        {"AttributeName": partition_key, "KeyType": "HASH"},
        {"AttributeName": sort_key, "KeyType": "RANGE"},
    ]


def _create_table(aws: Aws, stage: str, table: Table) -> str | None:
    """Create ``table``; return its stream ARN if it has a stream."""
    client = aws.dynamodb()
    name = physical_name(stage, table.name)
    key_names = ["pk", "sk", *(k for i in table.indexes for k in (i.partition_key, i.sort_key))]
    attributes: list[AttributeDefinitionTypeDef] = [
        {"AttributeName": k, "AttributeType": "S"} for k in dict.fromkeys(key_names)
    ]
    request: CreateTableInputTypeDef = {
        "TableName": name,
        "KeySchema": _key_schema("pk", "sk"),
        "AttributeDefinitions": attributes,
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": (
            {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
            if table.stream
            else {"StreamEnabled": False}
        ),
    }
    indexes: list[GlobalSecondaryIndexTypeDef] = [
        {
            "IndexName": i.name,
            "KeySchema": _key_schema(i.partition_key, i.sort_key),
            "Projection": {"ProjectionType": "ALL"},
        }
        for i in table.indexes
    ]
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    created = client.create_table(**request)
    if table.ttl_attribute:
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
        )
    return created["TableDescription"].get("LatestStreamArn") if table.stream else None


def _create_queue(aws: Aws, name: str, attributes: dict[QueueAttributeNameType, str]) -> QueueRef:
    client = aws.sqs()
    url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return QueueRef(url=url, arn=arn)


def provision(aws: Aws, resources: Resources, stage: str = STAGE) -> Provisioned:
    provisioned = Provisioned(stage=stage)
    for table in resources.tables:
        stream_arn = _create_table(aws, stage, table)
        if stream_arn is not None:
            provisioned.stream_arns[table.name] = stream_arn
    for queue in resources.queues:
        dlq = _create_queue(aws, physical_name(stage, queue.dlq_name), {})
        redrive = {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": queue.max_receive_count}
        provisioned.queues[queue.dlq_name] = dlq
        provisioned.queues[queue.name] = _create_queue(
            aws,
            physical_name(stage, queue.name),
            {
                "RedrivePolicy": json.dumps(redrive),
                "VisibilityTimeout": str(queue.visibility_timeout_seconds),
            },
        )
    for consumer in resources.stream_consumers:
        name = consumer.failure_queue_name
        provisioned.queues[name] = _create_queue(aws, physical_name(stage, name), {})
    sns = aws.sns()
    for topic in resources.topics:
        provisioned.topic_arns[topic.name] = sns.create_topic(Name=physical_name(stage, topic.name))[
            "TopicArn"
        ]
    for application in resources.push_applications:
        provisioned.push_application_arns[application.name] = sns.create_platform_application(
            Name=physical_name(stage, application.name),
            Platform=application.sns_platform,
            Attributes={"PlatformCredential": "local"},
        )["PlatformApplicationArn"]
    s3 = aws.s3()
    for bucket in resources.buckets:
        name = physical_name(stage, bucket.name)
        s3.create_bucket(Bucket=name)
        provisioned.bucket_names[bucket.name] = name
    return provisioned


def resource_environment(resources: Resources, provisioned: Provisioned) -> dict[str, str]:
    """``RESOURCES.environment`` plus the ARNs of every queue, table stream, topic and push
    application, and the name of every bucket."""
    env = resources.environment(provisioned.stage)
    for queue in resources.queues:
        env[queue.arn_env_var] = provisioned.queues[queue.name].arn
    for table in resources.tables:
        if table.name in provisioned.stream_arns:
            env[table.stream_env_var] = provisioned.stream_arns[table.name]
    for topic in resources.topics:
        env[topic.arn_env_var] = provisioned.topic_arns[topic.name]
    for application in resources.push_applications:
        env[application.env_var] = provisioned.push_application_arns[application.name]
    for bucket in resources.buckets:
        env[bucket.env_var] = provisioned.bucket_names[bucket.name]
    return env
