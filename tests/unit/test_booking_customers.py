"""Customers, locations and booking settings: the domain rules and the use cases (in memory)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from chalicelib.booking import customers, settings, use_cases
from chalicelib.booking.bootstrap import Booking, bootstrap
from chalicelib.booking.schemas import BookingSettingsIn, BookJobRequest, NewCustomerRequest
from fakes import FakeDocuments, FakePublisher, FakeUnitOfWork, InMemoryIdempotency, clock
from test_booking_request import BODY

from truckroll.auth import Principal, Role
from truckroll.domain.availability import Need
from truckroll.domain.booking_settings import ArrivalWindow, BookingSettings, JobType, RequiredField
from truckroll.domain.customers import matches_name, name_words, normalize_phone
from truckroll.errors import Forbidden, NotFound, RuleViolation, ValidationFailed
from truckroll.persistence.writes import StaleRead

DISPATCHER = Principal(sub="u1", tenant_id="t1", role=Role.DISPATCHER)
ADMIN = Principal(sub="a1", tenant_id="t1", role=Role.ADMIN)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+1 (512) 555-0123", "+15125550123"),
        ("512.555.0123", "+15125550123"),
        ("1-512-555-0123", "+15125550123"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_found_however_they_are_typed(typed: str, e164: str) -> None:
    assert normalize_phone(typed) == e164


@pytest.mark.parametrize("typed", ["555-0123", "hello", "+0 512 555 0123", ""])
def test_what_is_not_a_phone_number_is_refused(typed: str) -> None:
    with pytest.raises(RuleViolation):
        normalize_phone(typed)


def test_name_words_fold_case_and_accents() -> None:
    assert name_words("José  O'Neil-Reyes") == ("jose", "o", "neil", "reyes")
    assert matches_name("Dana Reyes", ("rey", "d"))
    assert not matches_name("Dana Reyes", ("rey", "x"))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def store() -> FakeDocuments:
    return FakeDocuments(BookingSettings)


@pytest.fixture
def booking(uow: FakeUnitOfWork, store: FakeDocuments) -> Booking:
    return bootstrap(
        uow=lambda: uow,
        clock=clock,
        publisher=FakePublisher(),
        settings=store,
        idempotency=InMemoryIdempotency(),
    )


def new_customer(booking: Booking, name: str = "Dana Reyes", phone: str = "+15125550123") -> Any:
    body = NewCustomerRequest.model_validate(
        {"name": name, "phone": phone, "phone_type": "mobile", "locations": [BODY["location"]]}
    )
    return customers.create_customer(body.to_new(), body.to_locations(), DISPATCHER, booking)


def test_a_job_is_booked_for_a_stored_customer_at_a_stored_location(
    uow: FakeUnitOfWork, booking: Booking
) -> None:
    record = new_customer(booking)
    (location,) = record.locations
    body = {
        "customer_id": record.customer.customer_id,
        "location_id": location.location_id,
        "job": BODY["job"],
    }
    booked = use_cases.book_job(BookJobRequest.model_validate(body).to_command(), DISPATCHER, booking)
    assert (booked.job.customer_id, booked.job.location_id) == (
        record.customer.customer_id,
        location.location_id,
    )
    assert booked.job.tags == ("dog", "warranty")
    assert len(uow.customers.customers) == 1
    assert len(uow.customers.locations) == 1


def test_a_job_for_an_unknown_or_foreign_customer_is_not_found(booking: Booking) -> None:
    record = new_customer(booking)
    body = {"customer_id": record.customer.customer_id, "location_id": "nope", "job": BODY["job"]}
    with pytest.raises(NotFound):
        use_cases.book_job(BookJobRequest.model_validate(body).to_command(), DISPATCHER, booking)
    body = {"customer_id": record.customer.customer_id, "location": BODY["location"], "job": BODY["job"]}
    with pytest.raises(NotFound):
        use_cases.book_job(
            BookJobRequest.model_validate(body).to_command(), Principal("u1", "t2", Role.ADMIN), booking
        )


def test_a_booking_names_either_a_new_or_a_stored_customer() -> None:
    body = {**BODY, "customer_id": "c1"}
    with pytest.raises(ValidationFailed) as caught:
        BookJobRequest.model_validate(body).to_command()
    assert [e.field for e in caught.value.errors] == ["customer"]


def test_search_by_phone_as_typed_and_by_name_words(booking: Booking) -> None:
    dana = new_customer(booking).customer
    new_customer(booking, "Danny Ortiz", "+15125550199")
    by_phone = customers.search_customers("(512) 555-0123", None, DISPATCHER, booking)
    assert [m.customer_id for m in by_phone] == [dana.customer_id]
    assert [m.name for m in customers.search_customers(None, "dan", DISPATCHER, booking)] == [
        "Dana Reyes",
        "Danny Ortiz",
    ]
    assert [m.name for m in customers.search_customers(None, "reyes d", DISPATCHER, booking)] == [
        "Dana Reyes"
    ]
    assert customers.search_customers(None, "dan", Principal("u", "t2", Role.ADMIN), booking) == []


@pytest.mark.parametrize(("phone", "name"), [(None, None), ("+15125550123", "Dana"), (None, "d")])
def test_a_search_needs_one_usable_criterion(booking: Booking, phone: str | None, name: str | None) -> None:
    with pytest.raises(ValidationFailed):
        customers.search_customers(phone, name, DISPATCHER, booking)


def test_replacing_a_customer_keeps_its_locations(booking: Booking) -> None:
    record = new_customer(booking)
    given = NewCustomerRequest.model_validate(
        {"name": "Dana R. Reyes", "phone": "+15125550100", "phone_type": "landline"}
    ).to_new()
    replaced = customers.replace_customer(record.customer.customer_id, given, DISPATCHER, booking)
    assert replaced.customer.phone.can_receive_sms is False
    assert replaced.locations == record.locations
    read = customers.get_customer(record.customer.customer_id, DISPATCHER, booking)
    assert read.customer.name == "Dana R. Reyes"


def test_technicians_do_not_manage_customers(booking: Booking) -> None:
    with pytest.raises(Forbidden):
        customers.get_customer("c1", Principal("t", "t1", Role.TECHNICIAN), booking)


SETTINGS = BookingSettings(
    tenant_id="t1",
    job_types=(JobType("AC repair", timedelta(hours=2), ("hvac",), "HVAC"),),
    business_units=("HVAC", "Plumbing"),
    arrival_windows=(ArrivalWindow("Morning", time(8), time(12), ("HVAC",)),),
    required_fields=(RequiredField.JOB_CALL_ID,),
)


def test_settings_refuse_unknown_job_types_units_windows_and_missing_fields(
    store: FakeDocuments, booking: Booking
) -> None:
    store.settings["t1"] = SETTINGS
    body = {
        **BODY,
        "job": {**BODY["job"], "job_type": "Roofing", "business_unit": "Electrical"},
        "appointment": {
            "start": "2026-03-03T13:00:00-06:00",
            "end": "2026-03-03T15:00:00-06:00",
            "arrival_window": {"start": "2026-03-03T13:00:00-06:00", "end": "2026-03-03T17:00:00-06:00"},
        },
    }
    with pytest.raises(ValidationFailed) as caught:
        use_cases.book_job(BookJobRequest.model_validate(body).to_command(), DISPATCHER, booking)
    assert [e.field for e in caught.value.errors] == ["job.call_id", "job.job_type", "job.business_unit"]
    body["job"] = {**BODY["job"], "business_unit": "HVAC", "call_id": "call-1"}
    with pytest.raises(ValidationFailed) as caught:
        use_cases.book_job(BookJobRequest.model_validate(body).to_command(), DISPATCHER, booking)
    assert [e.field for e in caught.value.errors] == ["appointment.arrival_window"]
    body["appointment"] = BODY["appointment"] | {
        "arrival_window": {"start": "2026-03-03T08:00:00-06:00", "end": "2026-03-03T12:00:00-06:00"}
    }
    booked = use_cases.book_job(BookJobRequest.model_validate(body).to_command(), DISPATCHER, booking)
    assert booked.job.details.call_id == "call-1"


def test_settings_are_saved_by_admins_under_their_version(booking: Booking) -> None:
    body = BookingSettingsIn.model_validate(
        {
            "version": 0,
            "business_units": ["HVAC"],
            "job_types": [
                {"name": "AC repair", "duration_minutes": 90, "skills": ["hvac"], "business_unit": "HVAC"}
            ],
            "arrival_windows": [{"label": "Morning", "start": "08:00", "end": "12:00"}],
            "required_fields": ["customer.email"],
        }
    )
    with pytest.raises(Forbidden):
        settings.put_settings(body.to_settings("t1"), DISPATCHER, booking)
    stored = settings.put_settings(body.to_settings("t1"), ADMIN, booking)
    assert stored.version == 1
    assert settings.get_settings(DISPATCHER, booking).job_types[0].duration == timedelta(minutes=90)
    with pytest.raises(StaleRead):
        settings.put_settings(body.to_settings("t1"), ADMIN, booking)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"job_types": [{"name": "A", "duration_minutes": 30, "business_unit": "Roofing"}]},
            "job_types[0].business_unit",
        ),
        (
            {"arrival_windows": [{"label": "Late", "start": "12:00", "end": "08:00"}]},
            "arrival_windows[0].end",
        ),
        (
            {"job_types": [{"name": "A", "duration_minutes": 30}, {"name": "a", "duration_minutes": 60}]},
            "job_types",
        ),
    ],
)
def test_settings_that_contradict_themselves_name_the_field(change: dict[str, Any], field: str) -> None:
    body = BookingSettingsIn.model_validate({"version": 0, "business_units": ["HVAC"], **change})
    with pytest.raises(ValidationFailed) as caught:
        body.to_settings("t1")
    assert [e.field for e in caught.value.errors] == [field]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"opening_hours": [{"weekday": 0, "opens": "17:00", "closes": "08:00"}]}, "opening_hours[0].closes"),
        (
            {
                "job_types": [{"name": "A", "duration_minutes": 30}],
                "online": {"services": [{"label": "x", "job_type": "B"}]},
            },
            "online.services[0].job_type",
        ),
        ({"online": {"services": [{"label": "Fix"}, {"label": "fix"}]}}, "online.services"),
    ],
)
def test_online_settings_that_cannot_work_name_the_field(change: dict[str, Any], field: str) -> None:
    body = BookingSettingsIn.model_validate({"version": 0, **change})
    with pytest.raises(ValidationFailed) as caught:
        body.to_settings("t1")
    assert [e.field for e in caught.value.errors] == [field]


def test_an_online_service_books_its_job_type_or_unknown() -> None:
    body = BookingSettingsIn.model_validate(
        {
            "version": 0,
            "job_types": [{"name": "AC repair", "duration_minutes": 90, "skills": ["hvac"]}],
            "online": {"services": [{"label": "AC", "job_type": "AC repair"}, {"label": "Other"}]},
        }
    )
    stored = body.to_settings("t1")
    online = stored.online
    assert online is not None
    mapped, other = online.services
    assert stored.need_for(online, mapped) == ("AC repair", Need(timedelta(minutes=90), ("hvac",)))
    assert stored.need_for(online, other) == ("Unknown", Need(timedelta(minutes=60)))
