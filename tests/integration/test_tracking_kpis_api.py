"""The measures of a small fixed day through the local stack, against values computed by hand: the
visits come from ``appointment.*`` events, the shifts from ``technician.shifts_set``, the links from
dispatches and the customer's opens."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from truckroll.config import LOCAL_LINK_SECRET
from truckroll.contracts.envelope import EventEnvelope, new_event
from truckroll.contracts.tracking import TECHNICIAN_SHIFTS_SET
from truckroll.domain.tracking_links import LinkToken
from truckroll.messaging.sqs import OutboundMessage, SqsPublisher
from truckroll.resources import RESOURCES
from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

CENTRAL = timezone(timedelta(hours=-6))
AUTO = {"id": "system", "role": "auto_dispatch"}
OFFICE = {"id": "dispatcher@demo", "role": "dispatcher"}


def at(hour: int, minute: int = 0, day: int = 3) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CENTRAL)


class Day:
    """A tenant of its own whose events are sent to tracking's queue as dispatch would."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.tenant = f"kpi-{uuid.uuid4().hex[:10]}"
        self.clock = at(6)

    def send(self, event_type: str, data: dict[str, Any]) -> None:
        self.clock += timedelta(seconds=1)  # each event occurs after the one before
        envelope = new_event(
            event_type, tenant_id=self.tenant, producer="dispatch", data=data, occurred_at=self.clock
        )
        publish(envelope)

    def shifts(self, technician_id: str, start: datetime, end: datetime) -> None:
        day = start.date().isoformat()
        shift = {"start": start.isoformat(), "end": end.isoformat()}
        self.send(TECHNICIAN_SHIFTS_SET, {"technician_id": technician_id, "day": day, "shifts": [shift]})

    def visit(
        self,
        appointment_id: str,
        technician_id: str,
        window: tuple[datetime, datetime],
        *,
        actor: dict[str, str],
        arrived: datetime,
        done: datetime,
        opened: int | None,
    ) -> None:
        """Assigned by ``actor``; dispatched (and its link opened ``opened`` times) unless None."""
        change = Change(appointment_id, technician_id, window)
        self.send("appointment.assigned", change.data("scheduled", "assigned", actor, arrived, added=True))
        if opened is not None:
            self.send(
                "appointment.dispatched", change.data("dispatched", "dispatched", OFFICE, arrived, mine=True)
            )
            self.stack.drain()
            token = LinkToken.of_appointment(LOCAL_LINK_SECRET.encode(), self.tenant, appointment_id)
            for _ in range(opened):
                assert self.stack.request("GET", f"/tracking/links/{token.value}").status == 200
        self.send("appointment.status_changed", change.data("working", "working", OFFICE, arrived, mine=True))
        self.send("appointment.status_changed", change.data("done", "done", OFFICE, done, mine=True))
        self.stack.drain()

    def kpis(self, query: str, user: str = "dispatcher@demo") -> tuple[int, Any]:
        response = self.stack.request(
            "GET", f"/tracking/kpis?{query}", self.stack.auth_headers(user, tenant_id=self.tenant)
        )
        return response.status, response.json()


class Change:
    def __init__(self, appointment_id: str, technician_id: str, window: tuple[datetime, datetime]) -> None:
        self.appointment_id, self.technician_id, self.window = appointment_id, technician_id, window

    def data(
        self,
        status: str,
        tech_status: str,
        actor: dict[str, str],
        when: datetime,
        *,
        added: bool = False,
        mine: bool = False,
    ) -> dict[str, Any]:
        start, end = (w.isoformat() for w in self.window)
        return {
            "job_id": f"job-{self.appointment_id}",
            "job_status": "scheduled",
            "appointment": {
                "appointment_id": self.appointment_id,
                "start": start,
                "end": end,
                "arrival_window": {"start": start, "end": end},
                "status": status,
                "confirmed": False,
                "technician_ids": [self.technician_id],
                "technicians": [
                    {"technician_id": self.technician_id, "status": tech_status, "overlap_forced": False}
                ],
            },
            "actor": actor,
            "at": when.isoformat(),
            "reason": None,
            "added_technician_ids": [self.technician_id] if added else [],
            "removed_technician_ids": [],
            "technician_id": self.technician_id if mine else None,
            "previous": None,
        }


