"""Provider adapters: SMS through SNS (``Publish`` to a phone number), email through SES."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError
from chalicelib.notify.ports import DeliveryRefused

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
