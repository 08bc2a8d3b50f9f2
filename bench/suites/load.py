"""A mixed workload over HTTP against the local stack (``make run``'s process, started here on a free
port): virtual users each living jobs through booking, dispatch and tracking, as fast as the stack
answers them, until the time or the operation budget is spent.

One job's life (:mod:`bench.lifecycle`), 13 requests: book (a new customer and location with the
job), look the customer up by phone, read the board, assign, read the board's change feed, "On my
way", three GPS batches of 10 fixes, every latest position, arrived, done, and the job's messages.
The company: three technicians on shift all day; each job gets its own slot (one per technician
and 2 hours), so nothing is ever refused. Every answer other than the expected 200 or 201 is an
error, and any error fails the suite. The stack's pumps run in the background as in ``make run``
(relays, consumers, texts), on the same machine.

One job runs first, unmeasured. Full profile (``make bench``): 8 users for 60 s, at most 5,000
operations. ``--quick``: 4 users for 15 s, at most 600.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.lifecycle import Call, Company, Job, Step, find_customer, fixes, noon_zone
from bench.registry import Suite, register
from bench.suites.booking import _headers, _percentile
from bench.suites.dispatch import HTTP_TIMEOUT, _call, running_stack

TECHNICIANS = ("tech-1@demo", "tech-2@demo", "tech-3@demo")
SLOTS_PER_DAY = 5  # 08:00-18:00, 2 hours each
FIX_BATCHES, FIXES_PER_BATCH = 3, 10


class Spent(Exception):
    """The time or the operation budget is spent: the user stops."""


class Refused(Exception):
    """An answer the step did not expect."""


@dataclass
class Tally:
    """Every operation's latencies (ms), and every unexpected answer."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, operation: str, ms: float, error: str | None) -> None:
        with self.lock:
            self.latencies[operation].append(ms)
            if error is not None:
                self.errors.append(error)

    @property
    def operations(self) -> int:
        return sum(len(v) for v in self.latencies.values())


class Budget:
    """Until ``deadline`` (monotonic) and at most ``operations`` requests, across every user."""

    def __init__(self, seconds: float, operations: int) -> None:
        self.deadline = time.monotonic() + seconds
        self._left = itertools.count(operations, -1)

    def take(self) -> None:
        if time.monotonic() >= self.deadline or next(self._left) <= 0:
            raise Spent


class User:
    """One virtual user: its own keep-alive connection, and a :data:`bench.lifecycle.Call` that
    times each request."""

    def __init__(self, base_url: str, tally: Tally, budget: Budget) -> None:
        target = urllib.parse.urlsplit(base_url)
        self._connection = http.client.HTTPConnection(
            target.hostname or "127.0.0.1", target.port, timeout=HTTP_TIMEOUT
        )
        self._tally = tally
        self._budget = budget

    def call(self, step: Step) -> Any:
        self._budget.take()
        data = None if step.body is None else json.dumps(step.body).encode()
        headers = {**step.headers, "Content-Type": "application/json"}
        began = time.perf_counter()
        self._connection.request(step.method, step.path, body=data, headers=headers)
        response = self._connection.getresponse()
        raw = response.read()
        ms = (time.perf_counter() - began) * 1000
        error = None
        if response.status not in step.expected:
            error = f"{step.operation} {step.method} {step.path}: {response.status} {raw[:300]!r}"
        self._tally.add(step.operation, ms, error)
        if error is not None:
            raise Refused(error)
        return json.loads(raw or b"null")

    def close(self) -> None:
        self._connection.close()


def _setup_call(base_url: str) -> Call:
    """Unmeasured calls, for the company and the first job."""

    def call(step: Step) -> Any:
        status, answer = _call(step.method, f"{base_url}{step.path}", dict(step.headers), step.body)
        if status not in step.expected:
            raise RuntimeError(f"setting up ({step.operation}) failed: {status} {answer}")
        return answer

    return call


