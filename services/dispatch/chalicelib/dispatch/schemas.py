"""HTTP request bodies of the dispatch API (strict; unknown fields are refused) and its views."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import time
from typing import Annotated, Any, Literal, TypeVar

from chalicelib.dispatch.auto import DayRun, Explanation
from chalicelib.dispatch.dayroute import DayOptimized
from chalicelib.dispatch.notes import ShownPhoto, UploadTicket
from chalicelib.dispatch.people import Booked
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from truckroll.domain.autodispatch import AutoSettings, RunRecord
from truckroll.domain.crews import Crew, CrewMember, MemberKind
from truckroll.domain.events import AuditEntry
from truckroll.domain.geo import Circle, Point, Polygon, Rectangle, Shape
from truckroll.domain.job_notes import MAX_CAPTION_LENGTH, MAX_NOTE_LENGTH, MAX_PHOTO_BYTES, Note
from truckroll.domain.jobs import Appointment, Job, TechAction, Visit
from truckroll.domain.places import Place
from truckroll.domain.schedule import TechDay
from truckroll.domain.technicians import Technician, TechnicianRole
from truckroll.domain.timeline import NonJobEvent, Shift, ShiftKind
from truckroll.domain.users import User
from truckroll.domain.windows import TimeWindow
from truckroll.errors import FieldError, RuleViolation, ValidationFailed


def _iso_string(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("expected an ISO-8601 date-time string with a UTC offset")
    return value


def _hh_mm_string(value: Any) -> Any:
    """A wall-clock time as HH:MM: not a number of seconds nor a time with an offset, which pydantic
    would turn into an aware time that the tenant's local hours cannot be compared with."""
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError("expected a local time as HH:MM")
    return value


T = TypeVar("T")
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
TechnicianId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._@+-]{1,128}$")]
TechnicianIds = Annotated[list[TechnicianId], Field(min_length=1, max_length=20)]
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_string), Field(strict=False)]
LocalTime = Annotated[time, BeforeValidator(_hh_mm_string), Field(strict=False)]


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class WindowIn(Body):
    start: Instant
    end: Instant


def checked(build: Callable[[], T]) -> T:
    """``build()``, with a rule it breaks answered as invalid input naming the field."""
    try:
        return build()
    except RuleViolation as error:
        raise ValidationFailed(
            [FieldError(str(error.extensions.get("field", "start")), error.detail)]
        ) from error


class VisitIn(Body):
    start: Instant
    end: Instant
    arrival_window: WindowIn

    def to_visit(self) -> Visit:
        return checked(
            lambda: Visit(
                scheduled=TimeWindow(self.start, self.end),
                arrival_window=TimeWindow(self.arrival_window.start, self.arrival_window.end),
            )
        )


class NewAppointmentIn(VisitIn):
    technician_ids: list[TechnicianId] = Field(default_factory=list, max_length=20)
    force: bool = Field(default=False, description="double-book on purpose (flagged on the board)")


class AssignIn(Body):
    technician_ids: TechnicianIds
    force: bool = False


class UnassignIn(Body):
    technician_ids: TechnicianIds


class ReassignIn(Body):
    from_technician_id: TechnicianId
    to_technician_id: TechnicianId
    force: bool = False


class RescheduleIn(VisitIn):
    technician_ids: list[TechnicianId] | None = Field(default=None, max_length=20)
    force: bool = False


class DispatchIn(Body):
    technician_id: TechnicianId | None = None


class ProgressIn(Body):
    action: Annotated[TechAction, Field(strict=False)]
    technician_id: TechnicianId | None = None
    reason: Reason | None = None


class ReasonIn(Body):
    reason: Reason | None = None


class UncancelIn(ReasonIn):
    force: bool = False


class BillingIn(Body):
    payments: int = Field(ge=0)
    invoice_items: list[Text] = Field(default_factory=list, max_length=200)


