"""What the measures read: each technician's visits (kept from ``appointment.*`` events), with the
shifts and the links of the same days, all in the tenant's month partition of gsi1.

Key layout (in the tracking table):
  visit              pk T#{tenant}#APPT#{appointment}   sk VISIT#{tech}
                     gsi1pk T#{tenant}#MONTH#{yyyy-mm}   gsi1sk {day}#V#{appointment}#{tech}

The day is the local day the appointment's arrival window starts; a reschedule moves the visit's
gsi1 keys with it. Reading a date range is one Query per calendar month it touches (92 days: at
most 4), whatever the size of the tenant's history.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.expressions.update import Action

from truckroll.domain.tracking_kpis import Measured, VisitRecord
from truckroll.domain.tracking_links import TrackedAppointment
from truckroll.domain.windows import TimeWindow
from truckroll.persistence.tracking import ShiftsItem, TrackingItem, month_pk, month_sk
from truckroll.persistence.tracking_links import LinkItem, appointment_pk

VISIT_KIND = "V"


def visit_sk(technician_id: str) -> str:
    return f"VISIT#{technician_id}"


class VisitItem(TrackingItem, discriminator="visit"):
    appointment_id = UnicodeAttribute()
    technician_id = UnicodeAttribute()
    window_start = UnicodeAttribute()
    window_end = UnicodeAttribute()
    arrived_at = UnicodeAttribute(null=True)
    done_at = UnicodeAttribute(null=True)
    auto_assigned = BooleanAttribute(null=True)

    def to_record(self) -> VisitRecord:
        arrived, done = self.arrived_at, self.done_at
        return VisitRecord(
            appointment_id=self.appointment_id,
            technician_id=self.technician_id,
            arrival_window=TimeWindow(
                datetime.fromisoformat(self.window_start), datetime.fromisoformat(self.window_end)
            ),
            arrived_at=datetime.fromisoformat(arrived) if arrived else None,
            done_at=datetime.fromisoformat(done) if done else None,
            assigned_automatically=bool(self.auto_assigned),
        )


def _months(first: date, last: date) -> list[date]:
    """The first day of every calendar month from ``first``'s to ``last``'s."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


class DynamoKpiRepository:
    def visit(
        self,
        appointment: TrackedAppointment,
        technician_id: str,
        *,
        arrived_at: datetime | None = None,
        done_at: datetime | None = None,
        auto_assigned: bool | None = None,
    ) -> None:
        """Keep the technician's visit at the appointment's latest window: the first arrival, the
        last completion, and who assigned them when ``auto_assigned`` is given."""
        day = appointment.window_start.date()
        actions: list[Action] = [
            VisitItem.kind.set(VisitItem),
            VisitItem.tenant_id.set(appointment.tenant_id),
            VisitItem.appointment_id.set(appointment.appointment_id),
            VisitItem.technician_id.set(technician_id),
            VisitItem.window_start.set(appointment.window_start.isoformat()),
            VisitItem.window_end.set(appointment.window_end.isoformat()),
            VisitItem.gsi1pk.set(month_pk(appointment.tenant_id, day)),
            VisitItem.gsi1sk.set(month_sk(day, VISIT_KIND, f"{appointment.appointment_id}#{technician_id}")),
        ]
        if arrived_at is not None:
            actions.append(VisitItem.arrived_at.set(VisitItem.arrived_at | arrived_at.isoformat()))
        if done_at is not None:
            actions.append(VisitItem.done_at.set(done_at.isoformat()))
        if auto_assigned is not None:
            actions.append(VisitItem.auto_assigned.set(auto_assigned))
        VisitItem._get_connection().update_item(  # not Model.update, which asks for the item back
            appointment_pk(appointment.tenant_id, appointment.appointment_id),
            visit_sk(technician_id),
            actions=actions,
        )

    def drop_visit(self, tenant_id: str, appointment_id: str, technician_id: str) -> None:
        VisitItem(pk=appointment_pk(tenant_id, appointment_id), sk=visit_sk(technician_id)).delete()

    def measured(self, tenant_id: str, first: date, last: date) -> Measured:
        """Everything of the days from ``first`` to ``last``: one Query per calendar month."""
        visits: list[VisitRecord] = []
        shifts: dict[str, list[TimeWindow]] = {}
        opens: dict[str, int] = {}
        for month in _months(first, last):
            items = TrackingItem.by_month.query(
                month_pk(tenant_id, month),
                TrackingItem.gsi1sk.between(f"{first.isoformat()}#", f"{last.isoformat()}#~"),
            )
            for item in items:
                if isinstance(item, VisitItem):
                    visits.append(item.to_record())
                elif isinstance(item, ShiftsItem):
                    shifts.setdefault(item.technician_id, []).extend(
                        TimeWindow(datetime.fromisoformat(s), datetime.fromisoformat(e))
                        for s, e in json.loads(item.shifts)
                    )
                elif isinstance(item, LinkItem):
                    opens[item.appointment_id] = max(opens.get(item.appointment_id, 0), int(item.opens))
        return Measured(visits, shifts, opens)
