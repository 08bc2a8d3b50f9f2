"""Customers booking for themselves: the open slots of a day for a service, and booking one.

Booking a slot assigns the visit to a technician who is free then and reserves their time in the
same transaction as the job, conditioned on the version of that technician's day: of two customers
booking the last free slot at once, exactly one gets it; the other finds it taken.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib.booking.bootstrap import Booking
from chalicelib.booking.leads import TENANT_ID
from chalicelib.booking.use_cases import BookJob, NewCustomer, NewLocation, stage_booking

from truckroll.domain.availability import Need, OpenSlot, open_slots
from truckroll.domain.booking_settings import BookingSettings, OnlineBooking, OnlineService
from truckroll.domain.jobs import Job, JobDetails, JobSource, Visit
from truckroll.domain.schedule import Slot, SlotKind, TechDay
from truckroll.domain.technicians import Technician
from truckroll.domain.windows import TimeWindow
from truckroll.errors import Conflict, NotFound, RuleViolation, TooManyRequests
from truckroll.persistence.ports import BookingUnitOfWork
from truckroll.persistence.writes import StaleRead

MAX_ATTEMPTS = 3


class SlotUnavailable(Conflict):
    """The slot is not (or no longer) free."""

    def __init__(self) -> None:
        super().__init__("this time is no longer available; choose another", code="SLOT_UNAVAILABLE")


@dataclass(frozen=True)
class Offer:
    """What a tenant offers online for one service."""

    settings: BookingSettings
    online: OnlineBooking
    service: OnlineService
    job_type: str
    need: Need

    @property
    def step(self) -> timedelta:
        return timedelta(minutes=self.online.slot_minutes)

    def slots(
        self, day: date, technicians: list[Technician], days: Mapping[str, TechDay], now: datetime
    ) -> list[OpenSlot]:
        settings = self.settings
        return open_slots(
            day,
            settings.zone,
            self.need,
            settings.opening_hours,
            technicians,
            days,
            step=self.step,
            not_before=now,
        )

    def visit(self, start: datetime) -> Visit:
        arrival = TimeWindow(start, start + timedelta(minutes=self.online.arrival_minutes))
        return Visit(scheduled=TimeWindow(start, start + self.need.duration), arrival_window=arrival)


def offer(tenant_id: str, service_label: str, booking: Booking) -> Offer:
    """The tenant's online offer of a service; 404 when the tenant takes no online bookings."""
    if not TENANT_ID.fullmatch(tenant_id):
        raise NotFound("this company takes no online bookings")
    return offer_in(booking.settings.get(tenant_id), service_label)


def offer_in(settings: BookingSettings, service_label: str) -> Offer:
    online = settings.online
    if online is None:
        raise NotFound("this company takes no online bookings")
    service = online.service(service_label)
    if service is None:
        labels = ", ".join(s.label for s in online.services)
        raise RuleViolation(f"not a service offered online (one of: {labels})", field="service")
    job_type, need = settings.need_for(online, service)
    return Offer(settings, online, service, job_type, need)


def limit(tenant_id: str, client: str, booking: Booking, online: OnlineBooking) -> None:
    """Refuse (429) a client past the tenant's requests per minute."""
    now = booking.clock()
    minute = now.replace(second=0, microsecond=0)
    if booking.rates.hit(tenant_id, client, minute) > online.requests_per_minute:
        retry = 60 - now.second
        raise TooManyRequests(f"too many requests; try again in {retry} s", retry_after_seconds=retry)


def slots_on(tenant_id: str, the_offer: Offer, day: date, booking: Booking) -> list[OpenSlot]:
    """The open slots of ``day`` (one Query for the technicians, one for their days)."""
    now = booking.clock()
    require_bookable(the_offer, day, now)
    technicians = booking.technicians.all(tenant_id)
    with booking.uow() as uow:
        days = {d.technician_id: d for d in uow.schedules.of_date(tenant_id, day)}
    return the_offer.slots(day, technicians, days, now)


def require_bookable(the_offer: Offer, day: date, now: datetime) -> None:
    today = now.astimezone(the_offer.settings.zone).date()
    if not today <= day <= today + timedelta(days=the_offer.online.days_ahead):
        raise RuleViolation(
            f"online bookings are taken from today up to {the_offer.online.days_ahead} days ahead",
            field="date",
        )


@dataclass(frozen=True)
class SlotBooking:
    start: datetime
    customer: NewCustomer
    location: NewLocation
    summary: str
    source: JobSource
    campaign: str | None = None


def book_slot(
    tenant_id: str,
    the_offer: Offer,
    wanted: SlotBooking,
    booking: Booking,
    also: Callable[[BookingUnitOfWork, Job], None] | None = None,
) -> Job:
    """Book the job at ``wanted.start`` with a technician free then, reserving their time (and
    staging ``also``'s writes in the same transaction); 409 ``SLOT_UNAVAILABLE`` when no one is free
    (any more)."""
    local_day = wanted.start.astimezone(the_offer.settings.zone).date()
    require_bookable(the_offer, local_day, booking.clock())
    for _ in range(MAX_ATTEMPTS):
        try:
            with booking.uow() as uow:
                job = _reserve(uow, tenant_id, the_offer, wanted, local_day, booking)
                if also is not None:
                    also(uow, job)
                uow.commit()
            return job
        except StaleRead:  # someone else changed a technician's day meanwhile: look again
            continue
    raise SlotUnavailable


def _reserve(
    uow: BookingUnitOfWork, tenant: str, the_offer: Offer, wanted: SlotBooking, day: date, booking: Booking
) -> Job:
    technicians = [t for t in booking.technicians.all(tenant) if t.active]
    days = {t.technician_id: uow.schedules.get(tenant, t.technician_id, day) for t in technicians}
    offered = the_offer.slots(day, technicians, days, booking.clock())
    slot = next((s for s in offered if s.start == wanted.start), None)
    if slot is None:
        raise SlotUnavailable
    chosen = next(t for t in technicians if t.technician_id == slot.technician_ids[0])
    details = JobDetails(
        job_type=the_offer.job_type,
        summary=wanted.summary,
        source=wanted.source,
        campaign=wanted.campaign,
    )
    command = BookJob(
        customer=wanted.customer,
        location=wanted.location,
        details=details,
        visit=the_offer.visit(wanted.start),
        technician_ids=(chosen.technician_id,),
        first_names={chosen.technician_id: chosen.first_name} if chosen.first_name else {},
    )
    job = stage_booking(uow, tenant, command, booking, office=False)
    (appointment,) = job.appointments
    held = Slot(appointment.appointment_id, SlotKind.APPOINTMENT, slot.start, slot.end)
    uow.schedules.put(days[chosen.technician_id].rebooked(frozenset({held.owner_id}), [held], force=False))
    return job


# -- the public routes' use cases -------------------------------------------------------------------


def availability(
    tenant_id: str, client: str, service_label: str, day: date, booking: Booking
) -> tuple[Offer, list[OpenSlot]]:
    the_offer = offer(tenant_id, service_label, booking)
    limit(tenant_id, client, booking, the_offer.online)
    return the_offer, slots_on(tenant_id, the_offer, day, booking)


def book_online(
    tenant_id: str, client: str, service_label: str, wanted: SlotBooking, booking: Booking
) -> tuple[Offer, Job]:
    the_offer = offer(tenant_id, service_label, booking)
    limit(tenant_id, client, booking, the_offer.online)
    return the_offer, book_slot(tenant_id, the_offer, wanted, booking)
