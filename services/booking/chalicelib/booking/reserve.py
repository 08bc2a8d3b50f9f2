"""Reserve with Google's booking server (API v3, local services): the merchant is the tenant, a
service is one of the tenant's online services (``service_id`` is its label), a slot is a start on
the tenant's online grid. Availability and bookings are online self-booking's own, so a slot taken
here is taken everywhere and the reverse."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from chalicelib.booking.bootstrap import Booking
from chalicelib.booking.leads import TENANT_ID
from chalicelib.booking.online import (
    Offer,
    SlotBooking,
    SlotUnavailable,
    book_slot,
    offer_in,
    require_bookable,
)
from chalicelib.booking.use_cases import NewCustomer, NewLocation

from truckroll.domain.booking_settings import BookingSettings
from truckroll.domain.customers import Address, Phone, PhoneType, normalize_phone
from truckroll.domain.events import Actor
from truckroll.domain.jobs import ActionRefused, Appointment, Job, JobSource
from truckroll.domain.reservations import Reservation
from truckroll.domain.schedule import TechDay
from truckroll.domain.status import JobStatus
from truckroll.domain.technicians import Technician
from truckroll.errors import NotFound, RuleViolation, TruckrollError, Unauthorized
from truckroll.persistence.job_changes import MAX_ATTEMPTS, Superseded, commit_change
from truckroll.persistence.ports import BookingUnitOfWork

CAMPAIGN = "reserve_with_google"
#: Who changes a booking through Google: the customer who made it.
GOOGLE_USER = Actor(id=CAMPAIGN, role="customer")
CANCEL_REASON = "canceled by the customer through Google"


class BookingFailure(TruckrollError):
    """A business failure Google shows the user; the spec answers it with HTTP 200."""

    def __init__(self, cause: str, description: str) -> None:
        super().__init__(description, cause=cause)
        self.cause = cause


@dataclass(frozen=True)
class SlotRef:
    service_id: str
    start_sec: int
    duration_sec: int


def admit(tenant_id: str, authorization: str | None, booking: Booking) -> None:
    """Google's HTTP Basic credentials for this tenant (401 otherwise)."""
    if not TENANT_ID.fullmatch(tenant_id):
        raise Unauthorized("no booking server answers at this address")
    booking.receivers.get(tenant_id).check_reserve(authorization)


def _require_merchant(tenant_id: str, merchant_id: str) -> None:
    """The merchant is the company: its id is the tenant's."""
    if merchant_id != tenant_id:
        raise RuleViolation("unknown merchant_id: it is the company's id", field="merchant_id")


def _matches(the_offer: Offer, slot: SlotRef, start: datetime, offered: set[datetime]) -> bool:
    wanted = slot.duration_sec in (0, int(the_offer.need.duration.total_seconds()))
    return wanted and start in offered


def batch_availability(
    tenant_id: str, merchant_id: str, slots: list[SlotRef], booking: Booking
) -> list[bool]:
    """Whether each slot is free: one Query for the technicians and one per (local) day asked."""
    _require_merchant(tenant_id, merchant_id)
    settings = booking.settings.get(tenant_id)
    technicians = booking.technicians.all(tenant_id)
    now = booking.clock()
    offers = {
        service_id: found
        for service_id in {s.service_id for s in slots}
        if (found := _offer_or_none(settings, service_id)) is not None
    }
    wanted: dict[tuple[str, date], list[int]] = defaultdict(list)
    for index, slot in enumerate(slots):
        if slot.service_id in offers:
            wanted[(slot.service_id, _start(slot).astimezone(settings.zone).date())].append(index)
    answers = [False] * len(slots)
    days_of = _tech_days(tenant_id, technicians, {day for _, day in wanted}, booking)
    for (service_id, day), indexes in wanted.items():
        the_offer = offers[service_id]
        offered = {s.start for s in the_offer.slots(day, technicians, days_of.get(day, {}), now)}
        for index in indexes:
            answers[index] = _matches(the_offer, slots[index], _start(slots[index]), offered)
    return answers


def _tech_days(
    tenant_id: str, technicians: list[Technician], days: set[date], booking: Booking
) -> dict[date, dict[str, TechDay]]:
    """Every technician's day of ``days``, read by key in batches (no Query per day)."""
    found: dict[date, dict[str, TechDay]] = defaultdict(dict)
    wanted = [(t.technician_id, day) for t in technicians if t.active for day in sorted(days)]
    with booking.uow() as uow:
        for tech_day in uow.schedules.many(tenant_id, wanted):
            found[tech_day.day][tech_day.technician_id] = tech_day
    return found


def check_availability(tenant_id: str, merchant_id: str, slot: SlotRef, booking: Booking) -> int:
    """How many technicians could take the slot."""
    _require_merchant(tenant_id, merchant_id)
    settings = booking.settings.get(tenant_id)
    the_offer = _offer_or_none(settings, slot.service_id)
    if the_offer is None:
        return 0
    start = _start(slot)
    day = start.astimezone(settings.zone).date()
    technicians = booking.technicians.all(tenant_id)
    with booking.uow() as uow:
        days = {d.technician_id: d for d in uow.schedules.of_date(tenant_id, day)}
    found = next(
        (s for s in the_offer.slots(day, technicians, days, booking.clock()) if s.start == start), None
    )
    if found is None or not _matches(the_offer, slot, start, {found.start}):
        return 0
    return len(found.technician_ids)


