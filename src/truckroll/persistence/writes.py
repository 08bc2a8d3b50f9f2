"""Writes staged for one ``TransactWriteItems`` and running it."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from truckroll.errors import Conflict
from truckroll.persistence.core_models import CoreItem
from truckroll.persistence.tables import connection

TRANSACTION_LIMIT = 100
_EMULATOR = threading.Lock()


@contextmanager
def emulator_guard() -> Iterator[None]:
    """Writes of this process one at a time when DynamoDB is an emulator (``AWS_ENDPOINT_URL`` set).

    moto, the AWS of the local stack and of the tests, deep-copies a table before each transaction
    and puts the copy back when the transaction fails: concurrent writes then break the copy
    ("dictionary changed size") or are undone by it. Serialising this process's writes keeps it
    correct; the outcome of a race is still decided by the transactions' conditions, because every
    read happens outside the guard. In AWS (no endpoint) nothing waits, and Lambda serves one
    request per process anyway.
    """
    if os.environ.get("AWS_ENDPOINT_URL"):
        with _EMULATOR:
            yield
    else:
        yield


@dataclass(frozen=True)
class Write:
    """A put or delete of ``item``; items with a version attribute are also conditioned on it."""

    op: Literal["put", "delete"]
    item: CoreItem
    condition: Condition | None = None


class StaleRead(Conflict):
    """A condition of the transaction failed: something read for it changed meanwhile."""


def transact(writes: Sequence[Write]) -> None:
    """All of ``writes`` or none of them; :class:`StaleRead` when a condition failed."""
    if len(writes) > TRANSACTION_LIMIT:
        raise ValueError(f"{len(writes)} writes do not fit in one transaction")
    try:
        with emulator_guard(), TransactWrite(connection=connection()) as transaction:
            for write in writes:
                if write.op == "put":
                    transaction.save(write.item, condition=write.condition)
                else:
                    transaction.delete(write.item, condition=write.condition)
    except TransactWriteError as error:
        if any(r is not None and r.code == "ConditionalCheckFailed" for r in error.cancellation_reasons):
            raise StaleRead("the data changed while this request ran; reload and try again") from error
        raise
