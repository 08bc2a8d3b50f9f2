"""The whole system in one process, on the embedded AWS: what ``make run`` starts and tests use.

Start order matters: the gateway binds its port first (the issuer's URL names it), then moto
starts, every declared resource is created, the functions' environment is put in ``os.environ``
and only then are the apps imported (their event-source decorators read ARNs at import time).

``background=True`` (``make run``) runs each pump and the ticker in a thread. With
``background=False`` (tests) nothing moves until :meth:`LocalStack.drain`.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from types import TracebackType
from typing import Any

from chalice.app import Chalice

from truckroll.config import (
    LINK_BASE_URL_ENV,
    PUBLIC_LINKS_PATH,
    SOLVE_SECONDS_ENV,
    STORAGE_PUBLIC_ENDPOINT_ENV,
    link_settings,
    settings,
)
from truckroll.resources import RESOURCES, Resources
from truckroll_local import REPO_ROOT
from truckroll_local.apps import load_service_apps
from truckroll_local.aws import Aws
from truckroll_local.bootstrap import Provisioned, provision, resource_environment
from truckroll_local.gateway import STORAGE_PREFIX, Gateway, GatewayServer, StorageProxy
from truckroll_local.issuer import DEFAULT_TTL_SECONDS, LocalIssuer
from truckroll_local.moto_process import MotoServer
from truckroll_local.pumps import Pump, SqsPump, StreamPump, drain
from truckroll_local.responses import HttpResponse
from truckroll_local.runtime import HandlerRef, Worker
from truckroll_local.ticker import ScheduledJob, Ticker

logger = logging.getLogger("truckroll_local")

POWERTOOLS_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": "truckroll-local",
    "POWERTOOLS_METRICS_NAMESPACE": "Truckroll",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}
# Local days are small: automatic dispatch gives the optimizer one second per day planned.
LOCAL_SOLVE_SECONDS = {SOLVE_SECONDS_ENV: "1"}


def functions_environment(
    aws: Aws, resources: Resources, provisioned: Provisioned, issuer: LocalIssuer, base_url: str
) -> dict[str, str]:
    """The environment every function sees locally; customer tracking links and presigned S3 URLs
    point at the gateway."""
    return {
        **resource_environment(resources, provisioned),
        **aws.environment(),
        LINK_BASE_URL_ENV: f"{base_url}{PUBLIC_LINKS_PATH}",
        STORAGE_PUBLIC_ENDPOINT_ENV: f"{base_url}/{STORAGE_PREFIX}",
        "AUTH_ISSUER": issuer.issuer_url,
        "AUTH_AUDIENCE": issuer.audience,
        "AUTH_JWKS_JSON": json.dumps(issuer.jwks()),
        "AUTH_JWKS_URL": "",
        **POWERTOOLS_ENVIRONMENT,
        **LOCAL_SOLVE_SECONDS,
    }


class LocalStack:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        services_dir: Path = REPO_ROOT / "services",
        web_root: Path = REPO_ROOT / "web",
        background: bool = True,
        retry_backoff_seconds: int = 2,
        resources: Resources = RESOURCES,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.services_dir = services_dir
        self.web_root = web_root
        self.background = background
        self.retry_backoff_seconds = retry_backoff_seconds
        self.resources = resources
        self.moto = MotoServer(host)
        self.pumps: list[Pump] = []
        self.ticker = Ticker([])
        self.apps: dict[str, Chalice] = {}
        self.environment: dict[str, str] = {}
        self._saved_environment: dict[str, str | None] = {}
        self._server: GatewayServer | None = None
        self._gateway: Gateway | None = None
        self._issuer: LocalIssuer | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self._server = GatewayServer(self.host, self._requested_port)
        self._issuer = LocalIssuer(f"{self.base_url}/auth")
        self.moto.start()
        aws = Aws(self.moto.endpoint)
        provisioned = provision(aws, self.resources)
        self.environment = functions_environment(
            aws, self.resources, provisioned, self._issuer, self.base_url
        )
        self._saved_environment = {k: os.environ.get(k) for k in self.environment}
        os.environ.update(self.environment)
        settings.cache_clear()
        link_settings.cache_clear()
        self.apps = load_service_apps(self.services_dir)
        self._gateway = Gateway(self._issuer, self.health, self.web_root, StorageProxy(self.moto.endpoint))
        for service, app in self.apps.items():
            self._gateway.mount(service, app)
        self.pumps = self._pumps(aws, provisioned)
        self.ticker = Ticker(
            [
                ScheduledJob(HandlerRef(self.apps[s.consumer], s.handler), s.rate_minutes * 60.0)
                for s in self.resources.schedules
            ]
        )
        if self.background:
            for worker in self.workers:
                worker.start()
        self._server.attach(self._gateway)
        logger.info("local stack on %s (AWS at %s)", self.base_url, self.moto.endpoint)

    def _pumps(self, aws: Aws, provisioned: Provisioned) -> list[Pump]:
        pumps: list[Pump] = [
            SqsPump(
                name=f"sqs:{queue.name}",
                sqs=aws.sqs(),
                queue=provisioned.queues[queue.name],
                handler=HandlerRef(self.apps[queue.consumer], queue.handler),
                batch_size=queue.batch_size,
                max_receive_count=queue.max_receive_count,
                retry_backoff_seconds=self.retry_backoff_seconds,
            )
            for queue in self.resources.queues
        ]
        pumps.extend(
            StreamPump(
                name=f"stream:{consumer.table}:{consumer.consumer}",
                streams=aws.streams(),
                stream_arn=provisioned.stream_arns[consumer.table],
                handler=HandlerRef(self.apps[consumer.consumer], consumer.handler),
                batch_size=consumer.batch_size,
                maximum_retry_attempts=consumer.maximum_retry_attempts,
                sqs=aws.sqs(),
                failure_queue=provisioned.queues[consumer.failure_queue_name],
                filter_pattern=None
                if consumer.filter_pattern is None
                else json.loads(consumer.filter_pattern),
                retry_backoff_seconds=self.retry_backoff_seconds,
            )
            for consumer in self.resources.stream_consumers
        )
        return pumps

    def stop(self) -> None:
        """Stop the workers, the gateway and moto; put ``os.environ`` back as it was."""
        for worker in self.workers:
            worker.stop()
        if self._server is not None:
            self._server.close()
            self._server = None
        self.moto.stop()
        for key, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_environment = {}
        settings.cache_clear()
        link_settings.cache_clear()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- what callers use -----------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the stack is not started")
        return self._server.port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def issuer(self) -> LocalIssuer:
        if self._issuer is None:
            raise RuntimeError("the stack is not started")
        return self._issuer

    @property
    def gateway(self) -> Gateway:
        if self._gateway is None:
            raise RuntimeError("the stack is not started")
        return self._gateway

    @property
    def workers(self) -> list[Worker]:
        return [*self.pumps, self.ticker]

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: object = None
    ) -> HttpResponse:
        """Send one request through the gateway in this process (no socket).

        ``body`` may be bytes, a string, or anything JSON-serializable (sent as application/json).
        """
        sent_headers = dict(headers or {})
        raw: bytes | None
        if body is None or isinstance(body, bytes):
            raw = body
        elif isinstance(body, str):
            raw = body.encode()
        else:
            raw = json.dumps(body).encode()
            if not any(k.lower() == "content-type" for k in sent_headers):
                sent_headers["Content-Type"] = "application/json"
        return self.gateway.handle(method.upper(), path, sent_headers, raw)

    def token(
        self,
        username: str = "dispatcher@demo",
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        tenant_id: str | None = None,
    ) -> str:
        """A bearer token for a seeded user (``tenant_id`` puts that user in another tenant)."""
        return self.issuer.token_for(username, ttl_seconds, tenant_id)

    def auth_headers(self, username: str = "dispatcher@demo", tenant_id: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username, tenant_id=tenant_id)}"}

    def drain(self, timeout: float = 60.0) -> int:
        """Run every pump until a full round moves nothing; return the records delivered. It returns
        as soon as everything is quiet: the generous timeout only matters on a loaded machine."""
        return drain(self.pumps, timeout)

    def health(self) -> dict[str, Any]:
        checks: dict[str, Any] = {
            "moto": {"ok": self.moto.answers(), "endpoint": self.moto.endpoint, "pid": self.moto.pid},
            "services": self.gateway.service_health(),
            "pumps": {p.name: p.health() for p in self.pumps},
            "ticker": self.ticker.health(),
        }
        ok = (
            checks["moto"]["ok"]
            and all(s["ok"] for s in checks["services"].values())
            and all(p["ok"] for p in checks["pumps"].values())
            and checks["ticker"]["ok"]
        )
        return {"status": "ok" if ok else "degraded", "checks": checks}
