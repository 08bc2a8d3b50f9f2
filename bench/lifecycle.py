"""A job's life through the public APIs, as the office, the technician's phone and the customer use
them: shared by the ``load`` suite (over HTTP) and the ``cost`` suite (in process, counting AWS
requests).

Every :class:`Step` is named (its *operation*) and goes through a :data:`Call`, which sends the
request and fails on any status the step does not expect; the suites decide what a call also
measures.

The technicians are on shift all day in a UTC offset where it is now about noon (:func:`noon_zone`),
so every GPS fix sent now falls inside a shift, whatever the hour the suite runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

OK = frozenset({200})
CREATED = frozenset({201})


@dataclass(frozen=True)
class Step:
    """One request: the operation it measures, and the statuses that are not an error."""

    operation: str
    method: str
    path: str
    headers: Mapping[str, str]
    body: Any = None
    expected: frozenset[int] = OK


#: Sends a step and returns its parsed JSON answer; fails on a status the step does not expect.
Call = Callable[[Step], Any]
NOTIFY_SETTINGS = {
    "sms_from_number": "+15125550100",
    "email_from": "office@coolair.example",
    "company_name": "Cool Air",
    # Suites run at any hour: no message may wait for the morning.
    "quiet_hours": False,
}
DESTINATION = (30.30, -97.74)
ORIGIN = (30.27, -97.74)  # 3.3 km south of every job


def noon_zone(now: datetime) -> timezone:
    """A UTC offset in which ``now`` is about noon."""
    return timezone(timedelta(hours=12 - now.astimezone(UTC).hour))


def today_shift(now: datetime) -> dict[str, str]:
    """00:30-23:30 of today in :func:`noon_zone`: a shift around ``now`` that stays in one day."""
    local = now.astimezone(noon_zone(now))
    start = local.replace(hour=0, minute=30, second=0, microsecond=0)
    return {"start": start.isoformat(), "end": start.replace(hour=23).isoformat()}


def job_body(
    n: int,
    start: datetime,
    *,
    hours: int = 2,
    window_hours: int = 1,
    at: tuple[float, float] = DESTINATION,
    job_type: str = "Maintenance",
) -> dict[str, Any]:
    """A new customer and location at ``at`` (so the booking creates them) and an appointment of
    ``hours`` from ``start``, its arrival window the first ``window_hours``."""
    return {
        "customer": {"name": f"Customer {n}", "phone": f"+1512{n % 10_000_000:07d}", "phone_type": "mobile"},
        "location": {
            "street": f"{n} Main St",
            "city": "Austin",
            "state": "TX",
            "postal_code": "78701",
            "lat": at[0],
            "lon": at[1],
            "verified": True,
        },
        "job": {"job_type": job_type, "summary": f"Job {n}"},
        "appointment": {
            "start": start.isoformat(),
            "end": (start + timedelta(hours=hours)).isoformat(),
            "arrival_window": {
                "start": start.isoformat(),
                "end": (start + timedelta(hours=window_hours)).isoformat(),
            },
        },
    }


def fix(share: float, at: datetime) -> dict[str, Any]:
    """A fix taken at ``at``, ``share`` of the way from :data:`ORIGIN` to the job."""
    return {
        "recorded_at": at.isoformat(),
        "lat": round(ORIGIN[0] + (DESTINATION[0] - ORIGIN[0]) * share, 6),
        "lon": ORIGIN[1],
        "accuracy_m": 5.0,
    }


def fixes(count: int, every_seconds: float, now: datetime) -> list[dict[str, Any]]:
    """``count`` fixes ``every_seconds`` apart, the last one ``now``, driving north to the job."""
    return [fix(i / count, now - timedelta(seconds=every_seconds * (count - 1 - i))) for i in range(count)]


@dataclass(frozen=True)
class Company:
    """One tenant's people, as headers: an admin, a dispatcher and technicians by id."""

    admin: Mapping[str, str]
    office: Mapping[str, str]
    technicians: Mapping[str, Mapping[str, str]]

    def set_up(self, call: Call, now: datetime) -> None:
        """Outbound numbers, every technician on the board and on shift all today."""
        call(Step("settings", "PUT", "/notify/settings", self.admin, NOTIFY_SETTINGS))
        for technician_id in self.technicians:
            profile = {"technician_id": technician_id, "name": f"Tech {technician_id}", "skills": ["hvac"]}
            call(Step("technician", "POST", "/dispatch/technicians", self.office, profile, CREATED))
            path = f"/dispatch/technicians/{quote(technician_id, safe='@')}/shifts"
            call(Step("shift", "POST", path, self.office, today_shift(now), CREATED))


@dataclass(frozen=True)
class Job:
    """A booked job's one appointment, and the technician who will take it."""

    company: Company
    job_id: str
    appointment_id: str
    day: date
    technician_id: str

    @classmethod
    def book(cls, call: Call, company: Company, n: int, start: datetime, technician_id: str) -> Job:
        booked = call(Step("book", "POST", "/booking/jobs", company.office, job_body(n, start), CREATED))
        return cls(
            company,
            booked["job_id"],
            booked["appointments"][0]["appointment_id"],
            start.date(),
            technician_id,
        )

    @property
    def tech(self) -> Mapping[str, str]:
        return self.company.technicians[self.technician_id]

    def _act(self, call: Call, operation: str, action: str, headers: Mapping[str, str], body: Any) -> None:
        path = f"/dispatch/jobs/{self.job_id}/appointments/{self.appointment_id}/{action}"
        call(Step(operation, "POST", path, headers, body))

    def board(self, call: Call) -> str:
        """The dispatcher's board of the job's day; its change-feed cursor."""
        answer = call(Step("board", "GET", f"/dispatch/board?date={self.day}", self.company.office))
        return str(answer["cursor"])

    def changes(self, call: Call, cursor: str) -> None:
        path = f"/dispatch/board/changes?date={self.day}&cursor={quote(cursor)}"
        call(Step("board_changes", "GET", path, self.company.office))

    def assign(self, call: Call) -> None:
        self._act(call, "assign", "assign", self.company.office, {"technician_ids": [self.technician_id]})

    def on_my_way(self, call: Call) -> None:
        """The technician's "On my way" (dispatch): the customer's link and text follow."""
        self._act(call, "on_my_way", "dispatch", self.tech, {})

    def send_fixes(self, call: Call, batch: list[dict[str, Any]]) -> None:
        call(Step("gps_fixes", "POST", "/tracking/fixes", self.tech, {"fixes": batch}))

    def kpis(self, call: Call) -> None:
        """The board's strip of the day's measures."""
        path = f"/tracking/kpis?from={self.day}&to={self.day}"
        call(Step("board_kpis", "GET", path, self.company.office))

    def positions(self, call: Call) -> None:
        call(Step("positions", "GET", "/tracking/positions", self.company.office))

    def arrived(self, call: Call) -> None:
        self._act(call, "arrived", "progress", self.tech, {"action": "arrived"})

    def done(self, call: Call) -> None:
        self._act(call, "done", "progress", self.tech, {"action": "done"})

    def deliveries(self, call: Call) -> None:
        call(Step("deliveries", "GET", f"/notify/deliveries?job_id={self.job_id}", self.company.office))


def find_customer(call: Call, company: Company, n: int) -> None:
    """The office looking a caller up by phone, as typed."""
    phone = quote(f"+1512{n % 10_000_000:07d}")
    call(Step("customer_search", "GET", f"/booking/customers?phone={phone}", company.office))
