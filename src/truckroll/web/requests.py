"""Parsing request bodies and query strings into validated models, naming every bad field."""

from __future__ import annotations

import json
from typing import TypeVar

from chalice.app import Request
from pydantic import BaseModel, ValidationError

from truckroll.errors import FieldError, MalformedBody, ValidationFailed

M = TypeVar("M", bound=BaseModel)


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def validation_failed(exc: ValidationError) -> ValidationFailed:
    return ValidationFailed([FieldError(_field_path(tuple(e["loc"])), e["msg"]) for e in exc.errors()])


def parse_body(request: Request, model: type[M]) -> M:
    raw = request.raw_body
    if not raw:
        raise MalformedBody("a JSON object body is required")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedBody(f"body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedBody("body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc) from exc


def query_param(request: Request, name: str, required: bool = True) -> str | None:
    value = request.query_params.get(name) if request.query_params else None
    if required and not value:
        raise ValidationFailed([FieldError(name, "query parameter is required")])
    return value
