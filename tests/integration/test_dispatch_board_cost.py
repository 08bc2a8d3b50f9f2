"""Reading a day's board costs the same number of DynamoDB requests for a tenant with one day of
history as for one with a year of it (and a week costs two Queries per day more)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from pynamodb.connection.base import Connection

from truckroll.domain.board import BoardAppointment
from truckroll.domain.jobs import Priority
from truckroll.domain.places import Place
from truckroll.domain.status import AppointmentStatus, JobStatus
from truckroll.domain.windows import TimeWindow, utc_now
from truckroll.persistence import keys
from truckroll.persistence.board import DynamoBoardRepository, entry_data, entry_item
from truckroll.persistence.core_models import BoardEntryItem
from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

DAY = date(2027, 9, 14)
HISTORY_DAYS = 365
PER_DAY = 3  # appointments on the day read
# Every request's authorization reads the user directory once; a user's first request records them.
AUTHORIZED = Counter({"GetItem": 1})
FIRST_SIGHT = Counter({"PutItem": 1})
CENTRAL = timezone(timedelta(hours=-6))


def _entry(tenant: str, day: date, n: int) -> BoardAppointment:
    begins = datetime(day.year, day.month, day.day, 8 + n, tzinfo=CENTRAL)
    window = TimeWindow(begins, begins + timedelta(hours=1))
    return BoardAppointment(
        tenant_id=tenant,
        appointment_id=f"a-{day.isoformat()}-{n}",
        job_id=f"j-{day.isoformat()}-{n}",
        scheduled=window,
        arrival_window=window,
        status=AppointmentStatus.SCHEDULED,
        job_status=JobStatus.SCHEDULED,
        customer_name="Dana Reyes",
        job_type="AC repair",
        business_unit=None,
        summary="No cooling",
        priority=Priority.NORMAL,
        tags=(),
        location=Place("12 Oak St", "Austin", "TX", "78701", True, 30.27, -97.74),
        technician_ids=("tech-1@demo",),
        job_version=1,
    )


def _history(days: int) -> str:
    """A new tenant with ``days`` days of board entries up to DAY: the day itself through the
    board repository, the days before it written in batches."""
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    board = DynamoBoardRepository(utc_now)
    for n in range(PER_DAY):
        board.put_new(_entry(tenant, DAY, n))
    with BoardEntryItem.batch_write() as batch:
        for back in range(1, days):
            batch.save(entry_item(_entry(tenant, DAY - timedelta(days=back), 0)))
    return tenant


@pytest.fixture
def requests_made(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    counted: Counter[str] = Counter()
    original = Connection.dispatch

    def counting(
        self: Connection, operation_name: str, operation_kwargs: dict[str, object]
    ) -> dict[str, object]:
        counted[operation_name] += 1
        return original(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", counting)
    return counted


def _read(stack: LocalStack, tenant: str, path: str, counted: Counter[str]) -> Counter[str]:
    counted.clear()
    response = stack.request(
        "GET", f"/dispatch{path}", stack.auth_headers("dispatcher@demo", tenant_id=tenant)
    )
    assert response.status == 200, response.text
    return Counter(counted)


def test_a_days_board_costs_the_same_with_a_year_of_history(
    local_stack: LocalStack, requests_made: Counter[str]
) -> None:
    short, long = _history(1), _history(HISTORY_DAYS)
    path = f"/board?date={DAY.isoformat()}"
    one_day = _read(local_stack, short, path, requests_made)
    one_year = _read(local_stack, long, path, requests_made)
    # The day, the technicians, their days (each tenant's dispatcher is seen for the first time).
    assert one_day == one_year == Counter({"Query": 3}) + AUTHORIZED + FIRST_SIGHT
    board = local_stack.request(
        "GET", f"/dispatch{path}", local_stack.auth_headers("dispatcher@demo", tenant_id=long)
    )
    assert len(board.json()["appointments"]) == PER_DAY
    week = _read(
        local_stack, long, f"/board/week?start={(DAY - timedelta(days=6)).isoformat()}", requests_made
    )
    assert week == Counter({"Query": 15}) + AUTHORIZED


def test_entries_stored_field_by_field_are_still_read(local_stack: LocalStack) -> None:
    """A day holding entries written before each carried its JSON reads them from their fields."""
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    new, old = _entry(tenant, DAY, 0), _entry(tenant, DAY, 1)
    board = DynamoBoardRepository(utc_now)
    board.put_new(new)
    BoardEntryItem(
        pk=keys.board_pk(tenant, DAY), sk=keys.appointment_sk(old.appointment_id), **entry_data(old)
    ).save()
    assert board.day(tenant, DAY).appointments == (new, old)
