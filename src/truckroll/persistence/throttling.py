"""Recognising DynamoDB refusing work for lack of capacity, once botocore's own retries gave up.

PynamoDB wraps the client error in its own exceptions (``cause``), Powertools' idempotency layer
chains it (``__cause__``), and a cancelled transaction names the throttled item in its reasons.
"""

from __future__ import annotations

from botocore.exceptions import ClientError
from pynamodb.exceptions import PynamoDBException, TransactWriteError

THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        # how a cancelled transaction names the item that was throttled
        "ThrottlingError",
        "ProvisionedThroughputExceeded",
    }
)


def throttled(error: BaseException) -> bool:
    """Whether ``error`` is, or was caused by, DynamoDB throttling."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _throttling(current):
            return True
        cause = current.cause if isinstance(current, PynamoDBException) else None
        current = current.__cause__ or cause or current.__context__
    return False


def _throttling(error: BaseException) -> bool:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code") in THROTTLING_CODES
    if isinstance(error, TransactWriteError):
        return any(r is not None and r.code in THROTTLING_CODES for r in error.cancellation_reasons)
    return False
