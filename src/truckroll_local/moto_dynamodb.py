"""Make the embedded DynamoDB behave like DynamoDB under concurrent writers.

moto's server is threaded but its DynamoDB is not safe for concurrent writers, and its
``TransactWriteItems`` applies each write as it goes, then rolls a failed transaction back by
putting a deep copy of every table it touched in place of the live one. That copy costs time in
proportion to the table, and it swaps the table's stream shard for a copy, so stream readers holding
an iterator never see another record (the local stack's pumps would stall after the first refused
transaction).

So, in moto's process only:

- :class:`SerializedWrites` runs DynamoDB's writing operations one at a time (reads stay
  concurrent), so a condition checked is still true when its write lands;
- :func:`transact_write_items` evaluates every condition against the state before the
  transaction, and applies the writes only when all of them hold: all or nothing, as DynamoDB does,
  with no table copies and no stream records for a refused transaction;
- a Query costs what it returns, as in DynamoDB, not what the table holds: moto sorts every item
  of the table to answer any Query, so a board read of 400 items took 0.3 s once the table held a
  few thousand. :func:`query` reads only the asked partition on the table itself, and leaves out
  that sort on an index (whose results moto sorts by the index's keys anyway);
- the answers of item operations (Query, GetItem, PutItem...) are written as JSON directly:
  moto walks each answer against the operation's model to serialize it, about 1 ms per item
  returned, where the answer is already DynamoDB's JSON but for binary values (base64 on the wire).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.core.responses import ActionContext, ActionResult
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoResult

WRITE_TARGETS = frozenset(
    f"DynamoDB_20120810.{op}"
    for op in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
)
OPERATIONS = ("ConditionCheck", "Put", "Delete", "Update")
TRANSACTION_LIMIT = 100

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class SerializedWrites:
    """WSGI middleware: DynamoDB writing operations one at a time."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET") in WRITE_TARGETS:
            with self._lock:
                return list(self._app(environ, start_response))
        return self._app(environ, start_response)


def _key(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        key: dict[str, Any] = op["Key"]
        return key
    table = backend.get_table(op["TableName"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _check(backend: DynamoDBBackend, op: dict[str, Any], key: dict[str, Any]) -> tuple[Any, ...]:
    """``(None, None, None)`` if the op's condition holds, else its cancellation reason."""
    current = backend.get_item(op["TableName"], key)
    condition = op.get("ConditionExpression")
    if condition is None:
        return (None, None, None)
    expression = get_filter_expression(
        condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
    )
    if expression.expr(current):
        return (None, None, None)
    old = None
    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current is not None:
        old = current.to_json()["Attributes"]
    return ("ConditionalCheckFailed", "The conditional request failed", old)


def _apply(backend: DynamoDBBackend, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    names = op.get("ExpressionAttributeNames") or {}
    values = op.get("ExpressionAttributeValues") or {}
    if op_type == "Put":
        backend.put_item(op["TableName"], op["Item"])
    elif op_type == "Delete":
        backend.delete_item(op["TableName"], key)
    elif op_type == "Update":
        backend.update_item(
            op["TableName"],
            key,
            update_expression=op["UpdateExpression"],
            expression_attribute_names=names,
            expression_attribute_values=values,
        )


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > TRANSACTION_LIMIT:
        raise TooManyTransactionsException()
    seen: set[tuple[str, str]] = set()
    planned: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    reasons: list[tuple[Any, ...]] = []
    for entry in transact_items:
        if len(entry) != 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(entry.items()))
        if op_type not in OPERATIONS:
            raise ValueError("Unsupported transaction operation")
        key = _key(self, op_type, op)
        identity = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        reasons.append(_check(self, op, key))
        planned.append((op_type, op, key))
    if any(code is not None for code, *_ in reasons):
        raise TransactionCanceledException(reasons)
    for op_type, op, key in planned:
        _apply(self, op_type, op, key)


_every_item = Table.all_items
_query = Table.query
_INDEX_NAME = 6  # the position of Table.query's index_name after hash_key, as moto's backend calls it
_querying = threading.local()  # what the Query running on this thread reads: a partition or all


def all_items(self: Table) -> list[Item]:
    """The items a Query of this thread needs (moto filters and sorts them); all, sorted, else."""
    partition: DynamoType | None = getattr(_querying, "partition", None)
    if partition is not None:
        return list(self.items[partition].values()) if partition in self.items else []
    if getattr(_querying, "index", False):
        return [item for part in self.items.values() for item in part.values()]
    return _every_item(self)


def query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    """moto's Query, reading one partition of the table, or an index's items unsorted."""
    index_name = args[_INDEX_NAME] if len(args) > _INDEX_NAME else kwargs.get("index_name")
    if self.range_key_attr is None or (index_name is None and hash_key is None):
        return _query(self, hash_key, *args, **kwargs)
    if index_name is None:
        _querying.partition = hash_key
    else:
        _querying.index = True
    try:
        return _query(self, hash_key, *args, **kwargs)
    finally:
        _querying.partition = None
        _querying.index = False


# Answers made only of attribute values, counts, keys and capacity: JSON as they are.
ITEM_OPERATIONS = frozenset(
    (
        "GetItem",
        "BatchGetItem",
        "TransactGetItems",
        "Query",
        "Scan",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
    )
)
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
_serialize = DynamoResult.execute_result


def _blob(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} is not an attribute value")


def execute_result(self: ActionResult, context: ActionContext) -> tuple[int, dict[str, Any], str | bytes]:
    """An item operation's answer as JSON; any other through moto's serializer."""
    if context.operation_model.name not in ITEM_OPERATIONS or not isinstance(self.result, dict):
        return _serialize(self, context)
    present = {name: value for name, value in self.result.items() if value is not None}
    return 200, {"Content-Type": JSON_CONTENT_TYPE}, json.dumps(present, default=_blob)


def install() -> None:
    """Patch moto's DynamoDB backend in this process (moto's own server process only)."""
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]
