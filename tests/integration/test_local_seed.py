"""``--seed-demo`` books the demo company's day through the HTTP API, as the seeded users."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from chalice.app import Chalice

from truckroll_local.gateway import Gateway, GatewayServer
from truckroll_local.issuer import LocalIssuer
from truckroll_local.seed import DEMO_JOBS, DEMO_SMS_FROM_NUMBER, seed_demo

pytestmark = pytest.mark.integration


class Recorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def app(self, name: str, path: str, method: str) -> Chalice:
        app = Chalice(name)

        @app.route(path, methods=[method])
        def record() -> dict[str, str]:
            request = app.current_request
            self.requests.append(
                {
                    "path": f"/{name}{path}",
                    "method": method,
                    "headers": dict(request.headers),
                    "body": json.loads(request.raw_body),
                }
            )
            return {"id": str(len(self.requests))}

        return app


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, LocalIssuer, Recorder]]:
    server = GatewayServer("127.0.0.1", 0)
    issuer = LocalIssuer(f"http://127.0.0.1:{server.port}/auth")
    recorder = Recorder()
    gateway = Gateway(issuer, lambda: {"status": "ok"}, tmp_path)
    gateway.mount("booking", recorder.app("booking", "/jobs", "POST"))
    gateway.mount("notify", recorder.app("notify", "/settings", "PUT"))
    gateway.mount("dispatch", recorder.app("dispatch", "/technicians", "POST"))
    server.attach(gateway)
    try:
        yield f"http://127.0.0.1:{server.port}", issuer, recorder
    finally:
        server.close()


def _claims(headers: dict[str, str]) -> dict[str, Any]:
    token = headers["authorization"].removeprefix("Bearer ")
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_seeder_sets_the_sms_number_and_books_a_day_of_jobs(
    served: tuple[str, LocalIssuer, Recorder],
) -> None:
    base_url, issuer, recorder = served
    day = date(2027, 3, 2)

    posted = seed_demo(base_url, issuer, day)

    assert all(p.ok for p in posted)
    settings, *rest = recorder.requests
    technicians = [r for r in rest if r["path"] == "/dispatch/technicians"]
    jobs = [r for r in rest if r not in technicians]
    assert (settings["method"], settings["path"]) == ("PUT", "/notify/settings")
    assert [t["body"]["technician_id"] for t in technicians] == ["tech-1@demo", "tech-2@demo", "tech-3@demo"]
    assert technicians[0]["body"] == {
        "technician_id": "tech-1@demo",
        "name": "Tomás Rivera",
        "role": "technician",
        "active": True,
    }
    assert {_claims(t["headers"])["role"] for t in technicians} == {"dispatcher"}
    assert settings["body"] == {"sms_from_number": DEMO_SMS_FROM_NUMBER}
    assert _claims(settings["headers"])["role"] == "admin"
    assert len(jobs) == len(DEMO_JOBS) >= 6
    assert {(j["method"], j["path"]) for j in jobs} == {("POST", "/booking/jobs")}
    assert len({j["headers"]["idempotency-key"] for j in jobs}) == len(jobs)
    for job in jobs:
        claims = _claims(job["headers"])
        assert (claims["sub"], claims["tenant_id"]) == ("dispatcher@demo", "demo")
        body = job["body"]
        assert set(body) == {"customer", "location", "job", "appointment"}
        assert body["customer"]["phone_type"] in {"mobile", "landline"}
        appointment = body["appointment"]
        start, end = datetime.fromisoformat(appointment["start"]), datetime.fromisoformat(appointment["end"])
        assert start.date() == day
        assert start < end
        window = appointment["arrival_window"]
        assert datetime.fromisoformat(window["start"]) < datetime.fromisoformat(window["end"])
        assert start.utcoffset() is not None


def test_seeder_stops_at_a_booking_api_that_is_not_there(tmp_path: Path) -> None:
    server = GatewayServer("127.0.0.1", 0)
    issuer = LocalIssuer(f"http://127.0.0.1:{server.port}/auth")
    server.attach(Gateway(issuer, lambda: {"status": "ok"}, tmp_path))
    try:
        posted = seed_demo(f"http://127.0.0.1:{server.port}", issuer, date(2027, 3, 2))
    finally:
        server.close()
    assert [(p.method, p.path, p.status) for p in posted] == [
        ("PUT", "/notify/settings", 404),
        *[("POST", "/dispatch/technicians", 404)] * 3,
        ("POST", "/booking/jobs", 404),
    ]
