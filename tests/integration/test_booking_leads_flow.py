"""Leads from each provider through the whole local stack: the receiver's own authentication, the
inbox, accepting into a job, and on through the outbox to the dispatch board and the customer's
booking confirmation."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import lead_payloads as p
import pytest

if TYPE_CHECKING:
    from truckroll_local.responses import HttpResponse
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

DAY = "2026-03-04"
APPOINTMENT = {
    "start": f"{DAY}T09:00:00-06:00",
    "end": f"{DAY}T11:00:00-06:00",
    "arrival_window": {"start": f"{DAY}T08:00:00-06:00", "end": f"{DAY}T12:00:00-06:00"},
}


class Company:
    """A tenant with its receivers and notification settings set up."""

    def __init__(self, stack: LocalStack, tenant: str) -> None:
        self.stack = stack
        self.tenant = tenant
        self.admin = stack.auth_headers("admin@demo", tenant_id=tenant)
        self.office = stack.auth_headers("dispatcher@demo", tenant_id=tenant)
        version = stack.request("GET", "/booking/lead-receivers", self.admin).json()["version"]
        receivers = {**p.RECEIVERS, "version": version}
        assert stack.request("PUT", "/booking/lead-receivers", self.admin, receivers).status == 200
        settings = {"sms_from_number": "+15125550100", "company_name": "Cool Air"}
        assert stack.request("PUT", "/notify/settings", self.admin, settings).status == 200

    def deliver(self, provider: str, headers: dict[str, str], body: Any) -> HttpResponse:
        return self.stack.request("POST", f"/booking/intake/{provider}/{self.tenant}", headers, body)

    def inbox(self, status: str = "new_offer") -> list[dict[str, Any]]:
        response = self.stack.request("GET", f"/booking/leads?status={status}", self.office)
        assert response.status == 200, response.text
        leads: list[dict[str, Any]] = response.json()["leads"]
        return leads

    def accept(self, lead_id: str, body: dict[str, Any]) -> HttpResponse:
        return self.stack.request("POST", f"/booking/leads/{lead_id}/accept", self.office, body)

    def board(self) -> list[dict[str, Any]]:
        response = self.stack.request("GET", f"/dispatch/board?date={DAY}", self.office)
        appointments: list[dict[str, Any]] = response.json()["appointments"]
        return appointments

    def deliveries(self, job_id: str) -> list[dict[str, Any]]:
        response = self.stack.request("GET", f"/notify/deliveries?job_id={job_id}", self.office)
        found: list[dict[str, Any]] = response.json()["deliveries"]
        return found


def _webhook(message_id: str) -> tuple[dict[str, str], bytes]:
    return p.signed(p.webhook_lead(), message_id)


DELIVERIES: dict[str, Callable[[], tuple[dict[str, str], Any]]] = {
    "thumbtack": lambda: (p.basic(), p.thumbtack()),
    "angi": lambda: (p.angi_headers(), p.angi()),
    "google": lambda: ({"Content-Type": "application/json"}, p.google()),
    "webhook": lambda: _webhook("msg_full_path"),
}


@pytest.mark.parametrize("provider", sorted(DELIVERIES))
def test_a_lead_accepted_with_a_visit_reaches_the_board_and_the_customer(
    local_stack: LocalStack, provider: str
) -> None:
    company = Company(local_stack, f"leads-{provider}")
    headers, body = DELIVERIES[provider]()
    received = company.deliver(provider, headers, body)
    assert received.status == 200, received.text
    assert received.header("Content-Type") == "application/json"
    answer = received.json()
    assert (answer["status"], answer["lead_status"], answer["duplicate"]) == ("received", "new_offer", False)
    (lead,) = company.inbox()
    assert lead["lead_id"] == answer["lead_id"]

    accepted = company.accept(lead["lead_id"], {"appointment": APPOINTMENT})
    assert accepted.status == 201, accepted.text
    job = accepted.json()["job"]
    assert (job["status"], job["source"]) == ("scheduled", "lead_integration")
    assert company.inbox() == []
    assert [v["job_id"] for v in company.inbox("accepted")] == [job["job_id"]]
    local_stack.drain()

    assert [a["job_id"] for a in company.board()] == [job["job_id"]]
    (delivery,) = company.deliveries(job["job_id"])
    assert (delivery["channel"], delivery["status"], delivery["template"]) == (
        "sms",
        "sent",
        "booking_confirmation",
    )


def test_a_webhook_delivered_three_times_makes_one_job(local_stack: LocalStack) -> None:
    company = Company(local_stack, "leads-thrice")
    now = int(time.time())
    for offset in (-40, -20, 0):  # the sender's retries: same message id, signed anew each time
        headers, raw = p.signed(p.webhook_lead(), "msg_retried", at=now + offset)
        response = company.deliver("webhook", headers, raw)
        assert response.status == 200, response.text
    (lead,) = company.inbox()
    assert lead["deliveries"] == 3
    assert company.accept(lead["lead_id"], {"appointment": APPOINTMENT}).status == 201
    local_stack.drain()
    assert len(company.board()) == 1


def test_forged_expired_and_replayed_webhooks_make_nothing(local_stack: LocalStack) -> None:
    company = Company(local_stack, "leads-forged")
    genuine = p.signed(p.webhook_lead(lead_id="crm-1"), "msg_once")
    assert company.deliver("webhook", *genuine).status == 200
    forged = p.signed(p.webhook_lead(lead_id="crm-2"), "msg_forged", secret="whsec_" + "B" * 44)
    expired = p.signed(p.webhook_lead(lead_id="crm-3"), "msg_old", at=int(time.time()) - 6 * 60)
    tampered_headers, raw = p.signed(p.webhook_lead(lead_id="crm-4"), "msg_tampered")
    tampered = (tampered_headers, raw.replace(b"crm-4", b"crm-5"))
    for attempt in (forged, expired, genuine, tampered):
        refused = company.deliver("webhook", *attempt)
        assert refused.status == 401, refused.text
        assert refused.header("Content-Type") == "application/problem+json"
    (lead,) = company.inbox()
    assert (lead["source_id"], lead["deliveries"]) == ("crm-1", 1)


@pytest.mark.parametrize(
    ("provider", "headers", "body"),
    [
        ("thumbtack", p.basic(password="not-the-password-1"), p.thumbtack()),
        ("thumbtack", {"Content-Type": "application/json"}, p.thumbtack()),
        ("angi", p.angi_headers("angi-not-the-key-0000"), p.angi()),
        ("angi", {"Content-Type": "application/json"}, p.angi()),
        ("google", {"Content-Type": "application/json"}, {**p.google(), "google_key": "wrong-key-00000000"}),
        ("google", {"Content-Type": "application/json"}, "not json"),
        ("webhook", {"Content-Type": "application/json"}, p.webhook_lead()),
    ],
)
def test_unauthenticated_deliveries_are_401_and_store_nothing(
    local_stack: LocalStack, provider: str, headers: dict[str, str], body: Any
) -> None:
    company = Company(local_stack, "leads-refused")
    refused = company.deliver(provider, headers, body)
    assert refused.status == 401, refused.text
    assert json.loads(refused.body)["status"] == 401
    assert company.inbox() == []
    assert company.stack.request("POST", f"/booking/intake/{provider}/nobody", headers, body).status == 401


def test_duplicates_across_providers_merge_and_test_leads_are_never_dispatched(
    local_stack: LocalStack,
) -> None:
    company = Company(local_stack, "leads-merge")
    assert company.deliver("angi", p.angi_headers(), p.angi(lead_oid="9001")).status == 200
    same_person = {**p.webhook_lead(lead_id="crm-9", phone="+15125550166")}
    same_person["data"]["address"] = {
        "street": "88 Rainey St.",
        "city": "Austin",
        "state": "TX",
        "postal_code": "78701",
    }
    merged = company.deliver("webhook", *p.signed(same_person, "msg_same_person")).json()
    assert merged["duplicate"] is True
    (lead,) = company.inbox()
    assert lead["merged"] == ["webhook:crm-9"]

    test_lead = company.deliver(
        "google", {"Content-Type": "application/json"}, p.google("TeSter-1", is_test=True)
    )
    assert test_lead.status == 200
    kept = next(v for v in company.inbox() if v["is_test"])
    refused = company.accept(kept["lead_id"], {"appointment": APPOINTMENT})
    assert refused.status == 422
    local_stack.drain()
    assert company.board() == []


def test_a_valid_delivery_with_a_bad_payload_is_a_422_naming_the_field(local_stack: LocalStack) -> None:
    company = Company(local_stack, "leads-bad-payload")
    body = p.thumbtack()
    del body["data"]["negotiationID"]
    response = company.deliver("thumbtack", p.basic(), body)
    assert response.status == 422
    assert [e["field"] for e in response.json()["errors"]] == ["data.negotiationID"]
    assert company.inbox() == []


def test_concurrent_deliveries_of_one_lead_make_one_lead(local_stack: LocalStack) -> None:
    company = Company(local_stack, "leads-concurrent")
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: company.deliver("angi", p.angi_headers(), p.angi()), range(6)))
    statuses = sorted(a.status for a in answers)
    assert set(statuses) <= {200, 409}, statuses
    created = [a.json() for a in answers if a.status == 200 and not a.json()["duplicate"]]
    assert len(created) == 1
    (lead,) = company.inbox()
    assert lead["deliveries"] == statuses.count(200)
