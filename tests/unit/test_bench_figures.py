"""The arithmetic behind the load and cost benches: DynamoDB's billing units, text parts, the month's
model, the load budget and the lifecycle's shifts and fixes."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

if str(Path(__file__).resolve().parents[2]) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parents[2]))

from bench.lifecycle import fixes, noon_zone, today_shift
from bench.suites.cost import (
    Meter,
    Month,
    Quantities,
    _read_units,
    _sms_parts,
    _write_units,
    item_size,
    month_rows,
)
from bench.suites.load import Budget, Spent


def _model(service: str, operation: str) -> Any:
    return SimpleNamespace(name=operation, service_model=SimpleNamespace(service_name=service))


def _item(size: int, **extra: str) -> dict[str, Any]:
    """An item of exactly ``size`` bytes: ``pk`` (2 bytes of name) and a string value."""
    item = {"pk": {"S": "x" * (size - 2 - sum(len(k) + len(v) for k, v in extra.items()))}}
    item.update({k: {"S": v} for k, v in extra.items()})
    assert item_size(item) == size
    return item


def test_item_size_counts_names_and_values_as_dynamodb_does() -> None:
    assert item_size({"pk": {"S": "abc"}}) == 5
    assert item_size({"n": {"N": "123"}}) == 1 + 2
    assert item_size({"b": {"BOOL": True}, "z": {"NULL": True}}) == 4
    assert item_size({"m": {"M": {"ab": {"S": "c"}}}}) == 1 + 3 + 1 + 2 + 1
    assert item_size({"l": {"L": [{"S": "ab"}, {"S": "c"}]}}) == 1 + 3 + 1 + 2 + 1 + 1


def test_writes_cost_a_unit_per_kb_and_again_for_each_index_holding_the_item() -> None:
    assert _write_units(_item(100)) == 1
    assert _write_units(_item(1024)) == 1
    assert _write_units(_item(1025)) == 2
    assert _write_units(_item(100, gsi1pk="a")) == 2
    assert _write_units(_item(1500, gsi1pk="a", gsi2pk="b")) == 6


def test_reads_cost_half_a_unit_per_4_kb_eventually_consistent_and_queries_add_their_items_up() -> None:
    assert _read_units([], consistent=False) == 0.5
    assert _read_units([_item(5000)], consistent=False) == 1.0
    assert _read_units([_item(5000)], consistent=True) == 2.0
    three = [_item(1500)] * 3
    assert _read_units(three, consistent=False) == 1.5  # one 4 KB unit per item
    assert _read_units(three, consistent=False, together=True) == 1.0  # 4,500 bytes: two units


def test_a_transaction_costs_twice_its_items_writes() -> None:
    meter = Meter()
    params = {
        "TransactItems": [
            {"Put": {"Item": _item(100, gsi1pk="a")}},
            {"Update": {"Key": {}, "ExpressionAttributeNames": {"#a": "status"}}},
            {"ConditionCheck": {"Key": {}}},
        ]
    }
    with meter.measuring("book"), meter.running("booking-api"):
        meter.before(_model("dynamodb", "TransactWriteItems"), params)
    usage = meter.usage["book"]
    assert usage.wru == 2 * (2 + 1 + 1)
    assert (usage.calls["dynamodb:TransactWriteItems"], usage.items["dynamodb:TransactWriteItems"]) == (1, 3)
    assert usage.invocations["booking-api"] == 1


def test_calls_outside_a_function_are_the_pumps_own_and_nothing_is_counted_outside_an_operation() -> None:
    meter = Meter()
    meter.before(_model("sqs", "SendMessageBatch"), {})
    with meter.measuring("book"):
        meter.before(_model("sqs", "ReceiveMessage"), {})
        with meter.running("notify.on_event"):
            meter.before(_model("sns", "Publish"), {"PhoneNumber": "+15125550100", "Message": "x" * 200})
            meter.before(_model("sns", "Publish"), {"TargetArn": "arn:endpoint", "Message": "push"})
    (usage,) = meter.usage.values()
    assert usage.polling == {"sqs:ReceiveMessage": 1}
    assert usage.calls == {"sns:Publish": 2}
    assert (usage.sms_parts, usage.pushes) == (2, 1)
    assert meter.texts == ["x" * 200]


@pytest.mark.parametrize(("length", "parts"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3)])
def test_a_text_is_billed_in_parts_of_160_or_153_characters(length: int, parts: int) -> None:
    assert _sms_parts("x" * length) == parts


def test_the_month_counts_every_fix_of_every_shift_once() -> None:
    month = Month()
    one = Quantities(api=1)
    per = {key: one for key in _operations()}
    rows = {what: times for what, times, _ in month_rows(month, per)}
    gps = sum(times for what, times in rows.items() if what.startswith("GPS fixes"))
    assert gps == month.technicians * month.working_days * month.hours * 3600 / month.fix_seconds
    assert rows["on my way (link, text, push)"] == month.jobs
    assert rows["book (office)"] + rows["book online (assigned as booked)"] == month.jobs
    assert rows["board change feed polls"] == month.dispatchers * month.working_days * month.hours * 1800


def _operations() -> list[str]:
    return [
        "book",
        "customer_search",
        "book_online",
        "assign",
        "reminder",
        "on_my_way",
        "gps_fixes",
        "link_open",
        "arrived",
        "done",
        "board",
        "board_kpis",
        "board_changes",
        "idle:send_due_messages",
        "idle:sweep_silent_devices",
        "idle:auto_dispatch",
    ]


def test_quantities_scale_and_add_field_by_field() -> None:
    q = Quantities(api=1, wru=2.5, sms_parts=1)
    assert q.times(4) + q == Quantities(api=5, wru=12.5, sms_parts=5)
    assert q - q == Quantities()


def test_the_load_budget_stops_at_the_operation_count() -> None:
    budget = Budget(seconds=60, operations=3)
    for _ in range(3):
        budget.take()
    with pytest.raises(Spent):
        budget.take()


def test_the_load_budget_stops_at_the_deadline() -> None:
    budget = Budget(seconds=0, operations=100)
    with pytest.raises(Spent):
        budget.take()


@pytest.mark.parametrize("hour", [0, 5, 11, 12, 18, 23])
def test_todays_shift_holds_now_in_one_local_day(hour: int) -> None:
    now = datetime(2026, 11, 22, hour, 37, tzinfo=UTC)
    shift = today_shift(now)
    start, end = datetime.fromisoformat(shift["start"]), datetime.fromisoformat(shift["end"])
    assert start < now < end
    assert start.date() == end.date() == now.astimezone(noon_zone(now)).date()


def test_fixes_end_now_and_move_towards_the_job() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    batch = fixes(10, 1.0, now)
    assert batch[-1]["recorded_at"] == now.isoformat()
    assert batch[0]["recorded_at"] == (now - timedelta(seconds=9)).isoformat()
    assert [f["lat"] for f in batch] == sorted(f["lat"] for f in batch)
