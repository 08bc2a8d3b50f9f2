"""Customers' replies by text: STOP and its synonyms opt the number out of every text from the
tenant, START or UNSTOP opt it back in.

Replies reach the tenant's number at AWS End User Messaging, which publishes each one to an SNS
topic; the topic's HTTPS subscription posts it to ``POST /notify/sms/inbound``. The route carries no
user token, so it authenticates the message itself: the SNS signature is verified with the
certificate SNS signs with (fetched only from an ``sns.<region>.amazonaws.com`` HTTPS URL), the
topic must be the one infra created (its ARN names our account, so a look-alike topic in another
account is refused), and a message older than an hour is refused (no replays). The tenant is the
one whose outbound number the reply was sent to (every tenant sending from it, should two share a
number: an opt-out holds for the number the customer replied to).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlparse

from chalicelib.notify.ports import Notify
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from truckroll.domain.customers import E164
from truckroll.domain.notify import Keyword, keyword_of
from truckroll.errors import MalformedBody, NotFound, Unauthorized
from truckroll.web.requests import validation_failed

SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
MAX_AGE = timedelta(hours=1)
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}


class SnsEndpoint(Protocol):
    def certificate(self, url: str) -> bytes:
        """The PEM certificate at ``url`` (already checked to be an SNS URL)."""
        ...

    def confirm(self, url: str) -> None:
        """Visit a subscription's SubscribeURL (already checked to be an SNS URL)."""
        ...


class SnsEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    type: str = Field(alias="Type")
    message_id: str = Field(alias="MessageId")
    topic_arn: str = Field(alias="TopicArn")
    message: str = Field(alias="Message")
    timestamp: datetime = Field(alias="Timestamp")
    signature_version: str = Field(alias="SignatureVersion", pattern=r"^[12]$")
    signature: str = Field(alias="Signature")
    signing_cert_url: str = Field(alias="SigningCertURL")
    subscribe_url: str | None = Field(default=None, alias="SubscribeURL")


class InboundSms(BaseModel):
    """The reply End User Messaging publishes (the SNS message's ``Message``)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    origination_number: str = Field(alias="originationNumber", pattern=E164.pattern)
    destination_number: str = Field(alias="destinationNumber", pattern=E164.pattern)
    message_body: str = Field(alias="messageBody", max_length=1600)


def _sns_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme != "https" or not SNS_HOST.fullmatch(parsed.hostname or ""):
        raise Unauthorized("the message does not come from Amazon SNS")
    return url


def string_to_sign(fields: dict[str, Any]) -> bytes:
    """SNS's canonical form: ``name\\nvalue\\n`` for each signed field present, in order."""
    names = SIGNED_FIELDS.get(str(fields.get("Type")))
    if names is None:
        raise Unauthorized(f"unexpected SNS message type {fields.get('Type')!r}")
    return "".join(f"{n}\n{fields[n]}\n" for n in names if fields.get(n) is not None).encode()


@dataclass(frozen=True)
class SnsVerifier:
    topic_arn: str | None
    endpoint: SnsEndpoint

    def verify(self, fields: dict[str, Any], now: datetime) -> SnsEnvelope:
        try:
            envelope = SnsEnvelope.model_validate(fields)
        except ValidationError as error:
            raise validation_failed(error) from error
        if self.topic_arn is None or envelope.topic_arn != self.topic_arn:
            raise Unauthorized("the message comes from a topic this service does not subscribe to")
        if abs(now - envelope.timestamp.astimezone(UTC)) > MAX_AGE:
            raise Unauthorized("the message is too old (or dated in the future)")
        try:
            pem = self.endpoint.certificate(_sns_url(envelope.signing_cert_url))
            key = x509.load_pem_x509_certificate(pem).public_key()
        except (OSError, ValueError) as error:
            raise Unauthorized(f"the signing certificate could not be read: {error}") from error
        if not isinstance(key, rsa.RSAPublicKey):
            raise Unauthorized("the signing certificate holds no RSA key")
        digest = hashes.SHA256() if envelope.signature_version == "2" else hashes.SHA1()  # noqa: S303
        try:
            signature = base64.b64decode(envelope.signature, validate=True)
            key.verify(signature, string_to_sign(fields), padding.PKCS1v15(), digest)
        except (InvalidSignature, ValueError) as error:
            raise Unauthorized("the SNS signature does not verify") from error
        return envelope


@dataclass(frozen=True)
class Reply:
    outcome: str  # "opted_out", "opted_in", "subscribed", "ignored"


def receive_sms(raw: str | bytes | None, verifier: SnsVerifier, notify: Notify) -> Reply:
    try:
        fields = json.loads(raw or "")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedBody(f"body is not valid JSON: {error}") from error
    if not isinstance(fields, dict):
        raise MalformedBody("body must be a JSON object")
    envelope = verifier.verify(fields, notify.clock())
    if envelope.type == "SubscriptionConfirmation":
        verifier.endpoint.confirm(_sns_url(envelope.subscribe_url or ""))
        return Reply("subscribed")
    try:
        sms = InboundSms.model_validate_json(envelope.message)
    except ValidationError as error:
        raise validation_failed(error) from error
    tenant_ids = notify.settings.tenants_of_number(sms.destination_number)
    if not tenant_ids:
        raise NotFound(f"no company texts from {sms.destination_number}")
    keyword = keyword_of(sms.message_body)
    if keyword is None:
        return Reply("ignored")
    opted_out = keyword is Keyword.OPT_OUT
    for tenant_id in tenant_ids:  # carriers hold an opt-out per sending number
        notify.opt_outs.set(tenant_id, sms.origination_number, opted_out, notify.clock())
    return Reply("opted_out" if opted_out else "opted_in")
