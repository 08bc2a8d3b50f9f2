"""Double booking under load: N concurrent requests assign N different jobs to the same technician
and time slot, through HTTP against the local stack (``make run``'s process, started here on a free
port). Exactly one may succeed; every other must be answered 409.

Each trial runs on a fresh stack, so no trial measures the data of the ones before it. Full profile
(``make bench``): 20 trials of 200 requests. ``--quick``: 3 trials.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.registry import Suite, register

BOOKING_THREADS = 8
HTTP_TIMEOUT = 300.0  # a bound for a stuck stack; a loaded machine answers 200 racing requests slowly


def _call(method: str, url: str, headers: dict[str, str], body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback URL of the local stack
        url, data=data, method=method, headers={**headers, "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _at(day: date, hour: int) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC).isoformat()


def job_request(day: date, n: int) -> dict[str, Any]:
    """A job at 9:00-11:00 on ``day`` (the slot every request of a race fights for)."""
    return {
        "customer": {
            "name": f"Race customer {n}",
            "phone": f"+1512555{n % 10000:04d}",
            "phone_type": "mobile",
        },
        "location": {
            "street": f"{n} Main St",
            "city": "Austin",
            "state": "TX",
            "postal_code": "78701",
            "verified": True,
        },
        "job": {"job_type": "Maintenance", "summary": f"Race job {n}"},
        "appointment": {
            "start": _at(day, 9),
            "end": _at(day, 11),
            "arrival_window": {"start": _at(day, 8), "end": _at(day, 12)},
        },
    }


@dataclass(frozen=True)
class Race:
    statuses: Counter[int]
    seconds: float

    @property
    def exact(self) -> bool:
        """Exactly one success, every other request refused as a conflict."""
        total = sum(self.statuses.values())
        return self.statuses[200] == 1 and self.statuses[409] == total - 1


def race(base_url: str, headers: dict[str, str], technician_id: str, day: date, n: int) -> Race:
    """Make ``technician_id`` known, book ``n`` jobs on ``day``, then assign all of them to the
    technician at once."""
    status, created = _call(
        "POST", f"{base_url}/dispatch/technicians", headers, {"technician_id": technician_id, "name": "Race"}
    )
    if status != 201:
        raise RuntimeError(f"creating the technician failed: {status} {created}")

    def book(i: int) -> tuple[str, str]:
        status, job = _call("POST", f"{base_url}/booking/jobs", headers, job_request(day, i))
        if status != 201:
            raise RuntimeError(f"booking failed: {status} {job}")
        return job["job_id"], job["appointments"][0]["appointment_id"]

    with ThreadPoolExecutor(BOOKING_THREADS) as pool:
        jobs = list(pool.map(book, range(n)))
    # Every request gets its own connection, opened (and answered once) beforehand, one after the
    # other: the races are about the requests, not about the server's queue of new connections.
    target = urllib.parse.urlsplit(base_url)
    connections = [_connected(target.hostname or "127.0.0.1", target.port or 80) for _ in jobs]
    start = threading.Barrier(n)
    body = json.dumps({"technician_ids": [technician_id]})

    def assign(job: tuple[tuple[str, str], http.client.HTTPConnection]) -> int:
        (job_id, appointment_id), connection = job
        start.wait()
        path = f"/dispatch/jobs/{job_id}/appointments/{appointment_id}/assign"
        connection.request("POST", path, body=body, headers={**headers, "Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status

    began = time.perf_counter()
    with ThreadPoolExecutor(n) as pool:
        statuses = Counter(pool.map(assign, zip(jobs, connections, strict=True)))
    return Race(statuses, time.perf_counter() - began)


def _connected(host: str, port: int) -> http.client.HTTPConnection:
    connection = http.client.HTTPConnection(host, port, timeout=HTTP_TIMEOUT)
    connection.request("GET", "/dispatch/health")
    connection.getresponse().read()
    return connection


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the local stack exited during start-up")
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.3)
    raise RuntimeError("the local stack never became healthy")


@contextmanager
def running_stack() -> Iterator[tuple[str, dict[str, str]]]:
    """``python -m truckroll_local`` (what ``make run`` starts) on a free port: its base URL and the
    seeded dispatcher's headers."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "truckroll_local", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(base_url, process)
            _, token = _call("GET", f"{base_url}/auth/dev-token?user=dispatcher@demo&ttl=43200", {})
            yield base_url, {"Authorization": f"Bearer {token['access_token']}"}
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dispatch-trials", type=int, help="race trials (default 20, quick 3)")
    parser.add_argument("--dispatch-requests", type=int, default=200, help="concurrent requests per trial")


def _run(args: argparse.Namespace) -> str:
    trials = args.dispatch_trials or (3 if args.quick else 20)
    n = args.dispatch_requests
    races = []
    for trial in range(trials):
        with running_stack() as (base_url, headers):
            result = race(base_url, headers, "race-tech", date.today() + timedelta(days=30), n)
        print(
            f"trial {trial + 1}/{trials}: {dict(result.statuses)} in {result.seconds:.1f} s", file=sys.stderr
        )
        races.append(result)
    exact = sum(r.exact for r in races)
    lines = [
        f"# dispatch{' (quick profile)' if args.quick else ''}",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores,"
        f" Python {platform.python_version()}: `python -m bench dispatch{' --quick' if args.quick else ''}`.",
        "",
        f"## Double booking: {n} concurrent assignments of {n} jobs to one technician and slot",
        "",
        "Through HTTP against the local stack (`python -m truckroll_local`, moto server behind it).",
        "",
        "| summary | value |",
        "|---|---|",
        f"| trials with exactly one 200 and {n - 1} 409s | {exact} of {trials} |",
        f"| median seconds per trial | {statistics.median(r.seconds for r in races):.1f} |",
        "",
        "| trial | answers | seconds |",
        "|---|---|---|",
        *(
            f"| {i + 1} | {', '.join(f'{s}: {c}' for s, c in sorted(r.statuses.items()))} | {r.seconds:.1f} |"
            for i, r in enumerate(races)
        ),
    ]
    return "\n".join(lines) + "\n"


register(
    Suite(
        "dispatch", "double booking: 200 concurrent assignments over HTTP, exactly one wins", _run, _options
    )
)
