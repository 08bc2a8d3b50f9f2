"""API Gateway's own error answers (authorizer refusals, unknown routes, throttling) as RFC 9457
problem details, matching what the services' views answer (``truckroll.web.problems``)."""

from __future__ import annotations

import json
from typing import Any

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://truckroll.dev/problems/"

# response type -> (status, title). API Gateway answers an unknown route with
# MISSING_AUTHENTICATION_TOKEN/403; a problem body says what it really is. The DEFAULT_* types
# cover several statuses, so they keep API Gateway's status and leave it out of the body.
GATEWAY_PROBLEMS: dict[str, tuple[int | None, str]] = {
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "Forbidden"),
    "EXPIRED_TOKEN": (401, "Unauthorized"),
    "INVALID_SIGNATURE": (401, "Unauthorized"),
    "AUTHORIZER_FAILURE": (500, "Internal error"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "Internal error"),
    "MISSING_AUTHENTICATION_TOKEN": (404, "Not found"),
    "THROTTLED": (429, "Too many requests"),
    "DEFAULT_4XX": (None, "Request refused"),
    "DEFAULT_5XX": (None, "Internal error"),
}


def _template(status: int | None, title: str) -> str:
    slug = title.lower().replace(" ", "-")
    members = [f'"type":{json.dumps(PROBLEM_TYPE_BASE + slug)}', f'"title":{json.dumps(title)}']
    if status is not None:
        members.append(f'"status":{status}')
    # $context.error.messageString is already a quoted JSON string.
    members += ['"detail":$context.error.messageString', '"request_id":"$context.requestId"']
    return "{" + ",".join(members) + "}"


def gateway_responses() -> dict[str, Any]:
    """The ``x-amazon-apigateway-gateway-responses`` extension of a REST API definition."""
    responses: dict[str, Any] = {}
    for response_type, (status, title) in GATEWAY_PROBLEMS.items():
        headers = {"gatewayresponse.header.Content-Type": f"'{PROBLEM_JSON}'"}
        if status == 401:
            headers["gatewayresponse.header.WWW-Authenticate"] = "'Bearer'"
        response: dict[str, Any] = {
            "responseParameters": headers,
            "responseTemplates": {"application/json": _template(status, title)},
        }
        if status is not None:
            response["statusCode"] = str(status)
        responses[response_type] = response
    return responses
