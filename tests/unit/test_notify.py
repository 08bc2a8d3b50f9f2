"""Customer and technician notifications: channel, wording, templates, quiet hours, keywords, and
the use cases run on every event notify consumes (with in-memory ports)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from builders import CENTRAL, at, booked_envelope, customer, details, location, visit
from chalicelib.notify import reactions
from chalicelib.notify.devices import DeviceIn, register_device
from chalicelib.notify.ports import DeliveryRefused, Notify
from chalicelib.notify.reminders import send_due_messages
from chalicelib.notify.settings import OUTCOME_UNKNOWN, delivery_health
from fakes import NOW
from notify_fakes import FakeDeliveries, FakeDue, FakePush, FakeSms, fake_notify

from truckroll.auth.principal import Principal, Role
from truckroll.contracts.dispatch import (
    TECHNICIAN_MESSAGED,
    ActorV1,
    AppointmentChangeV1,
    TechniciansMessagedV1,
)
from truckroll.contracts.envelope import EventEnvelope, new_event
from truckroll.contracts.jobs import JobBookedV1
from truckroll.contracts.publish import envelope_for
from truckroll.contracts.tracking import TRACKING_ON_THE_WAY, TRACKING_RUNNING_LATE, OnTheWayV1, RunningLateV1
from truckroll.domain.customers import Phone, PhoneType
from truckroll.domain.jobs import Job
from truckroll.domain.notify import (
    DEFAULT_TEXTS,
    LANDLINE_NO_EMAIL,
    NO_DEVICE,
    NO_EMAIL_SENDER,
    NO_SMS_NUMBER,
    AppointmentFacts,
    Channel,
    Delivery,
    DeliveryStatus,
    Device,
    Keyword,
    NotifySettings,
    Recipient,
    SendEmail,
    SendSms,
    Template,
    Undeliverable,
    UnknownPlaceholders,
    check_template,
    compose,
    keyword_of,
    mask_email,
    mask_phone,
    quiet_until,
    reminders,
    route_message,
)
from truckroll.domain.windows import TimeWindow
from truckroll.errors import Forbidden, RuleViolation

MOBILE = Phone("+15125550123", PhoneType.MOBILE)
LANDLINE = Phone("+15125550199", PhoneType.LANDLINE)
FULL = NotifySettings(
    "t1", sms_from_number="+15125550100", email_from="office@example.com", company_name="Cool Air"
)


@pytest.mark.parametrize(
    ("recipient", "settings", "route"),
    [
        (Recipient(MOBILE), FULL, SendSms("+15125550123", "+15125550100")),
        (Recipient(MOBILE), NotifySettings("t1"), Undeliverable(Channel.SMS, "+15125550123", NO_SMS_NUMBER)),
        (Recipient(LANDLINE, "d@example.com"), FULL, SendEmail("d@example.com", "office@example.com")),
        (
            Recipient(LANDLINE, "d@example.com"),
            NotifySettings("t1"),
            Undeliverable(Channel.EMAIL, "d@example.com", NO_EMAIL_SENDER),
        ),
        (Recipient(LANDLINE), FULL, Undeliverable(Channel.SMS, "+15125550199", LANDLINE_NO_EMAIL)),
    ],
)
def test_routing(recipient: Recipient, settings: NotifySettings, route: object) -> None:
    assert route_message(recipient, settings) == route


def test_masks_keep_only_what_identifies_the_recipient_to_the_office() -> None:
    assert mask_phone("+15125550123") == "+*******0123"
    assert mask_email("dana.reyes@example.com") == "d***@example.com"


def test_confirmation_wording_uses_the_local_window_and_texts_carry_the_opt_out_line() -> None:
    values = {
        "company": "Cool Air",
        "job_type": "AC repair",
        "date": "Tue Mar 3",
        "window": "8:00 AM-12:30 PM",
    }
    text = DEFAULT_TEXTS[Template.BOOKING_CONFIRMATION]
    sms = compose(Template.BOOKING_CONFIRMATION, text, Channel.SMS, values)
    assert sms.text == (
        "Cool Air: your AC repair visit is booked for Tue Mar 3, arrival between 8:00 AM-12:30 PM. "
        "Reply STOP to opt out."
    )
    email = compose(Template.BOOKING_CONFIRMATION, text, Channel.EMAIL, values)
    assert "STOP" not in email.text
    assert email.subject == "Cool Air: booking confirmation (Tue Mar 3)"


def test_unknown_and_malformed_placeholders_are_named() -> None:
    check_template("{company}: {tech_name} arrives {eta}, {link}")
    with pytest.raises(UnknownPlaceholders) as unknown:
        check_template("{company} {tech} {tech} {when}")
    assert unknown.value.names == ["tech", "when"]
    with pytest.raises(UnknownPlaceholders, match="malformed"):
        check_template("{company")


@pytest.mark.parametrize(
    ("local_now", "until"),
    [
        (datetime(2026, 3, 2, 22, 15, tzinfo=CENTRAL), datetime(2026, 3, 3, 8, 0, tzinfo=CENTRAL)),
        (datetime(2026, 3, 3, 3, 0, tzinfo=CENTRAL), datetime(2026, 3, 3, 8, 0, tzinfo=CENTRAL)),
        (datetime(2026, 3, 3, 21, 0, tzinfo=CENTRAL), datetime(2026, 3, 4, 8, 0, tzinfo=CENTRAL)),
        (datetime(2026, 3, 3, 8, 0, tzinfo=CENTRAL), None),
        (datetime(2026, 3, 3, 20, 59, tzinfo=CENTRAL), None),
    ],
)
def test_quiet_hours_are_21_to_8_in_the_customers_time(local_now: datetime, until: datetime | None) -> None:
    assert quiet_until(local_now.astimezone(UTC), at(3, 8)) == until


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        *(
            (k, Keyword.OPT_OUT)
            for k in ("STOP", "stopall", " Unsubscribe ", "cancel", "END", "quit", "OptOut")
        ),
        *((k, Keyword.OPT_OUT) for k in ("OPT-OUT", "remove", "Arret", "stop.")),
        ("START", Keyword.OPT_IN),
        ("unstop", Keyword.OPT_IN),
        ("please stop by at noon", None),
        ("STARTING", None),
    ],
)
def test_opt_out_and_opt_in_keywords(text: str, keyword: Keyword | None) -> None:
    assert keyword_of(text) == keyword


def test_reminders_at_the_tenants_lead_times_that_are_still_ahead() -> None:
    appointment = AppointmentFacts("t1", "j1", "a1", TimeWindow(at(4, 8), at(4, 12)))
    due = reminders(appointment, FULL, NOW)
    assert [(m.template, m.due) for m in due] == [
        (Template.REMINDER, at(3, 8)),
        (Template.REMINDER, at(4, 6)),
    ]
    assert len({m.key for m in due}) == 2
    assert reminders(appointment, FULL, at(4, 7)) == []


# -- use cases ------------------------------------------------------------------------------------


def booked(n: Notify, **kwargs: Any) -> EventEnvelope:
    envelope = booked_envelope(**kwargs)
    reactions.on_job_booked(envelope, JobBookedV1.model_validate(envelope.data), n)
    return envelope


def appointment_event(
    booking: EventEnvelope,
    change: str,
    *,
    technicians: tuple[str, ...] = (),
    added: tuple[str, ...] = (),
    removed: tuple[str, ...] = (),
    window: tuple[datetime, datetime] | None = None,
    status: str = "scheduled",
    technician_id: str | None = None,
    minutes_later: int = 1,
) -> tuple[EventEnvelope, AppointmentChangeV1]:
    visit = booking.data["appointment"]
    start, end = window or (visit["arrival_window"]["start"], visit["arrival_window"]["end"])
    data = {
        "job_id": booking.data["job_id"],
        "job_status": "scheduled",
        "appointment": {
            **visit,
            "arrival_window": {"start": start, "end": end},
            "status": status,
            "confirmed": False,
            "technician_ids": list(technicians),
            "technicians": [
                {"technician_id": t, "status": "assigned", "overlap_forced": False, "first_name": t.title()}
                for t in technicians
            ],
        },
        "actor": {"id": "user-1", "role": "dispatcher"},
        "at": NOW.isoformat(),
        "reason": None,
        "added_technician_ids": list(added),
        "removed_technician_ids": list(removed),
        "technician_id": technician_id,
        "previous": None,
    }
    model = AppointmentChangeV1.model_validate(data)
    envelope = new_event(
        f"appointment.{change}",
        tenant_id=booking.tenant_id,
        producer="dispatch",
        data=model.model_dump(mode="json"),
        occurred_at=booking.occurred_at + timedelta(minutes=minutes_later),
    )
    return envelope, model


def changed(n: Notify, event: tuple[EventEnvelope, AppointmentChangeV1]) -> None:
    reactions.on_appointment_changed(event[0], event[1], n)


def on_the_way(n: Notify, booking: EventEnvelope, technician_id: str, eta: datetime | None) -> EventEnvelope:
    visit = booking.data["appointment"]
    data = OnTheWayV1(
        appointment_id=visit["appointment_id"],
        job_id=booking.data["job_id"],
        technician_id=technician_id,
        technician_first_name=None,
        link_url="https://t.example/l/abc",
        eta=eta,
        arrival_window_start=visit["arrival_window"]["start"],
        arrival_window_end=visit["arrival_window"]["end"],
    )
    envelope = new_event(
        TRACKING_ON_THE_WAY, tenant_id="t1", producer="tracking", data=data.model_dump(mode="json")
    )
    reactions.on_the_way(envelope, data, n)
    return envelope


def sms(n: Notify) -> list[tuple[str, str, str]]:
    sender = n.sms
    assert isinstance(sender, FakeSms)
    return sender.sent


def log(n: Notify) -> FakeDeliveries:
    deliveries = n.deliveries
    assert isinstance(deliveries, FakeDeliveries)
    return deliveries


def test_a_booking_is_confirmed_once_however_often_its_event_arrives() -> None:
    n = fake_notify(FULL)
    envelope = booked(n)
    reactions.on_job_booked(envelope, JobBookedV1.model_validate(envelope.data), n)
    ((to, origin, text),) = sms(n)
    assert (to, origin) == ("+15125550123", "+15125550100")
    assert text.startswith("Cool Air: your AC repair visit is booked for Tue Mar 3, arrival between 8:00 AM")
    (delivery,) = log(n).for_job("t1", envelope.data["job_id"])
    assert (delivery.status, delivery.provider_message_id, delivery.recipient) == (
        DeliveryStatus.SENT,
        "sms-1",
        "+*******0123",
    )
    assert delivery.event_id == envelope.event_id


def test_a_job_over_three_days_is_confirmed_once_and_each_visit_is_kept_with_its_reminders() -> None:
    n = fake_notify(FULL)
    job = Job.book(
        customer=customer(),
        location=location(),
        details=details(),
        visit=visit(3),
        later_visits=(visit(4), visit(5)),
        now=NOW,
    )
    (event,) = job.pull_events()
    envelope = envelope_for(event, producer="booking")
    reactions.on_job_booked(envelope, JobBookedV1.model_validate(envelope.data), n)
    ((_, _, text),) = sms(n)
    assert "Tue Mar 3" in text
    kept = [n.projection.appointment("t1", job.job_id, a.appointment_id) for a in job.appointments]
    assert [a.arrival_window.start.day for a in kept if a is not None] == [3, 4, 5]
    reminded = {m.appointment_id for m in n.due.due(NOW + timedelta(days=30))}
    assert reminded == {a.appointment_id for a in job.appointments}


def test_without_an_outbound_number_the_failure_is_recorded_with_its_reason() -> None:
    n = fake_notify()
    envelope = booked(n)
    (delivery,) = log(n).for_job("t1", envelope.data["job_id"])
    assert (delivery.status, delivery.reason) == (DeliveryStatus.FAILED, NO_SMS_NUMBER)
    assert sms(n) == []
    assert log(n).problems("t1", 10) == [delivery]


def test_a_landline_customer_with_email_gets_an_email() -> None:
    n = fake_notify(FULL)
    envelope = booked(n, phone_type=PhoneType.LANDLINE, email="dana@example.com")
    (delivery,) = log(n).for_job("t1", envelope.data["job_id"])
    assert (delivery.channel, delivery.status, delivery.recipient) == (
        Channel.EMAIL,
        DeliveryStatus.SENT,
        "d***@example.com",
    )


def test_a_provider_refusal_is_recorded_as_failed() -> None:
    n = fake_notify(
        FULL, sms=FakeSms(refuse_with=DeliveryRefused("SMS provider refused the message: OptedOut"))
    )
    envelope = booked(n)
    (delivery,) = log(n).for_job("t1", envelope.data["job_id"])
    assert (delivery.status, delivery.reason) == (
        DeliveryStatus.FAILED,
        "SMS provider refused the message: OptedOut",
    )


def test_a_transient_provider_error_releases_the_claim_so_the_retry_sends() -> None:
    flaky = FakeSms(refuse_with=ConnectionError("timeout"))
    n = fake_notify(FULL, sms=flaky)
    envelope = booked_envelope()
    data = JobBookedV1.model_validate(envelope.data)
    with pytest.raises(ConnectionError):
        reactions.on_job_booked(envelope, data, n)
    assert log(n).for_job("t1", data.job_id) == []
    flaky.refuse_with = None
    reactions.on_job_booked(envelope, data, n)
    assert len(flaky.sent) == 1


def test_a_reschedule_sends_a_reschedule_notice_not_a_second_confirmation_and_moves_reminders() -> None:
    n = fake_notify(FULL)
    booking = booked(n)
    due = n.due
    assert isinstance(due, FakeDue)
    assert [m.due for m in due.messages.values()] == [at(3, 6)]
    changed(
        n, appointment_event(booking, "rescheduled", window=(at(5, 13).isoformat(), at(5, 15).isoformat()))
    )
    texts = [t for _, _, t in sms(n)]
    assert len(texts) == 2
    assert texts[1].startswith(
        "Cool Air: your AC repair visit has moved to Thu Mar 5, arrival between 1:00 PM-3:00 PM"
    )
    assert sorted(m.due for m in due.messages.values()) == [at(4, 13), at(5, 11)]
    assert [d.template for d in log(n).deliveries.values()].count(Template.BOOKING_CONFIRMATION) == 1


def test_an_older_state_arriving_late_does_not_move_the_reminders_back() -> None:
    n = fake_notify(FULL)
    booking = booked(n)
    changed(
        n,
        appointment_event(
            booking, "rescheduled", window=(at(5, 13).isoformat(), at(5, 15).isoformat()), minutes_later=5
        ),
    )
    changed(
        n,
        appointment_event(
            booking, "rescheduled", window=(at(6, 13).isoformat(), at(6, 15).isoformat()), minutes_later=2
        ),
    )
    due = n.due
    assert isinstance(due, FakeDue)
    assert sorted(m.due for m in due.messages.values()) == [at(4, 13), at(5, 11)]


def test_muted_business_units_and_job_types_are_logged_as_suppressed() -> None:
    n = fake_notify(replace(FULL, muted_business_units=("HVAC",)))
    envelope = booked(n)
    (delivery,) = log(n).for_job("t1", envelope.data["job_id"])
    assert delivery.status is DeliveryStatus.SUPPRESSED
    assert delivery.reason == "customer messages are muted for business unit 'HVAC'"
    assert sms(n) == []


def test_on_my_way_carries_eta_and_link_once_per_visit_and_respects_dispatch_settings() -> None:
    n = fake_notify(FULL)
    booking = booked(n)
    on_the_way(n, booking, "tech-1", eta=datetime(2026, 3, 3, 15, 40, tzinfo=UTC))
    on_the_way(n, booking, "tech-2", eta=None)
    assert [t for _, _, t in sms(n)][1:] == [
        "Cool Air: Your technician is on the way, arriving around 9:40 AM. Follow along: https://t.example/l/abc"
        " Reply STOP to opt out."
    ]

    quiet = fake_notify(replace(FULL, arrival_tracking=False, one_dispatch_notice_per_job=False))
    booking = booked(quiet)
    on_the_way(quiet, booking, "tech-1", eta=None)
    on_the_way(quiet, booking, "tech-2", eta=None)
    notices = [t for _, _, t in sms(quiet)][1:]
    assert (
        notices
        == ["Cool Air: Your technician is on the way to your AC repair visit. Reply STOP to opt out."] * 2
    )

    off = fake_notify(replace(FULL, dispatch_sms=False))
    booking = booked(off)
    on_the_way(off, booking, "tech-1", eta=None)
    (held,) = log(off).of(Template.ON_MY_WAY)
    assert (held.status, held.reason) == (
        DeliveryStatus.SUPPRESSED,
        "dispatch texts are turned off in notify settings",
    )


def test_an_opted_out_number_is_never_texted() -> None:
    n = fake_notify(FULL)
    n.opt_outs.set("t1", "+15125550123", True, NOW)
    envelope = booked(n)
    assert sms(n) == []
    (delivery,) = log(n).for_job("t1", envelope.data["job_id"])
    assert delivery.status is DeliveryStatus.SUPPRESSED


def test_technicians_are_pushed_assignments_removals_reschedules_and_dispatches() -> None:
    n = fake_notify(FULL)
    for tech in ("tech-1", "tech-2"):
        n.devices.add("t1", Device(tech, "fcm", f"endpoint/{tech}"), tech)
    booking = booked(n)
    changed(n, appointment_event(booking, "assigned", technicians=("tech-1",), added=("tech-1",)))
    changed(
        n,
        appointment_event(
            booking, "reassigned", technicians=("tech-2",), added=("tech-2",), removed=("tech-1",)
        ),
    )
    changed(
        n,
        appointment_event(
            booking,
            "rescheduled",
            technicians=("tech-2",),
            window=(at(3, 13).isoformat(), at(3, 15).isoformat()),
        ),
    )
    changed(n, appointment_event(booking, "dispatched", technicians=("tech-2",), technician_id="tech-2"))
    push = n.push
    assert isinstance(push, FakePush)
    assert [(e, t.split(":")[0]) for e, t in push.sent] == [
        ("endpoint/tech-1", "New job"),
        ("endpoint/tech-2", "New job"),
        ("endpoint/tech-1", "Removed from your list"),
        ("endpoint/tech-2", "Moved"),
        ("endpoint/tech-2", "Dispatched"),
    ]
    changed(n, appointment_event(booking, "assigned", technicians=("tech-3",), added=("tech-3",)))
    (unreachable,) = [d for d in log(n).deliveries.values() if d.recipient == "tech-3"]
    assert (unreachable.status, unreachable.reason) == (DeliveryStatus.FAILED, NO_DEVICE)


def test_an_event_about_a_job_not_booked_yet_is_retried() -> None:
    n = fake_notify(FULL)
    booking = booked_envelope()
    with pytest.raises(reactions.JobNotKnownYet):
        changed(n, appointment_event(booking, "assigned", technicians=("tech-1",), added=("tech-1",)))


def test_a_review_request_due_in_quiet_hours_waits_for_8_am_and_is_sent_once() -> None:
    late_evening = datetime(2026, 3, 3, 22, 30, tzinfo=CENTRAL)
    now = [late_evening]
    n = fake_notify(FULL, now=lambda: now[0])
    booking = booked(n)
    changed(
        n,
        appointment_event(
            booking, "status_changed", technicians=("tech-1",), status="done", technician_id="tech-1"
        ),
    )
    assert len(sms(n)) == 1  # only the confirmation
    assert send_due_messages(n) == 0
    now[0] = datetime(2026, 3, 4, 8, 0, 30, tzinfo=CENTRAL)
    assert send_due_messages(n) == 1
    assert send_due_messages(n) == 0
    assert (
        sms(n)[-1][2]
        == "Cool Air: thank you for choosing us, Dana Reyes. How did we do? Reply STOP to opt out."
    )


def test_the_sweeper_sends_each_reminder_once_and_defers_one_due_in_quiet_hours() -> None:
    now = [NOW]
    n = fake_notify(FULL, now=lambda: now[0])
    booked(n)
    now[0] = at(3, 6, 1)  # the 2-hour reminder is due, but it is 6 AM for the customer
    assert send_due_messages(n) == 1
    assert len(sms(n)) == 1
    now[0] = at(3, 8, 0)
    assert send_due_messages(n) == 1
    assert send_due_messages(n) == 0
    assert sms(n)[-1][2].startswith("Cool Air: reminder of your AC repair visit on Tue Mar 3")
    assert len(sms(n)) == 2


def test_a_finished_or_canceled_visit_gets_no_reminders() -> None:
    n = fake_notify(FULL)
    booking = booked(n)
    changed(n, appointment_event(booking, "deleted"))
    due = n.due
    assert isinstance(due, FakeDue)
    assert due.messages == {}


def test_notification_health_shows_failures_and_claims_whose_outcome_was_never_recorded() -> None:
    now = [NOW]
    n = fake_notify(now=lambda: now[0])
    booked(n)  # no outbound number: failed
    stuck = Delivery(
        tenant_id="t1",
        delivery_id="e1.reminder",
        event_id="e1",
        job_id="j1",
        appointment_id="a1",
        template=Template.REMINDER,
        channel=Channel.SMS,
        recipient="+*******0123",
        status=DeliveryStatus.SENDING,
        created_at=NOW,
    )
    assert n.deliveries.claim(stuck)
    office = Principal("user-1", "t1", Role.DISPATCHER)
    health = delivery_health(office, n)
    assert (health["ok"], health["failed_reasons"]) == (False, [{"reason": NO_SMS_NUMBER, "count": 1}])
    now[0] = NOW + timedelta(minutes=11)
    reasons = {r["reason"] for r in delivery_health(office, n)["failed_reasons"]}
    assert reasons == {NO_SMS_NUMBER, OUTCOME_UNKNOWN}
    assert delivery_health(Principal("user-1", "t2", Role.ADMIN), n)["ok"] is True


def test_a_technician_registers_their_device_and_a_refused_token_is_a_422() -> None:
    n = fake_notify(FULL)
    technician = Principal("tech-1", "t1", Role.TECHNICIAN)
    device = register_device(DeviceIn(platform="fcm", token="token-of-phone-1"), technician, n)
    assert device == Device("tech-1", "fcm", "endpoint/fcm/token-of-phone-1")
    assert n.devices.of("t1", "tech-1") == [device]
    assert n.devices.of("t2", "tech-1") == []
    with pytest.raises(Forbidden):
        register_device(
            DeviceIn(platform="fcm", token="token-of-phone-2"), Principal("u", "t1", Role.ADMIN), n
        )
    refusing = fake_notify(FULL)
    push = refusing.push
    assert isinstance(push, FakePush)
    push.refuse = frozenset({"bad-token-123"})
    with pytest.raises(RuleViolation) as refused:
        register_device(DeviceIn(platform="apns", token="bad-token-123"), technician, refusing)
    assert refused.value.status == 422
    assert refusing.devices.of("t1", "tech-1") == []


def test_a_technician_running_late_is_announced_to_the_customer_once_per_visit() -> None:
    n = fake_notify(FULL)
    booking = booked(n)
    changed(n, appointment_event(booking, "assigned", technicians=("maria",), added=("maria",)))
    visit = booking.data["appointment"]
    for minutes in (20, 35):
        data = RunningLateV1(
            appointment_id=visit["appointment_id"],
            job_id=booking.data["job_id"],
            technician_id="maria",
            eta=at(3, 12, minutes),
            arrival_window_end=at(3, 12),
            minutes_late=minutes,
        )
        envelope = new_event(
            TRACKING_RUNNING_LATE, tenant_id="t1", producer="tracking", data=data.model_dump(mode="json")
        )
        reactions.on_running_late(envelope, data, n)
    assert [t for _, _, t in sms(n)][1:] == [
        "Cool Air: sorry, Maria is running late and now expects to arrive around 12:20 PM."
        " Reply STOP to opt out."
    ]


def test_a_job_type_can_be_muted_too() -> None:
    n = fake_notify(replace(FULL, muted_job_types=("AC repair",)))
    envelope = booked(n)
    (delivery,) = log(n).for_job("t1", envelope.data["job_id"])
    assert (delivery.status, delivery.reason) == (
        DeliveryStatus.SUPPRESSED,
        "customer messages are muted for job type 'AC repair'",
    )


def test_board_messages_and_announcements_are_pushed_to_each_technician_once() -> None:
    n = fake_notify(FULL)
    n.devices.add("t1", Device("tech-1", "fcm", "endpoint/tech-1"), "h1")
    data = TechniciansMessagedV1(
        message_id="m1",
        technician_ids=["tech-1", "tech-2"],
        text="Team meeting at 4 PM in the shop.",
        announcement=True,
        actor=ActorV1(id="user-1", role="dispatcher"),
        at=NOW,
    )
    envelope = new_event(
        TECHNICIAN_MESSAGED, tenant_id="t1", producer="dispatch", data=data.model_dump(mode="json")
    )
    for _ in range(2):
        reactions.on_technicians_messaged(envelope, data, n)
    push = n.push
    assert isinstance(push, FakePush)
    assert push.sent == [("endpoint/tech-1", "Team meeting at 4 PM in the shop.")]
    outcomes = {d.recipient: (d.status, d.reason) for d in log(n).of(Template.TECH_MESSAGE)}
    assert outcomes == {"tech-1": (DeliveryStatus.SENT, None), "tech-2": (DeliveryStatus.FAILED, NO_DEVICE)}
