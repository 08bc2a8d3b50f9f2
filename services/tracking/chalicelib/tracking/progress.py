"""Following technicians on the way: the link and ``tracking.on_the_way`` at dispatch, ETA, lateness,
arrival and position reports as fixes arrive, and the sweeper that flags silent devices."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from chalicelib.tracking.ports import Links, Tracking
from pydantic import BaseModel

from truckroll.config import LinkSettings
from truckroll.contracts.dispatch import APPOINTMENT_EVENTS, AppointmentChangeV1, JobChangeV1
from truckroll.contracts.envelope import EventEnvelope, new_event
from truckroll.contracts.tracking import (
    TRACKING_ARRIVAL_SUGGESTED,
    TRACKING_DEVICE_RESUMED,
    TRACKING_DEVICE_SILENT,
    TRACKING_ETA_CHANGED,
    TRACKING_ON_THE_WAY,
    TRACKING_POSITION_REPORTED,
    TRACKING_RUNNING_LATE,
    ArrivalSuggestedV1,
    DeviceSilenceV1,
    EtaChangedV1,
    OnTheWayV1,
    PositionReportedV1,
    RunningLateV1,
)
from truckroll.domain.events import AppointmentChange
from truckroll.domain.status import TechStatus
from truckroll.domain.tracking import Fix, TrackingSettings, newest
from truckroll.domain.tracking_links import Link, LinkToken, TechnicianProgress, TrackedAppointment
from truckroll.domain.tracking_progress import (
    ArrivalSuggested,
    DeviceSilence,
    EnRoute,
    EtaChanged,
    PositionReported,
    ProgressEvent,
    RunningLate,
    falls_silent,
    follow,
    report_due,
    start,
    unheard_too_long,
)
from truckroll.domain.windows import TimeWindow
from truckroll.persistence.writes import StaleRead

logger = logging.getLogger(__name__)

PRODUCER = "tracking"
DISPATCHED = APPOINTMENT_EVENTS[AppointmentChange.DISPATCHED]
RESCHEDULED = APPOINTMENT_EVENTS[AppointmentChange.RESCHEDULED]


def _visit(route: EnRoute) -> dict[str, str]:
    """The fields naming whose visit an event is about."""
    return {
        "appointment_id": route.appointment_id,
        "job_id": route.job_id,
        "technician_id": route.technician_id,
    }


def _current(event: ProgressEvent) -> tuple[str, BaseModel]:
    """The event type and data of ``event``'s current contract (version 1 for all)."""
    match event:
        case EtaChanged(route=r):
            return TRACKING_ETA_CHANGED, EtaChangedV1(
                **_visit(r), eta=event.eta, previous_eta=event.previous_eta, distance_m=event.distance_m
            )
        case RunningLate(route=r):
            return TRACKING_RUNNING_LATE, RunningLateV1(
                **_visit(r), eta=event.eta, arrival_window_end=r.window.end, minutes_late=event.minutes_late
            )
        case ArrivalSuggested(route=r):
            return TRACKING_ARRIVAL_SUGGESTED, ArrivalSuggestedV1(**_visit(r), since=event.since)
        case PositionReported(fix=f):
            return TRACKING_POSITION_REPORTED, PositionReportedV1(
                technician_id=f.technician_id, lat=f.lat, lon=f.lon, at=f.instant
            )
        case DeviceSilence():
            return (TRACKING_DEVICE_SILENT if event.silent else TRACKING_DEVICE_RESUMED), DeviceSilenceV1(
                technician_id=event.technician_id, last_fix_at=event.last_fix_at
            )


def _tenant_of(event: ProgressEvent) -> str:
    match event:
        case EtaChanged(route=r) | RunningLate(route=r) | ArrivalSuggested(route=r):
            return r.tenant_id
        case PositionReported() | DeviceSilence():
            return event.tenant_id


def _envelope(event: ProgressEvent, cause: EventEnvelope | None = None) -> EventEnvelope:
    event_type, data = _current(event)
    return new_event(
        event_type,
        tenant_id=_tenant_of(event),
        producer=PRODUCER,
        data=data.model_dump(mode="json"),
        correlation_id=cause.correlation_id if cause is not None else None,
        causation_id=cause.event_id if cause is not None else None,
    )


# -- at dispatch -------------------------------------------------------------------------------------


def _dispatched(appointment: TrackedAppointment, technician_id: str | None) -> TechnicianProgress | None:
    return next(
        (
            t
            for t in appointment.technicians
            if t.technician_id == technician_id and t.status == TechStatus.DISPATCHED
        ),
        None,
    )


