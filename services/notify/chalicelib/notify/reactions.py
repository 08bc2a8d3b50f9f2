"""What notify does with each event it consumes: keep its projection, then tell customers and
technicians what they need to know.

- ``job.booked``: the job's contact and the first appointment; a booking confirmation and the
  reminders when it was booked with a time.
- ``appointment.scheduled``: a confirmation for an appointment added later; the technicians
  assigned at once are pushed the new job.
- ``appointment.assigned`` / ``unassigned`` / ``reassigned``: pushes to the technicians who gained
  the appointment and to those who lost it.
- ``appointment.rescheduled``: a reschedule notice (never a second confirmation), the reminders
  moved, pushes to the technicians.
- ``appointment.dispatched``: a push to the dispatched technician. The customer's "on my way"
  comes from tracking's ``tracking.on_the_way`` (it carries the ETA and the link).
- ``appointment.status_changed`` to done: a review request; the remaining reminders are dropped.
- ``appointment.deleted``, ``job.canceled``: reminders dropped; ``job.uncanceled``: set again.
- ``technician.messaged``: the board message or announcement pushed to each technician.
- ``tracking.on_the_way``: the customer's "on my way"; ``tracking.running_late``: a running-late
  notice with the new ETA, once per visit.

An event about a job whose ``job.booked`` has not arrived yet fails (and is retried): notify has
no one to write to until then.
"""

from __future__ import annotations

from chalicelib.notify.ports import Notify
from chalicelib.notify.reminders import drop_reminders, set_reminders
from chalicelib.notify.sending import local_time, to_customer, to_technician, visit_values

from truckroll.contracts.dispatch import (
    APPOINTMENT_EVENTS,
    AppointmentChangeV1,
    JobChangeV1,
    TechniciansMessagedV1,
)
from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JobBookedV1
from truckroll.contracts.tracking import OnTheWayV1, RunningLateV1
from truckroll.domain.customers import Phone
from truckroll.domain.events import AppointmentChange, JobChange
from truckroll.domain.notify import AppointmentFacts, JobContact, Template, clock_time, window_label
from truckroll.domain.status import AppointmentStatus
from truckroll.domain.windows import TimeWindow

CHANGES = {event_type: change for change, event_type in APPOINTMENT_EVENTS.items()}


class JobNotKnownYet(Exception):
    """An event about a job notify has not seen booked: retried until ``job.booked`` arrives."""


def _job(notify: Notify, tenant_id: str, job_id: str) -> JobContact:
    job = notify.projection.job(tenant_id, job_id)
    if job is None:
        raise JobNotKnownYet(f"job {job_id} of tenant {tenant_id} is not known to notify yet")
    return job


def _push(
    notify: Notify,
    envelope: EventEnvelope,
    template: Template,
    technician_ids: list[str],
    values: dict[str, str],
    about: tuple[str | None, str | None],
) -> None:
    """Push ``template`` to each technician; ``about`` is the (job, appointment) it concerns."""
    job_id, appointment_id = about
    for technician_id in technician_ids:
        to_technician(
            notify,
            event_id=envelope.event_id,
            tenant_id=envelope.tenant_id,
            technician_id=technician_id,
            job_id=job_id,
            appointment_id=appointment_id,
            template=template,
            values=values,
        )


def on_job_booked(envelope: EventEnvelope, event: JobBookedV1, notify: Notify) -> None:
    customer = event.customer
    job = JobContact(
        tenant_id=envelope.tenant_id,
        job_id=event.job_id,
        job_type=event.job_type,
        business_unit=event.business_unit,
        customer_name=customer.name,
        phone=Phone(customer.phone, customer.phone_type),
        email=customer.email,
    )
    notify.projection.put_job(job)
    visits = [
        AppointmentFacts(
            tenant_id=envelope.tenant_id,
            job_id=event.job_id,
            appointment_id=booked.appointment_id,
            arrival_window=TimeWindow(booked.arrival_window.start, booked.arrival_window.end),
            technician_names=dict.fromkeys(booked.technician_ids),
            as_of=envelope.occurred_at,
        )
        for booked in event.visits()
    ]
    for appointment in visits:
        if notify.projection.put_appointment(appointment):
            set_reminders(notify, appointment)
    if visits:  # one confirmation per booking, of its first visit; each visit is reminded of
        confirm(notify, envelope, job, visits[0])


def confirm(notify: Notify, envelope: EventEnvelope, job: JobContact, appointment: AppointmentFacts) -> None:
    """The booking confirmation: once per appointment, whichever event first schedules it."""
    to_customer(
        notify,
        event_id=envelope.event_id,
        key=appointment.appointment_id,
        job=job,
        appointment=appointment,
        template=Template.BOOKING_CONFIRMATION,
    )


