"""Demo data for ``--seed-demo``, posted through the HTTP API like any client would.

The "demo" company gets its outbound SMS number, its seeded technicians on the dispatch board and
a day of jobs for tomorrow, booked by the seeded dispatcher. The request bodies of the booking,
notify and dispatch APIs are spelled out only in :func:`job_request`,
:func:`notify_settings_request` and :func:`technician_request`: if those APIs rename a field,
change it there. An API that is not there yet (404/405) is reported and skipped, not fatal.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from truckroll.auth import Role
from truckroll_local.issuer import LocalIssuer, User

logger = logging.getLogger("truckroll_local.seed")

DEMO_DISPATCHER = "dispatcher@demo"
DEMO_TIMEZONE = ZoneInfo("America/Chicago")
DEMO_SMS_FROM_NUMBER = "+15125550100"


@dataclass(frozen=True)
class DemoJob:
    customer: str
    phone: str
    phone_type: str
    email: str
    street: str
    postal_code: str
    lat: float
    lon: float
    job_type: str
    business_unit: str
    priority: str
    summary: str
    skills: tuple[str, ...]
    window_start_hour: int
    hours: float
    verified: bool = True
    city: str = "Austin"
    state: str = "TX"


DEMO_JOBS: tuple[DemoJob, ...] = (
    DemoJob("Maria Gonzalez", "+15125550111", "mobile", "maria.gonzalez@example.com",
            "1100 Congress Ave", "78701", 30.2747, -97.7404, "AC Repair", "HVAC", "high",
            "AC blowing warm air, upstairs unit", ("hvac",), 8, 1.5),
    DemoJob("James Carter", "+15125550112", "mobile", "james.carter@example.com",
            "2401 E 6th St", "78702", 30.2606, -97.7186, "Maintenance", "HVAC", "normal",
            "Spring AC tune-up, two systems", ("hvac",), 8, 2.0),
    DemoJob("Linh Tran", "+15125550113", "mobile", "linh.tran@example.com",
            "4500 Duval St", "78751", 30.3126, -97.7257, "Water Heater Replacement", "Plumbing", "normal",
            "Replace 50 gal gas water heater", ("plumbing", "gas"), 10, 3.0),
    DemoJob("Robert Miller", "+15125550114", "landline", "robert.miller@example.com",
            "3800 N Lamar Blvd", "78756", 30.3044, -97.7426, "Drain Cleaning", "Plumbing", "normal",
            "Kitchen sink backs up", ("plumbing",), 10, 1.0),
    DemoJob("Aisha Khan", "+15125550115", "mobile", "aisha.khan@example.com",
            "6001 Airport Blvd", "78752", 30.3234, -97.7117, "Panel Upgrade", "Electrical", "normal",
            "200A panel upgrade, permit pulled", ("electrical",), 12, 4.0),
    DemoJob("Tom Becker", "+15125550116", "mobile", "tom.becker@example.com",
            "1900 S 1st St", "78704", 30.2468, -97.7571, "No Heat", "HVAC", "urgent",
            "Furnace not igniting, elderly occupant", ("hvac",), 12, 1.5),
    DemoJob("Grace Lee", "+15125550117", "mobile", "grace.lee@example.com",
            "7300 Burnet Rd", "78757", 30.3525, -97.7381, "Outlet Repair", "Electrical", "normal",
            "Two dead outlets in garage", ("electrical",), 14, 1.0),
    DemoJob("Diego Ramirez", "+15125550118", "mobile", "diego.ramirez@example.com",
            "5010 Manor Rd", "78723", 30.2940, -97.6870, "Leak Detection", "Plumbing", "high",
            "Water stain on ceiling below bathroom", ("plumbing",), 14, 2.0, verified=False),
)  # fmt: skip


def _at(day: date, hour: float) -> str:
    start = datetime.combine(day, time(0), DEMO_TIMEZONE) + timedelta(hours=hour)
    return start.isoformat()


def job_request(job: DemoJob, day: date) -> dict[str, Any]:
    """The body of ``POST /booking/jobs`` for ``job`` on ``day``."""
    window_start = job.window_start_hour
    return {
        "customer": {
            "name": job.customer,
            "phone": job.phone,
            "phone_type": job.phone_type,
            "email": job.email,
        },
        "location": {
            "street": job.street,
            "city": job.city,
            "state": job.state,
            "postal_code": job.postal_code,
            "lat": job.lat,
            "lon": job.lon,
            "verified": job.verified,
            "tags": list(job.skills),
        },
        "job": {
            "job_type": job.job_type,
            "business_unit": job.business_unit,
            "priority": job.priority,
            "summary": job.summary,
        },
        "appointment": {
            "start": _at(day, window_start),
            "end": _at(day, window_start + job.hours),
            "arrival_window": {"start": _at(day, window_start), "end": _at(day, window_start + 2)},
        },
    }


def notify_settings_request() -> dict[str, Any]:
    """The body of ``PUT /notify/settings`` for the demo company."""
    return {"sms_from_number": DEMO_SMS_FROM_NUMBER}


def technician_request(user: User) -> dict[str, Any]:
    """The body of ``POST /dispatch/technicians`` for a seeded technician (its id: the username)."""
    return {"technician_id": user.username, "name": user.display_name, "role": "technician", "active": True}


def demo_technicians(issuer: LocalIssuer) -> list[User]:
    return [u for u in issuer.users if u.tenant_id == "demo" and u.role is Role.TECHNICIAN]


@dataclass(frozen=True)
class Posted:
    method: str
    path: str
    status: int
    detail: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _send(base_url: str, method: str, path: str, token: str, body: dict[str, Any], key: str) -> Posted:
    request = urllib.request.Request(  # noqa: S310 - the local stack's own loopback URL
        f"{base_url}{path}",
        data=json.dumps(body).encode(),
        method=method,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return Posted(method, path, response.status, response.read().decode()[:200])
    except urllib.error.HTTPError as error:
        return Posted(method, path, error.code, error.read().decode()[:200])


def seed_demo(base_url: str, issuer: LocalIssuer, day: date | None = None) -> list[Posted]:
    """Post the demo company's settings, technicians and jobs for ``day`` (tomorrow, demo time, by
    default)."""
    day = day or datetime.now(DEMO_TIMEZONE).date() + timedelta(days=1)
    token = issuer.token_for(DEMO_DISPATCHER)
    admin_token = issuer.token_for("admin@demo")
    key = f"demo-seed-{day.isoformat()}"
    posted = [
        _send(base_url, "PUT", "/notify/settings", admin_token, notify_settings_request(), f"{key}-notify")
    ]
    posted.extend(
        _send(
            base_url,
            "POST",
            "/dispatch/technicians",
            token,
            technician_request(user),
            f"{key}-{user.username}",
        )
        for user in demo_technicians(issuer)
    )
    for index, job in enumerate(DEMO_JOBS):
        result = _send(base_url, "POST", "/booking/jobs", token, job_request(job, day), f"{key}-job-{index}")
        posted.append(result)
        if result.status in (404, 405):
            break  # the booking API is not there yet: one report is enough
    for result in posted:
        log = logger.info if result.ok else logger.warning
        log(
            "seed %s %s -> %d %s",
            result.method,
            result.path,
            result.status,
            "" if result.ok else result.detail,
        )
    return posted