def start_following(
    envelope: EventEnvelope,
    event: AppointmentChangeV1,
    links: Links,
    tracking: Tracking,
    settings: LinkSettings,
) -> None:
    """A technician was dispatched: mint the appointment's link (once: the same for every technician),
    start following them with a first ETA, and publish ``tracking.on_the_way`` with it, all in one
    transaction. A redelivered event, or one older than what tracking knows of the appointment (the
    technician is no longer on the way), publishes nothing."""
    tenant_id = envelope.tenant_id
    appointment = links.appointments.get(tenant_id, event.appointment.appointment_id)
    technician = _dispatched(appointment, event.technician_id) if appointment is not None else None
    if appointment is None or technician is None:
        return
    now = links.clock()
    destination = links.appointments.destination(tenant_id, appointment.job_id)
    point = destination.point if destination is not None and destination.verified else None
    route = EnRoute(
        tenant_id=tenant_id,
        technician_id=technician.technician_id,
        appointment_id=appointment.appointment_id,
        job_id=appointment.job_id,
        window=TimeWindow(appointment.window_start, appointment.window_end),
        destination=point,
        dispatch_event_id=envelope.event_id,
    )
    position = links.positions.latest(tenant_id, technician.technician_id, now)
    route, events = start(route, position, links.travel)
    token = LinkToken.of_appointment(settings.secret, tenant_id, appointment.appointment_id)
    existing = links.links.get(token.hash)
    link = (
        None
        if existing is not None
        else (
            token.hash,
            Link(tenant_id, route.appointment_id, route.job_id, now, day=route.window.start.date()),
        )
    )
    on_the_way = OnTheWayV1(
        **_visit(route),
        technician_first_name=technician.first_name,
        link_url=f"{settings.base_url}{token.value}",
        eta=route.eta,
        distance_m=route.distance_m,
        arrival_window_start=route.window.start,
        arrival_window_end=route.window.end,
    )
    envelopes = [
        new_event(
            TRACKING_ON_THE_WAY,
            tenant_id=tenant_id,
            producer=PRODUCER,
            data=on_the_way.model_dump(mode="json"),
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
        ),
        *(_envelope(e, envelope) for e in events),
    ]
    if not tracking.progress.dispatched(route, link, envelopes, now):
        logger.info("dispatch %s of %s was already followed", envelope.event_id, route.technician_id)


def follow_change(
    envelope: EventEnvelope, event: AppointmentChangeV1, links: Links, tracking: Tracking
) -> None:
    """Stop following the technicians this change took off the way to the appointment: the one whose
    progress changed (arrived, dispatch canceled...), those removed, everyone once it ended. A
    reschedule gives those still on the way the appointment's new window."""
    appointment = links.appointments.get(envelope.tenant_id, event.appointment.appointment_id)
    if appointment is None:
        return
    concerned = {*event.removed_technician_ids, *([event.technician_id] if event.technician_id else [])}
    if appointment.ended:
        concerned |= {t.technician_id for t in appointment.technicians}
    still_on_the_way = {t.technician_id for t in appointment.technicians if t.status == TechStatus.DISPATCHED}
    for technician_id in sorted(concerned - (set() if appointment.ended else still_on_the_way)):
        tracking.progress.ended(envelope.tenant_id, technician_id, appointment.appointment_id)
    if envelope.event_type == RESCHEDULED and not appointment.ended:
        window = TimeWindow(appointment.window_start, appointment.window_end)
        for technician_id in sorted(still_on_the_way):
            tracking.progress.rescheduled(
                envelope.tenant_id, technician_id, appointment.appointment_id, window
            )


def job_canceled(envelope: EventEnvelope, event: JobChangeV1, links: Links, tracking: Tracking) -> None:
    """A canceled job's appointments are over: nobody is followed to them any more."""
    for appointment_id in event.appointment_ids:
        appointment = links.appointments.get(envelope.tenant_id, appointment_id)
        if appointment is not None and appointment.ended:
            for technician in appointment.technicians:
                tracking.progress.ended(envelope.tenant_id, technician.technician_id, appointment_id)


# -- as fixes arrive ---------------------------------------------------------------------------------


