"""Booking a follow-up job from the field: a technician on site books more work for the same
customer and location (a part to fit, a second system to service, an estimate to give).

The rules a service company expects:
- the technician books only where they work: they must be assigned to an appointment of the job
  they book from, not canceled, that started no more than ``FOLLOW_UP_DAYS`` ago (or is still to
  come), so a technician cannot book on any customer of the company from anywhere;
- the new job is for that job's customer and location, in its business unit, with source
  "field app"; the technician chooses job type, summary, priority and, optionally, a preferred day;
- a preferred day (today up to ``MAX_DAYS_AHEAD`` ahead, in the company's time zone) books one
  unassigned appointment in the company's first arrival window of that day (08:00-12:00 when none
  is set), so the job lands on that day's board for a dispatcher to assign or move; without one
  the job is Unscheduled, for the office to plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from truckroll.domain.booking_settings import BookingSettings
from truckroll.domain.jobs import Job, JobDetails, JobSource, Priority, Visit
from truckroll.domain.windows import TimeWindow
from truckroll.errors import FieldError, NotFound, ValidationFailed

FOLLOW_UP_DAYS = 7
MAX_DAYS_AHEAD = 90
DEFAULT_WINDOW = (time(8), time(12))
DEFAULT_VISIT = timedelta(hours=1)


@dataclass(frozen=True)
class FollowUp:
    job_type: str
    summary: str
    priority: Priority = Priority.NORMAL
    preferred_date: date | None = None


def require_worked_on(job: Job, technician_id: str, now: datetime) -> None:
    """Refuse (as not found, like any job the technician may not see) a job the technician has no
    live appointment on within the follow-up period."""
    since = now - timedelta(days=FOLLOW_UP_DAYS)
    if not any(
        technician_id in a.technician_ids and not a.canceled and a.start >= since for a in job.appointments
    ):
        raise NotFound(
            f"job {job.job_id} not found among your appointments of the last {FOLLOW_UP_DAYS} days"
        )


def follow_up_details(origin: Job, follow_up: FollowUp) -> JobDetails:
    return JobDetails(
        job_type=follow_up.job_type,
        summary=follow_up.summary,
        priority=follow_up.priority,
        business_unit=origin.details.business_unit,
        source=JobSource.FIELD_APP,
        project_id=origin.details.project_id,
    )


def preferred_visit(
    settings: BookingSettings, details: JobDetails, day: date | None, now: datetime
) -> Visit | None:
    """The unassigned visit a preferred day books (see the module notes), checked against today."""
    if day is None:
        return None
    zone = settings.zone
    today = now.astimezone(zone).date()
    if not today <= day <= today + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed(
            [FieldError("preferred_date", f"a day from today to {MAX_DAYS_AHEAD} days ahead")]
        )
    offered = sorted(
        (w for w in settings.arrival_windows if w.applies_to(details.business_unit)), key=lambda w: w.start
    )
    start, end = (offered[0].start, offered[0].end) if offered else DEFAULT_WINDOW
    window = TimeWindow(datetime.combine(day, start, zone), datetime.combine(day, end, zone))
    job_type = settings.job_type(details.job_type)
    duration = job_type.duration if job_type is not None else DEFAULT_VISIT
    # A long job type still starts as one visit on that day; the office splits it when planning.
    visit_end = min(window.start + duration, datetime.combine(day, time(23, 59), zone))
    return Visit(scheduled=TimeWindow(window.start, visit_end), arrival_window=window)
