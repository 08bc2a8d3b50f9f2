"""What Lambda gives a function besides its event: a context object, and a worker loop.

:class:`HandlerRef` names a function the way a deployment does (an app's ``handler_map`` entry)
and resolves it at every invocation, so a stack still starts while a service has not yet written
a declared handler: the gap shows in ``/health`` and every delivery to it fails like a broken
deployment would.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalice.app import Chalice

from truckroll_local.aws import ACCOUNT_ID, REGION

logger = logging.getLogger("truckroll_local")

Handler = Callable[[dict[str, Any], Any], Any]
DEFAULT_TIMEOUT_SECONDS = 60


def function_arn(function_name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"


class InvocationContext:
    """Shaped like Lambda's ``LambdaContext`` (what Powertools and Chalice read from it)."""

    def __init__(self, function_name: str, timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function_arn(function_name)
        self.memory_limit_in_mb = 1024
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class MissingHandler(LookupError):
    pass


@dataclass(frozen=True)
class HandlerRef:
    """``app.handler_map[name]``: one function of a Chalice app."""

    app: Chalice
    name: str

    @property
    def function_name(self) -> str:
        """Chalice's naming: ``<app_name>-<stage>-<handler>``."""
        return f"{self.app.app_name}-local-{self.name}"

    @property
    def function_arn(self) -> str:
        return function_arn(self.function_name)

    @property
    def missing(self) -> bool:
        return self.name not in self.app.handler_map

    def invoke(self, event: dict[str, Any]) -> Any:
        handler: Handler | None = self.app.handler_map.get(self.name)
        if handler is None:
            raise MissingHandler(f"{self.app.app_name} has no handler {self.name!r}")
        return handler(event, InvocationContext(self.function_name))


def utc_iso(epoch_seconds: float) -> str:
    """``2026-11-22T10:00:00.000Z``, the timestamp format of AWS events."""
    return (
        datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


@dataclass
class WorkerStats:
    invocations: int = 0
    records: int = 0
    failed: int = 0
    dead_lettered: int = 0
    last_poll_at: float | None = None
    last_error: str | None = None


class Worker(ABC):
    """One loop of work (a pump, the ticker): run on demand, or in a background thread."""

    poll_interval_seconds = 0.5
    stale_after_seconds = 15.0

    def __init__(self, name: str) -> None:
        self.name = name
        self.stats = WorkerStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @abstractmethod
    def run_once(self) -> int:
        """Do one round of work; return how many records (or events) it delivered."""

    @abstractmethod
    def handlers(self) -> tuple[HandlerRef, ...]:
        """The functions this worker invokes."""

    @abstractmethod
    def details(self) -> dict[str, Any]:
        """What this worker reads from, for ``/health``."""

    def poll(self) -> int:
        """:meth:`run_once`, recording when it last succeeded and why it last failed."""
        try:
            delivered = self.run_once()
        except Exception as exc:
            self.stats.last_error = f"{type(exc).__name__}: {exc}"
            logger.exception("%s: poll failed", self.name)
            return 0
        self.stats.last_poll_at = time.time()
        self.stats.last_error = None
        return delivered

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self.poll() == 0:
                self._stop.wait(self.poll_interval_seconds)

    @property
    def background(self) -> bool:
        return self._thread is not None

    def health(self) -> dict[str, Any]:
        """``ok`` when the last poll succeeded, its handlers exist and, in the background, it is
        alive and has polled recently."""
        missing = [h.name for h in self.handlers() if h.missing]
        alive = self._thread is not None and self._thread.is_alive()
        last = self.stats.last_poll_at
        fresh = last is not None and time.time() - last < self.stale_after_seconds
        ok = not missing and self.stats.last_error is None and (not self.background or (alive and fresh))
        report: dict[str, Any] = {
            "ok": ok,
            "mode": "background" if self.background else "on demand",
            "alive": alive,
            "last_poll_at": utc_iso(last) if last is not None else None,
            "last_error": self.stats.last_error,
            "invocations": self.stats.invocations,
            "records": self.stats.records,
            "failed": self.stats.failed,
            "dead_lettered": self.stats.dead_lettered,
            "functions": [h.function_name for h in self.handlers()],
            **self.details(),
        }
        if missing:
            report["missing_handlers"] = missing
        return report
