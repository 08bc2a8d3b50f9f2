"""The checker catches hand-made violations of every hard rule (and passes a correct plan)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from optimize_kit import SECONDS_PER_KM, at, job, problem, tech

from truckroll.optimize import check

pytestmark = pytest.mark.unit

PROBLEM = problem(
    [
        tech("t1", ("gas",), blocks=((at(12), at(13)),), cap=30),
        tech("t2", home=(2, 0)),
    ],
    [
        job("a", where=(1, 0), minutes=60, windows=((at(9), at(10)),), skills=["gas"]),
        job("b", where=(2, 0), minutes=30, technician="t2", locked_start=at(9)),
        job("c", where=(3, 0), minutes=60, technicians_needed=2),
        job("d", where=(4, 0), minutes=30, required=True),
        job("e", where=(5, 0), skills=["plumbing"]),
        job("f", where=(30, 0)),
    ],
)


def _v(ident: str, start: str, end: str, arrival: str | None = None) -> dict[str, str]:
    return {"job": ident, "arrival": arrival or start, "start": start, "end": end}


def _good() -> dict[str, Any]:
    km = SECONDS_PER_KM
    return {
        "routes": [
            {
                "technician": "t1",
                "drive_seconds": km * (1 + 2 + 1 + 4),
                "visits": [_v("a", at(9), at(10)), _v("c", at(14), at(15)), _v("d", at(15, 30), at(16))],
            },
            {
                "technician": "t2",
                "drive_seconds": km * (0 + 1 + 1),
                "visits": [_v("b", at(9), at(9, 30)), _v("c", at(14), at(15))],
            },
        ],
        "unassigned": [
            {"job": "e", "reason": "no technician with skill 'plumbing' on shift"},
            {"job": "f", "reason": "not enough capacity: lower-priority than the jobs planned"},
        ],
        "summary": {"drive_seconds": km * 10, "assigned": 4, "unassigned": 2, "seconds": 0.1},
    }


def test_a_correct_plan_passes() -> None:
    assert check(PROBLEM, _good()) == []


Mutation = Callable[[dict[str, Any]], None]


def _visit(route: int, visit: int, **changes: Any) -> Mutation:
    def mutate(sol: dict[str, Any]) -> None:
        sol["routes"][route]["visits"][visit].update(changes)

    return mutate


def _swap_technicians(sol: dict[str, Any]) -> None:
    sol["routes"][1]["visits"][0], sol["routes"][0]["visits"][0] = (
        sol["routes"][0]["visits"][0],
        sol["routes"][1]["visits"][0],
    )


def _drop_crew_member(sol: dict[str, Any]) -> None:
    del sol["routes"][1]["visits"][1]
    sol["routes"][1]["drive_seconds"] = SECONDS_PER_KM * 0
    sol["summary"]["drive_seconds"] = SECONDS_PER_KM * 8


def _unplan_required(sol: dict[str, Any]) -> None:
    del sol["routes"][0]["visits"][2]
    sol["routes"][0]["drive_seconds"] = SECONDS_PER_KM * 6
    sol["unassigned"].append({"job": "d", "reason": "x"})
    sol["summary"].update(drive_seconds=SECONDS_PER_KM * 8, assigned=3, unassigned=3)


def _forget_job(sol: dict[str, Any]) -> None:
    del sol["unassigned"][0]
    sol["summary"]["unassigned"] = 1


def _plan_twice(sol: dict[str, Any]) -> None:
    sol["routes"][0]["visits"].append(_v("a", at(16, 30), at(17, 30)))


def _summary(**changes: Any) -> Mutation:
    def mutate(sol: dict[str, Any]) -> None:
        sol["summary"].update(changes)

    return mutate


def _no_reason(sol: dict[str, Any]) -> None:
    sol["unassigned"][0]["reason"] = " "


def _far_job_over_cap(sol: dict[str, Any]) -> None:
    sol["routes"][0]["visits"][2] = _v("f", at(16), at(17))


CASES: list[tuple[str, Mutation, str]] = [
    ("skill", _swap_technicians, "lacks skill 'gas'"),
    ("pinned", _swap_technicians, "pinned to t2, planned for t1"),
    ("locked", _visit(1, 0, start=at(9, 5), arrival=at(9, 5), end=at(9, 35)), "locked start moved"),
    (
        "window",
        _visit(0, 0, arrival=at(10, 30), start=at(10, 30), end=at(11, 30)),
        "arrival outside every arrival window",
    ),
    (
        "shift",
        _visit(0, 2, arrival=at(16, 30), start=at(16, 30), end=at(17, 0)),
        "does not fit in the time outside blocks",
    ),
    ("shift end", _visit(0, 2, arrival=at(16, 45), start=at(16, 45), end=at(17, 15)), "outside the shift"),
    ("block", _visit(0, 1, arrival=at(12, 30), start=at(12, 30), end=at(13, 30)), "overlaps a block"),
    ("duration", _visit(0, 2, end=at(16, 30)), "lasts 3600 s, the job takes 1800 s"),
    (
        "overlap",
        _visit(0, 1, arrival=at(9, 30), start=at(9, 30), end=at(10, 30)),
        "overlaps the previous visit",
    ),
    ("travel", _visit(0, 2, arrival=at(15), start=at(15), end=at(15, 30)), "90 s of driving does not fit"),
    ("arrival after start", _visit(0, 2, arrival=at(15, 40)), "starts before the technician arrives"),
    (
        "crew start",
        _visit(1, 1, arrival=at(14, 5), start=at(14, 5), end=at(15, 5)),
        "do not all start at the same time",
    ),
    ("crew size", _drop_crew_member, "needs 2 technician(s), planned 1 time(s)"),
    ("required", _unplan_required, "required job d is not planned"),
    ("accounted", _forget_job, "job e is neither planned nor unassigned"),
    ("once", _plan_twice, "planned twice for the same technician"),
    ("summary", _summary(drive_seconds=1), "summary.drive_seconds is 1, expected 900"),
    ("counts", _summary(assigned=5), "summary.assigned is 5, expected 4"),
    ("reason", _no_reason, "no reason given"),
    ("cap", _far_job_over_cap, "exceeds the 1800 s drive cap"),
]


@pytest.mark.parametrize(("mutate", "expected"), [pytest.param(m, e, id=n) for n, m, e in CASES])
def test_the_checker_catches(mutate: Mutation, expected: str) -> None:
    sol = copy.deepcopy(_good())
    mutate(sol)
    violations = check(PROBLEM, sol)
    assert any(expected in v for v in violations), violations


def test_a_wrong_route_drive_total_is_caught() -> None:
    sol = copy.deepcopy(_good())
    sol["routes"][1]["drive_seconds"] += 1
    assert any("drive_seconds" in v and "legs add up" in v for v in check(PROBLEM, sol))


def test_malformed_solutions_are_violations_not_crashes() -> None:
    assert check(PROBLEM, []) == ["solution: not a JSON object"]
    assert check(PROBLEM, {"routes": {}}) == [
        "solution: needs routes (list), unassigned (list) and summary (object)"
    ]
    sol = copy.deepcopy(_good())
    sol["routes"][0]["visits"][0]["start"] = "9 am"
    assert any("ISO-8601" in v for v in check(PROBLEM, sol))