def publish(envelope: EventEnvelope) -> None:
    (queue,) = [q for q in RESOURCES.queues_for(envelope.event_type) if q.consumer == "tracking"]
    assert SqsPublisher().publish([OutboundMessage(queue, envelope)]) == set()


@pytest.fixture(scope="module")
def day(local_stack: LocalStack) -> Day:
    fixed = Day(local_stack)
    fixed.shifts("A", at(8), at(16))
    fixed.shifts("B", at(8), at(12))
    fixed.visit("a1", "A", (at(8), at(10)), actor=AUTO, arrived=at(8, 30), done=at(10), opened=2)
    fixed.visit("a2", "A", (at(10), at(12)), actor=OFFICE, arrived=at(10, 30), done=at(12), opened=0)
    fixed.visit("a3", "A", (at(12), at(13)), actor=AUTO, arrived=at(13, 15), done=at(16, 30), opened=0)
    fixed.visit("b1", "B", (at(8), at(10)), actor=AUTO, arrived=at(9), done=at(11), opened=None)
    nextday = (at(8, day=4), at(10, day=4))
    fixed.visit("a4", "A", nextday, actor=AUTO, arrived=at(8, day=4), done=at(9, day=4), opened=1)
    return fixed


def test_the_measures_of_a_fixed_day_are_the_hand_computed_ones(day: Day) -> None:
    status, measured = day.kpis("from=2026-03-03&to=2026-03-03")
    assert status == 200, measured
    # drives of A: 10:00 -> 10:30 (30 min), 12:00 -> 13:15 (75 min); B has one visit: 105 / 2
    assert measured["average_drive_minutes"] == 52.5
    # arrivals a1, a2, b1 inside their windows, a3 at 13:15 after its 12:00-13:00 window
    assert measured["on_time_arrival_rate"] == 0.75
    # links of a1, a2, a3 (b1 was never dispatched); only a1's was opened (twice)
    assert measured["link_open_rate"] == pytest.approx(1 / 3, abs=1e-4)
    # a1, a3, b1 of the four visits were assigned by auto dispatch
    assert measured["auto_assigned_share"] == 0.75
    a, b = measured["utilization"]
    # A: 1:30 + 1:30 + 3:15 = 375 of 480 minutes, 30 of them after the shift's end
    assert (a["technician_id"], a["working_minutes"], a["shift_minutes"]) == ("A", 375, 480)
    assert (a["rate"], a["overtime_minutes"], a["overtime"]) == (pytest.approx(375 / 480, abs=1e-4), 30, True)
    # B: 2:00 of a 4:00 shift, inside it
    assert (b["technician_id"], b["working_minutes"], b["rate"], b["overtime"]) == ("B", 120, 0.5, False)


def test_a_range_takes_in_each_of_its_days(day: Day) -> None:
    status, measured = day.kpis("from=2026-03-03&to=2026-03-04")
    assert status == 200, measured
    assert measured["auto_assigned_share"] == 0.8  # a4 too
    assert measured["link_open_rate"] == 0.5  # a4's link opened
    status, measured = day.kpis("from=2026-03-05&to=2026-03-31")
    assert (status, measured["on_time_arrival_rate"], measured["utilization"]) == (200, None, [])
    status, measured = day.kpis("from=2026-01-01&to=2026-04-02")  # 92 days, the most
    assert (status, measured["auto_assigned_share"]) == (200, 0.8)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-03-04&to=2026-03-03", "to"),
        ("from=2026-01-01&to=2026-04-03", "to"),  # 93 days
        ("from=2026-03-03", "to"),
        ("from=03/03/2026&to=2026-03-03", "from"),
    ],
)
def test_a_bad_range_is_a_problem_naming_its_field(day: Day, query: str, field: str) -> None:
    status, problem = day.kpis(query)
    named = problem["errors"][0]["field"] if "errors" in problem else problem["field"]  # schema or rule
    assert (status, named) == (422, field)


def test_only_the_office_reads_the_measures(day: Day) -> None:
    status, _ = day.kpis("from=2026-03-03&to=2026-03-03", user="tech-1@demo")
    assert status == 403
