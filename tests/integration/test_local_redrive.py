"""Redriving a dead-letter queue on a running local stack, as ``aws sqs start-message-move-task``
does in AWS."""

from __future__ import annotations

import boto3
import pytest

from truckroll.resources import physical_name
from truckroll_local.bootstrap import STAGE
from truckroll_local.redrive import main
from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration


def test_every_dead_lettered_message_goes_back_to_its_queue_with_its_attributes(
    local_stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    sqs = boto3.client("sqs", endpoint_url=local_stack.environment["AWS_ENDPOINT_URL"])
    dlq = sqs.get_queue_url(QueueName=physical_name(STAGE, "notify-events-dlq"))["QueueUrl"]
    queue = sqs.get_queue_url(QueueName=physical_name(STAGE, "notify-events"))["QueueUrl"]
    bodies = [f'{{"n": {n}}}' for n in range(13)]  # more than one batch
    for body in bodies:
        attributes = {"event_type": {"DataType": "String", "StringValue": "job.booked"}}
        sqs.send_message(QueueUrl=dlq, MessageBody=body, MessageAttributes=attributes)

    assert main(["notify-events", "--url", local_stack.base_url]) == 0

    assert "moved 13 message(s) from notify-events-dlq back to notify-events" in capsys.readouterr().out
    moved = []
    while messages := sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", []):
        moved += messages
        # Taken off the queue for good: left in flight they would hold the worker's stack busy.
        sqs.delete_message_batch(
            QueueUrl=queue,
            Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)],
        )
    assert sorted(m["Body"] for m in moved) == sorted(bodies)
    assert {m["MessageAttributes"]["event_type"]["StringValue"] for m in moved} == {"job.booked"}
    assert (
        sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
        == "0"
    )


def test_only_declared_queues_can_be_redriven() -> None:
    with pytest.raises(SystemExit):
        main(["no-such-queue"])
