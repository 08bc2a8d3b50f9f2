"""The reported measures on a small fixed day, against values computed by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from truckroll.domain.tracking_kpis import VisitRecord, drive_times, kpis, utilization
from truckroll.domain.windows import TimeWindow

CENTRAL = timezone(timedelta(hours=-6))


def at(hour: int, minute: int = 0, day: int = 3) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CENTRAL)


def window(start: int, end: int) -> TimeWindow:
    return TimeWindow(at(start), at(end))


def visit(
    tech: str, name: str, win: tuple[int, int], arrived: datetime | None, done: datetime | None, **kw: bool
) -> VisitRecord:
    return VisitRecord(name, tech, window(*win), arrived, done, **kw)


DAY = [
    visit(
        "A", "a1", (8, 10), at(8, 30), at(10), assigned_automatically=True, link_sent=True, link_opened=True
    ),
    visit("A", "a2", (10, 12), at(10, 30), at(12), link_sent=True),
    visit(
        "A",
        "a3",
        (12, 13),
        at(13, 15),
        at(16, 30),
        assigned_automatically=True,
        link_sent=True,
        link_opened=True,
    ),
    visit("B", "b1", (8, 10), at(9), at(11), assigned_automatically=True),
    visit("B", "b2", (11, 12), at(11, 20), at(12, 40), link_sent=True, link_opened=True),
    visit("B", "b3", (14, 16), None, None, link_sent=True),
]
SHIFTS = {"A": [window(8, 16)], "B": [window(8, 12)], "C": [window(8, 12)]}


def test_the_measures_of_a_fixed_day_match_the_hand_computed_values() -> None:
    measured = kpis(DAY, SHIFTS)
    # drives: A 10:00->10:30 (30), 12:00->13:15 (75); B 11:00->11:20 (20): 125 / 3 minutes
    assert measured.average_drive_time == timedelta(minutes=125) / 3
    # arrivals: a1, a2, b1, b2 inside their windows; a3 at 13:15 after a 12-13 window
    assert measured.on_time_arrival_rate == pytest.approx(4 / 5)
    # links sent a1, a2, a3, b2, b3; opened a1, a3, b2
    assert measured.link_open_rate == pytest.approx(3 / 5)
    # auto: a1, a3, b1 of six visits
    assert measured.auto_assigned_share == pytest.approx(3 / 6)
    a, b, c = (measured.utilization[t] for t in "ABC")
    # A worked 1:30 + 1:30 + 3:15 = 6:15 of 8:00; 30 minutes past the shift's end
    assert (a.working, a.rate, a.overtime, a.overtime_flagged) == (
        timedelta(hours=6, minutes=15),
        6.25 / 8,
        timedelta(minutes=30),
        True,
    )
    # B worked 2:00 + 1:20 = 3:20 of 4:00; 40 minutes past noon
    assert (b.working, b.overtime, b.overtime_flagged) == (
        timedelta(minutes=200),
        timedelta(minutes=40),
        True,
    )
    assert b.rate == pytest.approx(200 / 240)
    assert (c.rate, c.overtime_flagged) == (0.0, False)


def test_nothing_to_measure_is_none_not_zero() -> None:
    measured = kpis([visit("A", "a1", (8, 10), None, None)], {})
    assert measured.average_drive_time is None
    assert measured.on_time_arrival_rate is None
    assert measured.link_open_rate is None
    assert measured.utilization["A"].rate is None


def test_drive_time_is_counted_within_a_day_only() -> None:
    evening = visit("A", "x", (16, 18), at(16), at(17))
    morning = VisitRecord("y", "A", TimeWindow(at(8, day=4), at(10, day=4)), at(8, 30, day=4), at(9, day=4))
    assert drive_times([evening, morning]) == []


def test_work_inside_the_shift_is_not_overtime() -> None:
    inside = utilization([visit("A", "a", (8, 10), at(8), at(12))], [window(8, 16)])
    assert (inside.overtime, inside.overtime_flagged) == (timedelta(0), False)


def test_a_link_is_counted_once_however_many_technicians_share_its_appointment() -> None:
    shared = [
        visit("A", "s1", (8, 10), at(8, 30), at(9), link_sent=True, link_opened=True),
        visit("B", "s1", (8, 10), at(8, 30), at(9), link_sent=True, link_opened=True),
        visit("A", "s2", (10, 12), None, None, link_sent=True),
    ]
    assert kpis(shared, {}).link_open_rate == pytest.approx(1 / 2)
