"""Rules of notes and photos on a job, and of follow-up jobs booked from the field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from builders import at, customer, details, location, visit

from truckroll.domain.booking_settings import ArrivalWindow, BookingSettings, JobType, RequiredField
from truckroll.domain.events import Actor
from truckroll.domain.field_booking import (
    FOLLOW_UP_DAYS,
    FollowUp,
    follow_up_details,
    preferred_visit,
    require_worked_on,
)
from truckroll.domain.job_notes import (
    MAX_PHOTO_BYTES,
    Note,
    PhotoUpload,
    check_photo,
    photo_key,
)
from truckroll.domain.jobs import Job, JobSource, Priority
from truckroll.errors import NotFound, ValidationFailed

TECH = Actor("tech-1@demo", "technician")
NOW = at(3, 10)  # during the visit of builders.visit() (March 3, 9:00-11:00 Central)


def job_of(*technicians: str) -> Job:
    return Job.book(
        customer=customer(),
        location=location(),
        details=details(),
        visit=visit(),
        now=NOW,
        technician_ids=technicians,
    )


# -- notes and photos ----------------------------------------------------------------------------


def test_a_note_is_trimmed_and_refused_when_empty_or_too_long() -> None:
    note = Note.write("t1", "j1", "  Filter clogged \n", True, TECH, NOW)
    assert (note.text, note.public, note.author) == ("Filter clogged", True, TECH)
    for text in ("   ", "x" * 4001):
        with pytest.raises(ValidationFailed) as refused:
            Note.write("t1", "j1", text, False, TECH, NOW)
        assert [e.field for e in refused.value.errors] == ["text"]


def test_a_photo_key_is_namespaced_by_tenant_and_job() -> None:
    upload = PhotoUpload.plan("t1", "j1", "image/webp", 1000)
    assert upload.key == f"t1/jobs/j1/photos/{upload.photo_id}" == photo_key("t1", "j1", upload.photo_id)
    assert PhotoUpload.plan("t1", "j1", "image/webp", 1000).photo_id != upload.photo_id


@pytest.mark.parametrize(
    ("content_type", "size", "fields"),
    [
        ("image/gif", 10, ["content_type"]),
        ("image/jpeg", 0, ["size"]),
        ("image/png", MAX_PHOTO_BYTES + 1, ["size"]),
        ("text/html", -1, ["content_type", "size"]),
    ],
)
def test_a_photo_is_a_jpeg_png_or_webp_of_at_most_ten_megabytes(
    content_type: str, size: int, fields: list[str]
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_photo(content_type, size)
    assert [e.field for e in refused.value.errors] == fields
    check_photo("image/png", MAX_PHOTO_BYTES)


# -- follow-ups from the field -------------------------------------------------------------------


def test_a_technician_books_only_from_a_job_they_work_on_recently() -> None:
    job = job_of("tech-1@demo")
    require_worked_on(job, "tech-1@demo", NOW)
    require_worked_on(job, "tech-1@demo", NOW + timedelta(days=FOLLOW_UP_DAYS) - timedelta(hours=2))
    with pytest.raises(NotFound):
        require_worked_on(job, "tech-2@demo", NOW)
    with pytest.raises(NotFound):
        require_worked_on(job, "tech-1@demo", NOW + timedelta(days=FOLLOW_UP_DAYS, hours=1))
    canceled = job_of("tech-1@demo")
    canceled.appointments[0] = replace(canceled.appointments[0], canceled=True)
    with pytest.raises(NotFound):
        require_worked_on(canceled, "tech-1@demo", NOW)


def test_a_follow_up_keeps_the_business_unit_and_comes_from_the_field_app() -> None:
    follow_up = FollowUp("Duct cleaning", "Ducts dusty", Priority.LOW)
    made = follow_up_details(job_of("tech-1@demo"), follow_up)
    assert (made.job_type, made.summary, made.priority) == ("Duct cleaning", "Ducts dusty", Priority.LOW)
    assert (made.business_unit, made.source) == ("HVAC", JobSource.FIELD_APP)


def test_without_a_preferred_day_there_is_no_visit() -> None:
    assert preferred_visit(BookingSettings("t1"), details(), None, NOW) is None


def test_a_preferred_day_books_the_first_window_of_the_business_unit_in_the_company_zone() -> None:
    settings = BookingSettings(
        "t1",
        job_types=(JobType("AC repair", timedelta(minutes=90)),),
        business_units=("HVAC", "Plumbing"),
        arrival_windows=(
            ArrivalWindow("Afternoon", time(13), time(17)),
            ArrivalWindow("Plumbing early", time(7), time(9), ("Plumbing",)),
            ArrivalWindow("Morning", time(8), time(12)),
        ),
        time_zone="America/Chicago",
    )
    made = preferred_visit(settings, details(), date(2026, 3, 5), NOW)
    assert made is not None
    assert made.arrival_window.start.isoformat() == "2026-03-05T08:00:00-06:00"
    assert made.arrival_window.end.isoformat() == "2026-03-05T12:00:00-06:00"
    assert made.end - made.start == timedelta(minutes=90)


def test_a_preferred_day_without_windows_or_job_types_books_a_morning_hour() -> None:
    made = preferred_visit(BookingSettings("t1"), details(), date(2026, 3, 3), NOW)
    assert made is not None
    assert (made.start.hour, made.arrival_window.end.hour) == (8, 12)
    assert made.end - made.start == timedelta(hours=1)


@pytest.mark.parametrize("day", [date(2026, 3, 2), date(2026, 3, 3) + timedelta(days=91)])
def test_a_preferred_day_is_from_today_to_ninety_days_ahead(day: date) -> None:
    with pytest.raises(ValidationFailed) as refused:
        preferred_visit(BookingSettings("t1"), details(), day, NOW)
    assert [e.field for e in refused.value.errors] == ["preferred_date"]


def test_the_company_checks_a_follow_ups_job_type_but_not_its_office_fields() -> None:
    settings = BookingSettings(
        "t1",
        job_types=(JobType("AC repair", timedelta(hours=1)),),
        required_fields=(RequiredField.JOB_CALL_ID, RequiredField.APPOINTMENT),
    )
    settings.check_offered(details(), None)
    with pytest.raises(ValidationFailed):
        settings.check(customer(), location(), details(), None)  # what an office booking must give
    with pytest.raises(ValidationFailed) as refused:
        settings.check_offered(replace(details(), job_type="Roofing"), None)
    assert [e.field for e in refused.value.errors] == ["job.job_type"]
