"""One real event of every dispatch event type, produced by the domain actions that cause it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from truckroll.contracts.publish import envelope_for
from truckroll.domain.crews import Crew, MemberKind
from truckroll.domain.customers import Address, Customer, Location, Phone, PhoneType
from truckroll.domain.events import (
    Actor,
    CrewChange,
    CrewChanged,
    DomainEvent,
    NonJobEventChange,
    NonJobEventChanged,
    ShiftsSet,
    TechniciansMessaged,
)
from truckroll.domain.jobs import Job, JobDetails, TechAction, Visit
from truckroll.domain.schedule import TechDay
from truckroll.domain.timeline import NonJobEvent, Shift, ShiftKind, working_time
from truckroll.domain.windows import TimeWindow

LOCAL = timezone(timedelta(hours=-5))
AT = datetime(2026, 5, 4, 7, 30, tzinfo=UTC)
OFFICE = Actor("dispatcher@acme", "dispatcher")
FIRST_NAMES = {"tech-1@acme": "Ana", "tech-2@acme": "Ben", "tech-3@acme": "Maria"}


def _visit(hour: int) -> Visit:
    return Visit(
        TimeWindow(datetime(2026, 5, 4, hour, tzinfo=LOCAL), datetime(2026, 5, 4, hour + 2, tzinfo=LOCAL)),
        TimeWindow(datetime(2026, 5, 4, hour, tzinfo=LOCAL), datetime(2026, 5, 4, hour + 3, tzinfo=LOCAL)),
    )


def _job() -> tuple[Job, str]:
    customer = Customer("acme", "c1", "Lee Park", Phone("+13125550111", PhoneType.MOBILE))
    location = Location("acme", "l1", "c1", Address("1 Elm", "Chicago", "IL", "60601"), verified=True)
    job = Job.book(
        customer=customer,
        location=location,
        details=JobDetails(job_type="Drain cleaning", summary="Kitchen sink"),
        visit=_visit(9),
        now=AT,
    )
    job.pull_events()
    return job, job.appointments[0].appointment_id


def _local(hour: int) -> datetime:
    return datetime(2026, 5, 4, hour, tzinfo=LOCAL)


def _timeline_events() -> list[DomainEvent]:
    """A day's shifts (lunch taken off), a meeting through its life, a crew through its life."""
    day = TechDay("acme", "tech-1@acme", date(2026, 5, 4))
    day = day.with_shift(
        Shift("01JNB5Q4Y8W3T0M2K9D7H6F5G1", ShiftKind.REGULAR, TimeWindow(_local(7), _local(17)))
    )
    day = day.with_shift(
        Shift("01JNB5Q4Y8W3T0M2K9D7H6F5G2", ShiftKind.TIME_OFF, TimeWindow(_local(12), _local(13)))
    )
    meeting = NonJobEvent(
        "01JNB5Q4Y8W3T0M2K9D7H6F5G3", "meeting", TimeWindow(_local(7), _local(8)), True, "MTG"
    )
    crew = Crew("acme", "01JNB5Q4Y8W3T0M2K9D7H6F5G4", "Roofing crew").with_member(
        "tech-1@acme", MemberKind.LINKED
    )
    joined = crew.with_member("tech-2@acme", MemberKind.FLOATING)
    return [
        ShiftsSet("acme", "tech-1@acme", day.day, working_time(day.shifts), AT),
        *(
            NonJobEventChanged(change, "acme", "tech-1@acme", meeting, OFFICE, AT)
            for change in (NonJobEventChange.CREATED, NonJobEventChange.EDITED, NonJobEventChange.DELETED)
        ),
        NonJobEventChanged(
            NonJobEventChange.COMPLETED, "acme", "tech-1@acme", meeting.complete(), OFFICE, AT
        ),
        CrewChanged(CrewChange.CREATED, "acme", crew, OFFICE, AT),
        CrewChanged(CrewChange.MEMBER_ADDED, "acme", joined, OFFICE, AT, "tech-2@acme"),
        CrewChanged(CrewChange.MEMBER_REMOVED, "acme", crew, OFFICE, AT, "tech-2@acme"),
    ]


def produced() -> dict[str, dict[str, Any]]:
    """The envelope dispatch publishes for each event type, keyed by type."""
    job, appointment = _job()
    events: list[DomainEvent] = []

    def keep() -> None:
        events.extend(job.pull_events())

    job.add_appointment(_visit(13), ("tech-2@acme",), actor=OFFICE, at=AT, first_names=FIRST_NAMES)
    keep()
    job.assign(appointment, ("tech-1@acme",), actor=OFFICE, at=AT, first_names=FIRST_NAMES)
    keep()
    job.confirm(appointment, actor=OFFICE, at=AT)
    keep()
    job.reschedule(appointment, _visit(10), None, actor=OFFICE, at=AT)
    keep()
    job.reassign(appointment, "tech-1@acme", "tech-3@acme", actor=OFFICE, at=AT, first_names=FIRST_NAMES)
    keep()
    job.assign(appointment, ("tech-1@acme",), actor=OFFICE, at=AT)
    job.pull_events()
    job.unassign(appointment, ("tech-1@acme",), actor=OFFICE, at=AT)
    keep()
    reason = "no qualified technician can get there inside its arrival window"
    job.flag_unplanned(appointment, reason, actor=Actor("system", "auto_dispatch"), at=AT)
    keep()
    tech = Actor("tech-3@acme", "technician")
    job.progress(appointment, "tech-3@acme", TechAction.ON_MY_WAY, actor=tech, at=AT)
    keep()
    job.progress(appointment, "tech-3@acme", TechAction.CANCEL_DISPATCH, actor=tech, at=AT)
    keep()
    job.progress(appointment, "tech-3@acme", TechAction.ARRIVED, actor=tech, at=AT)
    job.progress(appointment, "tech-3@acme", TechAction.PAUSE, actor=tech, at=AT, reason="part needed")
    keep()
    job.delete_appointment(job.appointments[1].appointment_id, actor=OFFICE, at=AT, reason="booked twice")
    keep()
    job.hold("waiting for approval", actor=OFFICE, at=AT)
    job.remove_hold(actor=OFFICE, at=AT)
    job.set_billing(0, ("diagnostic fee",))
    job.cancel("customer moved", actor=OFFICE, at=AT)
    job.uncancel(actor=OFFICE, at=AT, reason="customer called back")
    keep()
    events.append(
        TechniciansMessaged(
            "acme", "01JNB5Q4Y8W3T0M2K9D7H6F5GB", ("tech-1@acme",), "Call the office", False, OFFICE, AT
        )
    )
    events.extend(_timeline_events())
    by_type: dict[str, dict[str, Any]] = {}
    for event in events:
        envelope = envelope_for(event, producer="dispatch").model_dump(mode="json")
        by_type.setdefault(envelope["event_type"], envelope)
    return by_type
