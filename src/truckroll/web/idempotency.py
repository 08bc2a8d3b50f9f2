"""``Idempotency-Key`` on POST routes: a request sent again with the same key gets the response the
first one got, and its effect happens once.

Powertools' idempotency runs the route's work once per ``[tenant, key, route and path parameters]``
(hashed into the record's key, so two tenants using the same key never share a record) and keeps
the successful response for 24 hours. The body's SHA-256 is validated too: the same key with
another body is refused (422). A failed request (4xx, or an error) keeps no record, so it can be
retried with its key. A request still running under a key answers 409.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from chalice.app import Request, Response

from truckroll.errors import Conflict, RuleViolation

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
WINDOW = timedelta(hours=24)
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class _NotKept(Exception):
    """Carries a response that must not be kept (not a success) out through Powertools, which then
    deletes the in-progress record."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _replayed(response: Any, idempotent_data: DataRecord) -> Any:
    return {**response, "replayed": True}


class IdempotentPosts:
    def __init__(self, store: BasePersistenceLayer) -> None:
        self._config = IdempotencyConfig(
            event_key_jmespath="[tenant_id, idempotency_key, route]",
            payload_validation_jmespath="body",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=int(WINDOW.total_seconds()),
            response_hook=_replayed,
        )
        self._once = idempotent_function(
            data_keyword_argument="scope", persistence_store=store, config=self._config
        )(_respond)

    def __call__(
        self, tenant_id: str, request: Request, respond: Callable[[], Response], context: Any = None
    ) -> Response:
        """``respond()``, or the response kept for this request's key."""
        key = request.headers.get(HEADER.lower())
        if key is None:
            return respond()
        if not KEY.fullmatch(key):
            raise RuleViolation(f"{HEADER} is 1 to 255 printable ASCII characters", field=HEADER)
        raw = request.raw_body
        body = raw.encode() if isinstance(raw, str) else raw or b""
        params = sorted((request.uri_params or {}).items())
        scope = {
            "tenant_id": tenant_id,
            "idempotency_key": key,
            "route": f"{request.method} {request.path} {params}",
            "body": hashlib.sha256(body).hexdigest(),
        }
        if context is not None:
            self._config.register_lambda_context(context)
        try:
            kept = self._once(scope=scope, respond=respond)
        except _NotKept as not_kept:
            return not_kept.response
        except IdempotencyAlreadyInProgressError as error:
            raise Conflict(f"a request with this {HEADER} is still being processed; retry shortly") from error
        except IdempotencyValidationError as error:
            raise RuleViolation(f"this {HEADER} was used with another body", field=HEADER) from error
        headers = dict(kept["headers"])
        if kept.get("replayed"):
            headers[REPLAYED_HEADER] = "true"
        return Response(body=kept["body"], status_code=kept["status"], headers=headers)


def _respond(*, scope: dict[str, str], respond: Callable[[], Response]) -> dict[str, Any]:
    response = respond()
    if not 200 <= response.status_code < 300:
        raise _NotKept(response)
    return {"status": response.status_code, "headers": dict(response.headers), "body": response.body}
