"""The ticker fires scheduled handlers at their rate with EventBridge's scheduled-event shape."""

from __future__ import annotations

import pytest
from chalice.app import Chalice, CloudWatchEvent

from truckroll_local.runtime import HandlerRef
from truckroll_local.ticker import ScheduledJob, Ticker

pytestmark = pytest.mark.integration


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_ticker_fires_each_schedule_once_per_period() -> None:
    app = Chalice("probe")
    fired: list[CloudWatchEvent] = []

    @app.schedule("rate(5 minutes)", name="due_reminders")
    def due_reminders(event: CloudWatchEvent) -> None:
        fired.append(event)

    clock = FakeClock(1_800_000_000.0)
    ticker = Ticker([ScheduledJob(HandlerRef(app, "due_reminders"), period_seconds=300)], clock=clock)

    clock.now += 299
    assert ticker.poll() == 0
    clock.now += 1
    assert ticker.poll() == 1
    assert ticker.poll() == 0
    clock.now += 1000  # slept through three runs: they are not made up
    assert ticker.poll() == 1
    clock.now += 199
    assert ticker.poll() == 0
    clock.now += 1
    assert ticker.poll() == 1

    assert len(fired) == 3
    event = fired[0]
    assert event.detail_type == "Scheduled Event"
    assert event.source == "aws.events"
    assert event.detail == {}
    assert event.resources == ["arn:aws:events:us-east-1:123456789012:rule/probe-local-due_reminders"]
    assert event.time == "2027-01-15T08:05:00Z"
    assert len({e.event_id for e in fired}) == 3


def test_a_failing_schedule_is_counted_and_does_not_stop_the_others() -> None:
    app = Chalice("probe")
    ran: list[str] = []

    @app.schedule("rate(1 minute)", name="broken")
    def broken(event: CloudWatchEvent) -> None:
        raise RuntimeError("boom")

    @app.schedule("rate(1 minute)", name="fine")
    def fine(event: CloudWatchEvent) -> None:
        ran.append(event.event_id)

    clock = FakeClock(0.0)
    ticker = Ticker(
        [ScheduledJob(HandlerRef(app, name), period_seconds=60) for name in ("broken", "fine")], clock=clock
    )
    clock.now = 60
    assert ticker.poll() == 2
    assert len(ran) == 1
    assert (ticker.stats.invocations, ticker.stats.failed) == (2, 1)
    assert ticker.health()["ok"] is True


def test_a_missing_scheduled_handler_shows_in_health() -> None:
    ticker = Ticker([ScheduledJob(HandlerRef(Chalice("probe"), "not_written_yet"), period_seconds=60)])
    assert ticker.health()["ok"] is False
    assert ticker.health()["missing_handlers"] == ["not_written_yet"]
