"""Reminders before the arrival window, and the sweeper that sends whatever is due.

Reminders and messages deferred out of quiet hours wait in notify's due messages. The sweeper runs
every minute, Queries what is due (never a Scan) and sends each through the same path as every
other customer message, so a sweep that runs twice, or a message that is due again after a retry,
sends nothing twice. A message that fails stays due and is tried again at the next sweep.
"""

from __future__ import annotations

import logging

from chalicelib.notify.ports import Notify
from chalicelib.notify.sending import to_customer

from truckroll.domain.notify import AppointmentFacts, DueMessage, reminders

logger = logging.getLogger(__name__)


def set_reminders(notify: Notify, appointment: AppointmentFacts) -> None:
    settings = notify.settings.get(appointment.tenant_id)
    for reminder in reminders(appointment, settings, notify.clock()):
        notify.due.put(reminder)


def drop_reminders(notify: Notify, appointment: AppointmentFacts) -> None:
    notify.due.remove_appointment(appointment.tenant_id, appointment.job_id, appointment.appointment_id)


def _send(notify: Notify, message: DueMessage) -> None:
    job = notify.projection.job(message.tenant_id, message.job_id)
    appointment = notify.projection.appointment(message.tenant_id, message.job_id, message.appointment_id)
    if job is None or appointment is None:
        logger.error(
            "due %s of %s names an appointment notify does not know", message.key, message.appointment_id
        )
        return
    to_customer(
        notify,
        event_id=message.key,
        key=message.key,
        job=job,
        appointment=appointment,
        template=message.template,
    )


def send_due_messages(notify: Notify) -> int:
    """Send every message due now; return how many were handled (sent, logged or deferred)."""
    handled = 0
    for message in notify.due.due(notify.clock()):
        try:
            _send(notify, message)
        except Exception:
            logger.exception("due %s of %s failed; it stays due", message.key, message.appointment_id)
            continue
        notify.due.done(message)
        handled += 1
    return handled