def record(tenant_id: str, fixes: Sequence[Fix], settings: TrackingSettings, tracking: Tracking) -> None:
    """Store one technician's kept fixes and publish what they change: the device resuming, the
    position (at most every 5 minutes), and the ETA, lateness and arrival of their route. One read
    before the writes (the position's marks and the route); writes beyond the fixes' only on change."""
    if not fixes:
        return
    technician_id, now = fixes[0].technician_id, tracking.clock()
    seen = tracking.progress.seen(tenant_id, technician_id)
    report = report_due(seen.marks, fixes)
    reported_at = newest(fixes).instant if report else seen.marks.reported_at
    before = tracking.fixes.record(tenant_id, fixes, settings, now, reported_at)
    if not seen.known:
        tracking.progress.register_tenant(tenant_id)
    if seen.unheard:  # flagged silent before any fix: this first one resumes them
        resumed = DeviceSilence(tenant_id, technician_id, silent=False, last_fix_at=newest(fixes).instant)
        tracking.progress.heard(tenant_id, technician_id, _envelope(resumed), now)
    events: list[ProgressEvent] = []
    if before is not None and before.silent_since is not None:
        events.append(
            DeviceSilence(tenant_id, technician_id, silent=False, last_fix_at=newest(fixes).instant)
        )
    if before is not None and report and before.reported_at == seen.marks.reported_at:
        events.append(PositionReported(tenant_id, newest(fixes)))
    envelopes = [_envelope(e) for e in events]
    if seen.route is not None:
        route, route_events = follow(seen.route, fixes, settings.eta_change, tracking.travel)
        if route != seen.route:
            try:
                tracking.progress.moved(
                    route, seen.revision, [*envelopes, *map(_envelope, route_events)], now
                )
                return
            except StaleRead:  # a dispatch or another batch changed the route: the next batch recomputes
                logger.warning("route of %s changed while %d fixes were read", technician_id, len(fixes))
    tracking.progress.publish(envelopes, now)


# -- silent devices ------------------------------------------------------------------------------------


def sweep(tracking: Tracking) -> int:
    """Flag every on-shift technician whose device is silent for longer than their tenant allows,
    or who sent no fix at all that long into their shift, publishing ``tracking.device_silent``
    once per silence: Queries only (the tenants, then each tenant's latest positions and the days'
    shifts). A failing tenant does not stop the others; the run then fails."""
    now = tracking.clock()
    flagged, failed = 0, []
    for tenant_id in tracking.progress.tenants():
        try:
            flagged += _sweep_tenant(tenant_id, now, tracking)
        except Exception:
            logger.exception("silence sweep of tenant %s failed", tenant_id)
            failed.append(tenant_id)
    if failed:
        raise SweepFailed(f"silence sweep failed for {len(failed)} tenant(s): {', '.join(failed)}")
    return flagged


class SweepFailed(Exception):
    """Some tenants could not be swept; the others were."""


def _sweep_tenant(tenant_id: str, now: datetime, tracking: Tracking) -> int:
    settings = tracking.settings.get(tenant_id)
    flagged = 0
    positions = tracking.progress.positions(tenant_id, now)
    for position, marks in positions:
        if marks.silent_since is not None or not position.is_silent(now, settings):
            continue
        technician_id = position.fix.technician_id
        day = now.date()
        shifts = tracking.shifts.around(
            tenant_id, technician_id, day - timedelta(days=1), day + timedelta(days=1)
        )
        if falls_silent(position, marks, shifts, settings, now):
            silent = DeviceSilence(tenant_id, technician_id, silent=True, last_fix_at=position.fix.instant)
            tracking.progress.fell_silent(tenant_id, position, _envelope(silent), now)
            flagged += 1
    return flagged + _sweep_unheard(
        tenant_id, {p.fix.technician_id for p, _ in positions}, settings, now, tracking
    )


def _sweep_unheard(
    tenant_id: str, heard: set[str], settings: TrackingSettings, now: datetime, tracking: Tracking
) -> int:
    """Flag the technicians on shift past the limit with no fix at all (the app never opened, a
    tracker never fitted): the day's shifts of the tenant, one Query a day."""
    day = now.date()
    shifts = tracking.shifts.of_tenant(tenant_id, day - timedelta(days=1), day + timedelta(days=1))
    candidates = {
        t for t, windows in shifts.items() if t not in heard and unheard_too_long(windows, settings, now)
    }
    if not candidates:
        return 0
    flagged = 0
    for technician_id in sorted(candidates - tracking.progress.unheard(tenant_id)):
        silent = DeviceSilence(tenant_id, technician_id, silent=True, last_fix_at=None)
        tracking.progress.flag_unheard(tenant_id, technician_id, _envelope(silent), now)
        flagged += 1
    return flagged
