"""A technician's day: the time they are booked, and the double-booking rule.

Each technician has one schedule item per calendar day holding every slot of that day (appointments
and non-job events) and a version. An assignment rewrites the items of the days it touches in the
same transaction as the job, on the condition that their versions are still the ones read, so two
concurrent assignments can never both pass the overlap check on the same stale copy.

A technician never holds overlapping slots unless a dispatcher forces it; a forced slot is kept
with ``forced`` set and the board flags it. The day also holds the technician's shifts and non-job
events (truckroll.domain.timeline); a non-job event that counts against capacity holds a slot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from truckroll.domain.jobs import Appointment
from truckroll.domain.timeline import NonJobEvent, Shift
from truckroll.errors import Conflict, NotFound

T = TypeVar("T")


class SlotKind(StrEnum):
    APPOINTMENT = "appointment"
    EVENT = "event"  # a non-job event: meeting, training, time off


@dataclass(frozen=True)
class Slot:
    """Time a technician is booked: [start, end) for ``owner_id`` (an appointment or event id)."""

    owner_id: str
    kind: SlotKind
    start: datetime
    end: datetime
    forced: bool = False

    def overlaps(self, other: Slot) -> bool:
        return self.start < other.end and other.start < self.end

    def days(self) -> Iterator[date]:
        """Every local calendar day the slot touches (in its start's offset)."""
        day = self.start.date()
        last = (self.end.astimezone(self.start.tzinfo) - timedelta(microseconds=1)).date()
        while day <= last:
            yield day
            day += timedelta(days=1)


@dataclass(frozen=True)
class TechDay:
    tenant_id: str
    technician_id: str
    day: date
    slots: tuple[Slot, ...] = ()
    version: int = 0  # 0: never stored
    shifts: tuple[Shift, ...] = ()
    events: tuple[NonJobEvent, ...] = ()

    def rebooked(self, owners: frozenset[str], slots: Iterable[Slot], *, force: bool) -> TechDay:
        """This day with ``owners``' slots replaced by ``slots``. A new or moved slot that overlaps
        another is refused unless ``force`` is set, in which case it is kept and marked forced."""
        kept = [s for s in self.slots if s.owner_id not in owners]
        previous = {(s.owner_id, s.start, s.end): s for s in self.slots if s.owner_id in owners}
        placed: list[Slot] = []
        moved: list[Slot] = []
        for slot in slots:
            before = previous.get((slot.owner_id, slot.start, slot.end))
            if before is None:
                moved.append(slot)
            else:
                placed.append(replace(slot, forced=before.forced or slot.forced))
        for slot in moved:
            clashes = tuple(s.owner_id for s in (*kept, *placed) if s.overlaps(slot))
            if clashes and not force:
                raise DoubleBooked(self.technician_id, slot, clashes)
            placed.append(replace(slot, forced=bool(clashes) or slot.forced))
        ordered = sorted((*kept, *placed), key=lambda s: (s.start, s.owner_id))
        return replace(self, slots=tuple(ordered))

    def forced_owners(self) -> frozenset[str]:
        return frozenset(s.owner_id for s in self.slots if s.forced)

    def with_shift(self, shift: Shift) -> TechDay:
        shifts = sorted((*self.shifts, shift), key=lambda s: (s.window.start, s.shift_id))
        return replace(self, shifts=tuple(shifts))

    def without_shift(self, shift_id: str) -> TechDay:
        return replace(
            self, shifts=_without(self.shifts, lambda s: s.shift_id == shift_id, f"shift {shift_id}")
        )

    def event(self, event_id: str) -> NonJobEvent:
        found = next((e for e in self.events if e.event_id == event_id), None)
        if found is None:
            raise NotFound(f"event {event_id} not found")
        return found

    def with_event(self, event: NonJobEvent, *, force: bool) -> TechDay:
        """The day with ``event`` in it (replacing its earlier version). One that counts against
        capacity takes its time like an appointment: an overlap is refused unless forced."""
        window = event.window
        slots = [Slot(event.event_id, SlotKind.EVENT, window.start, window.end)]
        day = self.rebooked(
            frozenset({event.event_id}), slots if event.counts_against_capacity else [], force=force
        )
        others = (e for e in self.events if e.event_id != event.event_id)
        return replace(
            day, events=tuple(sorted((*others, event), key=lambda e: (e.window.start, e.event_id)))
        )

    def without_event(self, event_id: str) -> TechDay:
        events = _without(self.events, lambda e: e.event_id == event_id, f"event {event_id}")
        return replace(self.rebooked(frozenset({event_id}), [], force=False), events=events)


def _without(items: tuple[T, ...], matches: Callable[[T], bool], what: str) -> tuple[T, ...]:
    kept = tuple(i for i in items if not matches(i))
    if len(kept) == len(items):
        raise NotFound(f"{what} not found")
    return kept


class DoubleBooked(Conflict):
    def __init__(self, technician_id: str, slot: Slot, clashes: tuple[str, ...]) -> None:
        super().__init__(
            f"{technician_id} is already booked at that time ({', '.join(clashes)}); "
            "choose another time or technician, or force the assignment to double-book on purpose",
            technician_id=technician_id,
            conflicting=list(clashes),
            start=slot.start.isoformat(),
            end=slot.end.isoformat(),
        )


def appointment_slots(appointments: Iterable[Appointment]) -> dict[tuple[str, date], list[Slot]]:
    """Where a job's appointments put its technicians: slots by (technician, day). Canceled
    appointments hold no time."""
    booked: dict[tuple[str, date], list[Slot]] = {}
    for appointment in appointments:
        if appointment.canceled:
            continue
        for assignment in appointment.assignments:
            slot = Slot(
                owner_id=appointment.appointment_id,
                kind=SlotKind.APPOINTMENT,
                start=appointment.start,
                end=appointment.end,
                forced=assignment.overlap_forced,
            )
            for day in slot.days():
                booked.setdefault((assignment.technician_id, day), []).append(slot)
    return booked


def changed_days(
    before: dict[tuple[str, date], list[Slot]], after: dict[tuple[str, date], list[Slot]]
) -> list[tuple[str, date]]:
    """The (technician, day) pairs whose slots of this job differ."""

    def key(slots: list[Slot]) -> list[tuple[str, datetime, datetime]]:
        return sorted((s.owner_id, s.start, s.end) for s in slots)

    return sorted(k for k in before.keys() | after.keys() if key(before.get(k, [])) != key(after.get(k, [])))
