"""DynamoDB throttling recognised however it is wrapped, and answered 503 with Retry-After."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import CancellationReason, PutError, TransactWriteError, VerboseClientError

from truckroll.errors import ServiceUnavailable, TooManyRequests, TruckrollError
from truckroll.persistence.throttling import throttled
from truckroll.web.problems import problem_response


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "PutItem")


def _chained(code: str) -> Exception:
    try:
        try:
            raise _client_error(code)
        except ClientError as error:
            raise RuntimeError("the idempotency layer failed") from error
    except RuntimeError as outer:
        return outer


def _cancelled(*codes: str) -> TransactWriteError:
    reasons = [CancellationReason(code=c) if c else None for c in codes]
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
        "TransactWriteItems",
        cancellation_reasons=reasons,
    )
    return TransactWriteError("transaction cancelled", cause=cause)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (_client_error("ProvisionedThroughputExceededException"), True),
        (_client_error("ThrottlingException"), True),
        (_client_error("RequestLimitExceeded"), True),
        (_client_error("ValidationException"), False),
        (_client_error("ConditionalCheckFailedException"), False),
        (PutError("put failed", cause=_client_error("ProvisionedThroughputExceededException")), True),
        (PutError("put failed", cause=_client_error("ConditionalCheckFailedException")), False),
        (_chained("ThrottlingException"), True),
        (_chained("AccessDeniedException"), False),
        (_cancelled("", "ThrottlingError"), True),
        (_cancelled("ConditionalCheckFailed", ""), False),
        (ValueError("not AWS"), False),
    ],
)
def test_throttling_is_recognised_through_its_wrappers(error: Exception, expected: bool) -> None:
    assert throttled(error) is expected


def test_unavailable_and_too_many_requests_say_when_to_retry() -> None:
    unavailable = problem_response(ServiceUnavailable("busy", retry_after_seconds=2))
    assert (unavailable.status_code, unavailable.headers["Retry-After"]) == (503, "2")
    assert unavailable.headers["Content-Type"] == "application/problem+json"
    assert json.loads(unavailable.body)["retry_after_seconds"] == 2
    limited = problem_response(TooManyRequests("slow down", retry_after_seconds=7))
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    assert "Retry-After" not in problem_response(TruckrollError("plain")).headers
