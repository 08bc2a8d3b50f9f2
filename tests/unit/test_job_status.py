"""Job status follows DOMAIN.md's table from the statuses of its appointments, hold and cancel."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truckroll.domain.status import AppointmentStatus as A
from truckroll.domain.status import JobStatus as J
from truckroll.domain.status import OfferState, derive_job_status


@pytest.mark.parametrize(
    ("appointments", "expected"),
    [
        ([], J.UNSCHEDULED),  # created without a time
        ([A.SCHEDULED], J.SCHEDULED),  # created with a time / appointment added
        ([A.CANCELED], J.UNSCHEDULED),  # its last appointment removed
        ([A.CONFIRMED], J.SCHEDULED),
        ([A.DISPATCHED], J.IN_PROGRESS),  # tech on the way
        ([A.WORKING, A.SCHEDULED], J.IN_PROGRESS),  # started, more visits to come
        ([A.DONE], J.COMPLETE),  # last appointment completed
        ([A.DONE, A.CANCELED], J.COMPLETE),
        ([A.PAUSED], J.PAUSED),  # part needed
        ([A.PAUSED, A.SCHEDULED], J.SCHEDULED),  # paused, new appointment scheduled
        ([A.DONE, A.SCHEDULED], J.SCHEDULED),  # complete, new appointment scheduled
        ([A.DONE, A.PAUSED], J.PAUSED),
    ],
)
def test_status_follows_the_appointments(appointments: list[A], expected: J) -> None:
    assert derive_job_status(appointments) is expected


def test_offers_hold_and_cancel() -> None:
    assert derive_job_status([], offer=OfferState.OPEN) is J.NEW_OFFER
    assert derive_job_status([A.SCHEDULED], offer=OfferState.DECLINED) is J.DECLINED
    assert derive_job_status([A.SCHEDULED], on_hold=True) is J.ON_HOLD
    assert derive_job_status([A.WORKING], on_hold=True, canceled=True) is J.CANCELED


@given(st.lists(st.sampled_from(list(A)), max_size=6))
def test_removing_a_hold_gives_back_the_previous_status(appointments: list[A]) -> None:
    held = derive_job_status(appointments, on_hold=True)
    assert held is J.ON_HOLD
    assert derive_job_status(appointments, on_hold=False) is derive_job_status(appointments)


@given(st.lists(st.sampled_from(list(A)), max_size=6))
def test_canceled_appointments_never_count(appointments: list[A]) -> None:
    assert derive_job_status([*appointments, A.CANCELED]) is derive_job_status(appointments)
