"""Provider adapters: SMS through SNS (``Publish`` to a phone number), email through SES, technician
push through SNS platform endpoints, and the HTTPS side of SNS (signing certificates, subscription
confirmations)."""

from __future__ import annotations

import os
from functools import cached_property
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError
from chalicelib.notify.ports import DeliveryRefused, PushNotConfigured

from truckroll import net
from truckroll.resources import RESOURCES

if TYPE_CHECKING:
    from mypy_boto3_ses import SESClient
    from mypy_boto3_sns import SNSClient

# Provider error codes that no retry can fix.
SNS_PERMANENT = frozenset({"InvalidParameter", "InvalidParameterValue", "OptedOut", "AuthorizationError"})
SES_PERMANENT = frozenset({"MessageRejected", "MailFromDomainNotVerifiedException", "InvalidParameterValue"})


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class SnsSmsSender:
    def __init__(self, client: SNSClient | None = None) -> None:
        self._given_client = client

    @cached_property
    def _client(self) -> SNSClient:
        return self._given_client or boto3.client("sns")

    def send(self, *, to: str, origination_number: str, text: str) -> str:
        try:
            response = self._client.publish(
                PhoneNumber=to,
                Message=text,
                MessageAttributes={
                    "AWS.MM.SMS.OriginationNumber": {"DataType": "String", "StringValue": origination_number},
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                },
            )
        except ClientError as error:
            if _code(error) in SNS_PERMANENT:
                raise DeliveryRefused(f"SMS provider refused the message: {_code(error)}") from error
            raise
        return response["MessageId"]


class SesEmailSender:
    def __init__(self, client: SESClient | None = None) -> None:
        self._given_client = client

    @cached_property
    def _client(self) -> SESClient:
        return self._given_client or boto3.client("ses")

    def send(self, *, to: str, source: str, subject: str, text: str) -> str:
        try:
            response = self._client.send_email(
                Source=source,
                Destination={"ToAddresses": [to]},
                Message={
                    "Subject": {"Data": subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
                },
            )
        except ClientError as error:
            if _code(error) in SES_PERMANENT:
                raise DeliveryRefused(f"email provider refused the message: {_code(error)}") from error
            raise
        return response["MessageId"]


# Push platforms the technician app registers with, and SNS's name for each.
PUSH_PLATFORMS = {"fcm": "GCM", "apns": "APNS"}
SNS_PUSH_PERMANENT = frozenset({"EndpointDisabled", "InvalidParameter", "InvalidParameterValue"})


class SnsPushSender:
    """Technician push through SNS mobile push: one platform endpoint per device token, published to
    with ``TargetArn``. The platform applications are ``RESOURCES.push_applications``."""

    def __init__(self, client: SNSClient | None = None) -> None:
        self._given_client = client

    @cached_property
    def _client(self) -> SNSClient:
        return self._given_client or boto3.client("sns")

    def register(self, *, platform: str, token: str, user_data: str) -> str:
        application = next((a for a in RESOURCES.push_applications if a.platform == platform), None)
        arn = os.environ.get(application.env_var) if application else None
        if not arn:
            raise PushNotConfigured(f"push to {platform} devices is not configured")
        try:
            response = self._client.create_platform_endpoint(
                PlatformApplicationArn=arn, Token=token, CustomUserData=user_data
            )
        except ClientError as error:
            if _code(error) in SNS_PUSH_PERMANENT:
                raise DeliveryRefused(f"push provider refused the device: {_code(error)}") from error
            raise
        return response["EndpointArn"]

    def send(self, *, endpoint: str, title: str, text: str) -> str:
        try:
            response = self._client.publish(TargetArn=endpoint, Subject=title, Message=text)
        except ClientError as error:
            if _code(error) in SNS_PUSH_PERMANENT:
                raise DeliveryRefused(f"push provider refused the message: {_code(error)}") from error
            raise
        return response["MessageId"]


class HttpsSnsEndpoint:
    """Fetches SNS signing certificates (cached per URL) and confirms subscriptions over HTTPS,
    both through the URL guard (:mod:`truckroll.net`)."""

    def __init__(self) -> None:
        self._certificates: dict[str, bytes] = {}

    def certificate(self, url: str) -> bytes:
        if url not in self._certificates:
            self._certificates[url] = net.fetch(url)
        return self._certificates[url]

    def confirm(self, url: str) -> None:
        net.fetch(url)
