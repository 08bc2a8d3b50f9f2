"""GPS ingestion and history reads against moto, in this process (``mock_aws``).

The ingestion use case runs in this process with the real DynamoDB repositories; every DynamoDB
request is counted by a botocore ``before-call`` event hook (items read by an ``after-call`` one),
so the figures are what the code asks of DynamoDB, whatever moto's speed.

Workloads (each technician is on shift all day; every fix is valid):

- Realistic: phones buffer fixes and upload them in batches of 500, taken 1 s apart (navigating)
  or 5 s apart (battery saving); a technician's batches follow each other in time. Targets on all
  of them together: at least 2,000 fixes/s and at least 25 fixes per write request.
- Sparse (reported, no target): a phone uploading every 10 s what it took each second (batches of
  10 fixes) and one uploading every fix on its own (batches of 1): the worst case of the design.
- Reads: every latest position, for one tenant with 1 day of history and one with 30 days (target:
  the same cost), and one technician's track over an hour and over a day of the 30-day history.

One batch is ingested before the clock starts, for another tenant: moto loads its request models
on first use.
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

    def __add__(self, other: Requests) -> Requests:
        return Requests(self.calls + other.calls, self.scanned + other.scanned)


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
class Workload:
    name: str
    technicians: int
    batches: int
    batch: int
    spacing: timedelta

    @property
    def span(self) -> timedelta:
        return self.batches * self.batch * self.spacing


@dataclass(frozen=True)
class Ingested:
    name: str
    shape: str
    fixes: int
    seconds: float
    requests: Requests
    items: int

    @property
    def fixes_per_second(self) -> float:
        return self.fixes / self.seconds

    @property
    def fixes_per_write(self) -> float:
        return self.fixes / max(self.requests.writes, 1)


@dataclass(frozen=True)
class Read:
    name: str
    requests: Requests
    fixes: int


@dataclass(frozen=True)
class Figures:
    realistic: list[Ingested]
    sparse: list[Ingested]
    positions: dict[int, Requests]
    tracks: list[Read]
    load: tuple[float, float]

    @property
    def overall(self) -> Ingested:
        runs = self.realistic
        requests = Requests()
        for run in runs:
            requests += run.requests
        fixes, seconds, items = (
            sum(r.fixes for r in runs),
            sum(r.seconds for r in runs),
            sum(r.items for r in runs),
        )
        return Ingested("realistic, all", "", fixes, seconds, requests, items)


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


def _fixes(start: datetime, count: int, spacing: timedelta) -> list[dict[str, Any]]:
    return [
        {
            "recorded_at": (start + i * spacing).isoformat(),
            "lat": 30.2 + i * 1e-5,
            "lon": -97.7 - i * 1e-5,
            "accuracy_m": 6.0,
            "speed_mps": 11.0,
            "heading_deg": 90.0,
        }
        for i in range(count)
    ]


def measure(realistic: list[Workload], sparse: list[Workload], history: tuple[int, int]) -> Figures:
    """Run every measurement against a fresh moto; nothing is written outside it."""
    if str(SERVICE_DIR) not in sys.path:
        sys.path.append(str(SERVICE_DIR))
    from chalicelib.tracking.bootstrap import bootstrap
    from chalicelib.tracking.fixes import TechnicianBatchIn, ingest_own

    from truckroll.auth import Principal, Role
    from truckroll.domain.windows import TimeWindow
    from truckroll.persistence.tracking_history import HistoryItem

    load_before = os.getloadavg()[0]
    with moto_tracking():
        tracking = bootstrap(clock=lambda: NOW).tracking
        whole_month = TimeWindow(NOW - timedelta(days=31), NOW + timedelta(hours=1))

        def on_shift(tenant: str, tech: str) -> None:
            for back in range(32):
                day = NOW.date() - timedelta(days=back)
                tracking.shifts.put(tenant, tech, day, [whole_month], NOW)

        def post(tenant: str, tech: str, fixes: list[dict[str, Any]]) -> int:
            principal = Principal(tech, tenant, Role.TECHNICIAN)
            return ingest_own(TechnicianBatchIn(fixes=fixes), principal, tracking).stored

        def ingest(workload: Workload) -> Ingested:
            tenant = f"bench-{workload.name.replace(' ', '-')}"
            techs = [f"tech-{i}" for i in range(workload.technicians)]
            for tech in techs:
                on_shift(tenant, tech)
            first = NOW - workload.span - timedelta(minutes=5)
            bodies = [
                (
                    tech,
                    _fixes(first + b * workload.batch * workload.spacing, workload.batch, workload.spacing),
                )
                for b in range(workload.batches)
                for tech in techs
            ]
            with counting() as requests:
                began = time.perf_counter()
                stored = sum(post(tenant, tech, fixes) for tech, fixes in bodies)
                seconds = time.perf_counter() - began
            history = HistoryItem.pk.startswith(f"T#{tenant}#TRACK#")
            items = sum(1 for _ in HistoryItem.scan(history, attributes_to_get=["pk"]))
            shape = f"{workload.technicians} x {workload.batches} batches of {workload.batch}"
            return Ingested(workload.name, shape, stored, seconds, requests, items)

        on_shift("warm-up", "tech-0")
        post("warm-up", "tech-0", _fixes(NOW - timedelta(hours=1), 500, timedelta(seconds=1)))
        realistic_runs = [ingest(w) for w in realistic]
        sparse_runs = [ingest(w) for w in sparse]

        history_techs, per_day = history
        positions: dict[int, Requests] = {}
        tracks: list[Read] = []
        for days in (1, 30):
            tenant = f"history-{days}d"
            for i in range(history_techs):
                on_shift(tenant, f"tech-{i}")
                spacing = timedelta(seconds=5)
                fixes = [
                    f for d in range(days) for f in _fixes(NOW - timedelta(days=d, hours=1), per_day, spacing)
                ]
                for start in range(0, len(fixes), 500):
                    post(tenant, f"tech-{i}", fixes[start : start + 500])
            with counting() as read:
                found = tracking.fixes.positions(tenant, NOW)
            assert len(found) == history_techs
            positions[days] = read
        for name, span in (("1 hour", timedelta(hours=1)), ("1 day", timedelta(days=1))):
            window = TimeWindow(NOW - span, NOW)
            with counting() as read:
                track = tracking.fixes.track("history-30d", "tech-0", window, NOW)
            tracks.append(Read(name, read, len(track)))
    return Figures(realistic_runs, sparse_runs, positions, tracks, (load_before, os.getloadavg()[0]))


def _profile(quick: bool) -> tuple[list[Workload], list[Workload], tuple[int, int]]:
    one, five = timedelta(seconds=1), timedelta(seconds=5)
    if quick:
        return (
            [Workload("500 at 1 s", 2, 1, 500, one), Workload("500 at 5 s", 2, 1, 500, five)],
            [Workload("10 at 1 s", 2, 10, 10, one), Workload("1 at 1 s", 2, 10, 1, one)],
            (4, 50),
        )
    return (
        [Workload("500 at 1 s", 10, 3, 500, one), Workload("500 at 5 s", 10, 3, 500, five)],
        [Workload("10 at 1 s", 4, 60, 10, one), Workload("1 at 1 s", 4, 60, 1, one)],
        (10, 200),
    )


def _row(run: Ingested) -> str:
    return (
        f"| {run.name} | {run.shape} | {run.fixes} | {run.fixes_per_second:,.0f} | {run.requests.total}"
        f" | {run.requests.writes}"
        f" | {run.fixes_per_write:.1f} | {run.items} |"
    )


def _run(args: argparse.Namespace) -> str:
    figures = measure(*_profile(args.quick))
    overall = figures.overall
    one, thirty = figures.positions[1], figures.positions[30]
    verdict = {
        "fixes/s": overall.fixes_per_second >= FIXES_PER_SECOND_TARGET,
        "fixes per write": overall.fixes_per_write >= FIXES_PER_WRITE_TARGET,
        "read cost": (one.total, one.scanned) == (thirty.total, thirty.scanned),
    }
    ops = ", ".join(f"{op} {n}" for op, n in sorted(overall.requests.calls.items()))
    columns = (
        "technicians x batches",
        "fixes stored",
        "fixes/s",
        "requests",
        "write requests",
        "fixes per write request",
    )
    header = f"| workload | {' | '.join(columns)} | history items |"
    rule = "|---" * (len(columns) + 2) + "|"
    return "\n".join(
        [
            f"# tracking{' (quick profile)' if args.quick else ''}",
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores"
            f" (load average {figures.load[0]:.2f} before, {figures.load[1]:.2f} after),"
            f" Python {platform.python_version()}, moto in process (`mock_aws`):"
            f" `python -m bench tracking{' --quick' if args.quick else ''}`.",
            "",
            "## Ingestion (in-process use case, real repositories)",
            "",
            "Batches of 500 fixes taken 1 s or 5 s apart (phones uploading what they buffered).",
            "",
            header,
            rule,
            *map(_row, figures.realistic),
            _row(overall),
            "",
            "| target | value | met |",
            "|---|---|---|",
            f"| fixes/s >= {FIXES_PER_SECOND_TARGET:,.0f} | {overall.fixes_per_second:,.0f}"
            f" | {'yes' if verdict['fixes/s'] else 'NO'} |",
            f"| fixes per write request >= {FIXES_PER_WRITE_TARGET:.0f} | {overall.fixes_per_write:.1f}"
            f" | {'yes' if verdict['fixes per write'] else 'NO'} |",
            "",
            f"DynamoDB requests while ingesting them: {ops}.",
            "",
            "Worst case, sparse uploads (no target): batches of 10 fixes (a phone uploading every 10 s)"
            " and of a single fix.",
            "",
            header,
            rule,
            *map(_row, figures.sparse),
            "",
            "## Reads",
            "",
            f"Every latest position, for a tenant with 1 day and one with 30 days of history:"
            f" {_history_note(args.quick)}.",
            "",
            "| history | requests | items read |",
            "|---|---|---|",
            f"| 1 day | {one.total} | {one.scanned} |",
            f"| 30 days | {thirty.total} | {thirty.scanned} |",
            "",
            f"Same cost: {'yes' if verdict['read cost'] else 'NO'}.",
            "",
            "One technician's track (30 days of history):",
            "",
            "| window | requests | items read | fixes |",
            "|---|---|---|---|",
            *(
                f"| {r.name} | {r.requests.total} | {r.requests.scanned} | {r.fixes} |"
                for r in figures.tracks
            ),
            "",
        ]
    )


def _history_note(quick: bool) -> str:
    techs, per_day = _profile(quick)[2]
    return f"{techs} technicians, {per_day} fixes a day each, 5 s apart, from an hour before the reads' now"


register(Suite(name="tracking", summary="GPS ingestion throughput, write cost and history reads", run=_run))
