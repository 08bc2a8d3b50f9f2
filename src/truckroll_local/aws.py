"""Clients for the embedded AWS (fake credentials, one region).

A boto3 client may be shared between threads but a session may not: clients are made from one
session under a lock (a new session per client costs ~0.1 s of model loading).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import boto3
from botocore.config import Config
from mypy_boto3_dynamodb import DynamoDBClient
from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
from mypy_boto3_s3 import S3Client
from mypy_boto3_sns import SNSClient
from mypy_boto3_sqs import SQSClient

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=30, retries={"max_attempts": 2, "mode": "standard"})


@dataclass(frozen=True)
class Aws:
    """Where the embedded AWS answers; a factory of clients for it. ``endpoint=None`` leaves the
    address to botocore, as an in-process ``moto.mock_aws`` needs."""

    endpoint: str | None
    region: str = REGION
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)
    _session: boto3.session.Session = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        session = boto3.session.Session(
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=self.region,
        )
        object.__setattr__(self, "_session", session)

    def dynamodb(self) -> DynamoDBClient:
        with self._lock:
            return self._session.client("dynamodb", endpoint_url=self.endpoint, config=_CLIENT_CONFIG)

    def streams(self) -> DynamoDBStreamsClient:
        with self._lock:
            return self._session.client("dynamodbstreams", endpoint_url=self.endpoint, config=_CLIENT_CONFIG)

    def sqs(self) -> SQSClient:
        with self._lock:
            return self._session.client("sqs", endpoint_url=self.endpoint, config=_CLIENT_CONFIG)

    def sns(self) -> SNSClient:
        with self._lock:
            return self._session.client("sns", endpoint_url=self.endpoint, config=_CLIENT_CONFIG)

    def s3(self) -> S3Client:
        with self._lock:
            return self._session.client("s3", endpoint_url=self.endpoint, config=_CLIENT_CONFIG)

    def environment(self) -> dict[str, str]:
        """What an SDK in this process needs to reach the embedded AWS."""
        endpoint = {"AWS_ENDPOINT_URL": self.endpoint} if self.endpoint else {}
        return {**endpoint, "AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region, **FAKE_CREDENTIALS}
