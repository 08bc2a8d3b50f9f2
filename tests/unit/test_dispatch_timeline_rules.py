"""Shifts, non-job events and crews: the rules of a technician's timeline beyond appointments."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from truckroll.domain.crews import Crew, CrewMember, MemberKind
from truckroll.domain.schedule import DoubleBooked, Slot, SlotKind, TechDay
from truckroll.domain.timeline import NonJobEvent, Shift, ShiftKind, working_time
from truckroll.domain.windows import TimeWindow
from truckroll.errors import NotFound, RuleViolation

LOCAL = timezone(timedelta(hours=-6))
DAY = date(2027, 4, 6)


def window(start: float, end: float) -> TimeWindow:
    first = datetime(2027, 4, 6, tzinfo=LOCAL)
    return TimeWindow(first + timedelta(hours=start), first + timedelta(hours=end))


def appointment(start: float, end: float) -> Slot:
    w = window(start, end)
    return Slot("appt-1", SlotKind.APPOINTMENT, w.start, w.end)


def day() -> TechDay:
    return TechDay("acme", "tech-1", DAY)


def test_working_time_is_the_regular_shifts_with_time_off_cut_out_and_on_call_left_out() -> None:
    shifts = (
        Shift("s1", ShiftKind.REGULAR, window(7, 17)),
        Shift("s2", ShiftKind.TIME_OFF, window(12, 13)),
        Shift("s3", ShiftKind.ON_CALL, window(17, 22)),
        Shift("s4", ShiftKind.TIME_OFF, window(16, 18)),
    )
    assert working_time(shifts) == (window(7, 12), window(13, 16))


def test_a_day_off_leaves_no_working_time() -> None:
    shifts = (Shift("s1", ShiftKind.REGULAR, window(8, 16)), Shift("s2", ShiftKind.TIME_OFF, window(0, 24)))
    assert working_time(shifts) == ()


def test_a_shift_lasts_at_most_a_day_and_belongs_to_the_day_it_starts() -> None:
    with pytest.raises(RuleViolation):
        Shift("s1", ShiftKind.REGULAR, window(8, 33))
    assert Shift("s1", ShiftKind.REGULAR, window(22, 30)).day == DAY


def test_a_non_job_event_ends_on_the_day_it_starts() -> None:
    assert NonJobEvent("e1", "training", window(0, 24)).day == DAY
    with pytest.raises(RuleViolation):
        NonJobEvent("e1", "training", window(20, 26))


def test_shifts_are_added_in_time_order_and_deleted_by_id() -> None:
    late, early = Shift("a", ShiftKind.REGULAR, window(13, 17)), Shift("b", ShiftKind.REGULAR, window(7, 12))
    both = day().with_shift(late).with_shift(early)
    assert both.shifts == (early, late)
    assert both.without_shift("a").shifts == (early,)
    with pytest.raises(NotFound):
        both.without_shift("nope")


def test_an_event_that_counts_against_capacity_refuses_an_overlapping_appointment_unless_forced() -> None:
    meeting = day().with_event(NonJobEvent("e1", "meeting", window(9, 10)), force=False)
    with pytest.raises(DoubleBooked) as refused:
        meeting.rebooked(frozenset({"appt-1"}), [appointment(9.5, 11)], force=False)
    assert refused.value.extensions["conflicting"] == ["e1"]
    forced = meeting.rebooked(frozenset({"appt-1"}), [appointment(9.5, 11)], force=True)
    assert forced.forced_owners() == {"appt-1"}


def test_an_event_is_refused_over_an_appointment_unless_forced() -> None:
    booked = day().rebooked(frozenset({"appt-1"}), [appointment(9, 11)], force=False)
    with pytest.raises(DoubleBooked):
        booked.with_event(NonJobEvent("e1", "training", window(10, 12)), force=False)
    assert booked.with_event(NonJobEvent("e1", "training", window(10, 12)), force=True).forced_owners() == {
        "e1"
    }


def test_an_event_that_does_not_count_against_capacity_takes_no_time() -> None:
    ride_along = day().with_event(NonJobEvent("e1", "ride-along", window(9, 10), False), force=False)
    assert ride_along.slots == ()
    assert (
        ride_along.rebooked(frozenset({"appt-1"}), [appointment(9, 10)], force=False).forced_owners() == set()
    )


def test_editing_an_event_moves_its_time_and_deleting_it_frees_the_time() -> None:
    meeting = day().with_event(NonJobEvent("e1", "meeting", window(9, 10)), force=False)
    moved = meeting.with_event(
        NonJobEvent("e1", "meeting", window(9.5, 10.5), timesheet_code="MTG"), force=False
    )
    assert [(s.owner_id, s.start) for s in moved.slots] == [("e1", window(9.5, 10.5).start)]
    assert moved.event("e1").timesheet_code == "MTG"
    freed = moved.without_event("e1")
    assert (freed.slots, freed.events) == ((), ())
    with pytest.raises(NotFound):
        freed.event("e1")
    with pytest.raises(NotFound):
        freed.without_event("e1")


def test_completing_an_event_keeps_its_time() -> None:
    meeting = day().with_event(NonJobEvent("e1", "meeting", window(9, 10)), force=False)
    done = meeting.with_event(meeting.event("e1").complete(), force=False)
    assert done.event("e1").completed
    assert done.slots == meeting.slots


def test_a_crew_has_linked_and_floating_members_and_a_member_changes_kind_without_doubling() -> None:
    crew = (
        Crew("acme", "c1", "Roofing")
        .with_member("t1", MemberKind.LINKED)
        .with_member("t2", MemberKind.FLOATING)
    )
    crew = crew.with_member("t2", MemberKind.LINKED)
    assert crew.members == (CrewMember("t1", MemberKind.LINKED), CrewMember("t2", MemberKind.LINKED))
    assert crew.without_member("t1").members == (CrewMember("t2", MemberKind.LINKED),)
    with pytest.raises(NotFound):
        crew.without_member("t9")
