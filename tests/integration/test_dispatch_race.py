"""Double booking under load, through HTTP against the local stack as ``make run`` starts it: 200
concurrent requests assign 200 different jobs to one technician and time slot; exactly one wins and
199 are answered 409. ``make bench`` runs 20 trials (bench/suites/dispatch.py); this runs two."""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

if str(Path(__file__).resolve().parents[2]) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parents[2]))

from bench.suites.dispatch import race, running_stack

pytestmark = pytest.mark.integration

REQUESTS = 200
FIRST_DAY = date(2027, 6, 1)
TECHNICIAN = "race-tech"


@pytest.fixture
def stack() -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh stack per trial, as the bench runs them, knowing the technician (only known, active
    technicians can be assigned)."""
    with running_stack() as (base_url, headers):
        request = urllib.request.Request(  # noqa: S310 - loopback URL of the local stack
            f"{base_url}/dispatch/technicians",
            data=json.dumps({"technician_id": TECHNICIAN, "name": "Race"}).encode(),
            method="POST",
            headers={**headers, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            assert response.status == 201
        yield base_url, headers


@pytest.mark.parametrize("trial", [1, 2])
def test_of_200_concurrent_assignments_to_one_slot_exactly_one_wins(
    stack: tuple[str, dict[str, str]], trial: int
) -> None:
    base_url, headers = stack
    result = race(base_url, headers, TECHNICIAN, FIRST_DAY + timedelta(days=trial), REQUESTS)
    assert dict(result.statuses) == {200: 1, 409: REQUESTS - 1}
