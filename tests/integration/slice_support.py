"""An in-process AWS (moto's ``mock_aws``) holding every resource of ``RESOURCES``, the service apps
loaded against it, signed tokens, and real-shaped Lambda events read back from moto.

- Tables, queues (with their dead-letter queues) and the stream consumers' failure queues are made
  from ``RESOURCES`` only, under the stage ``slice`` (its own table names, so PynamoDB never reuses
  a connection made for another stack in the same process).
- The apps are imported once per process under their own module names (``slice_<svc>_app``), so
  their cached wiring never mixes with another copy of the apps loaded by other tests.
- Tokens are RS256, signed by a key made once per process and published as ``AUTH_JWKS_JSON``.
- Stream records come from moto's dynamodbstreams, normalised as Lambda delivers them
  (numeric ``ApproximateCreationDateTime``, ``eventSourceARN``); SQS records come from
  ``receive_message`` with their own message ids.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import jwt
from botocore.config import Config
from chalice.local import LambdaContext
from chalice.test import Client
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from truckroll.config import settings
from truckroll.resources import CORE, RESOURCES, physical_name
from truckroll_local.aws import Aws
from truckroll_local.bootstrap import provision

ROOT = Path(__file__).resolve().parents[2]
STAGE = "slice"
REGION = "us-east-1"
ISSUER = "https://issuer.slice.test"
AUDIENCE = "truckroll-api"
KID = "slice-key-1"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks() -> str:
    jwk = json.loads(RSAAlgorithm.to_jwk(_KEY.public_key()))
    return json.dumps({"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]})


def token(role: str, tenant_id: str = "t1", sub: str = "user-1", ttl: int = 600) -> str:
    now = int(time.time())
    claims = {
        "sub": sub,
        "tenant_id": tenant_id,
        "role": role,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, _KEY, algorithm="RS256", headers={"kid": KID})


def auth(role: str, tenant_id: str = "t1", sub: str = "user-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, tenant_id, sub)}", "Content-Type": "application/json"}


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{DEFAULT_ACCOUNT_ID}:{physical_name(STAGE, name)}"


def environment() -> dict[str, str]:
    env = RESOURCES.environment(STAGE)
    env.update({q.arn_env_var: queue_arn(q.name) for q in RESOURCES.queues})
    # Replaced by the real stream ARNs once the tables exist; the decorators only record them.
    env.update(
        {
            t.stream_env_var: f"arn:aws:dynamodb:{REGION}:{DEFAULT_ACCOUNT_ID}:table/{t.name}/stream/0"
            for t in RESOURCES.tables
            if t.stream
        }
    )
    env.update(
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AUTH_ISSUER=ISSUER,
        AUTH_AUDIENCE=AUDIENCE,
        AUTH_JWKS_JSON=_jwks(),
    )
    return env


@contextmanager
def patched_environment(values: dict[str, str], removed: tuple[str, ...]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    for name in removed:
        os.environ.pop(name, None)
    settings.cache_clear()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        settings.cache_clear()


def load_app(service: str) -> ModuleType:
    """``services/<service>/app.py`` as module ``slice_<service>_app`` (once per process)."""
    for directory in sorted((ROOT / "services").iterdir()):
        if (directory / "app.py").exists() and str(directory) not in sys.path:
            sys.path.append(str(directory))
    name = f"slice_{service}_app"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "services" / service / "app.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _provision() -> str:
    """Create every declared resource, as the local stack does; return the core table's stream ARN."""
    return provision(Aws(endpoint=None), RESOURCES, STAGE).stream_arns[CORE.name]


class SliceStack:
    def __init__(self, stream_arn: str, exits: ExitStack) -> None:
        self.stream_arn = stream_arn
        self.apps = {s: load_app(s) for s in ("booking", "dispatch", "notify", "tracking")}
        self._exits = exits
        self._clients: dict[str, Client] = {}
        self._streams = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        self._sqs = boto3.client("sqs")
        self._last_sequence = -1

    def http(self, service: str) -> Any:
        """The chalice.test client of ``service`` (its ``.http`` has get/post/put...)."""
        if service not in self._clients:
            client = Client(self.apps[service].app, project_dir=str(ROOT / "services" / service))
            self._clients[service] = self._exits.enter_context(client)
        return self._clients[service].http

    def request(
        self, service: str, method: str, path: str, headers: dict[str, str] | None = None, body: Any = None
    ) -> tuple[int, Any, dict[str, str]]:
        """``(status, parsed body, headers)``; ``body`` is sent as JSON unless it is a string."""
        raw = body if isinstance(body, str) or body is None else json.dumps(body)
        call = getattr(self.http(service), method.lower())
        response = call(path, headers=headers or {}, **({"body": raw} if raw is not None else {}))
        return response.status_code, json.loads(response.body) if response.body else None, response.headers

    def stream_records(self) -> list[dict[str, Any]]:
        """New records of the core table's stream, shaped as Lambda hands them to a function."""
        shards = self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        records: list[dict[str, Any]] = []
        for shard in shards:
            iterator = self._streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            for record in self._streams.get_records(ShardIterator=iterator)["Records"]:
                if int(record["dynamodb"]["SequenceNumber"]) <= self._last_sequence:
                    continue
                shaped = json.loads(json.dumps(record, default=str))
                shaped["dynamodb"]["ApproximateCreationDateTime"] = record["dynamodb"][
                    "ApproximateCreationDateTime"
                ].timestamp()
                shaped["eventSourceARN"] = self.stream_arn
                records.append(shaped)
        if records:
            self._last_sequence = max(int(r["dynamodb"]["SequenceNumber"]) for r in records)
        return records

    def receive(self, queue: str) -> list[dict[str, Any]]:
        """Every message waiting in ``queue`` (logical name), as SQS records of a Lambda event."""
        url = self._sqs.get_queue_url(QueueName=physical_name(STAGE, queue))["QueueUrl"]
        arn = queue_arn(queue)
        records: list[dict[str, Any]] = []
        while True:
            messages = self._sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10,
                MessageAttributeNames=["All"],
                AttributeNames=["All"],
                VisibilityTimeout=0,
            ).get("Messages", [])
            fresh = [m for m in messages if m["MessageId"] not in {r["messageId"] for r in records}]
            if not fresh:
                return records
            records.extend(
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "messageAttributes": {
                        k: {"stringValue": v.get("StringValue"), "dataType": v["DataType"]}
                        for k, v in m.get("MessageAttributes", {}).items()
                    },
                    "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs",
                    "eventSourceARN": arn,
                    "awsRegion": REGION,
                }
                for m in fresh
            )

    def invoke(self, service: str, handler: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        """Run an event handler as Lambda would: the event dict and a context."""
        context = LambdaContext(function_name=f"{service}-{handler}", memory_size=512, max_runtime_ms=30_000)
        result: dict[str, Any] = getattr(self.apps[service], handler)({"Records": records}, context)
        return result

    @staticmethod
    def sms_sent() -> list[tuple[str, str]]:
        return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


@contextmanager
def slice_stack() -> Iterator[SliceStack]:
    with ExitStack() as exits:
        exits.enter_context(patched_environment(environment(), removed=("AWS_ENDPOINT_URL", "AWS_PROFILE")))
        exits.enter_context(mock_aws())
        stream_arn = _provision()
        os.environ[CORE.stream_env_var] = stream_arn
        yield SliceStack(stream_arn, exits)


def failed_ids(response: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in response["batchItemFailures"]]