@dataclass(frozen=True)
class CreateBooking:
    slot: SlotRef
    user_id: str
    given_name: str
    family_name: str
    telephone: str
    email: str | None
    address: Address | None
    idempotency_token: str
    note: str


def create_booking(tenant_id: str, merchant_id: str, request: CreateBooking, booking: Booking) -> Reservation:
    """Book the slot for the Google user, once per idempotency token; a slot no longer free, or a
    request that cannot be booked, is a :class:`BookingFailure`."""
    _require_merchant(tenant_id, merchant_id)
    with booking.uow() as uow:
        known = uow.reservations.by_token(tenant_id, request.idempotency_token)
    if known is not None:
        return known
    settings = booking.settings.get(tenant_id)
    the_offer = _offer_or_none(settings, request.slot.service_id)
    if the_offer is None:
        raise BookingFailure("CAUSE_UNSPECIFIED", f"service {request.slot.service_id!r} is not offered")
    start = _start(request.slot)
    if not _matches(the_offer, request.slot, start, {start}):
        raise BookingFailure("SLOT_UNAVAILABLE", "the service takes another duration")
    wanted = _wanted(request, start)
    reservation = Reservation(
        tenant_id=tenant_id,
        booking_id="",
        user_id=request.user_id,
        service_id=request.slot.service_id,
        start_sec=request.slot.start_sec,
        duration_sec=int(the_offer.need.duration.total_seconds()),
        given_name=request.given_name,
        family_name=request.family_name,
        telephone=wanted.customer.phone.number,
        email=request.email,
    )
    now = booking.clock()

    def record(uow: BookingUnitOfWork, job: Job) -> None:
        uow.reservations.add(_with_id(reservation, job.job_id), request.idempotency_token, now)

    try:
        job = book_slot(tenant_id, the_offer, wanted, booking, also=record)
    except SlotUnavailable as error:
        raise BookingFailure("SLOT_UNAVAILABLE", error.detail) from error
    except RuleViolation as error:
        raise BookingFailure("CAUSE_UNSPECIFIED", error.detail) from error
    return _with_id(reservation, job.job_id)


def _with_id(reservation: Reservation, booking_id: str) -> Reservation:
    return replace(reservation, booking_id=booking_id)


def _wanted(request: CreateBooking, start: datetime) -> SlotBooking:
    if request.address is None or not request.address.street:
        raise BookingFailure("CAUSE_UNSPECIFIED", "the service address is needed for a visit")
    try:
        phone = Phone(normalize_phone(request.telephone), PhoneType.MOBILE)
    except RuleViolation as error:
        raise BookingFailure("CAUSE_UNSPECIFIED", "a telephone number is needed") from error
    name = f"{request.given_name} {request.family_name}".strip() or "Google user"
    return SlotBooking(
        start=start,
        customer=NewCustomer(name=name, phone=phone, email=request.email, tags=()),
        location=NewLocation(address=request.address, point=None, verified=False, tags=()),
        summary=request.note or f"Booked through Google: {request.slot.service_id}",
        source=JobSource.LEAD_INTEGRATION,
        campaign=CAMPAIGN,
    )


def booking_status(tenant_id: str, booking_id: str, booking: Booking) -> tuple[Reservation, str]:
    """The reservation and its status as Google names it (CONFIRMED, CANCELED)."""
    reservation, job = _booked(tenant_id, booking_id, booking)
    return _as_booked(reservation, job), _status(job)


def list_bookings(tenant_id: str, user_id: str, booking: Booking) -> list[tuple[Reservation, str]]:
    with booking.uow() as uow:
        found = uow.reservations.of_user(tenant_id, user_id)
        jobs = {r.booking_id: uow.jobs.get(tenant_id, r.booking_id) for r in found}
    return [(_as_booked(r, job), _status(job)) for r in found if (job := jobs[r.booking_id]) is not None]


def _status(job: Job) -> str:
    return "CANCELED" if job.status is JobStatus.CANCELED else "CONFIRMED"


def _as_booked(reservation: Reservation, job: Job) -> Reservation:
    """The reservation at the time its visit has now (rescheduled through Google or the office)."""
    visit = _visit_of(job).visit
    start = int(visit.start.timestamp())
    return replace(reservation, start_sec=start, duration_sec=int(visit.end.timestamp()) - start)


def _visit_of(job: Job) -> Appointment:
    """A booking made through Google is one visit: the job's first appointment."""
    if not job.appointments:
        raise NotFound(f"booking {job.job_id} has no visit")
    return job.appointments[0]


@dataclass(frozen=True)
class UpdateBooking:
    """Cancel the booking, or move it to ``start_sec`` (the merchant and service stay; they may be
    left out)."""

    booking_id: str
    cancel: bool
    merchant_id: str | None = None
    service_id: str | None = None
    start_sec: int = 0
    duration_sec: int = 0