class HomeIn(Body):
    street: Text
    city: Text
    state: Text
    postal_code: Text
    verified: bool
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class TechnicianIn(Body):
    name: Text
    role: Annotated[TechnicianRole, Field(strict=False)] = TechnicianRole.TECHNICIAN
    skills: list[Text] = Field(default_factory=list, max_length=50)
    business_unit: Text | None = None
    active: bool = True
    phone: Text | None = None
    home: HomeIn | None = None

    def to_technician(self, tenant_id: str, technician_id: str) -> Technician:
        home = self.home
        return Technician(
            tenant_id=tenant_id,
            technician_id=technician_id,
            name=self.name,
            role=self.role,
            skills=tuple(self.skills),
            business_unit=self.business_unit,
            active=self.active,
            phone=self.phone,
            home=Place(**home.model_dump()) if home else None,
        )


class NewTechnicianIn(TechnicianIn):
    technician_id: TechnicianId = Field(description="the user id (token subject) of the technician's login")


class MessageIn(Body):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class AnnouncementIn(MessageIn):
    technician_ids: Annotated[list[TechnicianId], Field(min_length=1, max_length=500)]


class ShiftIn(WindowIn):
    kind: Annotated[ShiftKind, Field(strict=False)] = ShiftKind.REGULAR

    def to_shift(self, shift_id: str = "new") -> Shift:
        return checked(lambda: Shift(shift_id, self.kind, TimeWindow(self.start, self.end)))


class NonJobEventIn(WindowIn):
    type: Text = Field(description="meeting, training, time off...")
    counts_against_capacity: bool = True
    timesheet_code: Text | None = None
    force: bool = Field(default=False, description="overlap the technician's appointments on purpose")

    def to_event(self, event_id: str = "new") -> NonJobEvent:
        return checked(
            lambda: NonJobEvent(
                event_id=event_id,
                type=self.type,
                window=TimeWindow(self.start, self.end),
                counts_against_capacity=self.counts_against_capacity,
                timesheet_code=self.timesheet_code,
            )
        )


class CrewMemberIn(Body):
    technician_id: TechnicianId
    kind: Annotated[MemberKind, Field(strict=False)]

    def to_member(self) -> CrewMember:
        return CrewMember(self.technician_id, self.kind)


class CrewIn(Body):
    name: Text
    members: list[CrewMemberIn] = Field(default_factory=list, max_length=50)


class PointIn(Body):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)

    def to_point(self) -> Point:
        return Point(self.lat, self.lon)


class PolygonIn(Body):
    type: Literal["polygon"]
    points: list[PointIn] = Field(min_length=3, max_length=200)


class RectangleIn(Body):
    type: Literal["rectangle"]
    south_west: PointIn
    north_east: PointIn


class CircleIn(Body):
    type: Literal["circle"]
    center: PointIn
    radius_m: float = Field(gt=0, le=500_000)


class AreaAssignIn(Body):
    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    technician_id: TechnicianId
    shape: Annotated[PolygonIn | RectangleIn | CircleIn, Field(discriminator="type")]
    force: bool = False

    def to_shape(self) -> Shape:
        shape = self.shape
        if isinstance(shape, PolygonIn):
            return Polygon(tuple(p.to_point() for p in shape.points))
        if isinstance(shape, RectangleIn):
            return Rectangle(shape.south_west.to_point(), shape.north_east.to_point())
        return Circle(shape.center.to_point(), shape.radius_m)


def _window(window: TimeWindow) -> dict[str, str]:
    return {"start": window.start.isoformat(), "end": window.end.isoformat()}


def appointment_view(appointment: Appointment) -> dict[str, Any]:
    return {
        "appointment_id": appointment.appointment_id,
        "start": appointment.start.isoformat(),
        "end": appointment.end.isoformat(),
        "arrival_window": _window(appointment.visit.arrival_window),
        "status": appointment.status.value,
        "confirmed": appointment.confirmed,
        "auto_dispatch_reason": appointment.auto_alert,
        "technicians": [
            {
                "technician_id": a.technician_id,
                "status": a.status.value,
                "pause_reason": a.pause_reason,
                "overlap_forced": a.overlap_forced,
            }
            for a in appointment.assignments
        ],
    }


