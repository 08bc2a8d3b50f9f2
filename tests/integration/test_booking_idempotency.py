"""Idempotency-Key on booking's POST routes, through the local stack (Powertools records in the
idempotency table): one effect per key and tenant, the first response replayed, the key refused
with another body, and never shared between tenants."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import lead_payloads as p
import pytest
from test_slice_booking import BODY

if TYPE_CHECKING:
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration


def post(stack: LocalStack, path: str, tenant: str, body: Any, key: str | None) -> Any:
    headers = stack.auth_headers("dispatcher@demo", tenant_id=tenant)
    if key is not None:
        headers["Idempotency-Key"] = key
    return stack.request("POST", path, headers, body)


def customers_with(stack: LocalStack, tenant: str, phone: str) -> list[str]:
    office = stack.auth_headers("dispatcher@demo", tenant_id=tenant)
    found = stack.request("GET", f"/booking/customers?phone={phone}", office).json()["customers"]
    return [c["customer_id"] for c in found]


def body_with_phone(phone: str) -> dict[str, Any]:
    body = copy.deepcopy(BODY)
    body["customer"]["phone"] = phone
    return body


def test_a_booking_sent_twice_with_one_key_books_once(local_stack: LocalStack) -> None:
    body = body_with_phone("+15125550301")
    first = post(local_stack, "/booking/jobs", "idem-a", body, "book-0001")
    again = post(local_stack, "/booking/jobs", "idem-a", body, "book-0001")
    assert (first.status, again.status) == (201, 201)
    assert again.json()["job_id"] == first.json()["job_id"]
    assert (first.header("Idempotent-Replayed"), again.header("Idempotent-Replayed")) == (None, "true")
    assert len(customers_with(local_stack, "idem-a", "+15125550301")) == 1

    other_body = post(local_stack, "/booking/jobs", "idem-a", body_with_phone("+15125550302"), "book-0001")
    assert other_body.status == 422
    assert other_body.header("Content-Type") == "application/problem+json"

    without_key = post(local_stack, "/booking/jobs", "idem-a", body, None)
    assert without_key.json()["job_id"] != first.json()["job_id"]


def test_tenants_never_share_a_key(local_stack: LocalStack) -> None:
    body = body_with_phone("+15125550303")
    mine = post(local_stack, "/booking/jobs", "idem-b", body, "shared-key-1")
    theirs = post(local_stack, "/booking/jobs", "idem-c", body, "shared-key-1")
    assert (mine.status, theirs.status) == (201, 201)
    assert mine.json()["job_id"] != theirs.json()["job_id"]
    assert theirs.header("Idempotent-Replayed") is None
    office = local_stack.auth_headers("dispatcher@demo", tenant_id="idem-c")
    assert local_stack.request("GET", f"/booking/jobs/{mine.json()['job_id']}", office).status == 404


def test_a_refused_request_keeps_no_record(local_stack: LocalStack) -> None:
    bad = {**body_with_phone("+15125550304"), "job": {"job_type": "AC repair"}}
    assert post(local_stack, "/booking/jobs", "idem-d", bad, "fix-and-retry").status == 422
    fixed = post(local_stack, "/booking/jobs", "idem-d", body_with_phone("+15125550304"), "fix-and-retry")
    assert fixed.status == 201
    spaced = post(
        local_stack, "/booking/jobs", "idem-d", body_with_phone("+15125550305"), "a key with spaces"
    )
    assert spaced.status == 422
    assert spaced.json()["field"] == "Idempotency-Key"
    assert customers_with(local_stack, "idem-d", "+15125550305") == []


def test_a_receiver_honours_the_key_only_after_the_provider_is_admitted(local_stack: LocalStack) -> None:
    admin = local_stack.auth_headers("admin@demo", tenant_id="idem-e")
    assert local_stack.request("PUT", "/booking/lead-receivers", admin, p.RECEIVERS).status == 200
    headers = {**p.angi_headers(), "Idempotency-Key": "angi-delivery-1"}
    first = local_stack.request("POST", "/booking/intake/angi/idem-e", headers, p.angi())
    again = local_stack.request("POST", "/booking/intake/angi/idem-e", headers, p.angi())
    assert (first.status, again.status) == (200, 200)
    assert again.json() == first.json()
    assert again.header("Idempotent-Replayed") == "true"
    forged = {**p.angi_headers("angi-not-the-key-0000"), "Idempotency-Key": "angi-delivery-1"}
    assert local_stack.request("POST", "/booking/intake/angi/idem-e", forged, p.angi()).status == 401

    signed, raw = p.signed(p.webhook_lead(), "msg_idem")
    signed["Idempotency-Key"] = "webhook-delivery-1"
    assert local_stack.request("POST", "/booking/intake/webhook/idem-e", signed, raw).status == 200
    replay = local_stack.request("POST", "/booking/intake/webhook/idem-e", signed, raw)
    assert replay.status == 401
