"""Errors the use cases raise; the HTTP edge maps each to one RFC 9457 problem type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class TruckrollError(Exception):
    """Base of every expected failure. ``status`` is the HTTP status the edge answers with."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(TruckrollError):
    status = 404
    title = "Not found"


class Conflict(TruckrollError):
    status = 409
    title = "Conflict"


class Forbidden(TruckrollError):
    status = 403
    title = "Forbidden"


class Unauthorized(TruckrollError):
    status = 401
    title = "Unauthorized"


class Gone(TruckrollError):
    status = 410
    title = "Gone"


class TooManyRequests(TruckrollError):
    status = 429
    title = "Too many requests"


class ServiceUnavailable(TruckrollError):
    """The request could not be served now (the database refuses work for lack of capacity); the same
    request may be sent again after ``retry_after_seconds``, which the edge answers as Retry-After."""

    status = 503
    title = "Service unavailable"

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail, retry_after_seconds=retry_after_seconds)


class RuleViolation(TruckrollError):
    """A well-formed request that a business rule refuses."""

    status = 422
    title = "Unprocessable request"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ValidationFailed(TruckrollError):
    """Input that does not match the schema; names every offending field."""

    status = 422
    title = "Invalid request"

    def __init__(self, errors: list[FieldError]) -> None:
        names = ", ".join(e.field for e in errors) or "body"
        super().__init__(f"Invalid field(s): {names}")
        self.errors = errors


class MalformedBody(TruckrollError):
    """A body that is not JSON (or not an object)."""

    status = 400
    title = "Malformed request body"
