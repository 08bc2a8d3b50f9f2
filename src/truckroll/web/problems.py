"""RFC 9457 problem details for every error the edge answers with."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Response

from truckroll.errors import TruckrollError, ValidationFailed

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_EXTENSION = "retry_after_seconds"


def problem_body(status: int, title: str, detail: str, **extensions: Any) -> dict[str, Any]:
    slug = title.lower().replace(" ", "-")
    return {
        "type": f"https://truckroll.dev/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        **extensions,
    }


def problem_response(error: TruckrollError) -> Response:
    extensions = dict(error.extensions)
    if isinstance(error, ValidationFailed):
        extensions["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
    body = problem_body(error.status, error.title, error.detail, **extensions)
    headers: dict[str, str | list[str]] = {"Content-Type": PROBLEM_JSON}
    retry_after = extensions.get(RETRY_AFTER_EXTENSION)
    if retry_after is not None:  # 429 and 503: when the same request may be sent again
        headers["Retry-After"] = str(retry_after)
    return Response(body=json.dumps(body, default=str), status_code=error.status, headers=headers)


def internal_error_response(request_id: str | None) -> Response:
    body = problem_body(
        500,
        "Internal error",
        "The request could not be completed; it has been logged.",
        request_id=request_id,
    )
    return Response(body=json.dumps(body), status_code=500, headers={"Content-Type": PROBLEM_JSON})
