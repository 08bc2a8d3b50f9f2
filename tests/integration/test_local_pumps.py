"""The pumps deliver what Lambda's event source mappings would, to handlers of a tiny Chalice app."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import pytest
from chalice.app import Chalice, DynamoDBEvent, SQSEvent

from truckroll.resources import OUTBOX_INSERTS, Queue, Resources, StreamConsumer, Table, physical_name
from truckroll_local.aws import Aws
from truckroll_local.bootstrap import Provisioned, provision
from truckroll_local.pumps import SqsPump, StreamPump, drain, failed_items, matches_filter
from truckroll_local.runtime import HandlerRef

pytestmark = pytest.mark.integration


def _stage() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.mark.parametrize(
    ("response", "failed"),
    [
        (None, []),
        ("done", []),
        ({}, []),
        ({"batchItemFailures": None}, []),
        ({"batchItemFailures": []}, []),
        ({"batchItemFailures": [{"itemIdentifier": "c"}, {"itemIdentifier": "a"}]}, ["a", "c"]),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, ["a", "b", "c"]),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, ["a", "b", "c"]),
        ({"batchItemFailures": [{"itemIdentifier": {"id": "a"}}]}, ["a", "b", "c"]),
        ({"batchItemFailures": [{"item_identifier": "a"}]}, ["a", "b", "c"]),
        ({"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]}, ["a", "b", "c"]),
        ({"batchItemFailures": "a"}, ["a", "b", "c"]),
    ],
)
def test_partial_batch_responses_are_read_as_lambda_reads_them(response: object, failed: list[str]) -> None:
    assert failed_items(response, ["a", "b", "c"]) == failed


# -- SQS ---------------------------------------------------------------------------------------


def _queue_pump(aws: Aws, app: Chalice, max_receive_count: int = 3) -> tuple[SqsPump, Provisioned]:
    queue = Queue("events", "EVENTS_QUEUE", "notify", "on_event", (), max_receive_count=max_receive_count)
    provisioned = provision(
        aws, Resources(tables=(), queues=(queue,), stream_consumers=(), topics=()), _stage()
    )
    pump = SqsPump(
        name="sqs:events",
        sqs=aws.sqs(),
        queue=provisioned.queues["events"],
        handler=HandlerRef(app, "on_event"),
        batch_size=queue.batch_size,
        max_receive_count=queue.max_receive_count,
        retry_backoff_seconds=0,
    )
    return pump, provisioned


def _send(aws: Aws, url: str, *bodies: str) -> None:
    for body in bodies:
        aws.sqs().send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageAttributes={"event_type": {"DataType": "String", "StringValue": "job.booked"}},
        )


def _bodies(aws: Aws, url: str) -> list[str]:
    messages = aws.sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return sorted(m["Body"] for m in messages)


def test_sqs_event_has_the_lambda_shape(embedded_aws: Aws) -> None:
    app = Chalice("probe")
    batches: list[list[dict[str, Any]]] = []

    @app.on_sqs_message(queue="events", batch_size=10, name="on_event")
    def on_event(event: SQSEvent) -> None:
        assert [r.body for r in event] == [r["body"] for r in event.to_dict()["Records"]]
        batches.append(event.to_dict()["Records"])

    pump, provisioned = _queue_pump(embedded_aws, app)
    _send(embedded_aws, provisioned.queues["events"].url, "a", "b", "c")

    assert drain([pump]) == 3
    (records,) = batches
    assert len({r["messageId"] for r in records}) == 3
    for record in records:
        assert record["eventSource"] == "aws:sqs"
        assert record["eventSourceARN"] == provisioned.queues["events"].arn
        assert record["awsRegion"] == "us-east-1"
        assert record["attributes"]["ApproximateReceiveCount"] == "1"
        assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
        assert record["messageAttributes"]["event_type"]["stringValue"] == "job.booked"
        assert record["messageAttributes"]["event_type"]["dataType"] == "String"
        assert record["receiptHandle"]
        assert record["md5OfBody"]


def test_sqs_pump_retries_only_the_failed_message_and_dead_letters_it(embedded_aws: Aws) -> None:
    app = Chalice("probe")
    deliveries: Counter[str] = Counter()
    poison_receive_counts: list[str] = []

    @app.on_sqs_message(queue="events", batch_size=10, name="on_event")
    def on_event(event: SQSEvent) -> dict[str, Any]:
        failures = []
        for record in event.to_dict()["Records"]:
            deliveries[record["body"]] += 1
            if record["body"] == "poison":
                poison_receive_counts.append(record["attributes"]["ApproximateReceiveCount"])
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    pump, provisioned = _queue_pump(embedded_aws, app, max_receive_count=3)
    _send(embedded_aws, provisioned.queues["events"].url, "m1", "m2", "poison", "m3", "m4")

    drain([pump])

    assert deliveries == {"m1": 1, "m2": 1, "m3": 1, "m4": 1, "poison": 3}
    assert poison_receive_counts == ["1", "2", "3"]
    assert _bodies(embedded_aws, provisioned.queues["events-dlq"].url) == ["poison"]
    assert _bodies(embedded_aws, provisioned.queues["events"].url) == []
    assert (pump.stats.failed, pump.stats.dead_lettered) == (3, 1)


def test_sqs_pump_retries_the_whole_batch_when_the_handler_raises(embedded_aws: Aws) -> None:
    app = Chalice("probe")
    deliveries: Counter[str] = Counter()

    @app.on_sqs_message(queue="events", batch_size=10, name="on_event")
    def on_event(event: SQSEvent) -> None:
        for record in event:
            deliveries[record.body] += 1
        if sum(deliveries.values()) <= 2:
            raise RuntimeError("first delivery fails")

    pump, provisioned = _queue_pump(embedded_aws, app)
    _send(embedded_aws, provisioned.queues["events"].url, "a", "b")

    drain([pump])

    assert deliveries == {"a": 2, "b": 2}
    assert _bodies(embedded_aws, provisioned.queues["events-dlq"].url) == []


def test_an_unknown_item_identifier_fails_the_whole_batch(embedded_aws: Aws) -> None:
    app = Chalice("probe")
    deliveries: Counter[str] = Counter()

    @app.on_sqs_message(queue="events", batch_size=10, name="on_event")
    def on_event(event: SQSEvent) -> dict[str, Any]:
        for record in event:
            deliveries[record.body] += 1
        first = sum(deliveries.values()) <= 2
        return {"batchItemFailures": [{"itemIdentifier": ""}] if first else []}

    pump, provisioned = _queue_pump(embedded_aws, app)
    _send(embedded_aws, provisioned.queues["events"].url, "a", "b")

    drain([pump])

    assert deliveries == {"a": 2, "b": 2}


# -- DynamoDB streams -------------------------------------------------------------------------------


STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/x/stream/y"  # read only by `chalice deploy`


def _stream_pump(
    aws: Aws, app: Chalice, maximum_retry_attempts: int = 2, filter_pattern: dict[str, Any] | None = None
) -> tuple[StreamPump, str, Provisioned]:
    table = Table("items", "ITEMS_TABLE", ("booking",), stream=True)
    consumer = StreamConsumer(
        "items", "booking", "on_change", batch_size=10, maximum_retry_attempts=maximum_retry_attempts
    )
    stage = _stage()
    provisioned = provision(
        aws, Resources(tables=(table,), queues=(), stream_consumers=(consumer,), topics=()), stage
    )
    pump = StreamPump(
        name="stream:items",
        streams=aws.streams(),
        stream_arn=provisioned.stream_arns["items"],
        handler=HandlerRef(app, "on_change"),
        batch_size=consumer.batch_size,
        maximum_retry_attempts=consumer.maximum_retry_attempts,
        sqs=aws.sqs(),
        failure_queue=provisioned.queues[consumer.failure_queue_name],
        filter_pattern=filter_pattern,
        retry_backoff_seconds=0,
    )
    return pump, physical_name(stage, "items"), provisioned


def _put(aws: Aws, table_name: str, *sks: str) -> None:
    for sk in sks:
        aws.dynamodb().put_item(TableName=table_name, Item={"pk": {"S": "tenant#demo"}, "sk": {"S": sk}})


def _recording_stream_app(fail: Any) -> tuple[Chalice, list[list[dict[str, Any]]]]:
    """An app whose handler records each batch and answers ``fail(batch_number, records)``."""
    app = Chalice("probe")
    batches: list[list[dict[str, Any]]] = []

    @app.on_dynamodb_record(stream_arn=STREAM_ARN, name="on_change")
    def on_change(event: DynamoDBEvent) -> Any:
        records = event.to_dict()["Records"]
        batches.append(records)
        return fail(len(batches), records)

    return app, batches


def _sks(batch: list[dict[str, Any]]) -> list[str]:
    return [r["dynamodb"]["Keys"]["sk"]["S"] for r in batch]


def test_stream_event_has_the_lambda_shape(embedded_aws: Aws) -> None:
    app = Chalice("probe")
    records: list[dict[str, Any]] = []
    parsed: list[tuple[str, str, Any]] = []

    @app.on_dynamodb_record(stream_arn=STREAM_ARN, name="on_change")
    def on_change(event: DynamoDBEvent) -> None:
        # Chalice parses each record on iteration: it needs eventSourceARN and a numeric timestamp.
        parsed.extend((r.event_name, r.table_name, r.timestamp) for r in event)
        records.extend(event.to_dict()["Records"])

    pump, table_name, provisioned = _stream_pump(embedded_aws, app)
    _put(embedded_aws, table_name, "job#1")
    embedded_aws.dynamodb().update_item(
        TableName=table_name,
        Key={"pk": {"S": "tenant#demo"}, "sk": {"S": "job#1"}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "scheduled"}},
    )

    assert drain([pump]) == 2

    assert [(name, table) for name, table, _ in parsed] == [("INSERT", table_name), ("MODIFY", table_name)]
    insert, modify = records
    for record in records:
        assert record["eventSource"] == "aws:dynamodb"
        assert record["eventSourceARN"] == provisioned.stream_arns["items"]
        assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], float)
        assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert record["dynamodb"]["SizeBytes"] > 0
        assert record["dynamodb"]["Keys"] == {"pk": {"S": "tenant#demo"}, "sk": {"S": "job#1"}}
        assert record["eventID"]
        assert record["awsRegion"] == "us-east-1"
    assert "OldImage" not in insert["dynamodb"]
    assert modify["dynamodb"]["OldImage"] == {"pk": {"S": "tenant#demo"}, "sk": {"S": "job#1"}}
    assert modify["dynamodb"]["NewImage"]["status"] == {"S": "scheduled"}
    assert int(modify["dynamodb"]["SequenceNumber"]) > int(insert["dynamodb"]["SequenceNumber"])


def test_stream_pump_drops_the_records_the_outbox_filter_does_not_match(embedded_aws: Aws) -> None:
    app, batches = _recording_stream_app(lambda _n, _records: None)
    pump, table_name, _ = _stream_pump(embedded_aws, app, filter_pattern=json.loads(OUTBOX_INSERTS))
    dynamodb = embedded_aws.dynamodb()
    for sk, kind in [("fix#1", "fix"), ("outbox#1", "outbox"), ("fix#2", "fix"), ("outbox#2", "outbox")]:
        item = {"pk": {"S": "tenant#demo"}, "sk": {"S": sk}, "kind": {"S": kind}}
        dynamodb.put_item(TableName=table_name, Item=item)
    dynamodb.delete_item(TableName=table_name, Key={"pk": {"S": "tenant#demo"}, "sk": {"S": "outbox#1"}})

    drain([pump])

    assert [_sks(b) for b in batches] == [["outbox#1", "outbox#2"]]  # inserts of outbox items only
    assert pump.stats.invocations == 1


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ({"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "outbox"}}}}, True),
        ({"eventName": "MODIFY", "dynamodb": {"NewImage": {"kind": {"S": "outbox"}}}}, False),
        ({"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "fix"}}}}, False),
        ({"eventName": "INSERT", "dynamodb": {"NewImage": {}}}, False),
        ({"eventName": "REMOVE", "dynamodb": {"OldImage": {"kind": {"S": "outbox"}}}}, False),
    ],
)
def test_the_outbox_filter_matches_new_outbox_items_only(value: dict[str, Any], matches: bool) -> None:
    assert matches_filter(json.loads(OUTBOX_INSERTS), value) is matches


def test_stream_pump_retries_from_the_lowest_failed_sequence_number(embedded_aws: Aws) -> None:
    def fail_second_record_once(batch_number: int, records: list[dict[str, Any]]) -> dict[str, Any]:
        if batch_number > 1:
            return {"batchItemFailures": []}
        # Lambda retries from the lowest reported failure, whatever else is reported.
        failed = [records[3], records[1]]
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in failed]}

    app, batches = _recording_stream_app(fail_second_record_once)
    pump, table_name, _ = _stream_pump(embedded_aws, app)
    _put(embedded_aws, table_name, "a", "b", "c", "d")

    drain([pump])

    assert [_sks(b) for b in batches] == [["a", "b", "c", "d"], ["b", "c", "d"]]
    assert batches[1][0]["dynamodb"]["SequenceNumber"] == batches[0][1]["dynamodb"]["SequenceNumber"]


def test_stream_pump_retries_the_whole_batch_when_the_handler_raises(embedded_aws: Aws) -> None:
    def raise_once(batch_number: int, records: list[dict[str, Any]]) -> None:
        if batch_number == 1:
            raise RuntimeError("first delivery fails")

    app, batches = _recording_stream_app(raise_once)
    pump, table_name, _ = _stream_pump(embedded_aws, app)
    _put(embedded_aws, table_name, "a", "b")

    drain([pump])

    assert [_sks(b) for b in batches] == [["a", "b"], ["a", "b"]]


def test_stream_pump_sends_exhausted_batches_to_the_failure_queue_and_moves_on(embedded_aws: Aws) -> None:
    def always_fail_b(batch_number: int, records: list[dict[str, Any]]) -> dict[str, Any]:
        failed = [r for r in records if r["dynamodb"]["Keys"]["sk"]["S"] == "b"]
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in failed]}

    app, batches = _recording_stream_app(always_fail_b)
    pump, table_name, provisioned = _stream_pump(embedded_aws, app, maximum_retry_attempts=2)
    _put(embedded_aws, table_name, "a", "b", "c")

    drain([pump])

    # One invocation, then two retries from "b"; then the batch from "b" goes to the destination.
    assert [_sks(b) for b in batches] == [["a", "b", "c"], ["b", "c"], ["b", "c"]]
    failure_queue = provisioned.queues["booking-items-stream-failures"]
    (message,) = embedded_aws.sqs().receive_message(QueueUrl=failure_queue.url).get("Messages", [])
    failure = json.loads(message["Body"])
    info = failure["DDBStreamBatchInfo"]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 3
    assert info["startSequenceNumber"] == batches[1][0]["dynamodb"]["SequenceNumber"]
    assert info["endSequenceNumber"] == batches[1][-1]["dynamodb"]["SequenceNumber"]
    assert info["batchSize"] == 2
    assert info["streamArn"] == provisioned.stream_arns["items"]
    assert pump.stats.dead_lettered == 2

    _put(embedded_aws, table_name, "e")
    drain([pump])
    assert _sks(batches[-1]) == ["e"]