def live_job(call: Call, company: Company, n: int, first_day: datetime) -> None:
    """Job ``n``'s life, in its own slot (see the module docstring)."""
    technician_id = TECHNICIANS[n % len(TECHNICIANS)]
    slot = n // len(TECHNICIANS)
    start = first_day + timedelta(days=slot // SLOTS_PER_DAY, hours=2 * (slot % SLOTS_PER_DAY))
    job = Job.book(call, company, n, start, technician_id)
    find_customer(call, company, n)
    cursor = job.board(call)
    job.assign(call)
    job.changes(call, cursor)
    job.on_my_way(call)
    for _ in range(FIX_BATCHES):
        job.send_fixes(call, fixes(FIXES_PER_BATCH, 1.0, datetime.now(UTC)))
    job.positions(call)
    job.arrived(call)
    job.done(call)
    job.deliveries(call)


def live_jobs(user: User, company: Company, numbers: Iterator[int], first_day: datetime) -> None:
    """Jobs, one after the other, until the budget is spent or an answer is refused."""
    try:
        while True:
            live_job(user.call, company, next(numbers), first_day)
    except (Spent, Refused):
        pass
    finally:
        user.close()


@dataclass(frozen=True)
class Profile:
    users: int
    seconds: float
    operations: int


def run_load(base_url: str, profile: Profile) -> tuple[Tally, float]:
    """The workload of the module docstring; the tally and the wall-clock seconds it took."""
    company = Company(
        admin=_headers(base_url, "admin@demo"),
        office=_headers(base_url, "dispatcher@demo"),
        technicians={t: _headers(base_url, t) for t in TECHNICIANS},
    )
    now = datetime.now(UTC)
    setup = _setup_call(base_url)
    company.set_up(setup, now)
    local = now.astimezone(noon_zone(now))
    first_day = (local + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    numbers = itertools.count()
    live_job(setup, company, next(numbers), first_day)  # unmeasured: every function's first run
    tally = Tally()
    began = time.perf_counter()
    budget = Budget(profile.seconds, profile.operations)
    with ThreadPoolExecutor(profile.users) as pool:
        users = [User(base_url, tally, budget) for _ in range(profile.users)]
        list(pool.map(lambda u: live_jobs(u, company, numbers, first_day), users))
    return tally, time.perf_counter() - began


def _tail(ms: list[float]) -> list[str]:
    """p50, p95 and p99, in whole milliseconds."""
    return [f"{_percentile(ms, share):.0f}" for share in (0.5, 0.95, 0.99)]


def report(tally: Tally, seconds: float, profile: Profile, quick: bool, load: tuple[float, float]) -> str:
    total = tally.operations
    rows = [
        f"| {name} | {len(ms)} | {len(ms) / seconds:.1f} | {' | '.join(_tail(ms))} |"
        for name, ms in sorted(tally.latencies.items(), key=lambda item: -len(item[1]))
    ]
    every = [v for ms in tally.latencies.values() for v in ms]
    lines = [
        f"# load{' (quick profile)' if quick else ''}",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores,"
        f" Python {platform.python_version()}: `python -m bench load{' --quick' if quick else ''}`.",
        "",
        f"## {profile.users} users for up to {profile.seconds:.0f} s or {profile.operations} operations",
        "",
        "Through HTTP (keep-alive, one connection per user) against the local stack (`python -m"
        " truckroll_local`, moto server behind it, pumps and ticker running), everything on this"
        " machine. Each user lives jobs one after the other: book, customer search, board, assign,"
        f" board changes, on my way, {FIX_BATCHES} GPS batches of {FIXES_PER_BATCH} fixes, positions,"
        " arrived, done, the job's messages.",
        "",
        "| summary | value |",
        "|---|---|",
        f"| operations | {total} in {seconds:.1f} s |",
        f"| throughput | {total / seconds:.1f} operations/s |",
        f"| jobs booked | {len(tally.latencies.get('book', []))} |",
        f"| errors (non-2xx) | {len(tally.errors)} |",
        f"| latency p50 / p95 / p99, all operations | {' / '.join(_tail(every))} ms |",
        f"| machine load average (1 min) before / after | {load[0]:.1f} / {load[1]:.1f} |",
        "",
        "| operation | count | per s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|",
        *rows,
    ]
    return "\n".join(lines) + "\n"


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--load-users", type=int, help="virtual users (default 8, quick 4)")
    parser.add_argument("--load-seconds", type=float, help="how long they run (default 60, quick 15)")
    parser.add_argument(
        "--load-operations", type=int, help="at most this many requests (default 5000, quick 600)"
    )


def _run(args: argparse.Namespace) -> str:
    profile = Profile(
        users=args.load_users or (4 if args.quick else 8),
        seconds=args.load_seconds or (15.0 if args.quick else 60.0),
        operations=args.load_operations or (600 if args.quick else 5000),
    )
    print(
        f"{profile.users} users, {profile.seconds:.0f} s, at most {profile.operations} operations",
        file=sys.stderr,
    )
    load_before = os.getloadavg()[0]
    with running_stack() as (base_url, _):
        tally, seconds = run_load(base_url, profile)
    print(f"{tally.operations} operations in {seconds:.1f} s, {len(tally.errors)} errors", file=sys.stderr)
    if tally.errors:
        shown = "\n".join(tally.errors[:10])
        raise RuntimeError(f"{len(tally.errors)} operations answered an error status:\n{shown}")
    return report(tally, seconds, profile, args.quick, (load_before, os.getloadavg()[0]))


register(
    Suite(
        "load",
        "mixed booking, dispatch and tracking workload over HTTP: throughput, p50/p95/p99 per operation",
        _run,
        _options,
    )
)
