"""Realistic deliveries of each lead provider, and how each signs or authenticates them."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from truckroll.domain.lead_receivers import sign_webhook

THUMBTACK_USER = "thumbtack-acme"
THUMBTACK_PASSWORD = "tt-0f8e2c1d9a7b4e65"
ANGI_KEY = "angi-4b7d9e2f1a6c8035d2e9"
GOOGLE_KEY = "gads-form-key-7c1e9b3a5d"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode()

RECEIVERS: dict[str, Any] = {
    "version": 0,
    "thumbtack": {"username": THUMBTACK_USER, "password": THUMBTACK_PASSWORD},
    "angi": {"key": ANGI_KEY},
    "google": {"key": GOOGLE_KEY},
    "webhook": {"secret": WEBHOOK_SECRET},
}


def thumbtack(negotiation_id: str = "519153480500518912", phone: str = "(512) 555-0144") -> dict[str, Any]:
    return {
        "event": {
            "eventID": f"evt-{negotiation_id}",
            "eventType": "NegotiationCreatedV4",
            "createTime": "2026-03-02T14:58:00Z",
        },
        "data": {
            "negotiationID": negotiation_id,
            "status": "active",
            "createTime": "2026-03-02T14:58:00Z",
            "category": {"categoryID": "201565295100608806", "name": "Central Air Conditioning Repair"},
            "customer": {
                "customerID": "519153480034934784",
                "displayName": "Olivia Young",
                "phone": phone,
                "location": {"city": "Austin", "state": "TX", "zipCode": "78704"},
            },
            "business": {"businessID": "468046965846925323", "name": "Cool Air Austin"},
            "request": {
                "requestID": "519153480001234567",
                "description": "AC blows warm air since yesterday.",
                "schedule": "Dates: Mar 3\nTimes: Morning (9am - 12pm)",
                "location": {
                    "address1": "1400 S Congress Ave",
                    "address2": "",
                    "city": "Austin",
                    "state": "TX",
                    "zipCode": "78704",
                },
                "travelPreferences": "Professionals must travel to my address.",
            },
            "details": [
                {"question": "System type", "answer": "Central air"},
                {"question": "Age of system", "answer": "10 - 15 years"},
            ],
        },
    }


def basic(username: str = THUMBTACK_USER, password: str = THUMBTACK_PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Content-Type": "application/json"}


def angi(lead_oid: str = "3314159", phone: str = "5125550166") -> dict[str, Any]:
    return {
        "leadOid": lead_oid,
        "srOid": 271828183,
        "name": "Marcus Bell",
        "firstName": "Marcus",
        "lastName": "Bell",
        "address": "88 Rainey St",
        "city": "Austin",
        "stateProvince": "TX",
        "postalCode": "78701",
        "primaryPhone": phone,
        "phoneExt": "",
        "email": "marcus.bell@example.com",
        "taskName": "Plumbing - Repair a Water Heater",
        "comments": "No hot water this morning.",
        "matchType": "Lead",
        "fee": 38.5,
        "interview": [{"question": "Type of water heater", "answer": "Tank, gas"}],
    }


def angi_headers(key: str = ANGI_KEY) -> dict[str, str]:
    return {"x-api-key": key, "Content-Type": "application/json"}


def google(
    lead_id: str = "TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ", *, is_test: bool = False
) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "api_version": "1.0",
        "form_id": 40000000000,
        "campaign_id": 20000000000,
        "google_key": GOOGLE_KEY,
        "is_test": is_test,
        "gcl_id": "CjwKCAiA-test",
        "adgroup_id": 30000000000,
        "creative_id": 50000000000,
        "user_column_data": [
            {"column_name": "Full Name", "string_value": "Priya Natarajan", "column_id": "FULL_NAME"},
            {"column_name": "User Phone", "string_value": "+1 512-555-0188", "column_id": "PHONE_NUMBER"},
            {"column_name": "User Email", "string_value": "priya@example.com", "column_id": "EMAIL"},
            {
                "column_name": "Street address",
                "string_value": "210 Barton Springs Rd",
                "column_id": "STREET_ADDRESS",
            },
            {"column_name": "City", "string_value": "Austin", "column_id": "CITY"},
            {"column_name": "Region", "string_value": "TX", "column_id": "REGION"},
            {"column_name": "Postal code", "string_value": "78704", "column_id": "POSTAL_CODE"},
            {"column_name": "What do you need?", "string_value": "Furnace tune-up", "column_id": "SERVICE"},
        ],
    }


def webhook_lead(lead_id: str = "crm-7781", phone: str = "+15125550199") -> dict[str, Any]:
    return {
        "type": "lead.created",
        "timestamp": "2026-03-02T14:59:30Z",
        "data": {
            "id": lead_id,
            "name": "Sam Ortega",
            "summary": "Thermostat shows an error; the heat pump will not start.",
            "phone": phone,
            "email": "sam@example.com",
            "address": {"street": "500 E 7th St", "city": "Austin", "state": "TX", "postal_code": "78701"},
            "job_type": "Heat pump repair",
            "campaign": "spring-tune-up",
        },
    }


def signed(
    body: dict[str, Any], message_id: str, *, at: int | None = None, secret: str = WEBHOOK_SECRET
) -> tuple[dict[str, str], bytes]:
    """Standard Webhooks headers for ``body`` and the exact bytes they sign."""
    raw = json.dumps(body).encode()
    timestamp = int(time.time()) if at is None else at
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign_webhook(secret, message_id, timestamp, raw),
        "Content-Type": "application/json",
    }, raw
