"""Bad PROBLEM.json: one message naming the field that is wrong."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from optimize_kit import job, problem, tech

from truckroll.optimize import ProblemError, solve

pytestmark = pytest.mark.unit

Edit = Callable[[dict[str, Any]], None]


def _base() -> dict[str, Any]:
    return problem([tech("t1"), tech("t2")], [job("j0"), job("j1"), job("j2"), job("j3")])


def _set(path: list[str | int], value: object) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


def _drop(path: list[str | int]) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return edit


CASES = [
    (
        _set(["jobs", 3, "windows", 0, "start"], "2026-11-23T08:00:00"),
        "jobs[3].windows[0].start: not an ISO-8601 datetime with offset",
    ),
    (
        _set(["jobs", 1, "windows", 0, "end"], "tomorrow"),
        "jobs[1].windows[0].end: not an ISO-8601 datetime with offset",
    ),
    (_set(["jobs", 0, "priority"], 11), "jobs[0].priority: Input should be less than or equal to 10"),
    (_set(["jobs", 0, "priority"], "5"), "jobs[0].priority: Input should be a valid integer"),
    (
        _set(["jobs", 2, "duration_minutes"], -5),
        "jobs[2].duration_minutes: Input should be greater than or equal to 0",
    ),
    (_drop(["jobs", 2, "duration_minutes"]), "jobs[2].duration_minutes: required"),
    (_set(["jobs", 2, "skils"], ["gas"]), "jobs[2].skils: unknown field"),
    (
        _set(["jobs", 1, "technicians_needed"], 0),
        "jobs[1].technicians_needed: Input should be greater than or equal to 1",
    ),
    (_set(["jobs", 1, "id"], "j0"), "jobs[1].id: duplicate id 'j0'"),
    (_set(["jobs", 0, "location"], {"lat": 41.9}), "jobs[0].location.lon: required with speed-based travel"),
    (
        _set(["jobs", 0, "location", "lat"], 123),
        "jobs[0].location.lat: Input should be less than or equal to 90",
    ),
    (
        _set(["technicians", 1, "shift", "end"], "2026-11-23T07:00:00-06:00"),
        "technicians[1].shift: end is before start",
    ),
    (
        _set(["technicians", 0, "max_leg_minutes"], 0),
        "technicians[0].max_leg_minutes: Input should be greater than 0",
    ),
    (
        _set(["technicians", 0, "blocks"], [{"start": "x", "end": "y"}]),
        "technicians[0].blocks[0].start: not an ISO-8601 datetime with offset",
    ),
    (_drop(["technicians", 0, "shift"]), "technicians[0].shift: required"),
    (_set(["timezone"], "Mars/Olympus"), "timezone: unknown time zone 'Mars/Olympus'"),
    (
        _set(["travel"], {"speed_kmh": 40, "matrix_seconds": [[0]], "index": {"a": 0}}),
        "travel: give speed_kmh or matrix_seconds, not both",
    ),
    (_set(["travel"], {"matrix_seconds": [[0]]}), "travel: matrix_seconds and index go together"),
    (
        _set(["travel"], {"matrix_seconds": [[0, 1], [1]], "index": {"a": 0}}),
        "travel.matrix_seconds[1]: has 1 entries, not 2",
    ),
    (
        _set(["travel"], {"matrix_seconds": [[0]], "index": {"a": 3}}),
        "travel.index.a: row 3 is outside the 1x1 matrix",
    ),
    (
        _set(["travel"], {"matrix_seconds": [[0]], "index": {"a": 0}}),
        "technicians[0].start.id: required with matrix travel",
    ),
    (_drop(["jobs"]), "jobs: required"),
]


@pytest.mark.parametrize(("edit", "message"), CASES)
def test_bad_input_names_the_field(edit: Edit, message: str) -> None:
    doc = copy.deepcopy(_base())
    edit(doc)
    with pytest.raises(ProblemError) as err:
        solve(doc, 0.1)
    assert str(err.value) == message


def test_a_problem_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(ProblemError, match=r"^\(root\): expected a JSON object$"):
        solve([], 0.1)  # type: ignore[arg-type]
