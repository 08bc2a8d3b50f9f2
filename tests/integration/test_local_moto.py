"""The embedded DynamoDB under concurrent writers: transactions are all-or-nothing, a refused one
leaves neither items nor stream records behind, and stream readers keep reading after it. Its
Queries read only what they ask for and still answer as DynamoDB does (order, key conditions,
pages, indexes), and the answers it writes as JSON itself are those moto's serializer would write."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.core.responses import ActionContext, get_service_model
from moto.core.serialize import get_serializer_class
from moto.dynamodb.responses import DynamoResult

from truckroll_local import moto_dynamodb
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


@pytest.fixture
def indexed(embedded_aws: Aws) -> str:
    """A table with a global secondary index (``gpk``/``gsk``), holding 5 partitions of 30 items;
    every third item is in the index, under one of two index partitions."""
    name = f"q-{uuid.uuid4().hex[:8]}"
    db = embedded_aws.dynamodb()
    db.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": "S"} for attribute in ("pk", "sk", "gpk", "gsk")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [
                    {"AttributeName": "gpk", "KeyType": "HASH"},
                    {"AttributeName": "gsk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for p in range(5):
        for i in reversed(range(30)):  # written out of order
            item = {"pk": {"S": f"p{p}"}, "sk": {"S": f"s{i:02d}"}}
            if i % 3 == 0:
                item |= {"gpk": {"S": f"g{i % 2}"}, "gsk": {"S": f"{(29 - i):02d}-{p}"}}
            db.put_item(TableName=name, Item=item)
    return name


def _pages(db: Any, **query: Any) -> list[list[str]]:
    pages, start = [], None
    while True:
        page = db.query(**query, **({"ExclusiveStartKey": start} if start else {}))
        pages.append([f"{i['pk']['S']}/{i['sk']['S']}" for i in page["Items"]])
        start = page.get("LastEvaluatedKey")
        if not start:
            return pages


def test_a_query_answers_its_partition_in_key_order_page_by_page(embedded_aws: Aws, indexed: str) -> None:
    db = embedded_aws.dynamodb()
    partition = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p3"}}}
    everything = _pages(db, TableName=indexed, **partition)
    assert everything == [[f"p3/s{i:02d}" for i in range(30)]]
    assert _pages(db, TableName=indexed, Limit=7, **partition) == [
        [f"p3/s{i:02d}" for i in range(start, min(start + 7, 30))] for start in range(0, 30, 7)
    ]
    backwards = _pages(db, TableName=indexed, ScanIndexForward=False, Limit=20, **partition)
    assert [key for page in backwards for key in page] == [f"p3/s{i:02d}" for i in reversed(range(30))]
    between = db.query(
        TableName=indexed,
        KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
        ExpressionAttributeValues={":p": {"S": "p1"}, ":a": {"S": "s10"}, ":b": {"S": "s12"}},
    )
    assert [i["sk"]["S"] for i in between["Items"]] == ["s10", "s11", "s12"]
    missing = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "none"}}}
    assert db.query(TableName=indexed, **missing)["Items"] == []


def test_a_query_of_an_index_answers_across_partitions_in_the_index_order(
    embedded_aws: Aws, indexed: str
) -> None:
    db = embedded_aws.dynamodb()
    index = {
        "TableName": indexed,
        "IndexName": "by-g",
        "KeyConditionExpression": "gpk = :g",
        "ExpressionAttributeValues": {":g": {"S": "g0"}},
    }
    expected = sorted(
        ((f"{(29 - i):02d}-{p}", f"p{p}/s{i:02d}") for p in range(5) for i in range(0, 30, 6)),
        key=lambda e: e[0],
    )
    assert _pages(db, **index) == [[key for _, key in expected]]
    paged = _pages(db, Limit=4, **index)
    assert [key for page in paged for key in page] == [key for _, key in expected]
    assert all(len(page) <= 4 for page in paged)


def _attribute_values() -> st.SearchStrategy[dict[str, Any]]:
    text = st.text(max_size=8)
    number = st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str)
    blob = st.binary(max_size=8)
    scalars = st.one_of(
        text.map(lambda v: {"S": v}),
        number.map(lambda v: {"N": v}),
        blob.map(lambda v: {"B": v}),
        st.booleans().map(lambda v: {"BOOL": v}),
        st.just({"NULL": True}),
        st.lists(text, min_size=1, max_size=3, unique=True).map(lambda v: {"SS": v}),
        st.lists(number, min_size=1, max_size=3, unique=True).map(lambda v: {"NS": v}),
        st.lists(blob, min_size=1, max_size=3, unique=True).map(lambda v: {"BS": v}),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3).map(lambda v: {"L": v}),
            st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3).map(lambda v: {"M": v}),
        ),
        max_leaves=8,
    )


_items = st.dictionaries(st.text(min_size=1, max_size=6), _attribute_values(), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None, derandomize=True)  # the same cases on every run
@given(
    operation=st.sampled_from(
        sorted(moto_dynamodb.ITEM_OPERATIONS & {"Query", "Scan", "GetItem", "PutItem"})
    ),
    items=st.lists(_items, max_size=4),
    last_key=st.one_of(st.none(), _items),
)
def test_item_answers_are_the_json_moto_would_have_serialized(
    operation: str, items: list[dict[str, Any]], last_key: dict[str, Any] | None
) -> None:
    if operation in ("Query", "Scan"):
        result: dict[str, Any] = {"Count": len(items), "ScannedCount": len(items), "Items": items}
        result["LastEvaluatedKey"] = last_key
    else:
        result = {"Item" if operation == "GetItem" else "Attributes": items[0]} if items else {}
    answer = DynamoResult(result)
    model = get_service_model("dynamodb")
    serializer = get_serializer_class("dynamodb", "json")
    context = ActionContext(model, model.operation_model(operation), serializer, None)
    status, headers, body = moto_dynamodb.execute_result(answer, context)
    expected_status, expected_headers, expected_body = moto_dynamodb._serialize(answer, context)
    assert (status, headers) == (expected_status, expected_headers)
    assert json.loads(body) == json.loads(expected_body)


def test_a_query_reads_only_what_it_asks_for_where_moto_would_sort_the_whole_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The patched Query never goes through moto's whole-table read; a Scan still does."""
    import boto3
    from moto import mock_aws
    from moto.dynamodb.models.table import Table

    whole_table_reads: list[str] = []
    sorted_whole_table = moto_dynamodb._every_item

    def every_item(table: Table) -> list[Any]:
        whole_table_reads.append(table.name)
        return list(sorted_whole_table(table))

    monkeypatch.setattr(moto_dynamodb, "_every_item", every_item)
    # In-process moto, not the worker's local stack, whose endpoint botocore would otherwise honour.
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.setattr(Table, "all_items", moto_dynamodb.all_items)
    monkeypatch.setattr(Table, "query", moto_dynamodb.query)
    with mock_aws():
        db = boto3.client("dynamodb", region_name="us-east-1")
        db.create_table(
            TableName="t",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g")],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for p in ("a", "b"):
            for i in range(3):
                db.put_item(TableName="t", Item={"pk": {"S": p}, "sk": {"S": str(i)}, "g": {"S": "x"}})
        asked = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "b"}}}
        assert [i["sk"]["S"] for i in db.query(TableName="t", **asked)["Items"]] == ["0", "1", "2"]
        by_index = {"KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "x"}}}
        assert len(db.query(TableName="t", IndexName="by-g", **by_index)["Items"]) == 6
        assert whole_table_reads == []
        assert len(db.scan(TableName="t")["Items"]) == 6
        assert whole_table_reads == ["t"]