def job_view(job: Job) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "status": job.status.value,
        "version": job.version,
        "hold_reason": job.hold_reason,
        "cancel_reason": job.cancel_reason,
        "payments": job.payments,
        "invoice_items": list(job.invoice_items),
        "auto_dispatch": job.auto_dispatch,
        "technician_specific": job.technician_specific,
        "appointments": [appointment_view(a) for a in job.appointments],
    }


def technician_view(technician: Technician) -> dict[str, Any]:
    home = technician.home
    return {
        "technician_id": technician.technician_id,
        "name": technician.name,
        "role": technician.role.value,
        "skills": list(technician.skills),
        "business_unit": technician.business_unit,
        "active": technician.active,
        "phone": technician.phone,
        "home": None if home is None else {k: getattr(home, k) for k in HomeIn.model_fields},
    }


class NoteIn(Body):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE_LENGTH)]
    public: bool = Field(default=False, description="PUBLIC notes may be shown to the job's lead provider")


class PhotoUploadIn(Body):
    content_type: Annotated[str, StringConstraints(max_length=100)]
    size: int = Field(description="bytes; the upload must have exactly this many")


Caption = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_CAPTION_LENGTH)]


class PhotoIn(Body):
    photo_id: Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
    caption: Caption | None = None


def note_view(note: Note) -> dict[str, Any]:
    return {
        "note_id": note.note_id,
        "text": note.text,
        "public": note.public,
        "at": note.created_at.isoformat(),
        "who": {"id": note.author.id, "role": note.author.role},
    }


def upload_view(ticket: UploadTicket) -> dict[str, Any]:
    upload = ticket.upload
    return {
        "photo_id": upload.photo_id,
        "upload": {
            "method": "PUT",
            "url": ticket.url,
            "headers": {"Content-Type": upload.content_type},
            "max_bytes": MAX_PHOTO_BYTES,
        },
    }


def photo_view(shown: ShownPhoto) -> dict[str, Any]:
    photo = shown.photo
    return {
        "photo_id": photo.photo_id,
        "content_type": photo.content_type,
        "size": photo.size,
        "caption": photo.caption or None,
        "at": photo.created_at.isoformat(),
        "who": {"id": photo.author.id, "role": photo.author.role},
        "url": shown.url,
    }


def user_view(user: User) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "role": user.role.value,
        "status": user.status.value,
        "first_seen_at": user.first_seen_at.isoformat(),
        "changed_at": user.changed_at.isoformat() if user.changed_at else None,
        "changed_by": user.changed_by,
    }


def audit_view(entry: AuditEntry) -> dict[str, Any]:
    return {
        "event_id": entry.event_id,
        "what": entry.event_type,
        "at": entry.at.isoformat(),
        "who": {"id": entry.actor.id, "role": entry.actor.role},
        "appointment_id": entry.appointment_id,
        "why": entry.reason,
        "details": entry.details,
    }


def booked_view(booked: Booked) -> dict[str, Any]:
    return {
        "date": booked.day.isoformat(),
        "slots": [
            {
                "id": slot.owner_id,
                "kind": slot.kind.value,
                "start": slot.start.isoformat(),
                "end": slot.end.isoformat(),
                "double_booked": slot.forced,
            }
            for slot in booked.slots
        ],
    }


def shift_view(shift: Shift) -> dict[str, Any]:
    return {"shift_id": shift.shift_id, "kind": shift.kind.value, **_window(shift.window)}


def event_view(event: NonJobEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "date": event.day.isoformat(),
        "type": event.type,
        **_window(event.window),
        "counts_against_capacity": event.counts_against_capacity,
        "timesheet_code": event.timesheet_code,
        "completed": event.completed,
    }


def shifts_view(day: TechDay) -> dict[str, Any]:
    return {"date": day.day.isoformat(), "shifts": [shift_view(s) for s in day.shifts]}


def crew_view(crew: Crew) -> dict[str, Any]:
    return {
        "crew_id": crew.crew_id,
        "name": crew.name,
        "members": [{"technician_id": m.technician_id, "kind": m.kind.value} for m in crew.members],
    }


