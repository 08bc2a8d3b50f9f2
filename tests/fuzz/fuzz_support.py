"""The system as ``make run SEED=1`` serves it, over HTTP, for Schemathesis.

:func:`fuzz_target` starts ``python -m truckroll_local --seed-demo`` on a free port (or, with
``TRUCKROLL_FUZZ_URL`` set, uses a stack already running there, seeded with the demo company),
waits until the demo day is on the board, and records the ids the demo company owns so that path
parameters name real records part of the time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from truckroll_local.seed import DEMO_JOBS, DEMO_TIMEZONE

FUZZ_URL_ENV = "TRUCKROLL_FUZZ_URL"
FUZZ_USER = "admin@demo"
DEMO_TENANT = "demo"
START_TIMEOUT_SECONDS = 120.0
BANNER = re.compile(r"Truckroll is running on (http://\S+)")


@dataclass
class FuzzTarget:
    base_url: str
    token: str
    # One entry per seeded appointment: path parameter name -> a value that names a real record (the
    # first one is dispatched and has a customer tracking link: ``token``).
    records: list[dict[str, str]] = field(default_factory=list)

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _started(log: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"truckroll_local exited during start-up:\n{log.read_text()}")
        found = BANNER.search(log.read_text())
        if found:
            return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"truckroll_local did not start:\n{log.read_text()}")


def _get(target: FuzzTarget, path: str) -> Any:
    response = requests.get(f"{target.base_url}{path}", headers=target.auth_headers(), timeout=30)
    response.raise_for_status()
    return response.json()


def _post(target: FuzzTarget, path: str, body: dict[str, Any] | None = None) -> requests.Response:
    return requests.post(f"{target.base_url}{path}", json=body, headers=target.auth_headers(), timeout=30)


def _tracking_link(target: FuzzTarget, record: dict[str, str]) -> str | None:
    """A customer tracking link to ``record``'s appointment, dispatched to its technician for it.
    None when a stack already fuzzed has moved that appointment on (assigned, canceled...)."""
    appointment = f"/dispatch/jobs/{record['job_id']}/appointments/{record['appointment_id']}"
    technician = record["technician_id"]
    if not _post(target, f"{appointment}/assign", {"technician_ids": [technician]}).ok:
        return None
    if not _post(target, f"{appointment}/dispatch", {"technician_id": technician}).ok:
        return None
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:  # 409 until tracking has consumed the dispatch
        link = _post(target, f"/tracking/appointments/{record['appointment_id']}/links")
        if link.status_code == 201:
            token: str = link.json()["token"]
            return token
        time.sleep(0.5)
    raise AssertionError(f"no tracking link for the dispatched appointment {record['appointment_id']}")


def _demo_day(target: FuzzTarget, jobs: int) -> tuple[date, list[dict[str, Any]]]:
    """The seeded day (tomorrow, demo time) once at least ``jobs`` of its jobs are on the board."""
    day = datetime.now(DEMO_TIMEZONE).date() + timedelta(days=1)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        appointments: list[dict[str, Any]] = _get(target, f"/dispatch/board?date={day}")["appointments"]
        if len(appointments) >= jobs:
            return day, appointments
        time.sleep(0.5)
    raise AssertionError(f"the demo day {day} never reached the board")


def _records(target: FuzzTarget, jobs: int) -> list[dict[str, str]]:
    day, appointments = _demo_day(target, jobs)
    technicians = [t["technician_id"] for t in _get(target, "/dispatch/technicians")["technicians"]]
    records = []
    for index, appointment in enumerate(appointments):
        job = _get(target, f"/booking/jobs/{appointment['job_id']}")
        records.append(
            {
                "tenant_id": DEMO_TENANT,
                "job_id": job["job_id"],
                "appointment_id": appointment["appointment_id"],
                "customer_id": job["customer_id"],
                "location_id": job["location_id"],
                "technician_id": technicians[index % len(technicians)],
                "date": day.isoformat(),
                "day": day.isoformat(),
            }
        )
    link = _tracking_link(target, records[0])
    if link is not None:
        records[0]["token"] = link
    return records


def _token(base_url: str) -> str:
    response = requests.get(f"{base_url}/auth/dev-token", params={"user": FUZZ_USER}, timeout=30)
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


@contextmanager
def fuzz_target(log: Path) -> Iterator[FuzzTarget]:
    """The stack at ``TRUCKROLL_FUZZ_URL``, or a new one (its output in ``log``) stopped on exit."""
    running = os.environ.get(FUZZ_URL_ENV)
    if running:
        target = FuzzTarget(running.rstrip("/"), _token(running.rstrip("/")))
        target.records = _records(target, 1)  # earlier runs may have canceled some of the demo jobs
        yield target
        return
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "truckroll_local", "--port", "0", "--seed-demo", "--log-level", "WARNING"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = _started(log, process)
        target = FuzzTarget(base_url, _token(base_url))
        target.records = _records(target, len(DEMO_JOBS))
        yield target
    finally:
        process.terminate()
        process.wait(timeout=30)
