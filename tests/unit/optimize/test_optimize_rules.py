"""Each hard rule of the optimizer contract in a scenario of its own, and the reasons given."""

from __future__ import annotations

from datetime import datetime

import pytest
from optimize_kit import SECONDS_PER_KM, at, job, planned_on, problem, reason, solved, tech, visits

from truckroll.optimize import check, solve

pytestmark = pytest.mark.unit


def _t(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def test_skills_decide_the_technician_and_a_missing_skill_is_named() -> None:
    prob = problem(
        [tech("t1", ("hvac",)), tech("t2", ("gas", "hvac"), home=(5, 0))],
        [job("j1", skills=["gas"]), job("j2", skills=["plumbing"])],
    )
    out = solved(prob)
    assert planned_on(out, "j1") == ["t2"]
    assert reason(out, "j2") == "no technician with skill 'plumbing' on shift"


def test_visits_stay_inside_the_shift_and_a_window_outside_every_shift_is_explained() -> None:
    prob = problem([tech("t1", shift=(8, 12))], [job("early"), job("late", windows=((at(18), at(20)),))])
    out = solved(prob)
    (visit,) = visits(out, "t1")
    assert visit["job"] == "early"
    assert _t(visit["end"]) <= _t(at(12))
    assert reason(out, "late") == "arrival window 2026-11-23 18:00-20:00 is outside every shift"


def test_arrival_falls_inside_the_window_even_when_the_technician_is_free_earlier() -> None:
    out = solved(problem([tech("t1")], [job("j1", windows=((at(13), at(14)),))]))
    (visit,) = visits(out, "t1")
    assert _t(at(13)) <= _t(visit["arrival"]) <= _t(at(14))
    assert visit["arrival"] == visit["start"]


def test_a_second_window_is_used_when_the_first_cannot_be_met() -> None:
    windows = ((at(7), at(8)), (at(15), at(16)))
    out = solved(problem([tech("t1", shift=(9, 17))], [job("j1", windows=windows)]))
    (visit,) = visits(out, "t1")
    assert _t(at(15)) <= _t(visit["start"]) <= _t(at(16))


def test_no_work_or_driving_during_a_block() -> None:
    lunch = ((at(12), at(13)),)
    prob = problem(
        [tech("t1", shift=(11, 17), blocks=lunch)],
        [
            job("j1", where=(10, 0), minutes=60, windows=((at(11), at(17)),)),
            job("j2", where=(20, 0), minutes=30),
        ],
    )
    out = solved(prob)
    for v in visits(out, "t1"):
        assert _t(v["end"]) <= _t(at(12)) or _t(v["start"]) >= _t(at(13))
    assert out["summary"]["assigned"] == 2


def test_a_job_longer_than_the_gap_between_blocks_is_not_squeezed_in() -> None:
    blocks = ((at(10), at(11)), (at(12), at(13)))
    out = solved(problem([tech("t1", shift=(10, 14), blocks=blocks)], [job("j1", minutes=90)]))
    assert reason(out, "j1") is not None
    assert out["summary"]["assigned"] == 0


def test_travel_time_separates_consecutive_visits() -> None:
    prob = problem([tech("t1")], [job("a", where=(10, 0), minutes=30), job("b", where=(-10, 0), minutes=30)])
    out = solved(prob)
    first, second = visits(out, "t1")
    gap = (_t(second["arrival"]) - _t(first["end"])).total_seconds()
    assert gap >= 20 * SECONDS_PER_KM - 2


def test_a_pinned_job_goes_to_its_technician_even_when_another_is_closer() -> None:
    prob = problem([tech("near"), tech("far", home=(30, 0))], [job("j1", technician="far")])
    assert planned_on(solved(prob), "j1") == ["far"]


def test_a_job_pinned_to_someone_not_working_is_explained() -> None:
    out = solved(problem([tech("t1")], [job("j1", technician="t9")]))
    assert reason(out, "j1") == "pinned to technician t9, who is not in this plan"


def test_a_locked_job_keeps_its_start() -> None:
    prob = problem([tech("t1")], [job("j1", technician="t1", locked_start=at(14, 30)), job("j2")])
    out = solved(prob)
    (locked,) = [v for v in visits(out, "t1") if v["job"] == "j1"]
    assert _t(locked["start"]) == _t(at(14, 30))
    assert out["summary"]["assigned"] == 2


def test_a_locked_start_inside_a_block_is_explained() -> None:
    prob = problem(
        [tech("t1", blocks=((at(12), at(13)),))], [job("j1", technician="t1", locked_start=at(12, 15))]
    )
    out = solved(prob)
    assert "locked start 2026-11-23 12:15" in (reason(out, "j1") or "")


def test_the_drive_cap_forbids_long_legs() -> None:
    prob = problem([tech("t1", cap=30)], [job("near", where=(5, 0)), job("far", where=(40, 0))])
    out = solved(prob)
    assert planned_on(out, "near") == ["t1"]
    assert reason(out, "far") == "no technician can reach it within the 30-minute drive cap"


def test_higher_priority_wins_when_the_day_is_full() -> None:
    prob = problem(
        [tech("t1", shift=(8, 11))],
        [job("low", minutes=120, priority=2), job("high", minutes=120, priority=9)],
    )
    out = solved(prob)
    assert planned_on(out, "high") == ["t1"]
    assert reason(out, "low") == "not enough capacity: lower-priority than the jobs planned"


def test_a_required_job_outranks_any_priority() -> None:
    prob = problem(
        [tech("t1", shift=(8, 11))],
        [job("must", minutes=120, priority=1, required=True), job("nice", minutes=120, priority=10)],
    )
    out = solved(prob)
    assert planned_on(out, "must") == ["t1"]
    assert reason(out, "nice") is not None


def test_an_impossible_required_job_is_reported_as_required() -> None:
    prob = problem([tech("t1")], [job("must", skills=["gas"], required=True)])
    solution = solve(prob, 0.2)
    assert solution["unassigned"] == [
        {"job": "must", "reason": "no technician with skill 'gas' on shift", "required": True}
    ]
    assert check(prob, solution) == ["required job must is not planned"]


def test_less_drive_when_priorities_are_equal() -> None:
    prob = problem([tech("t1"), tech("t2", home=(20, 0))], [job("j1", where=(19, 0))])
    out = solved(prob)
    assert planned_on(out, "j1") == ["t2"]
    assert out["summary"]["drive_seconds"] == 2 * SECONDS_PER_KM


def test_a_two_technician_job_starts_at_the_same_time_for_both() -> None:
    prob = problem(
        [tech("t1"), tech("t2", home=(3, 0)), tech("t3", home=(40, 0))],
        [job("big", where=(2, 0), minutes=120, technicians_needed=2), job("small", where=(1, 1))],
    )
    out = solved(prob)
    crew = [(r["technician"], v["start"]) for r in out["routes"] for v in r["visits"] if v["job"] == "big"]
    assert sorted(t for t, _ in crew) == ["t1", "t2"]
    assert all(v["crew"] == ["t1", "t2"] for r in out["routes"] for v in r["visits"] if v["job"] == "big")
    assert len({_t(s) for _, s in crew}) == 1
    assert out["summary"]["assigned"] == 2


def test_a_crew_job_with_too_few_qualified_technicians_is_explained() -> None:
    prob = problem([tech("t1", ("gas",)), tech("t2")], [job("big", skills=["gas"], technicians_needed=2)])
    out = solved(prob)
    assert reason(out, "big") == "needs 2 technicians at the same time; only 1 qualified"


def test_a_crew_job_when_the_qualified_are_never_free_together_is_explained() -> None:
    prob = problem(
        [tech("t1", shift=(8, 12)), tech("t2", shift=(13, 17))],
        [job("big", minutes=60, technicians_needed=2)],
    )
    out = solved(prob)
    assert reason(out, "big") == "needs 2 technicians at the same time; only 1 qualified free at once"


def test_matrix_travel_is_used_when_given() -> None:
    prob = {
        "timezone": "UTC",
        "travel": {
            "matrix_seconds": [[0, 600, 7200], [600, 0, 7200], [7200, 7200, 0]],
            "index": {"home": 0, "a": 1, "b": 2},
        },
        "technicians": [
            {
                "id": "t1",
                "start": {"id": "home"},
                "shift": {"start": "2026-11-23T08:00:00Z", "end": "2026-11-23T12:00:00Z"},
                "max_leg_minutes": 60,
            }
        ],
        "jobs": [
            {"id": "j1", "location": {"id": "a"}, "duration_minutes": 30},
            {"id": "j2", "location": {"id": "b"}, "duration_minutes": 30},
        ],
    }
    out = solved(prob)
    assert out["routes"][0]["drive_seconds"] == 1200
    assert reason(out, "j2") == "no technician can reach it within the 60-minute drive cap"


def test_every_job_is_planned_at_most_once_and_accounted_for() -> None:
    prob = problem(
        [tech("t1"), tech("t2", home=(2, 2))], [job(f"j{k}", where=(k % 4, k // 4)) for k in range(10)]
    )
    out = solved(prob)
    seen = [v["job"] for r in out["routes"] for v in r["visits"]]
    assert len(seen) == len(set(seen))
    assert out["summary"]["assigned"] + out["summary"]["unassigned"] == 10


def test_a_window_that_cannot_be_reached_in_time_is_explained() -> None:
    out = solved(problem([tech("t1")], [job("j1", where=(60, 0), minutes=30, windows=((at(8), at(9)),))]))
    assert reason(out, "j1") == (
        "no qualified technician can get there inside its arrival window, do the 30-minute job clear of"
        " blocks and get back before the shift ends"
    )


def test_nobody_on_shift_is_explained() -> None:
    out = solved(problem([], [job("j1")]))
    assert out["unassigned"] == [{"job": "j1", "reason": "no technician is on shift"}]
    assert out["routes"] == []
