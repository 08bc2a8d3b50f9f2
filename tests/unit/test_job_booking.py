"""Booking a job: status, tags, the appointment, and the event the aggregate records."""

from __future__ import annotations

from dataclasses import replace

import pytest
from builders import at, book, customer, details, location, visit
from fakes import NOW

from truckroll.domain.events import JobBooked
from truckroll.domain.jobs import Job, Visit
from truckroll.domain.status import AppointmentStatus, JobStatus
from truckroll.domain.windows import TimeWindow
from truckroll.errors import RuleViolation


def test_a_job_booked_with_a_time_is_scheduled_with_one_unassigned_appointment() -> None:
    job = book()
    assert job.status is JobStatus.SCHEDULED
    (appointment,) = job.appointments
    assert appointment.status is AppointmentStatus.SCHEDULED
    assert appointment.technician_ids == ()
    assert appointment.job_id == job.job_id
    assert appointment.start == at(3, 9)


def test_a_job_booked_without_a_time_is_unscheduled() -> None:
    job = book(with_visit=False)
    assert job.status is JobStatus.UNSCHEDULED
    assert job.appointments == []


def test_location_tags_are_copied_onto_the_job_first_without_duplicates() -> None:
    assert book().tags == ("dog", "gate-code", "warranty")


def test_the_aggregate_records_job_booked_once() -> None:
    job = book()
    events = job.pull_events()
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, JobBooked)
    assert event.job_id == job.job_id
    assert event.status is JobStatus.SCHEDULED
    assert event.appointment == job.appointments[0]
    assert event.details.tags == job.tags
    assert event.booked_at == NOW
    assert job.pull_events() == []


def test_a_location_of_another_customer_is_refused() -> None:
    with pytest.raises(RuleViolation):
        Job.book(
            customer=customer(),
            location=replace(location(), customer_id="c2"),
            details=details(),
            visit=None,
            now=NOW,
        )
    with pytest.raises(RuleViolation):
        Job.book(customer=customer("t1"), location=location("t2"), details=details(), visit=None, now=NOW)


def test_the_appointment_must_start_inside_its_arrival_window() -> None:
    with pytest.raises(RuleViolation) as refused:
        visit(start=13, end=14, window=(8, 12))
    assert refused.value.extensions["field"] == "start"
    assert visit(start=12, end=14, window=(8, 12)).scheduled.start == at(3, 12)


def test_windows_need_offsets_and_a_positive_length() -> None:
    with pytest.raises(RuleViolation):
        TimeWindow(at(3, 10), at(3, 9))
    with pytest.raises(RuleViolation):
        TimeWindow(at(3, 9).replace(tzinfo=None), at(3, 10))
    with pytest.raises(RuleViolation):
        Visit(scheduled=TimeWindow(at(3, 9), at(3, 9)), arrival_window=TimeWindow(at(3, 8), at(3, 10)))
