"""Each technician's verdict on one job: ruled out with the reason said of them, or ranked by the
drive the job adds to their day at its cheapest feasible place."""

from __future__ import annotations

import pytest
from optimize_kit import SECONDS_PER_KM, at, job, problem, tech

from truckroll.optimize import ProblemError, Verdict, rank_technicians
from truckroll.optimize.explain import NO_ROOM

pytestmark = pytest.mark.unit


def test_candidates_are_ranked_by_added_drive_and_the_others_say_why_not() -> None:
    prob = problem(
        [
            tech("far", skills=("gas",), home=(10.0, 0.0)),
            tech("near", skills=("gas",), home=(2.0, 0.0)),
            tech("plain", home=(1.0, 0.0)),
            tech("late", skills=("gas",), shift=(13, 20)),
            tech("capped", skills=("gas",), home=(30.0, 0.0), cap=10),
        ],
        [job("j", where=(1.0, 0.0), windows=((at(9), at(11)),), skills=["gas"])],
    )
    verdicts = rank_technicians(prob, "j")
    assert verdicts[:2] == [
        Verdict("near", None, 2 * 1 * SECONDS_PER_KM, 1),
        Verdict("far", None, 2 * 9 * SECONDS_PER_KM, 2),
    ]
    ruled_out = {v.technician_id: v.reason for v in verdicts[2:]}
    assert ruled_out == {
        "plain": "lacks skill 'gas'",
        "late": "arrival window 2026-11-23 09:00-11:00 is outside their shift 2026-11-23 13:00-20:00",
        "capped": "cannot reach it within their 10-minute drive cap",
    }


def test_a_technician_whose_locked_visits_fill_the_window_has_no_room() -> None:
    busy = job("held", where=(1.0, 0.0), minutes=120, technician="busy", locked_start=at(9))
    prob = problem(
        [tech("busy"), tech("free", home=(5.0, 0.0))],
        [busy, job("j", where=(1.0, 0.0), windows=((at(9), at(10)),))],
    )
    verdicts = rank_technicians(prob, "j")
    assert [(v.technician_id, v.rank) for v in verdicts] == [("free", 1), ("busy", None)]
    assert verdicts[1].reason == NO_ROOM


def test_an_unknown_job_is_bad_input() -> None:
    with pytest.raises(ProblemError, match="no job 'nope'"):
        rank_technicians(problem([tech("a")], [job("j")]), "nope")
