"""What the local gateway answers: status, headers, body; JSON and RFC 9457 problem helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from truckroll.web.problems import PROBLEM_JSON, problem_body

JSON = "application/json"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": JSON, **(headers or {})}, json.dumps(body).encode())


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> HttpResponse:
    body = json.dumps(problem_body(status, title, detail)).encode()
    return HttpResponse(status, {"Content-Type": PROBLEM_JSON, **(headers or {})}, body)
