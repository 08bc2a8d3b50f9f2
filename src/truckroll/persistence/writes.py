"""Writes staged for one ``TransactWriteItems`` and running it, and a single conditional put."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from truckroll.errors import Conflict
from truckroll.persistence.tables import connection

TRANSACTION_LIMIT = 100
CONDITION_FAILED = "ConditionalCheckFailedException"  # a single write's condition did not hold


def save_if(item: Model, condition: Condition) -> bool:
    """Save ``item`` when ``condition`` holds; False when it does not."""
    try:
        item.save(condition=condition)
    except PutError as error:
        if error.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


@dataclass(frozen=True)
class Write:
    """A put or delete of ``item``; items with a version attribute are also conditioned on it."""

    op: Literal["put", "delete"]
    item: Model
    condition: Condition | None = None


class StaleRead(Conflict):
    """A condition of the transaction failed: something read for it changed meanwhile."""


def transact(writes: Sequence[Write]) -> None:
    """All of ``writes`` or none of them; :class:`StaleRead` when a condition failed."""
    if len(writes) > TRANSACTION_LIMIT:
        raise ValueError(f"{len(writes)} writes do not fit in one transaction")
    try:
        with TransactWrite(connection=connection()) as transaction:
            for write in writes:
                if write.op == "put":
                    transaction.save(write.item, condition=write.condition)
                else:
                    transaction.delete(write.item, condition=write.condition)
    except TransactWriteError as error:
        if any(r is not None and r.code == "ConditionalCheckFailed" for r in error.cancellation_reasons):
            raise StaleRead("the data changed while this request ran; reload and try again") from error
        raise
