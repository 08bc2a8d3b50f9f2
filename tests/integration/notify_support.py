"""Test support for notify: tracking's ``tracking.on_the_way`` as tracking will publish it, and text
replies as SNS delivers them (signed with a certificate made here, served by a stand-in of SNS's
certificate host)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from truckroll.contracts.envelope import EventEnvelope, new_event
from truckroll.contracts.tracking import TRACKING_ON_THE_WAY, OnTheWayV1

CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate() -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(_KEY.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(_KEY, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


class SnsCertificateHost:
    """Serves the signing certificate at CERT_URL, and records confirmed subscriptions."""

    def __init__(self) -> None:
        self.pem = _certificate()
        self.confirmed: list[str] = []

    def certificate(self, url: str) -> bytes:
        if url != CERT_URL:
            raise OSError(f"no certificate at {url}")
        return self.pem

    def confirm(self, url: str) -> None:
        self.confirmed.append(url)


def sns_reply(
    topic_arn: str,
    *,
    sender: str,
    to: str,
    text: str,
    at: datetime | None = None,
    key: rsa.RSAPrivateKey = _KEY,
) -> dict[str, Any]:
    """A text reply from ``sender`` to the tenant number ``to``, as SNS posts it (signature v2)."""
    from chalicelib.notify.inbound import string_to_sign  # importable once the apps are loaded

    message = {
        "originationNumber": sender,
        "destinationNumber": to,
        "messageKeyword": "KEYWORD_123456789012",
        "messageBody": text,
        "inboundMessageId": str(uuid.uuid4()),
    }
    fields: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": topic_arn,
        "Message": json.dumps(message),
        "Timestamp": (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "SignatureVersion": "2",
        "SigningCertURL": CERT_URL,
    }
    signature = key.sign(string_to_sign(fields), padding.PKCS1v15(), hashes.SHA256())
    return {**fields, "Signature": base64.b64encode(signature).decode()}


def on_the_way_envelope(
    tenant_id: str, job: dict[str, Any], technician_id: str, first_name: str = "Maria"
) -> EventEnvelope:
    """``tracking.on_the_way`` v1 for the booked ``job`` (as POST /booking/jobs answered it)."""
    appointment = job["appointments"][0]
    window = appointment["arrival_window"]
    start = datetime.fromisoformat(window["start"])
    data = OnTheWayV1(
        appointment_id=appointment["appointment_id"],
        job_id=job["job_id"],
        technician_id=technician_id,
        technician_first_name=first_name,
        link_url=f"https://track.truckroll.dev/l/{uuid.uuid4().hex}",
        eta=start + timedelta(minutes=40),
        distance_m=12_400.0,
        arrival_window_start=start,
        arrival_window_end=datetime.fromisoformat(window["end"]),
    )
    return new_event(
        TRACKING_ON_THE_WAY, tenant_id=tenant_id, producer="tracking", data=data.model_dump(mode="json")
    )
