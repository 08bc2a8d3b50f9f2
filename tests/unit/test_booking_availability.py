"""Open slots: shifts, time off, booked time, non-job events, opening hours, skills, the whole
duration and the past."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from truckroll.domain.availability import Need, OpeningHours, open_slots
from truckroll.domain.schedule import Slot, SlotKind, TechDay
from truckroll.domain.technicians import Technician
from truckroll.domain.timeline import NonJobEvent, Shift, ShiftKind
from truckroll.domain.windows import TimeWindow

ZONE = ZoneInfo("America/Chicago")
MONDAY = date(2026, 3, 2)
HOURS = (OpeningHours(0, time(8), time(17)),)
ANA = Technician("t1", "ana", "Ana Diaz", skills=("hvac",))
BO = Technician("t1", "bo", "Bo Lind", skills=("plumbing",))
LONG_AGO = datetime(2026, 1, 1, tzinfo=ZONE)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=ZONE)


def day_of(technician: Technician, *shifts: Shift, slots: tuple[Slot, ...] = ()) -> TechDay:
    return TechDay("t1", technician.technician_id, MONDAY, slots=slots, shifts=shifts, version=1)


def shift(start: int, end: int, kind: ShiftKind = ShiftKind.REGULAR) -> Shift:
    return Shift(f"s{start}", kind, TimeWindow(at(start), at(end)))


def starts(days: dict[str, TechDay], need: Need, **options: object) -> list[tuple[int, tuple[str, ...]]]:
    found = open_slots(
        MONDAY,
        ZONE,
        need,
        options.get("hours", HOURS),  # type: ignore[arg-type]
        options.get("technicians", (ANA, BO)),  # type: ignore[arg-type]
        days,
        step=timedelta(hours=1),
        not_before=options.get("not_before", LONG_AGO),  # type: ignore[arg-type]
    )
    return [(s.start.hour, s.technician_ids) for s in found]


TWO_HOURS = Need(timedelta(hours=2), ("hvac",))


def test_a_visit_fits_whole_inside_a_shift_and_around_booked_time() -> None:
    booked = Slot("appt-1", SlotKind.APPOINTMENT, at(10), at(12))
    days = {"ana": day_of(ANA, shift(8, 17), slots=(booked,))}
    assert starts(days, TWO_HOURS) == [
        (8, ("ana",)),
        (12, ("ana",)),
        (13, ("ana",)),
        (14, ("ana",)),
        (15, ("ana",)),
    ]


def test_time_off_and_events_that_take_capacity_block_others_do_not() -> None:
    day = day_of(ANA, shift(8, 17), shift(13, 17, ShiftKind.TIME_OFF))
    day = day.with_event(NonJobEvent("e1", "training", TimeWindow(at(8), at(9))), force=False)
    day = day.with_event(
        NonJobEvent("e2", "huddle", TimeWindow(at(11), at(12)), counts_against_capacity=False), force=False
    )
    assert [h for h, _ in starts({"ana": day}, TWO_HOURS)] == [9, 10, 11]


def test_opening_hours_skills_and_the_past_narrow_the_offer() -> None:
    days = {"ana": day_of(ANA, shift(6, 20)), "bo": day_of(BO, shift(8, 17))}
    assert [h for h, _ in starts(days, TWO_HOURS)] == [8, 9, 10, 11, 12, 13, 14, 15]
    assert [h for h, _ in starts(days, TWO_HOURS, hours=(OpeningHours(1, time(8), time(17)),))] == []
    assert [h for h, _ in starts(days, TWO_HOURS, not_before=at(13, 30))] == [14, 15]
    plumbing = Need(timedelta(hours=2), ("plumbing",))
    assert {t for _, t in starts(days, plumbing)} == {("bo",)}


def test_the_least_booked_technician_comes_first() -> None:
    busy = Slot("appt-1", SlotKind.APPOINTMENT, at(15), at(17))
    generalist = Technician("t1", "cy", "Cy Moss", skills=("hvac",))
    days = {"ana": day_of(ANA, shift(8, 17), slots=(busy,)), "cy": day_of(generalist, shift(8, 17))}
    found = dict(starts(days, TWO_HOURS, technicians=(ANA, generalist)))
    assert found[8] == ("cy", "ana")
    assert found[15] == ("cy",)


def test_no_shift_or_an_inactive_technician_offers_nothing_and_a_longer_job_than_the_day_never_fits() -> None:
    inactive = Technician("t1", "ana", "Ana Diaz", skills=("hvac",), active=False)
    assert starts({"ana": day_of(ANA, shift(8, 17))}, TWO_HOURS, technicians=(inactive,)) == []
    assert starts({}, TWO_HOURS) == []
    assert starts({"ana": day_of(ANA, shift(8, 17))}, Need(timedelta(hours=10), ("hvac",))) == []