def run_view(runs: Sequence[DayRun]) -> dict[str, Any]:
    return {
        "days": [
            {
                "date": r.day.isoformat(),
                "outcomes": [{k: v for k, v in vars(o).items() if k != "double_booked"} for o in r.outcomes],
                "skipped_technicians": [
                    {"technician_id": t, "reason": why} for t, why in sorted(r.skipped_technicians.items())
                ],
            }
            for r in runs
        ]
    }


class AutoSettingsIn(Body):
    """Automatic dispatch for the tenant: on or off, how far ahead it plans, the business hours
    (local, in ``timezone``) no visit may fall outside, the longest drive between two stops, the job
    types it plans (null: all), the job tags that are skills, and how long a burst of triggers is
    collected before it runs."""

    enabled: bool
    horizon_days: int = Field(default=2, ge=1, le=7)
    timezone: str = Field(default="UTC", min_length=1, max_length=64)
    business_start: LocalTime = time(7)
    business_end: LocalTime = time(19)
    max_drive_minutes: int | None = Field(default=None, ge=1, le=600)
    job_types: list[Text] | None = Field(default=None, max_length=100)
    skill_tags: list[Text] = Field(default_factory=list, max_length=200)
    debounce_seconds: int = Field(default=60, ge=0, le=900)

    def to_settings(self, tenant_id: str) -> AutoSettings:
        return AutoSettings(
            tenant_id=tenant_id,
            enabled=self.enabled,
            horizon_days=self.horizon_days,
            timezone=self.timezone,
            business_start=self.business_start,
            business_end=self.business_end,
            max_drive_minutes=self.max_drive_minutes,
            job_types=None if self.job_types is None else tuple(self.job_types),
            skill_tags=tuple(self.skill_tags),
            debounce_seconds=self.debounce_seconds,
        )


class AutoTogglesIn(Body):
    auto_dispatch: bool
    technician_specific: bool = False


def settings_view(settings: AutoSettings) -> dict[str, Any]:
    return {
        "enabled": settings.enabled,
        "horizon_days": settings.horizon_days,
        "timezone": settings.timezone,
        "business_start": settings.business_start.isoformat("minutes"),
        "business_end": settings.business_end.isoformat("minutes"),
        "max_drive_minutes": settings.max_drive_minutes,
        "job_types": None if settings.job_types is None else list(settings.job_types),
        "skill_tags": list(settings.skill_tags),
        "debounce_seconds": settings.debounce_seconds,
    }


def run_record_view(run: RunRecord) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "started_at": run.started_at.isoformat(),
        "trigger": run.trigger,
        "request_event_id": run.request_event_id,
        "enabled": run.enabled,
        "days": run.days,
        "outcomes": dict(run.outcomes),
    }


def explanation_view(explanation: Explanation) -> dict[str, Any]:
    return {
        "job_id": explanation.job_id,
        "appointment_id": explanation.appointment_id,
        "date": explanation.day.isoformat(),
        "auto_dispatch_enabled": explanation.enabled,
        "treated_as": {"part": explanation.part.value, "meaning": explanation.part.meaning},
        "left_out": explanation.left_out,
        "technicians": [
            {
                "technician_id": v.technician_id,
                "verdict": "ruled_out" if v.reason is not None else "candidate",
                "rank": v.rank,
                "extra_drive_seconds": v.extra_drive_seconds,
                "reason": v.reason,
            }
            for v in explanation.verdicts
        ]
        + [
            {
                "technician_id": t,
                "verdict": "ruled_out",
                "rank": None,
                "extra_drive_seconds": None,
                "reason": why,
            }
            for t, why in sorted(explanation.skipped_technicians.items())
        ],
    }


def day_optimized_view(result: DayOptimized) -> dict[str, Any]:
    return {
        "technician_id": result.technician_id,
        "date": result.day.isoformat(),
        "drive_seconds": result.drive_seconds,
        "moved": [
            {
                "appointment_id": m.appointment_id,
                "job_id": m.job_id,
                "previous_start": m.previous_start.isoformat(),
                "start": m.start.isoformat(),
            }
            for m in result.moved
        ],
        "cannot_fit": [vars(u) for u in result.cannot_fit],
        "left_out_unverified": [vars(u) for u in result.unverified],
    }
