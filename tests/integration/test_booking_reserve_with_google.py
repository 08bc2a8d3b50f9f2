"""Reserve with Google's booking server (API v3) through the local stack: HTTP Basic per company,
availability from the same slots online booking offers, CreateBooking once per idempotency token,
business failures as booking_failure with HTTP 200, and the last free slot raced by 50 calls."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

import lead_payloads as p
import pytest
from test_booking_online import DAY, SERVICE, Company, local

if TYPE_CHECKING:
    from truckroll_local.responses import HttpResponse
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

USER, PASSWORD = "google-rwg", "rwg-password-0123456789"


def basic(user: str = USER, password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


class Merchant(Company):
    def __init__(self, stack: LocalStack, tenant: str, *, shift: tuple[int, int]) -> None:
        super().__init__(stack, tenant, shift=shift)
        admin = stack.auth_headers("admin@demo", tenant_id=tenant)
        receivers = {**p.RECEIVERS, "reserve_with_google": {"username": USER, "password": PASSWORD}}
        assert stack.request("PUT", "/booking/lead-receivers", admin, receivers).status == 200

    def call(self, method: str, body: Any = None, headers: dict[str, str] | None = None) -> HttpResponse:
        verb = "GET" if method == "HealthCheck" else "POST"
        return self.stack.request(
            verb, f"/booking/rwg/{self.tenant}/v3/{method}", basic() if headers is None else headers, body
        )

    def slot(self, hour: int, service: str = SERVICE) -> dict[str, Any]:
        start = int(datetime.fromisoformat(local(hour)).timestamp())
        return {"merchant_id": self.tenant, "service_id": service, "start_sec": start, "duration_sec": 7200}

    def create(self, hour: int, token: str, user: str = "g-user-1") -> HttpResponse:
        body = {
            "slot": self.slot(hour),
            "user_information": {
                "user_id": user,
                "given_name": "Lee",
                "family_name": "Chan",
                "telephone": "+1 512 555 0420",
                "email": "lee@example.com",
                "address": {
                    "country": "US",
                    "locality": "Austin",
                    "region": "TX",
                    "postal_code": "78703",
                    "street_address": "4 Pecan Ln",
                },
            },
            "payment_information": {"prepayment_status": "PREPAYMENT_NOT_PROVIDED"},
            "idempotency_token": token,
        }
        return self.call("CreateBooking", body)


def test_google_books_a_slot_once_per_token_and_it_reaches_the_board(local_stack: LocalStack) -> None:
    merchant = Merchant(local_stack, "rwg-book", shift=(8, 17))
    assert merchant.call("HealthCheck").status == 200

    asked = [merchant.slot(h) for h in (8, 15, 16)] + [merchant.slot(9, "Roofing")]
    lookup = merchant.call("BatchAvailabilityLookup", {"merchant_id": "rwg-book", "slot_time": asked})
    assert lookup.status == 200, lookup.text
    assert [a["available"] for a in lookup.json()["slot_time_availability"]] == [True, True, False, False]
    check = merchant.call("CheckAvailability", {"slot": merchant.slot(10)}).json()
    assert check["count_available"] == 1

    first = merchant.create(10, "token-1")
    again = merchant.create(10, "token-1")
    assert (first.status, again.status) == (200, 200)
    booked = first.json()["booking"]
    assert booked["status"] == "CONFIRMED"
    assert again.json()["booking"]["booking_id"] == booked["booking_id"]
    assert merchant.call("CheckAvailability", {"slot": merchant.slot(10)}).json()["count_available"] == 0

    status = merchant.call("GetBookingStatus", {"booking_id": booked["booking_id"]}).json()
    assert (status["booking_id"], status["booking_status"]) == (booked["booking_id"], "CONFIRMED")
    listed = merchant.call("ListBookings", {"user_id": "g-user-1"}).json()["bookings"]
    assert [b["booking_id"] for b in listed] == [booked["booking_id"]]
    assert merchant.call("ListBookings", {"user_id": "someone-else"}).json() == {"bookings": []}

    local_stack.drain()
    board = local_stack.request("GET", f"/dispatch/board?date={DAY.isoformat()}", merchant.office).json()
    assert [a["job_id"] for a in board["appointments"]] == [booked["booking_id"]]
    job = local_stack.request("GET", f"/booking/jobs/{booked['booking_id']}", merchant.office).json()
    assert (job["source"], job["campaign"]) == ("lead_integration", "reserve_with_google")
    deliveries = local_stack.request(
        "GET", f"/notify/deliveries?job_id={job['job_id']}", merchant.office
    ).json()
    assert [d["template"] for d in deliveries["deliveries"]] == ["booking_confirmation"]


def test_fifty_calls_for_the_last_free_slot_confirm_exactly_one(local_stack: LocalStack) -> None:
    merchant = Merchant(local_stack, "rwg-race", shift=(8, 10))
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda n: merchant.create(8, f"race-{n}", f"user-{n}"), range(50)))
    assert {a.status for a in answers} == {200}
    bodies = [a.json() for a in answers]
    confirmed = [b for b in bodies if b.get("booking", {}).get("status") == "CONFIRMED"]
    failed = [b["booking_failure"]["cause"] for b in bodies if "booking_failure" in b]
    assert len(confirmed) == 1
    assert failed == ["SLOT_UNAVAILABLE"] * 49


def test_business_failures_are_200_and_bad_calls_are_refused(local_stack: LocalStack) -> None:
    merchant = Merchant(local_stack, "rwg-refuse", shift=(8, 17))
    for headers in ({}, basic(password="not-the-password-00"), basic(user="someone")):
        assert merchant.call("HealthCheck", headers=headers).status == 401
        assert merchant.call("CreateBooking", {"nonsense": True}, headers).status == 401
    assert merchant.call("BatchAvailabilityLookup", "{not json").status == 400
    other = {"merchant_id": "another-merchant", "slot_time": []}
    assert merchant.call("BatchAvailabilityLookup", other).status == 422

    assert "booking" in merchant.create(9, "token-x").json()
    gone = merchant.create(9, "token-y", "user-y").json()
    assert gone["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"
    wrong_length = {**merchant.slot(12), "duration_sec": 1800}
    body = {"slot": wrong_length, "user_information": {"user_id": "u"}, "idempotency_token": "token-z"}
    assert merchant.call("CreateBooking", body).json()["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"
    bare = {"slot": merchant.slot(13), "user_information": {"user_id": "u"}, "idempotency_token": "token-w"}
    assert merchant.call("CreateBooking", bare).json()["booking_failure"]["cause"] == "CAUSE_UNSPECIFIED"
    assert merchant.call("GetBookingStatus", {"booking_id": "nope"}).status == 404


def update(merchant: Merchant, booking_id: str, **change: Any) -> HttpResponse:
    return merchant.call("UpdateBooking", {"booking": {"booking_id": booking_id, **change}})


def test_google_moves_a_booking_and_the_board_and_the_customer_follow(local_stack: LocalStack) -> None:
    merchant = Merchant(local_stack, "rwg-move", shift=(8, 17))
    booking_id = merchant.create(9, "move-1").json()["booking"]["booking_id"]
    local_stack.drain()
    other = merchant.create(14, "move-2", "g-user-2").json()["booking"]["booking_id"]

    taken = update(merchant, booking_id, slot=merchant.slot(14)).json()
    assert taken["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"
    wrong_length = update(merchant, booking_id, slot={**merchant.slot(11), "duration_sec": 1800}).json()
    assert wrong_length["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"

    new_start = merchant.slot(11)["start_sec"]
    moved = update(merchant, booking_id, slot={"start_sec": new_start, "duration_sec": 7200})
    assert moved.status == 200, moved.text
    assert (moved.json()["booking"]["slot"]["start_sec"], moved.json()["booking"]["status"]) == (
        new_start,
        "CONFIRMED",
    )
    again = update(merchant, booking_id, slot=merchant.slot(11)).json()
    assert again["booking"]["slot"]["start_sec"] == new_start
    # the old time is free again, the new one taken
    slots = [merchant.slot(9), merchant.slot(11)]
    lookup = merchant.call("BatchAvailabilityLookup", {"merchant_id": merchant.tenant, "slot_time": slots})
    assert [a["available"] for a in lookup.json()["slot_time_availability"]] == [True, False]

    local_stack.drain()
    board = local_stack.request("GET", f"/dispatch/board?date={DAY.isoformat()}", merchant.office).json()
    starts = {a["job_id"]: datetime.fromisoformat(a["start"]) for a in board["appointments"]}
    assert starts == {
        booking_id: datetime.fromisoformat(local(11)),
        other: datetime.fromisoformat(local(14)),
    }
    deliveries = local_stack.request("GET", f"/notify/deliveries?job_id={booking_id}", merchant.office).json()
    templates = sorted(d["template"] for d in deliveries["deliveries"])
    assert templates == ["booking_confirmation", "reschedule_notice", "tech_rescheduled"]
    trail = local_stack.request("GET", f"/dispatch/jobs/{booking_id}/audit", merchant.office).json()
    assert trail["entries"][-1]["who"] == {"id": "reserve_with_google", "role": "customer"}


def test_google_cancels_a_booking_and_its_time_is_bookable_again(local_stack: LocalStack) -> None:
    merchant = Merchant(local_stack, "rwg-cancel", shift=(8, 10))
    booking_id = merchant.create(8, "cancel-1").json()["booking"]["booking_id"]
    local_stack.drain()
    assert merchant.create(8, "cancel-2", "g-user-2").json()["booking_failure"]["cause"] == "SLOT_UNAVAILABLE"

    canceled = update(merchant, booking_id, status="CANCELED")
    assert canceled.status == 200, canceled.text
    assert canceled.json()["booking"]["status"] == "CANCELED"
    assert update(merchant, booking_id, status="CANCELED").json()["booking"]["status"] == "CANCELED"
    status = merchant.call("GetBookingStatus", {"booking_id": booking_id}).json()
    assert status["booking_status"] == "CANCELED"
    moved = update(merchant, booking_id, slot=merchant.slot(9)).json()
    assert moved["booking_failure"]["cause"] == "CAUSE_UNSPECIFIED"

    local_stack.drain()
    board = local_stack.request("GET", f"/dispatch/board?date={DAY.isoformat()}", merchant.office).json()
    appointment_id = next(a["appointment_id"] for a in board["appointments"] if a["job_id"] == booking_id)
    assert board["trays"]["canceled"] == [appointment_id]
    assert merchant.call("CheckAvailability", {"slot": merchant.slot(8)}).json()["count_available"] == 1
    again = merchant.create(8, "cancel-3", "g-user-3").json()
    assert again["booking"]["status"] == "CONFIRMED"


def test_updates_that_cannot_be_read_or_found_are_refused(local_stack: LocalStack) -> None:
    merchant = Merchant(local_stack, "rwg-update-refuse", shift=(8, 17))
    booking_id = merchant.create(9, "refuse-1").json()["booking"]["booking_id"]
    assert update(merchant, "no-such-booking", status="CANCELED").status == 404
    assert update(merchant, booking_id).status == 422  # neither a cancel nor a new slot
    both = update(merchant, booking_id, status="CANCELED", slot=merchant.slot(12))
    assert both.status == 422
    other_merchant = {**merchant.slot(12), "merchant_id": "another-merchant"}
    assert update(merchant, booking_id, slot=other_merchant).status == 422
    other_service = update(merchant, booking_id, slot=merchant.slot(12, "Something else")).json()
    assert other_service["booking_failure"]["cause"] == "CAUSE_UNSPECIFIED"
    wrong = {"booking": {"booking_id": booking_id, "status": "CANCELED"}}
    assert merchant.call("UpdateBooking", wrong, basic(password="not-the-password-00")).status == 401
    assert merchant.call("UpdateBooking", "{not json").status == 400
    status = merchant.call("GetBookingStatus", {"booking_id": booking_id}).json()
    assert status["booking_status"] == "CONFIRMED"  # nothing refused changed it
    moved = update(merchant, booking_id, status="CONFIRMED", slot=merchant.slot(12)).json()
    assert moved["booking"]["slot"]["start_sec"] == merchant.slot(12)["start_sec"]
