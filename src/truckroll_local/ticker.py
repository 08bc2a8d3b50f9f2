"""The ticker: EventBridge's ``rate(...)`` rules for the declared schedules.

Like a rate rule, each schedule first fires one period after the ticker starts, then every
period; runs missed while the machine slept are not made up. The event is the scheduled-event
shape a ``@app.schedule`` handler receives.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from truckroll_local.aws import ACCOUNT_ID, REGION
from truckroll_local.runtime import HandlerRef, Worker, utc_iso

logger = logging.getLogger("truckroll_local.ticker")


@dataclass
class ScheduledJob:
    handler: HandlerRef
    period_seconds: float
    next_run: float = 0.0

    @property
    def rule_arn(self) -> str:
        return f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{self.handler.function_name}"


def scheduled_event(rule_arn: str, now: float) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [rule_arn],
        "detail": {},
    }


class Ticker(Worker):
    poll_interval_seconds = 1.0

    def __init__(self, jobs: list[ScheduledJob], clock: Callable[[], float] = time.time) -> None:
        super().__init__("ticker")
        self._clock = clock
        self.jobs = jobs
        started = clock()
        for job in jobs:
            job.next_run = started + job.period_seconds

    def handlers(self) -> tuple[HandlerRef, ...]:
        return tuple(j.handler for j in self.jobs)

    def details(self) -> dict[str, Any]:
        return {
            "schedules": [
                {
                    "function": j.handler.function_name,
                    "every_seconds": j.period_seconds,
                    "next_run": utc_iso(j.next_run),
                }
                for j in self.jobs
            ]
        }

    def run_once(self) -> int:
        """Fire every schedule that is due; return how many fired."""
        now = self._clock()
        fired = 0
        for job in self.jobs:
            if now < job.next_run:
                continue
            missed = int((now - job.next_run) // job.period_seconds)
            job.next_run += (missed + 1) * job.period_seconds
            fired += 1
            self.stats.invocations += 1
            self.stats.records += 1
            try:
                job.handler.invoke(scheduled_event(job.rule_arn, now))
            except Exception:
                self.stats.failed += 1
                logger.exception("scheduled %s failed", job.handler.function_name)
        return fired
