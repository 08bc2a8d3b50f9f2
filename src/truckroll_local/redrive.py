"""``python -m truckroll_local.redrive QUEUE`` (``make redrive QUEUE=notify-events``): move every
message of a queue's dead-letter queue back to the queue, on a running local stack.

What ``aws sqs start-message-move-task`` does in AWS, which moto does not implement: each message
is sent again with its body and attributes, then deleted from the dead-letter queue. The consumer
then receives it like any new message (and, being idempotent, does nothing twice).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request

from mypy_boto3_sqs import SQSClient
from mypy_boto3_sqs.type_defs import MessageAttributeValueOutputTypeDef, MessageAttributeValueTypeDef

from truckroll.resources import RESOURCES, physical_name
from truckroll_local.aws import Aws
from truckroll_local.bootstrap import STAGE

BATCH = 10


class MoveFailed(RuntimeError):
    pass


def _attribute(value: MessageAttributeValueOutputTypeDef) -> MessageAttributeValueTypeDef:
    sent: MessageAttributeValueTypeDef = {"DataType": value["DataType"]}
    if "StringValue" in value:
        sent["StringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        sent["BinaryValue"] = value["BinaryValue"]
    return sent


def move_messages(sqs: SQSClient, source_url: str, destination_url: str) -> int:
    """Move every message visible in ``source_url`` to ``destination_url``; return how many."""
    moved = 0
    while messages := sqs.receive_message(
        QueueUrl=source_url, MaxNumberOfMessages=BATCH, MessageAttributeNames=["All"], WaitTimeSeconds=0
    ).get("Messages", []):
        sent = sqs.send_message_batch(
            QueueUrl=destination_url,
            Entries=[
                {
                    "Id": str(n),
                    "MessageBody": message["Body"],
                    "MessageAttributes": {
                        name: _attribute(value)
                        for name, value in message.get("MessageAttributes", {}).items()
                    },
                }
                for n, message in enumerate(messages)
            ],
        )
        if failed := sent.get("Failed"):
            raise MoveFailed(f"{len(failed)} message(s) could not be sent back: {failed}")
        sqs.delete_message_batch(
            QueueUrl=source_url,
            Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)],
        )
        moved += len(messages)
    return moved


def redrive(aws: Aws, queue: str, stage: str = STAGE) -> int:
    """Move the messages of ``queue``'s dead-letter queue (logical names) back to it."""
    sqs = aws.sqs()
    source = sqs.get_queue_url(QueueName=physical_name(stage, f"{queue}-dlq"))["QueueUrl"]
    destination = sqs.get_queue_url(QueueName=physical_name(stage, queue))["QueueUrl"]
    return move_messages(sqs, source, destination)


def moto_endpoint(stack_url: str) -> str:
    """Where the running stack's embedded AWS answers (its ``/health`` says)."""
    with urllib.request.urlopen(f"{stack_url}/health", timeout=10) as response:  # noqa: S310 - local URL
        report = json.load(response)
    return str(report["checks"]["moto"]["endpoint"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m truckroll_local.redrive", description=__doc__)
    parser.add_argument("queue", choices=[q.name for q in RESOURCES.queues])
    parser.add_argument(
        "--url", default="http://127.0.0.1:8000", help="the running stack (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    moved = redrive(Aws(moto_endpoint(args.url)), args.queue)
    print(f"moved {moved} message(s) from {args.queue}-dlq back to {args.queue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