def on_appointment_changed(envelope: EventEnvelope, event: AppointmentChangeV1, notify: Notify) -> None:
    change = CHANGES[envelope.event_type]
    job = _job(notify, envelope.tenant_id, event.job_id)
    state = event.appointment
    appointment = AppointmentFacts(
        tenant_id=envelope.tenant_id,
        job_id=event.job_id,
        appointment_id=state.appointment_id,
        arrival_window=TimeWindow(state.arrival_window.start, state.arrival_window.end),
        technician_names={t.technician_id: t.first_name for t in state.technicians},
        as_of=envelope.occurred_at,
    )
    latest = notify.projection.put_appointment(appointment)
    settings = notify.settings.get(envelope.tenant_id)
    values = visit_values(settings, job, appointment)

    def push(template: Template, technician_ids: list[str]) -> None:
        _push(notify, envelope, template, technician_ids, values, (event.job_id, state.appointment_id))

    def tell_customer(template: Template, key: str) -> None:
        to_customer(
            notify, event_id=envelope.event_id, key=key, job=job, appointment=appointment, template=template
        )

    push(Template.TECH_ASSIGNED, event.added_technician_ids)
    push(Template.TECH_REMOVED, event.removed_technician_ids)
    match change:
        case AppointmentChange.SCHEDULED:
            if latest:
                set_reminders(notify, appointment)
            confirm(notify, envelope, job, appointment)
        case AppointmentChange.RESCHEDULED:
            if latest:
                drop_reminders(notify, appointment)
                set_reminders(notify, appointment)
            staying = [t for t in state.technician_ids if t not in event.added_technician_ids]
            push(Template.TECH_RESCHEDULED, staying)
            tell_customer(Template.RESCHEDULE_NOTICE, envelope.event_id)
        case AppointmentChange.DISPATCHED:
            push(Template.TECH_DISPATCHED, [event.technician_id] if event.technician_id else [])
        case AppointmentChange.STATUS_CHANGED if state.status is AppointmentStatus.DONE:
            drop_reminders(notify, appointment)
            tell_customer(Template.REVIEW_REQUEST, f"{state.appointment_id}.done")
        case AppointmentChange.DELETED:
            drop_reminders(notify, appointment)
        case _:
            pass


def on_job_changed(envelope: EventEnvelope, event: JobChangeV1, notify: Notify) -> None:
    change = JobChange(envelope.event_type.removeprefix("job."))
    if change not in (JobChange.CANCELED, JobChange.UNCANCELED):
        return
    for appointment_id in event.appointment_ids:
        appointment = notify.projection.appointment(envelope.tenant_id, event.job_id, appointment_id)
        if appointment is None:
            continue
        drop_reminders(notify, appointment)
        if change is JobChange.UNCANCELED:
            set_reminders(notify, appointment)


def on_technicians_messaged(envelope: EventEnvelope, event: TechniciansMessagedV1, notify: Notify) -> None:
    _push(notify, envelope, Template.TECH_MESSAGE, event.technician_ids, {"text": event.text}, (None, None))


def on_the_way(envelope: EventEnvelope, event: OnTheWayV1, notify: Notify) -> None:
    """The customer's "on my way": with the ETA and tracking link when arrival tracking is on, a plain
    notice when it is off; one per appointment when the tenant wants one notice however many
    technicians are dispatched."""
    job = _job(notify, envelope.tenant_id, event.job_id)
    window = TimeWindow(event.arrival_window_start, event.arrival_window_end)
    appointment = notify.projection.appointment(
        envelope.tenant_id, event.job_id, event.appointment_id
    ) or AppointmentFacts(envelope.tenant_id, event.job_id, event.appointment_id, window)
    settings = notify.settings.get(envelope.tenant_id)
    template = Template.ON_MY_WAY if settings.arrival_tracking else Template.DISPATCH_NOTICE
    name = event.technician_first_name or appointment.technician_names.get(event.technician_id)
    eta = event.eta
    extra = {
        "tech_name": name or "Your technician",
        "eta": clock_time(local_time(eta, window.start))
        if eta
        else f"your arrival window, {window_label(window)}",
        "link": event.link_url if settings.arrival_tracking else "",
    }
    once = settings.one_dispatch_notice_per_job
    to_customer(
        notify,
        event_id=envelope.event_id,
        key=f"{event.appointment_id}.dispatch" if once else envelope.event_id,
        job=job,
        appointment=appointment,
        template=template,
        extra=extra,
    )


def on_running_late(envelope: EventEnvelope, event: RunningLateV1, notify: Notify) -> None:
    """Tell the customer once per visit that the technician will arrive after the window."""
    job = _job(notify, envelope.tenant_id, event.job_id)
    appointment = notify.projection.appointment(envelope.tenant_id, event.job_id, event.appointment_id)
    if appointment is None:
        raise JobNotKnownYet(f"appointment {event.appointment_id} is not known to notify yet")
    name = appointment.technician_names.get(event.technician_id)
    to_customer(
        notify,
        event_id=envelope.event_id,
        key=f"{event.appointment_id}.late",
        job=job,
        appointment=appointment,
        template=Template.RUNNING_LATE,
        extra={
            "tech_name": name or "your technician",
            "eta": clock_time(local_time(event.eta, appointment.arrival_window.start)),
        },
    )
