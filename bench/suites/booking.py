"""Reserve with Google's BatchAvailabilityLookup of 200 slots, through HTTP against the local stack
(``make run``'s process, started here on a free port). Target: p95 at most 300 ms.

The company: 10 technicians with the service's skill, each on shift 08:00-17:00 every day of the
10 days asked, a third of them with a 2-hour job already booked online on each day, opening hours
every day, two online services (a 2-hour job type and an unmapped one). Each call asks 200 slots:
both services, every hour from 08:00 to 17:00 on each of the 10 days. Full profile (``make
bench``): 100 calls; ``--quick``: 20. Three calls run first, unmeasured.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.registry import Suite, register
from bench.suites.dispatch import _call, running_stack

P95_TARGET_MS = 300.0
TENANT = "demo"
ZONE = ZoneInfo("America/Chicago")
TECHNICIANS = 10
DAYS = 10
HOURS = range(8, 18)
SERVICES = ("AC not cooling", "Something else")
RWG_USER, RWG_PASSWORD = "google-bench", "bench-password-0123456789"
SETTINGS: dict[str, Any] = {
    "version": 0,
    "job_types": [{"name": "AC repair", "duration_minutes": 120, "skills": ["hvac"]}],
    "time_zone": "America/Chicago",
    "opening_hours": [{"weekday": d, "opens": "08:00", "closes": "17:00"} for d in range(7)],
    "online": {
        "services": [{"label": SERVICES[0], "job_type": "AC repair"}, {"label": SERVICES[1]}],
        "slot_minutes": 60,
        "requests_per_minute": 600,
    },
}


def _local(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


def _days() -> list[date]:
    first = datetime.now(ZONE).date() + timedelta(days=1)
    return [first + timedelta(days=n) for n in range(DAYS)]


def _headers(base_url: str, user: str) -> dict[str, str]:
    _, token = _call("GET", f"{base_url}/auth/dev-token?user={user}&ttl=43200", {})
    return {"Authorization": f"Bearer {token['access_token']}"}


def _expect(status: int, answer: Any, wanted: int, what: str) -> None:
    if status != wanted:
        raise RuntimeError(f"{what} failed: {status} {answer}")


def prepare(base_url: str) -> None:
    """The company of the module docstring, through the public APIs."""
    admin, office = _headers(base_url, "admin@demo"), _headers(base_url, "dispatcher@demo")
    _expect(*_call("PUT", f"{base_url}/booking/settings", admin, SETTINGS), 200, "settings")
    receivers = {"version": 0, "reserve_with_google": {"username": RWG_USER, "password": RWG_PASSWORD}}
    _expect(*_call("PUT", f"{base_url}/booking/lead-receivers", admin, receivers), 200, "receivers")
    for n in range(TECHNICIANS):
        technician = {"technician_id": f"bench-tech-{n}", "name": f"Bench Tech {n}", "skills": ["hvac"]}
        _expect(*_call("POST", f"{base_url}/dispatch/technicians", office, technician), 201, "technician")

    def shift(job: tuple[int, date]) -> None:
        n, day = job
        window = {"start": _local(day, 8).isoformat(), "end": _local(day, 17).isoformat()}
        path = f"{base_url}/dispatch/technicians/bench-tech-{n}/shifts"
        _expect(*_call("POST", path, office, window), 201, "shift")

    def booked(job: tuple[int, date]) -> None:
        n, day = job
        body = {
            "service": SERVICES[0],
            "start": _local(day, 9 + 2 * n).isoformat(),
            "customer": {"name": f"Customer {n}", "phone": f"+151255507{n:02d}"},
            "address": {"street": f"{n} Oak St", "city": "Austin", "state": "TX", "postal_code": "78701"},
        }
        _expect(*_call("POST", f"{base_url}/booking/online/{TENANT}/bookings", {}, body), 201, "booking")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(shift, [(n, d) for n in range(TECHNICIANS) for d in _days()]))
        list(pool.map(booked, [(n, d) for n in range(TECHNICIANS // 3) for d in _days()]))


def lookup_body() -> dict[str, Any]:
    slots = [
        {"service_id": service, "start_sec": int(_local(day, hour).timestamp()), "duration_sec": 0}
        for service in SERVICES
        for day in _days()
        for hour in HOURS
    ]
    return {"merchant_id": TENANT, "slot_time": slots}


def measure(base_url: str, calls: int) -> tuple[list[float], int]:
    """Milliseconds of each call, and how many slots the last one found available."""
    token = base64.b64encode(f"{RWG_USER}:{RWG_PASSWORD}".encode()).decode()
    headers = {"Authorization": f"Basic {token}"}
    url = f"{base_url}/booking/rwg/{TENANT}/v3/BatchAvailabilityLookup"
    body = lookup_body()
    available = 0
    for _ in range(3):
        _call("POST", url, headers, body)
    timings: list[float] = []
    for _ in range(calls):
        began = time.perf_counter()
        status, answer = _call("POST", url, headers, body)
        timings.append((time.perf_counter() - began) * 1000)
        _expect(status, answer, 200, "BatchAvailabilityLookup")
        available = sum(a["available"] for a in answer["slot_time_availability"])
    return timings, available


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--booking-calls", type=int, help="measured calls (default 100, quick 20)")


def _run(args: argparse.Namespace) -> str:
    calls = args.booking_calls or (20 if args.quick else 100)
    load_before = os.getloadavg()[0]
    with running_stack() as (base_url, _):
        prepare(base_url)
        timings, available = measure(base_url, calls)
    p95 = _percentile(timings, 0.95)
    print(f"p95 {p95:.0f} ms over {calls} calls", file=sys.stderr)
    slots = len(lookup_body()["slot_time"])
    lines = [
        f"# booking{' (quick profile)' if args.quick else ''}",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores,"
        f" Python {platform.python_version()}: `python -m bench booking{' --quick' if args.quick else ''}`.",
        "",
        f"## Reserve with Google BatchAvailabilityLookup of {slots} slots",
        "",
        "Through HTTP against the local stack (`python -m truckroll_local`, moto server behind it):"
        f" {TECHNICIANS} technicians on shift {DAYS} days, {slots} slots asked per call"
        " (2 services x 10 days x 10 hours).",
        "",
        "| figure | value |",
        "|---|---|",
        f"| calls measured | {calls} |",
        f"| p50 ms | {statistics.median(timings):.0f} |",
        f"| p95 ms | {p95:.0f} |",
        f"| max ms | {max(timings):.0f} |",
        f"| target p95 <= {P95_TARGET_MS:.0f} ms | {'met' if p95 <= P95_TARGET_MS else 'MISSED'} |",
        f"| slots found available (of {slots}) | {available} |",
        f"| machine load average (1 min) before / after | {load_before:.1f} / {os.getloadavg()[0]:.1f} |",
        "",
        "Per call the service reads the receivers and the settings (GetItem each), the technicians"
        " (one Query) and every technician's day asked (one BatchGetItem per 100 days, asking only the"
        " attributes a day is made of), then computes the open slots once per service and day.",
    ]
    return "\n".join(lines) + "\n"


register(
    Suite("booking", "Reserve with Google BatchAvailabilityLookup of 200 slots: p95 latency", _run, _options)
)