def update_booking(tenant_id: str, request: UpdateBooking, booking: Booking) -> tuple[Reservation, str]:
    """Cancel or reschedule a booking made through Google, as the office's cancel and reschedule do
    (the technician's day freed or taken, the board and the customer told). Asking again for what
    is already so changes nothing; what cannot be done is a :class:`BookingFailure`."""
    _require_merchant(tenant_id, request.merchant_id or tenant_id)
    reservation, job = _booked(tenant_id, request.booking_id, booking)
    if request.cancel:
        job = _cancel(job, booking)
    else:
        if (request.service_id or reservation.service_id) != reservation.service_id:
            raise BookingFailure("CAUSE_UNSPECIFIED", "a booking keeps its service; book the other one")
        slot = SlotRef(reservation.service_id, request.start_sec, request.duration_sec)
        job = _reschedule(job, slot, booking)
    return _as_booked(reservation, job), _status(job)


def _booked(tenant_id: str, booking_id: str, booking: Booking) -> tuple[Reservation, Job]:
    with booking.uow() as uow:
        reservation = uow.reservations.get(tenant_id, booking_id)
        job = uow.jobs.get(tenant_id, booking_id) if reservation else None
    if reservation is None or job is None:
        raise NotFound(f"booking {booking_id} not found")
    return reservation, job


def _cancel(job: Job, booking: Booking) -> Job:
    def act(job: Job, actor: Actor, at: datetime) -> None:
        if job.status is not JobStatus.CANCELED:
            job.cancel(CANCEL_REASON, actor=actor, at=at)

    if job.status is JobStatus.CANCELED:
        return job
    try:
        return commit_change(job.tenant_id, job.job_id, GOOGLE_USER, booking, act)
    except ActionRefused as refused:
        raise BookingFailure("BOOKING_NOT_CANCELLABLE", refused.detail) from refused


def _reschedule(job: Job, slot: SlotRef, booking: Booking) -> Job:
    """Move the visit to ``slot`` with a technician free then (the one booked, when still free),
    conditioned on the version of the day that technician's time is taken from."""
    the_offer = _offer_or_none(booking.settings.get(job.tenant_id), slot.service_id)
    if the_offer is None:
        raise BookingFailure("CAUSE_UNSPECIFIED", f"service {slot.service_id!r} is no longer offered")
    start = _start(slot)
    if not _matches(the_offer, slot, start, {start}):
        raise BookingFailure("SLOT_UNAVAILABLE", "the service takes another duration")
    if job.status is JobStatus.CANCELED:
        raise BookingFailure("CAUSE_UNSPECIFIED", "the booking is canceled; make a new one")
    if _visit_of(job).visit.start == start:
        return job
    day = start.astimezone(the_offer.settings.zone).date()
    try:
        require_bookable(the_offer, day, booking.clock())
    except RuleViolation as error:
        raise BookingFailure("SLOT_UNAVAILABLE", error.detail) from error
    for _ in range(MAX_ATTEMPTS):
        try:
            return _move(job, the_offer, start, day, booking)
        except Superseded:  # the chosen technician's day changed meanwhile: look again
            continue
        except ActionRefused as refused:
            raise BookingFailure("CAUSE_UNSPECIFIED", refused.detail) from refused
    raise BookingFailure("SLOT_UNAVAILABLE", "this time is no longer available; choose another")


def _move(job: Job, the_offer: Offer, start: datetime, day: date, booking: Booking) -> Job:
    visit = _visit_of(job)
    technicians = [t for t in booking.technicians.all(job.tenant_id) if t.active]
    own = frozenset({visit.appointment_id})
    with booking.uow() as uow:
        stored = uow.schedules.many(job.tenant_id, [(t.technician_id, day) for t in technicians])
    # The visit's own time does not stand in its way: it is given up as the new one is taken.
    days = {d.technician_id: d.rebooked(own, [], force=False) for d in stored}
    offered = the_offer.slots(day, technicians, days, booking.clock())
    found = next((s for s in offered if s.start == start), None)
    if found is None:
        raise BookingFailure("SLOT_UNAVAILABLE", "this time is no longer available; choose another")
    kept = [t for t in visit.technician_ids if t in found.technician_ids]
    chosen = kept[0] if kept else found.technician_ids[0]
    first_name = next(t.first_name for t in technicians if t.technician_id == chosen)
    first_names = {chosen: first_name} if first_name else {}

    moved = the_offer.visit(start)

    def act(job: Job, actor: Actor, at: datetime) -> None:
        job.reschedule(visit.appointment_id, moved, (chosen,), actor=actor, at=at, first_names=first_names)

    days_read = {(chosen, day): days[chosen].version}
    return commit_change(job.tenant_id, job.job_id, GOOGLE_USER, booking, act, days_read=days_read)


def _offer_or_none(settings: BookingSettings, service_id: str) -> Offer | None:
    try:
        return offer_in(settings, service_id)
    except (NotFound, RuleViolation):
        return None


def _start(slot: SlotRef) -> datetime:
    return datetime.fromtimestamp(slot.start_sec, UTC)
