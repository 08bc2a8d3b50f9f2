"""What a job's life asks of AWS, operation by operation, and what 1,000 jobs a month cost at AWS's
list prices (us-east-1).

The whole system runs in this process on the local stack (moto behind it, nothing in the
background): each operation of :mod:`bench.lifecycle` is one request through the gateway followed by
draining every pump, so the relays, consumers and texts it causes count towards it. Every AWS call
the functions make is counted by botocore event hooks: DynamoDB calls by type with the request
units they consume (computed from the items' sizes the way DynamoDB bills them: writes per KB and
index, reads per 4 KB, half for eventually consistent reads, double in transactions), SQS sends,
SNS texts (with their parts) and pushes, SES emails, S3. Lambda invocations are counted per
function with their durations (each API request is one invocation of its service's function; the
event functions are timed as the pumps and schedules call them). Calls the pumps make themselves
(Lambda's event source mappings polling SQS and the streams) are counted apart.

The month is then a model (``MONTH`` and ``PER_JOB`` below, printed with the results): how often
each operation happens per job and per working day, priced with ``PRICES``. The measured durations
run against moto on this machine: they overstate Lambda's time against DynamoDB, so the Lambda
line is an upper bound.

Full profile: 3 jobs' lives, 5 GPS fixes each while travelling; ``--quick``: 1 job.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from botocore.handlers import BUILTIN_HANDLERS

from bench.lifecycle import CREATED, Call, Company, Job, Step, find_customer, fix, noon_zone
from bench.registry import Suite, register
from bench.suites.booking import SETTINGS as BOOKING_SETTINGS
from truckroll.resources import RESOURCES, Schedule
from truckroll_local.runtime import HandlerRef
from truckroll_local.stack import LocalStack
from truckroll_local.ticker import scheduled_event

TENANT = "demo"
SETTINGS = {
    **BOOKING_SETTINGS,
    "job_types": [
        *BOOKING_SETTINGS["job_types"],
        {"name": "Maintenance", "duration_minutes": 120, "skills": []},
    ],
}
TECHNICIAN = "tech-1@demo"
ONLINE_ZONE = ZoneInfo(str(BOOKING_SETTINGS["time_zone"]))
MEMORY_GB = 0.5  # infra.settings.LAMBDA_MEMORY_MB
SMS_PART_CHARACTERS, SMS_CONCATENATED_PART = 160, 153
WRITE_KB, READ_KB = 1024, 4096
REMINDER_DUE_SECONDS = 10
TRANSACTION_TYPES = ("Put", "Update", "Delete", "ConditionCheck")
CONSISTENT = "truckroll_bench_consistent_read"
INDEX_KEYS = {"gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"}  # truckroll.resources: every table's index keys


# -- prices ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    what: str
    usd: float
    per: float
    unit: str  # plural
    one: str  # singular


#: us-east-1 list prices from the AWS pricing pages as published in 2025 (DynamoDB on-demand after
#: its November 2024 reduction); free tiers left out. Re-check them before quoting a customer.
PRICES: dict[str, Price] = {
    "api": Price("API Gateway REST API requests", 3.50, 1e6, "requests", "request"),
    "lambda_requests": Price("Lambda requests", 0.20, 1e6, "invocations", "invocation"),
    "lambda_gb_s": Price("Lambda duration, x86", 0.0000166667, 1, "GB-s", "GB-s"),
    "wru": Price("DynamoDB on-demand write request units", 0.625, 1e6, "WRU", "WRU"),
    "rru": Price("DynamoDB on-demand read request units", 0.125, 1e6, "RRU", "RRU"),
    "sqs": Price("SQS standard requests", 0.40, 1e6, "requests", "request"),
    # End User Messaging's US base price, and about $0.003 of carrier fees (10DLC, averaged).
    "sms": Price("SMS to US numbers (base price and carrier fee)", 0.00581 + 0.003, 1, "parts", "part"),
    "push": Price("SNS mobile push deliveries", 0.50, 1e6, "pushes", "push"),
    "email": Price("SES outbound email", 0.10, 1000, "emails", "email"),
    "logs": Price("CloudWatch Logs ingestion", 0.50, 1, "GB", "GB"),
    "xray": Price("X-Ray traces recorded", 5.00, 1e6, "traces", "trace"),
}
PRICES_AS_OF = "AWS pricing pages, us-east-1, as published in 2025"
#: Lambda's START, END and REPORT lines and the functions' own structured lines, per invocation.
LOG_BYTES_PER_INVOCATION = 1500
#: An idle SQS event source mapping long-polls with about 5 pollers, 3 requests a minute each.
IDLE_RECEIVES_PER_QUEUE_MINUTE = 15


# -- counting ---------------------------------------------------------------------------------------


@dataclass
class Usage:
    """What one operation asked of AWS."""

    calls: Counter[str] = field(default_factory=Counter)  # "dynamodb:PutItem" -> calls
    items: Counter[str] = field(default_factory=Counter)  # "dynamodb:TransactWriteItems" -> items
    wru: float = 0.0
    rru: float = 0.0
    sms_parts: int = 0
    pushes: int = 0
    invocations: Counter[str] = field(default_factory=Counter)  # function -> invocations
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # function -> seconds
    polling: Counter[str] = field(default_factory=Counter)  # the event source mappings' own calls

    def quantities(self, occurrences: int) -> Quantities:
        """The billable quantities of one occurrence of the operation, on average."""
        api = sum(n for f, n in self.invocations.items() if f.endswith("-api"))
        consumed = sum(n for f, n in self.invocations.items() if f.endswith(".on_event"))
        sends = self.calls["sqs:SendMessageBatch"] + self.calls["sqs:SendMessage"]
        return Quantities(
            api=api,
            invocations=sum(self.invocations.values()),
            gb_s=sum(self.seconds.values()) * MEMORY_GB,
            wru=self.wru,
            rru=self.rru,
            # Lambda's pollers receive each batch and delete what succeeded: two requests a batch.
            sqs=sends + 2 * consumed,
            sms_parts=self.sms_parts,
            pushes=self.pushes,
            emails=self.calls["ses:SendEmail"] + self.calls["ses:SendRawEmail"],
        ).times(1 / occurrences)


@dataclass(frozen=True)
class Quantities:
    """What AWS bills, for one occurrence of something or for a month of it."""

    api: float = 0.0
    invocations: float = 0.0
    gb_s: float = 0.0
    wru: float = 0.0
    rru: float = 0.0
    sqs: float = 0.0
    sms_parts: float = 0.0
    pushes: float = 0.0
    emails: float = 0.0

    def times(self, k: float) -> Quantities:
        return Quantities(*(getattr(self, f.name) * k for f in fields(self)))

    def __add__(self, other: Quantities) -> Quantities:
        return Quantities(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __sub__(self, other: Quantities) -> Quantities:
        return self + other.times(-1)


class Meter:
    """The botocore hooks' state: the operation being measured and the function running."""

    def __init__(self) -> None:
        self.usage: dict[str, Usage] = defaultdict(Usage)
        self.occurrences: Counter[str] = Counter()
        self.texts: list[str] = []
        self.operation: str | None = None
        self.function: str | None = None

    def reset(self) -> None:
        self.usage.clear()
        self.occurrences.clear()
        self.texts.clear()

    @contextmanager
    def measuring(self, operation: str) -> Iterator[None]:
        self.operation = operation
        try:
            yield
        finally:
            self.operation = None

    @contextmanager
    def running(self, function: str) -> Iterator[None]:
        outer, self.function = self.function, function
        began = time.perf_counter()
        try:
            yield
        finally:
            self.function = outer
            if self.operation is not None:
                usage = self.usage[self.operation]
                usage.invocations[function] += 1
                usage.seconds[function] += time.perf_counter() - began

    def before(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if self.operation is None:
            return
        usage = self.usage[self.operation]
        name = f"{model.service_model.service_name}:{model.name}"
        if self.function is None:
            usage.polling[name] += 1
            return
        usage.calls[name] += 1
        if name == "dynamodb:TransactWriteItems":
            usage.items[name] += len(params["TransactItems"])
            usage.wru += 2 * sum(_transact_write_units(item) for item in params["TransactItems"])
        elif name == "dynamodb:BatchWriteItem":
            requests = [r for rs in params["RequestItems"].values() for r in rs]
            usage.items[name] += len(requests)
            usage.wru += sum(
                _write_units(r["PutRequest"]["Item"]) if "PutRequest" in r else 1 for r in requests
            )
        elif name == "dynamodb:PutItem":
            usage.wru += _write_units(params["Item"])
        elif name in ("dynamodb:UpdateItem", "dynamodb:DeleteItem"):
            usage.wru += 1 + _index_writes(params)
        elif name == "sns:Publish" and "PhoneNumber" in params:
            usage.sms_parts += _sms_parts(params["Message"])
            self.texts.append(params["Message"])
        elif name == "sns:Publish":
            usage.pushes += 1

    def after(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if self.operation is None or self.function is None or model.service_model.service_name != "dynamodb":
            return
        usage = self.usage[self.operation]
        consistent = bool(context.get(CONSISTENT))
        if model.name == "GetItem":
            usage.rru += _read_units([parsed["Item"]] if "Item" in parsed else [], consistent)
        elif model.name == "Query":
            usage.rru += _read_units(parsed.get("Items", []), consistent, together=True)
        elif model.name == "BatchGetItem":
            items = [i for rs in parsed.get("Responses", {}).values() for i in rs]
            usage.items["dynamodb:BatchGetItem"] += len(items)
            usage.rru += sum(_read_units([i], consistent) for i in items)
        elif model.name == "TransactGetItems":
            items = [r["Item"] for r in parsed.get("Responses", []) if "Item" in r]
            usage.items["dynamodb:TransactGetItems"] += len(items)
            usage.rru += 4 * sum(_read_units([i], False) for i in items)


def _remember_consistency(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """A read's consistency, for :meth:`Meter.after` (a BatchGetItem's from any of its tables)."""
    tables = params.get("RequestItems", {}).values() if "RequestItems" in params else [params]
    context[CONSISTENT] = any(bool(t.get("ConsistentRead")) for t in tables if isinstance(t, dict))


def _value_size(value: Mapping[str, Any]) -> int:
    """DynamoDB's size of one typed attribute value."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        return len(str(inner).lstrip("-").replace(".", "")) // 2 + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in inner)
    return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in inner.items())  # M


def item_size(item: Mapping[str, Any]) -> int:
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _write_units(item: Mapping[str, Any]) -> float:
    """The table's write and one per index holding the item."""
    indexes = sum(1 for key in ("gsi1pk", "gsi2pk") if key in item)
    return max(1, math.ceil(item_size(item) / WRITE_KB)) * (1 + indexes)


def _index_writes(params: Mapping[str, Any]) -> int:
    """An update setting an index key rewrites that index's entry."""
    named = set(params.get("ExpressionAttributeNames", {}).values())
    return len({key[:4] for key in named & INDEX_KEYS})


def _transact_write_units(entry: Mapping[str, Any]) -> float:
    (kind,) = (k for k in TRANSACTION_TYPES if k in entry)
    if kind == "Put":
        return _write_units(entry["Put"]["Item"])
    return 1 + (_index_writes(entry[kind]) if kind == "Update" else 0)


def _read_units(items: list[Mapping[str, Any]], consistent: bool, together: bool = False) -> float:
    """A Query rounds the items it read together up to 4 KB; a GetItem each item."""
    factor = 1.0 if consistent else 0.5
    if together:
        return max(1, math.ceil(sum(item_size(i) for i in items) / READ_KB)) * factor
    return sum(max(1, math.ceil(item_size(i) / READ_KB)) for i in items) * factor or factor


def _sms_parts(text: str) -> int:
    if len(text) <= SMS_PART_CHARACTERS:
        return 1
    return math.ceil(len(text) / SMS_CONCATENATED_PART)


METER = Meter()


HOOKS = (
    ("before-parameter-build", _remember_consistency),
    ("before-parameter-build", METER.before),
    ("after-call", METER.after),
)


@contextmanager
def hooked() -> Iterator[None]:
    """Every botocore session made meanwhile (the stack's, the apps') counts its calls."""
    BUILTIN_HANDLERS.extend(HOOKS)
    try:
        yield
    finally:
        for hook in HOOKS:
            BUILTIN_HANDLERS.remove(hook)


# -- the measured lives ------------------------------------------------------------------------------


def _timed_event_functions(stack: LocalStack) -> None:
    """Every declared event function of the loaded apps runs under :meth:`Meter.running`."""
    declared = [(q.consumer, q.handler) for q in RESOURCES.queues]
    declared += [(c.consumer, c.handler) for c in RESOURCES.stream_consumers]
    declared += [(s.consumer, s.handler) for s in RESOURCES.schedules]
    for service, name in set(declared):
        app = stack.apps[service]
        app.handler_map[name] = _timed(f"{service}.{name}", app.handler_map[name])


def _timed(function: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    def run(event: Any, context: Any) -> Any:
        with METER.running(function):
            return handler(event, context)

    return run


def _caller(stack: LocalStack) -> Call:
    """Each call is one API invocation and everything the pumps then deliver."""

    def call(step: Step) -> Any:
        with METER.measuring(step.operation):
            METER.occurrences[step.operation] += 1
            with METER.running(f"{step.path.split('/')[1]}-api"):
                response = stack.request(step.method, step.path, dict(step.headers), step.body)
            stack.drain()
        if response.status not in step.expected:
            raise RuntimeError(
                f"{step.operation}: {step.method} {step.path}: {response.status} {response.text[:300]}"
            )
        return json.loads(response.body or b"null")

    return call


def _tick(stack: LocalStack, schedule: Schedule, operation: str) -> None:
    """One run of a schedule, as EventBridge fires it, and what it causes."""
    handler = HandlerRef(stack.apps[schedule.consumer], schedule.handler)
    with METER.measuring(operation):
        METER.occurrences[operation] += 1
        handler.invoke(
            scheduled_event(f"arn:aws:events:us-east-1:123456789012:rule/{operation}", time.time())
        )
        stack.drain()


def _schedule(handler: str) -> Schedule:
    return next(s for s in RESOURCES.schedules if s.handler == handler)


def _last_link(texts: list[str]) -> str:
    """The path of the customer's tracking link in the last text that had one."""
    for text in reversed(texts):
        if match := re.search(r"https?://\S+(/tracking/links/\S+)", text):
            return match.group(1)
    raise RuntimeError("no text carried a tracking link")


def online_body(n: int, start: datetime) -> dict[str, Any]:
    return {
        "service": BOOKING_SETTINGS["online"]["services"][0]["label"],
        "start": start.isoformat(),
        "customer": {"name": f"Online customer {n}", "phone": f"+1737555{n:04d}"},
        "address": {"street": f"{n} Oak St", "city": "Austin", "state": "TX", "postal_code": "78701"},
    }


def live(stack: LocalStack, jobs: int, travel_fixes: int, tenant: str) -> list[str]:
    """``jobs`` lives of a job booked by the office, each with its own technician, and as many
    jobs booked online for tomorrow; the reminder sweep with reminders due, then each schedule
    idle. Returns the texts sent."""
    call = _caller(stack)
    technicians = [f"tech-{n + 1}@demo" for n in range(jobs)]
    company = Company(
        admin=stack.auth_headers("admin@demo", tenant),
        office=stack.auth_headers("dispatcher@demo", tenant),
        technicians={t: stack.auth_headers(t, tenant) for t in technicians},
    )
    now = datetime.now(UTC)
    company.set_up(call, now)
    call(Step("settings", "PUT", "/booking/settings", company.admin, SETTINGS))
    tomorrow = datetime.now(ONLINE_ZONE).date() + timedelta(days=1)
    opens = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 8, tzinfo=ONLINE_ZONE)
    for technician_id in technicians:
        device = {"platform": "fcm", "token": f"device-token-{tenant}-{technician_id}"}
        call(Step("device", "POST", "/notify/devices", company.technicians[technician_id], device, CREATED))
        shift = {"start": opens.isoformat(), "end": (opens + timedelta(hours=9)).isoformat()}
        path = f"/dispatch/technicians/{quote(technician_id, safe='@')}/shifts"
        call(Step("shift", "POST", path, company.office, shift, CREATED))
    # The 2-hour reminder falls due at the first whole minute at least 10 s after booking (windows
    # are kept to the minute); the 24-hour one is already past.
    reminder_due = (now + timedelta(seconds=REMINDER_DUE_SECONDS + 59)).replace(second=0, microsecond=0)
    start = reminder_due.astimezone(noon_zone(now)) + timedelta(hours=2)
    booked = [Job.book(call, company, n, start, t) for n, t in enumerate(technicians)]
    for n in range(jobs):
        body = online_body(n, opens + timedelta(hours=1 + 2 * n))
        call(Step("book_online", "POST", f"/booking/online/{tenant}/bookings", {}, body, CREATED))
    time.sleep(max(0.0, (reminder_due - datetime.now(UTC)).total_seconds() + 1))
    _tick(stack, _schedule("send_due_messages"), "reminders_due")
    for n, job in enumerate(booked):
        find_customer(call, company, n)
        cursor = job.board(call)
        job.kpis(call)
        job.assign(call)
        job.changes(call, cursor)
        job.on_my_way(call)
        for i in range(travel_fixes):
            at = datetime.now(UTC) - timedelta(seconds=15 * (travel_fixes - 1 - i))
            job.send_fixes(call, [fix((i + 1) / (travel_fixes + 1), at)])
        call(Step("link_open", "GET", _last_link(METER.texts), {}))
        job.positions(call)
        job.arrived(call)
        job.done(call)
        job.deliveries(call)
    for schedule in RESOURCES.schedules:
        _tick(stack, schedule, f"idle:{schedule.handler}")
    return list(METER.texts)


# -- the month -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    """The company a month of 1,000 jobs describes (every figure an assumption, printed)."""

    jobs: int = 1000
    working_days: int = 22
    days: int = 30  # schedules run every day
    technicians: int = 10  # about 4.5 jobs a technician a working day
    dispatchers: int = 2
    hours: int = 9  # a shift, and how long a dispatcher keeps the board open
    online_share: float = 0.3  # booked online (assigned as booked), the rest by the office
    travel_minutes: int = 30
    fix_seconds: int = 15  # the technician app sends one fix every 15 s while on shift
    link_minutes: int = 5  # the customer's tracking page open (it refreshes every 15 s)
    reminders: int = 2  # the default leads: 24 hours and 2 hours
    board_loads: int = 20  # board (and its measures) opened or reloaded per dispatcher a day
    feed_seconds: int = 2  # the board's change feed polls every 2 s
    authorizer_minutes: int = 5  # API Gateway caches an authorizer's answer per token and API


def month_rows(month: Month, per: Mapping[str, Quantities]) -> list[tuple[str, float, Quantities]]:
    """(what, how many a month, the quantities of one) for every line of the month."""
    office = month.jobs * (1 - month.online_share)
    shift_fixes = month.technicians * month.working_days * month.hours * 3600 / month.fix_seconds
    travel_fixes = month.jobs * month.travel_minutes * 60 / month.fix_seconds
    dispatcher_hours = month.dispatchers * month.working_days * month.hours
    rows = [
        ("book (office)", office, per["book"]),
        ("customer search (office bookings)", office, per["customer_search"]),
        ("book online (assigned as booked)", month.jobs * month.online_share, per["book_online"]),
        ("assign (office bookings)", office, per["assign"]),
        ("reminder texts", month.jobs * month.reminders, per["reminder"]),
        ("on my way (link, text, push)", month.jobs, per["on_my_way"]),
        (f"GPS fixes while travelling ({month.travel_minutes} min a job)", travel_fixes, per["gps_fixes"]),
        ("GPS fixes the rest of the shift", shift_fixes - travel_fixes, per["gps_fixes"]),
        ("customer tracking page reads", month.jobs * month.link_minutes * 60 / 15, per["link_open"]),
        ("arrived", month.jobs, per["arrived"]),
        ("done (review request)", month.jobs, per["done"]),
        ("board loads", month.dispatchers * month.working_days * month.board_loads, per["board"]),
        ("board measures", month.dispatchers * month.working_days * month.board_loads, per["board_kpis"]),
        ("board change feed polls", dispatcher_hours * 3600 / month.feed_seconds, per["board_changes"]),
    ]
    for schedule in RESOURCES.schedules:
        runs = month.days * 24 * 60 / schedule.rate_minutes
        rows.append((f"schedule {schedule.handler} (idle runs)", runs, per[f"idle:{schedule.handler}"]))
    # Each user's token is checked once per API and cache period: dispatchers use four APIs,
    # technicians three. Not measured (no AWS call); 50 ms each.
    checks = (month.dispatchers * 4 + month.technicians * 3) * month.working_days * month.hours * 60
    authorizer = Quantities(invocations=1, gb_s=0.05 * MEMORY_GB)
    rows.append(("JWT authorizer runs", checks / month.authorizer_minutes, authorizer))
    idle_polls = len(RESOURCES.queues) * IDLE_RECEIVES_PER_QUEUE_MINUTE * month.days * 24 * 60
    rows.append(("SQS pollers while queues are empty", idle_polls, Quantities(sqs=1)))
    return rows


def costs(total: Quantities) -> list[tuple[str, float, Price]]:
    """(price key, quantity, price) of every billed line."""
    invocations = total.invocations
    return [
        ("api", total.api, PRICES["api"]),
        ("lambda_requests", invocations, PRICES["lambda_requests"]),
        ("lambda_gb_s", total.gb_s, PRICES["lambda_gb_s"]),
        ("wru", total.wru, PRICES["wru"]),
        ("rru", total.rru, PRICES["rru"]),
        ("sqs", total.sqs, PRICES["sqs"]),
        ("sms", total.sms_parts, PRICES["sms"]),
        ("push", total.pushes, PRICES["push"]),
        ("email", total.emails, PRICES["email"]),
        ("logs", invocations * LOG_BYTES_PER_INVOCATION / 1e9, PRICES["logs"]),
        ("xray", invocations, PRICES["xray"]),
    ]


def dollars(quantity: float, price: Price) -> float:
    return quantity * price.usd / price.per


def _price(price: Price) -> str:
    usd = f"{price.usd:.10f}".rstrip("0").rstrip(".")
    per = {1e6: f"million {price.unit}", 1000: f"1,000 {price.unit}", 1: price.one}[price.per]
    return f"${usd} per {per}"


# -- the suite -----------------------------------------------------------------------------------------


def per_operation() -> dict[str, Quantities]:
    """Each measured operation's quantities for one occurrence; ``reminder`` is one reminder sent
    (the sweep with reminders due, less an idle sweep)."""
    per = {op: usage.quantities(METER.occurrences[op]) for op, usage in METER.usage.items()}
    due = METER.usage["reminders_due"]
    sent = max(1, due.sms_parts + due.calls["ses:SendEmail"])
    per["reminder"] = (per["reminders_due"] - per["idle:send_due_messages"]).times(1 / sent)
    return per


def _calls_cell(usage: Usage, occurrences: int) -> str:
    def each(name: str) -> str:
        count = usage.calls[name] / occurrences
        items = usage.items.get(name)
        shown = f"{count:g}" if items is None else f"{count:g} ({items / occurrences:g} items)"
        return f"{name.split(':')[1]} {shown}"

    return ", ".join(each(name) for name in sorted(usage.calls) if name.startswith("dynamodb:"))


def report(month: Month, quick: bool, jobs: int, travel_fixes: int, texts: list[str]) -> str:
    per = per_operation()
    rows = month_rows(month, per)
    total = sum((q.times(n) for _, n, q in rows), Quantities())
    lines = [
        f"# cost{' (quick profile)' if quick else ''}",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores,"
        f" Python {platform.python_version()}: `python -m bench cost{' --quick' if quick else ''}`.",
        "",
        f"## AWS requests per operation ({jobs} job lives, {travel_fixes} GPS fixes each while travelling)",
        "",
        "Per occurrence, averaged: what the API function and everything it set off (relays, consumers,"
        " texts) asked of AWS. Units are DynamoDB request units computed from the items' sizes.",
        "",
        "| operation | Lambda invocations (mean ms) | DynamoDB calls | WRU | RRU | SQS sends"
        " | SMS parts / pushes |",
        "|---|---|---|---|---|---|---|",
    ]
    for op, usage in METER.usage.items():
        n = METER.occurrences[op]
        functions = ", ".join(
            f"{f} {usage.invocations[f] / n:g} ({1000 * usage.seconds[f] / usage.invocations[f]:.0f})"
            for f in sorted(usage.invocations)
        )
        dynamo = _calls_cell(usage, n)
        sends = (usage.calls["sqs:SendMessageBatch"] + usage.calls["sqs:SendMessage"]) / n
        lines.append(
            f"| {op} | {functions} | {dynamo} | {usage.wru / n:g} | {usage.rru / n:g} | {sends:g}"
            f" | {usage.sms_parts / n:g} / {usage.pushes / n:g} |"
        )
    polling = sum((u.polling for u in METER.usage.values()), Counter())
    polled = ", ".join(f"{k} {v}" for k, v in sorted(polling.items()))
    lines += [
        "",
        "Also asked by the pumps standing in for Lambda's event source mappings (not billed per job:"
        " Lambda's stream reads are free; its SQS receives and deletes are counted in the month as 2"
        f" requests per batch, plus idle polling): {polled}.",
        "",
        "Texts sent (parts are 160 characters, 153 when a text needs several):",
        "",
        *(f"- {len(t)} characters, {_sms_parts(t)} part(s): {t}" for t in dict.fromkeys(texts)),
        "",
        f"## A month of {month.jobs:,} jobs",
        "",
        f"The company: {month.technicians} technicians on {month.hours}-hour shifts and {month.dispatchers}"
        f" dispatchers, {month.working_days} working days; {month.online_share:.0%} of jobs booked online."
        f" The technician app sends a fix every {month.fix_seconds} s while on shift; the board polls its"
        f" change feed every {month.feed_seconds} s while open; the customer's page is open"
        f" {month.link_minutes} minutes and refreshes every 15 s.",
        "",
        "| line | a month | API requests | Lambda invocations | Lambda GB-s | WRU | RRU | SQS requests"
        " | SMS parts | $ |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for what, times, q in rows:
        m = q.times(times)
        usd = sum(dollars(quantity, price) for _, quantity, price in costs(m))
        lines.append(
            f"| {what} | {times:,.0f} | {m.api:,.0f} | {m.invocations:,.0f} | {m.gb_s:,.0f} | {m.wru:,.0f}"
            f" | {m.rru:,.0f} | {m.sqs:,.0f} | {m.sms_parts:,.0f} | {usd:,.2f} |"
        )
    billed = costs(total)
    grand = sum(dollars(q, p) for _, q, p in billed)
    textless = grand - dollars(total.sms_parts, PRICES["sms"])
    lines += [
        "",
        f"| service | quantity a month | list price ({PRICES_AS_OF}) | $ a month |",
        "|---|---|---|---|",
        *(f"| {p.what} | {q:,.1f} {p.unit} | {_price(p)} | {dollars(q, p):,.2f} |" for _, q, p in billed),
        f"| **total** | | | **{grand:,.2f}** |",
        "",
        f"Per job: ${grand / month.jobs:.3f}; without the texts: ${textless / month.jobs:.3f}. Lambda at"
        f" {MEMORY_GB * 1024:.0f} MB with durations measured against moto (an upper bound); CloudWatch"
        f" Logs at {LOG_BYTES_PER_INVOCATION} bytes an invocation; every invocation traced by X-Ray;"
        " free tiers, storage (DynamoDB, S3, logs kept 30 days), CloudFront and Cognito (under 10,000"
        " monthly users) left out.",
    ]
    return "\n".join(lines) + "\n"


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cost-jobs", type=int, help="job lives measured (default 3, quick 1; at most 3)")


def _run(args: argparse.Namespace) -> str:
    jobs = min(3, args.cost_jobs or (1 if args.quick else 3))
    travel_fixes = 5
    with hooked(), LocalStack(background=False, retry_backoff_seconds=0) as stack:
        _timed_event_functions(stack)
        live(stack, 1, 1, "warmup")  # every function's first run, unmeasured
        METER.reset()
        texts = live(stack, jobs, travel_fixes, TENANT)
    text = report(Month(), args.quick, jobs, travel_fixes, texts)
    print(text.split("| **total**")[1].split("\n")[0], file=sys.stderr)
    return text


register(
    Suite(
        "cost",
        "AWS requests per operation of a job's life; a month of 1,000 jobs at list prices",
        _run,
        _options,
    )
)
