"""GPS ingestion and latest-position reads against moto, in this process (``mock_aws``).

The ingestion use case runs in this process with the real DynamoDB repositories; every DynamoDB
request is counted by a botocore ``before-call`` event hook, so the figures are what the code asks
of DynamoDB, whatever moto's speed.

- Ingestion: technicians post batches of 500 fixes (one every 5 s, all on shift). Reported: fixes/s
  and fixes per write request. Targets: at least 2,000 fixes/s, at least 25 fixes per write request.
- Latest positions: one tenant with 1 day of history, another with 30 days, the same technicians.
  Reported: requests and items read (ScannedCount) to read every latest position. Target: equal.

Full profile: 20 technicians x 2 batches, 10 technicians x 30 days x 200 fixes of history.
``--quick``: 4 technicians x 1 batch, 4 technicians x 30 days x 50 fixes.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from botocore.handlers import BUILTIN_HANDLERS

from bench.registry import Suite, register

SERVICE_DIR = Path(__file__).resolve().parents[2] / "services" / "tracking"
NOW = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
BATCH = 500
STEP = timedelta(seconds=5)
WRITES = frozenset({"BatchWriteItem", "TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem"})
FIXES_PER_SECOND_TARGET = 2000.0
FIXES_PER_WRITE_TARGET = 25.0


@dataclass
class Requests:
    """DynamoDB requests by operation, and the items the reads went through."""

    calls: Counter[str] = field(default_factory=Counter)
    scanned: int = 0

    @property
    def writes(self) -> int:
        return sum(n for op, n in self.calls.items() if op in WRITES)

    @property
    def total(self) -> int:
        return sum(self.calls.values())


_active: list[Requests] = []


def _before_call(model: Any, **_: Any) -> None:
    if _active and model.service_model.service_name == "dynamodb":
        _active[-1].calls[model.name] += 1


def _after_call(parsed: dict[str, Any], model: Any, **_: Any) -> None:
    if _active and model.service_model.service_name == "dynamodb":
        _active[-1].scanned += int(parsed.get("ScannedCount", 0))


BUILTIN_HANDLERS.extend([("before-call", _before_call), ("after-call", _after_call)])


@contextmanager
def counting() -> Iterator[Requests]:
    """Count the DynamoDB requests made inside the block (by clients of sessions made after import)."""
    requests = Requests()
    _active.append(requests)
    try:
        yield requests
    finally:
        _active.remove(requests)


@dataclass(frozen=True)
class Figures:
    fixes: int
    seconds: float
    ingest: Requests
    reads: dict[int, Requests]

    @property
    def fixes_per_second(self) -> float:
        return self.fixes / self.seconds

    @property
    def fixes_per_write(self) -> float:
        return self.fixes / max(self.ingest.writes, 1)


@contextmanager
def moto_tracking() -> Iterator[None]:
    """moto in this process (``mock_aws``) holding the tracking table."""
    from moto import mock_aws

    from truckroll.persistence.tracking import TrackingItem
    from truckroll.resources import RESOURCES

    saved = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(
        {
            **RESOURCES.environment("bench"),
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
    )
    try:
        with mock_aws():
            TrackingItem.create_table(billing_mode="PAY_PER_REQUEST", wait=False)
            yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _fixes(start: datetime, count: int) -> list[dict[str, Any]]:
    return [
        {
            "recorded_at": (start + i * STEP).isoformat(),
            "lat": 30.2 + i * 1e-5,
            "lon": -97.7 - i * 1e-5,
            "accuracy_m": 6.0,
            "speed_mps": 11.0,
            "heading_deg": 90.0,
        }
        for i in range(count)
    ]


def measure(technicians: int, batches: int, history_techs: int, history_per_day: int) -> Figures:
    """Run both measurements against a fresh moto server; nothing is written outside it."""
    if str(SERVICE_DIR) not in sys.path:
        sys.path.append(str(SERVICE_DIR))
    from chalicelib.tracking.bootstrap import bootstrap
    from chalicelib.tracking.fixes import TechnicianBatchIn, ingest_own

    from truckroll.auth import Principal, Role
    from truckroll.domain.windows import TimeWindow

    with moto_tracking():
        tracking = bootstrap(clock=lambda: NOW).tracking
        whole_month = TimeWindow(NOW - timedelta(days=31), NOW + timedelta(hours=1))

        def on_shift(tenant: str, tech: str) -> None:
            for back in range(32):
                day = NOW.date() - timedelta(days=back)
                tracking.shifts.put(tenant, tech, day, [whole_month], NOW)

        for i in range(technicians):
            on_shift("bench", f"tech-{i}")
        bodies = [
            (
                Principal(f"tech-{i}", "bench", Role.TECHNICIAN),
                TechnicianBatchIn(fixes=_fixes(NOW - timedelta(hours=2) + b * BATCH * STEP, BATCH)),
            )
            for i in range(technicians)
            for b in range(batches)
        ]
        with counting() as ingest:
            began = time.perf_counter()
            stored = sum(ingest_own(body, principal, tracking).stored for principal, body in bodies)
            seconds = time.perf_counter() - began

        reads: dict[int, Requests] = {}
        for days in (1, 30):
            tenant = f"history-{days}d"
            for i in range(history_techs):
                on_shift(tenant, f"tech-{i}")
                principal = Principal(f"tech-{i}", tenant, Role.TECHNICIAN)
                fixes = [
                    f for d in range(days) for f in _fixes(NOW - timedelta(days=d, hours=3), history_per_day)
                ]
                for start in range(0, len(fixes), BATCH):
                    ingest_own(TechnicianBatchIn(fixes=fixes[start : start + BATCH]), principal, tracking)
            with counting() as read:
                positions = tracking.fixes.positions(tenant, NOW)
            assert len(positions) == history_techs
            reads[days] = read
        return Figures(stored, seconds, ingest, reads)


def _run(args: argparse.Namespace) -> str:
    profile = (4, 1, 4, 50) if args.quick else (20, 2, 10, 200)
    figures = measure(*profile)
    technicians, batches, history_techs, per_day = profile
    one, thirty = figures.reads[1], figures.reads[30]
    verdict = {
        "fixes/s": figures.fixes_per_second >= FIXES_PER_SECOND_TARGET,
        "fixes per write": figures.fixes_per_write >= FIXES_PER_WRITE_TARGET,
        "read cost": (one.total, one.scanned) == (thirty.total, thirty.scanned),
    }
    ops = ", ".join(f"{op} {n}" for op, n in sorted(figures.ingest.calls.items()))
    return "\n".join(
        [
            f"# tracking{' (quick profile)' if args.quick else ''}",
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores,"
            f" Python {platform.python_version()}, moto in process (`mock_aws`):"
            f" `python -m bench tracking{' --quick' if args.quick else ''}`.",
            "",
            "## Ingestion (in-process use case, real repositories)",
            "",
            f"{technicians} technicians x {batches} batches of {BATCH} fixes.",
            "",
            "| measure | value | target | met |",
            "|---|---|---|---|",
            f"| fixes stored | {figures.fixes} | | |",
            f"| fixes/s | {figures.fixes_per_second:,.0f} | >= {FIXES_PER_SECOND_TARGET:,.0f}"
            f" | {'yes' if verdict['fixes/s'] else 'NO'} |",
            f"| fixes per write request | {figures.fixes_per_write:.1f} | >= {FIXES_PER_WRITE_TARGET:.0f}"
            f" | {'yes' if verdict['fixes per write'] else 'NO'} |",
            "",
            f"DynamoDB requests while ingesting: {ops}.",
            "",
            "## Latest positions of every technician",
            "",
            f"{history_techs} technicians, {per_day} fixes a day each.",
            "",
            "| history | requests | items read |",
            "|---|---|---|",
            f"| 1 day | {one.total} | {one.scanned} |",
            f"| 30 days | {thirty.total} | {thirty.scanned} |",
            "",
            f"Same cost: {'yes' if verdict['read cost'] else 'NO'}.",
            "",
        ]
    )


register(Suite(name="tracking", summary="GPS ingestion throughput, write cost and position reads", run=_run))
