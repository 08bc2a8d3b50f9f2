"""The customer tracking link: ETA math (hand-computed), tokens, and what a link shows when."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from chalicelib.tracking.links import (
    issue_link,
    open_link,
    project_appointment,
    project_booking,
    project_job_cancellation,
    tracked_view,
)
from chalicelib.tracking.ports import Links

from truckroll.auth import Principal, Role
from truckroll.contracts.dispatch import AppointmentChangeV1, JobChangeV1
from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JobBookedV1
from truckroll.domain.geo import Point
from truckroll.domain.status import AppointmentStatus, TechStatus
from truckroll.domain.tracking import Fix, Position
from truckroll.domain.tracking_links import (
    Destination,
    Link,
    LinkToken,
    TechnicianProgress,
    TrackedAppointment,
    estimate,
)
from truckroll.errors import Conflict, Forbidden, Gone, NotFound
from truckroll.travel import Haversine

NOW = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
OFFICE = Principal("dispatcher", "t1", Role.DISPATCHER)


@pytest.mark.parametrize(
    ("origin", "destination", "distance_km", "eta_minutes"),
    [
        # 6371 km * pi / 180 = 111.1949 km; * 1.3 = 144.5534 km; / 40 km/h = 216.83 min
        (Point(0, 0), Point(0, 1), 144.5534, 217),
        # 0.03 degrees of latitude = 3.33585 km; * 1.3 = 4.33660 km; / 40 km/h = 6.50 min
        (Point(30.27, -97.74), Point(30.30, -97.74), 4.3366, 7),
        (Point(30.27, -97.74), Point(30.27, -97.74), 0.0, 0),
    ],
)
def test_the_default_eta_is_straight_line_distance_times_circuity_at_40_kmh_rounded_up(
    origin: Point, destination: Point, distance_km: float, eta_minutes: int
) -> None:
    shown = estimate(Haversine(), origin, destination)
    assert shown.distance_km == pytest.approx(distance_km, abs=1e-4)
    assert shown.eta_minutes == eta_minutes


def test_a_token_is_128_random_bits_kept_as_its_sha256() -> None:
    token = LinkToken.new()
    assert LinkToken.parse(token.value) == token
    assert len(token.hash) == 64
    assert token.hash != LinkToken.new().hash
    assert LinkToken.parse("short") is None
    assert LinkToken.parse("x" * 21 + "#") is None


class MemoryAppointments:
    def __init__(self) -> None:
        self.appointments: dict[tuple[str, str], TrackedAppointment] = {}
        self.destinations: dict[tuple[str, str], Destination] = {}

    def put_destination(self, tenant_id: str, job_id: str, destination: Destination) -> None:
        self.destinations[(tenant_id, job_id)] = destination

    def destination(self, tenant_id: str, job_id: str) -> Destination | None:
        return self.destinations.get((tenant_id, job_id))

    def put(self, appointment: TrackedAppointment) -> None:
        self.appointments[(appointment.tenant_id, appointment.appointment_id)] = appointment

    def get(self, tenant_id: str, appointment_id: str) -> TrackedAppointment | None:
        return self.appointments.get((tenant_id, appointment_id))


class MemoryLinks:
    def __init__(self) -> None:
        self.links: dict[str, Link] = {}

    def add(self, token_hash: str, link: Link) -> None:
        self.links[token_hash] = link

    def get(self, token_hash: str) -> Link | None:
        return self.links.get(token_hash)

    def count_open(self, token_hash: str) -> None:
        link = self.links[token_hash]
        self.links[token_hash] = Link(
            link.tenant_id, link.appointment_id, link.job_id, link.created_at, link.opens + 1
        )


class MemoryPositions:
    def __init__(self) -> None:
        self.positions: dict[tuple[str, str], Position] = {}

    def latest(self, tenant_id: str, technician_id: str, now: datetime) -> Position | None:
        return self.positions.get((tenant_id, technician_id))


def appointment(status: AppointmentStatus, tech: TechStatus) -> TrackedAppointment:
    return TrackedAppointment(
        tenant_id="t1",
        appointment_id="a1",
        job_id="j1",
        status=status,
        window_start=NOW,
        window_end=NOW + timedelta(hours=2),
        technicians=(TechnicianProgress("tech-1", tech),),
        occurred_at=NOW,
    )


@pytest.fixture
def links() -> Links:
    appointments = MemoryAppointments()
    appointments.put(appointment(AppointmentStatus.DISPATCHED, TechStatus.DISPATCHED))
    appointments.put_destination("t1", "j1", Destination(30.30, -97.74, verified=True))
    positions = MemoryPositions()
    fix = Fix("tech-1", NOW - timedelta(minutes=1), 30.27, -97.74, 5.0)
    positions.positions[("t1", "tech-1")] = Position(fix, NOW)
    return Links(appointments, MemoryLinks(), positions, Haversine(), lambda: NOW)


def opens(links: Links) -> list[int]:
    assert isinstance(links.links, MemoryLinks)
    return [link.opens for link in links.links.links.values()]


def test_on_the_way_to_a_verified_address_the_link_shows_position_distance_and_eta(links: Links) -> None:
    token = issue_link("a1", OFFICE, links)
    view = tracked_view(open_link(token.value, links))
    assert view["on_the_way"] is True
    assert view["position"]["lat"] == 30.27
    assert (view["distance_km"], view["eta_minutes"]) == (4.3, 7)
    open_link(token.value, links)
    assert opens(links) == [2]


def test_an_unverified_address_shows_the_destination_only(links: Links) -> None:
    links.appointments.put_destination("t1", "j1", Destination(30.30, -97.74, verified=False))
    view = tracked_view(open_link(issue_link("a1", OFFICE, links).value, links))
    assert view["destination"] == {"lat": 30.30, "lon": -97.74}
    assert (view["position"], view["distance_km"], view["eta_minutes"]) == (None, None, None)


@pytest.mark.parametrize(
    ("status", "tech"),
    [(AppointmentStatus.WORKING, TechStatus.WORKING), (AppointmentStatus.PAUSED, TechStatus.PAUSED)],
)
def test_once_the_technician_arrived_their_name_is_shown_but_no_position(
    links: Links, status: AppointmentStatus, tech: TechStatus
) -> None:
    token = issue_link("a1", OFFICE, links)
    at_work = appointment(status, tech)
    links.appointments.put(replace(at_work, technicians=(TechnicianProgress("tech-1", tech, "Maria"),)))
    view = tracked_view(open_link(token.value, links))
    assert (view["status"], view["on_the_way"]) == (status.value, False)
    assert (view["position"], view["distance_km"], view["eta_minutes"]) == (None, None, None)
    assert view["technician"] == {"first_name": "Maria"}


def test_the_name_shown_is_the_technician_on_the_way_before_one_at_work(links: Links) -> None:
    token = issue_link("a1", OFFICE, links)
    crew = (
        TechnicianProgress("tech-1", TechStatus.WORKING, "Maria"),
        TechnicianProgress("tech-2", TechStatus.DISPATCHED, "Sam"),
        TechnicianProgress("tech-3", TechStatus.ASSIGNED, "Lee"),
    )
    links.appointments.put(
        replace(appointment(AppointmentStatus.DISPATCHED, TechStatus.DISPATCHED), technicians=crew)
    )
    view = tracked_view(open_link(token.value, links))
    assert (view["on_the_way"], view["technician"]) == (True, {"first_name": "Sam"})


@pytest.mark.parametrize("status", [AppointmentStatus.DONE, AppointmentStatus.CANCELED])
def test_a_link_is_gone_once_the_appointment_is_over_and_that_open_is_not_counted(
    links: Links, status: AppointmentStatus
) -> None:
    token = issue_link("a1", OFFICE, links)
    links.appointments.put(appointment(status, TechStatus.DONE))
    with pytest.raises(Gone):
        open_link(token.value, links)
    assert opens(links) == [0]
    with pytest.raises(Gone):
        issue_link("a1", OFFICE, links)


def test_a_link_shows_nothing_before_dispatch_or_for_an_unknown_token(links: Links) -> None:
    token = issue_link("a1", OFFICE, links)
    links.appointments.put(appointment(AppointmentStatus.SCHEDULED, TechStatus.ASSIGNED))
    for value in (token.value, LinkToken.new().value, "not-a-token"):
        with pytest.raises(NotFound):
            open_link(value, links)
    with pytest.raises(Conflict):
        issue_link("a1", OFFICE, links)
    with pytest.raises(NotFound):
        issue_link("unknown", OFFICE, links)


def test_only_the_office_issues_links(links: Links) -> None:
    with pytest.raises(Forbidden):
        issue_link("a1", Principal("tech-1", "t1", Role.TECHNICIAN), links)


GOLDEN = Path(__file__).resolve().parents[1] / "contracts" / "golden"


def golden(event_type: str) -> tuple[EventEnvelope, dict[str, Any]]:
    envelope = EventEnvelope.model_validate_json((GOLDEN / f"{event_type}.v1.json").read_text())
    return envelope, envelope.data


def test_every_visit_of_a_job_over_several_days_is_kept() -> None:
    projection = MemoryAppointments()
    envelope, data = golden("job.booked")
    first = data["appointment"]
    later = [
        {
            **first,
            "appointment_id": f"{first['appointment_id']}-{day}",
            "start": f"2026-03-0{day}T09:00:00-06:00",
            "end": f"2026-03-0{day}T11:00:00-06:00",
        }
        for day in (4, 5)
    ]
    booked = JobBookedV1.model_validate({**data, "appointments": [first, *later]})
    project_booking(envelope, booked, projection)
    for visit in booked.visits():
        kept = projection.get(envelope.tenant_id, visit.appointment_id)
        assert kept is not None
        assert (kept.job_id, kept.status) == (booked.job_id, AppointmentStatus.SCHEDULED)
    assert len(booked.visits()) == 3


def test_the_projection_follows_booking_and_dispatch_events() -> None:
    projection = MemoryAppointments()
    envelope, data = golden("job.booked")
    booked = JobBookedV1.model_validate(data)
    project_booking(envelope, booked, projection)
    assert projection.destination(envelope.tenant_id, booked.job_id) == Destination(30.27, -97.74, True)
    assert booked.appointment is not None
    kept = projection.get(envelope.tenant_id, booked.appointment.appointment_id)
    assert kept is not None
    assert kept.status == AppointmentStatus.SCHEDULED
    envelope, data = golden("appointment.dispatched")
    project_appointment(envelope, AppointmentChangeV1.model_validate(data), projection)
    dispatched = projection.get(envelope.tenant_id, data["appointment"]["appointment_id"])
    assert dispatched is not None
    assert (dispatched.status, dispatched.on_the_way) == (AppointmentStatus.DISPATCHED, "tech-3@acme")
    envelope, data = golden("appointment.deleted")
    project_appointment(envelope, AppointmentChangeV1.model_validate(data), projection)
    deleted = projection.get(envelope.tenant_id, data["appointment"]["appointment_id"])
    assert deleted is not None
    assert deleted.ended


def test_a_canceled_job_ends_its_appointments_until_it_is_set_back() -> None:
    projection = MemoryAppointments()
    envelope, data = golden("appointment.dispatched")
    project_appointment(envelope, AppointmentChangeV1.model_validate(data), projection)
    appointment_id = data["appointment"]["appointment_id"]
    canceled, canceled_data = golden("job.canceled")
    later = envelope.occurred_at + timedelta(minutes=1)
    project_job_cancellation(
        canceled.model_copy(update={"occurred_at": later}),
        JobChangeV1.model_validate(canceled_data),
        projection,
    )
    kept = projection.get(envelope.tenant_id, appointment_id)
    assert kept is not None
    assert (kept.ended, kept.started, kept.status) == (True, False, AppointmentStatus.DISPATCHED)
    uncanceled, uncanceled_data = golden("job.uncanceled")
    project_job_cancellation(
        uncanceled.model_copy(update={"occurred_at": later + timedelta(minutes=1)}),
        JobChangeV1.model_validate({**uncanceled_data, "appointment_ids": [appointment_id]}),
        projection,
    )
    again = projection.get(envelope.tenant_id, appointment_id)
    assert again is not None
    assert (again.ended, again.started) == (False, True)
