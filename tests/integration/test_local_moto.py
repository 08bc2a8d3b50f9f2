"""The embedded DynamoDB under concurrent writers: transactions are all-or-nothing, a refused one
leaves neither items nor stream records behind, and stream readers keep reading after it."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from truckroll_local.aws import Aws

pytestmark = pytest.mark.integration


@pytest.fixture
def table(embedded_aws: Aws) -> str:
    name = f"t-{uuid.uuid4().hex[:8]}"
    embedded_aws.dynamodb().create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return name


def _put(table: str, pk: str, *, new: bool = True) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": table, "Item": {"pk": {"S": pk}, "sk": {"S": "x"}}}
    if new:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    return {"Put": put}


def _iterator(aws: Aws, table: str) -> str:
    arn = aws.dynamodb().describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = aws.streams().describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = aws.streams().get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return str(it["ShardIterator"])


def _read(aws: Aws, iterator: str) -> tuple[list[str], str]:
    page = aws.streams().get_records(ShardIterator=iterator)
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]]
    return keys, page["NextShardIterator"]


def test_a_refused_transaction_writes_nothing_and_streams_keep_flowing(embedded_aws: Aws, table: str) -> None:
    db = embedded_aws.dynamodb()
    iterator = _iterator(embedded_aws, table)
    db.transact_write_items(TransactItems=[_put(table, "a")])

    with pytest.raises(ClientError) as refused:
        db.transact_write_items(TransactItems=[_put(table, "b"), _put(table, "a")])
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in refused.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert "Item" not in db.get_item(TableName=table, Key={"pk": {"S": "b"}, "sk": {"S": "x"}})

    db.transact_write_items(TransactItems=[_put(table, "c")])
    seen, iterator = _read(embedded_aws, iterator)
    assert seen == ["a", "c"]


def test_concurrent_conditional_transactions_have_exactly_one_winner(embedded_aws: Aws, table: str) -> None:
    db = embedded_aws.dynamodb()

    def attempt(i: int) -> str:
        try:
            db.transact_write_items(TransactItems=[_put(table, f"job-{i}", new=False), _put(table, "slot")])
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "ok"

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(100)))
    assert outcomes.count("ok") == 1
    assert outcomes.count("TransactionCanceledException") == 99
    items = db.scan(TableName=table)["Items"]
    assert len(items) == 2  # the slot and the one winning job
