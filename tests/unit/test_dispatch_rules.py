"""DOMAIN.md's job status table, appointment statuses and board rules, action by action."""

from __future__ import annotations

import pytest
from builders import at, book, visit
from fakes import NOW

from truckroll.domain.board import DOUBLE_BOOKED, Site, board_changes, board_entries
from truckroll.domain.events import Actor, AppointmentChange, AppointmentChanged, JobChange, JobChanged
from truckroll.domain.jobs import ActionRefused, Job, TechAction
from truckroll.domain.places import Place
from truckroll.domain.schedule import DoubleBooked, Slot, SlotKind, TechDay, appointment_slots, changed_days
from truckroll.domain.status import AppointmentStatus as A
from truckroll.domain.status import JobStatus as J
from truckroll.domain.status import TechStatus as T
from truckroll.errors import RuleViolation

DISPATCHER = Actor("dispatcher-1", "dispatcher")
LOCATION = Place("12 Oak St", "Austin", "TX", "78701", True, 30.27, -97.74)


def scheduled_job(*technicians: str) -> tuple[Job, str]:
    job = book()
    job.pull_events()
    appointment_id = job.appointments[0].appointment_id
    if technicians:
        job.assign(appointment_id, technicians, actor=DISPATCHER, at=NOW)
    return job, appointment_id


def step(job: Job, appointment_id: str, technician: str, *actions: TechAction) -> None:
    for action in actions:
        reason = "part needed" if action is TechAction.PAUSE else None
        job.progress(appointment_id, technician, action, actor=DISPATCHER, at=NOW, reason=reason)


def test_adding_an_appointment_schedules_an_unscheduled_job() -> None:
    job = book(with_visit=False)
    assert job.status is J.UNSCHEDULED
    job.add_appointment(visit(), (), actor=DISPATCHER, at=NOW)
    assert job.status is J.SCHEDULED


def test_deleting_the_last_appointment_unschedules_the_job() -> None:
    job, appointment_id = scheduled_job()
    job.delete_appointment(appointment_id, actor=DISPATCHER, at=NOW, reason="duplicate")
    assert (job.status, job.appointments) == (J.UNSCHEDULED, [])


def test_a_technician_on_the_way_or_started_puts_the_job_in_progress() -> None:
    job, appointment_id = scheduled_job("tech-1")
    step(job, appointment_id, "tech-1", TechAction.ON_MY_WAY)
    assert (job.status, job.appointments[0].status) == (J.IN_PROGRESS, A.DISPATCHED)
    step(job, appointment_id, "tech-1", TechAction.ARRIVED)
    assert (job.status, job.appointments[0].status) == (J.IN_PROGRESS, A.WORKING)


@pytest.mark.parametrize("dispatched_first", [True, False])
def test_completing_the_last_appointment_completes_the_job(dispatched_first: bool) -> None:
    job, appointment_id = scheduled_job("tech-1")
    if dispatched_first:
        step(job, appointment_id, "tech-1", TechAction.ON_MY_WAY)
    step(job, appointment_id, "tech-1", TechAction.ARRIVED, TechAction.DONE)
    assert (job.status, job.appointments[0].status) == (J.COMPLETE, A.DONE)


def test_pausing_needs_a_reason_and_pauses_the_job_until_a_new_appointment() -> None:
    job, appointment_id = scheduled_job("tech-1")
    step(job, appointment_id, "tech-1", TechAction.ARRIVED)
    with pytest.raises(RuleViolation):
        job.progress(appointment_id, "tech-1", TechAction.PAUSE, actor=DISPATCHER, at=NOW, reason=" ")
    step(job, appointment_id, "tech-1", TechAction.PAUSE)
    assert (job.status, job.appointments[0].status) == (J.PAUSED, A.PAUSED)
    assert job.appointments[0].assignments[0].pause_reason == "part needed"
    job.add_appointment(visit(day=4), (), actor=DISPATCHER, at=NOW)
    assert job.status is J.SCHEDULED


def test_a_complete_job_is_scheduled_again_by_a_new_appointment() -> None:
    job, appointment_id = scheduled_job("tech-1")
    step(job, appointment_id, "tech-1", TechAction.ARRIVED, TechAction.DONE)
    job.add_appointment(visit(day=5), ("tech-1",), actor=DISPATCHER, at=NOW)
    assert job.status is J.SCHEDULED


@pytest.mark.parametrize("progress", [(), (TechAction.ARRIVED,), (TechAction.ARRIVED, TechAction.PAUSE)])
def test_hold_needs_a_reason_and_removing_it_restores_the_previous_status(
    progress: tuple[TechAction, ...],
) -> None:
    job, appointment_id = scheduled_job("tech-1")
    step(job, appointment_id, "tech-1", *progress)
    before = job.status
    with pytest.raises(RuleViolation):
        job.hold("", actor=DISPATCHER, at=NOW)
    job.hold("waiting for the customer's approval", actor=DISPATCHER, at=NOW)
    assert job.status is J.ON_HOLD
    with pytest.raises(ActionRefused, match="remove the hold first"):
        job.assign(appointment_id, ("tech-2",), actor=DISPATCHER, at=NOW)
    job.remove_hold(actor=DISPATCHER, at=NOW)
    assert job.status is before


def test_cancel_needs_a_reason_cancels_every_appointment_and_deletes_invoice_items() -> None:
    job, _ = scheduled_job("tech-1")
    job.add_appointment(visit(day=4), (), actor=DISPATCHER, at=NOW)
    job.set_billing(0, ("diagnostic fee", "filter"))
    with pytest.raises(RuleViolation):
        job.cancel(None, actor=DISPATCHER, at=NOW)
    job.cancel("customer sold the house", actor=DISPATCHER, at=NOW)
    assert job.status is J.CANCELED
    assert {a.status for a in job.appointments} == {A.CANCELED}
    assert job.invoice_items == ()
    event = job.pull_events()[-1]
    assert isinstance(event, JobChanged)
    assert (event.change, event.invoice_items_deleted, event.reason) == (
        JobChange.CANCELED,
        2,
        "customer sold the house",
    )


def test_a_job_with_payments_cannot_be_canceled() -> None:
    job, _ = scheduled_job()
    job.set_billing(1, ())
    with pytest.raises(ActionRefused, match="1 payment"):
        job.cancel("changed mind", actor=DISPATCHER, at=NOW)
    assert job.status is J.SCHEDULED


def test_uncanceling_schedules_the_job_with_its_appointments_active_again() -> None:
    job, _ = scheduled_job("tech-1")
    job.cancel("duplicate", actor=DISPATCHER, at=NOW)
    job.uncancel(actor=DISPATCHER, at=NOW)
    assert job.status is J.SCHEDULED
    assert [a.status for a in job.appointments] == [A.SCHEDULED]
    assert job.appointments[0].technician_ids == ("tech-1",)


def test_confirming_locks_a_scheduled_appointment_and_a_reschedule_releases_it() -> None:
    job, appointment_id = scheduled_job("tech-1")
    job.confirm(appointment_id, actor=DISPATCHER, at=NOW)
    assert job.appointments[0].status is A.CONFIRMED
    assert job.status is J.SCHEDULED
    job.reschedule(appointment_id, visit(start=10, end=12), None, actor=DISPATCHER, at=NOW)
    assert job.appointments[0].status is A.SCHEDULED
    event = job.pull_events()[-1]
    assert isinstance(event, AppointmentChanged)
    assert event.previous == visit()


@pytest.mark.parametrize(
    ("progress", "advice"),
    [
        ((TechAction.ON_MY_WAY,), "cancel the dispatch first"),
        ((TechAction.ARRIVED,), "mark it Done first"),
        ((TechAction.ARRIVED, TechAction.DONE), "cancel the dispatch first"),
    ],
)
def test_dispatched_working_and_done_technicians_cannot_be_unassigned(
    progress: tuple[TechAction, ...], advice: str
) -> None:
    job, appointment_id = scheduled_job("tech-1")
    step(job, appointment_id, "tech-1", *progress)
    with pytest.raises(ActionRefused, match=advice):
        job.unassign(appointment_id, ("tech-1",), actor=DISPATCHER, at=NOW)
    with pytest.raises(ActionRefused, match=advice):
        job.reassign(appointment_id, "tech-1", "tech-2", actor=DISPATCHER, at=NOW)


def test_after_canceling_the_dispatch_a_technician_can_be_unassigned() -> None:
    job, appointment_id = scheduled_job("tech-1")
    step(job, appointment_id, "tech-1", TechAction.ARRIVED, TechAction.DONE, TechAction.CANCEL_DISPATCH)
    job.unassign(appointment_id, ("tech-1",), actor=DISPATCHER, at=NOW)
    assert job.appointments[0].technician_ids == ()


def test_several_technicians_share_an_appointment_each_with_their_own_progress() -> None:
    job, appointment_id = scheduled_job("tech-1", "tech-2")
    step(job, appointment_id, "tech-1", TechAction.ARRIVED, TechAction.DONE)
    appointment = job.appointments[0]
    assert [a.status for a in appointment.assignments] == [T.DONE, T.ASSIGNED]
    assert appointment.status is A.WORKING  # one is done, the visit is not
    step(job, appointment_id, "tech-2", TechAction.ARRIVED, TechAction.DONE)
    assert (job.appointments[0].status, job.status) == (A.DONE, J.COMPLETE)


def test_reassigning_tells_who_gained_and_who_lost_the_appointment() -> None:
    job, appointment_id = scheduled_job("tech-1")
    job.pull_events()
    job.reassign(appointment_id, "tech-1", "tech-2", actor=DISPATCHER, at=NOW)
    (event,) = job.pull_events()
    assert isinstance(event, AppointmentChanged)
    assert (event.change, event.added, event.removed) == (
        AppointmentChange.REASSIGNED,
        ("tech-2",),
        ("tech-1",),
    )
    assert event.actor == DISPATCHER


def test_a_started_appointment_cannot_be_rescheduled_or_deleted() -> None:
    job, appointment_id = scheduled_job("tech-1")
    step(job, appointment_id, "tech-1", TechAction.ON_MY_WAY)
    with pytest.raises(ActionRefused):
        job.reschedule(appointment_id, visit(start=10, end=12), None, actor=DISPATCHER, at=NOW)
    with pytest.raises(ActionRefused):
        job.delete_appointment(appointment_id, actor=DISPATCHER, at=NOW, reason=None)


def _day(*slots: Slot) -> TechDay:
    return TechDay("t1", "tech-1", at(3, 0).date(), slots, version=3)


def _slot(owner: str, start: int, end: int) -> Slot:
    return Slot(owner, SlotKind.APPOINTMENT, at(3, start), at(3, end))


def test_a_technician_is_never_double_booked_without_an_override() -> None:
    day = _day(_slot("a1", 9, 11))
    with pytest.raises(DoubleBooked) as refused:
        day.rebooked(frozenset({"a2"}), [_slot("a2", 10, 12)], force=False)
    assert refused.value.status == 409
    assert refused.value.extensions["conflicting"] == ["a1"]
    back_to_back = day.rebooked(frozenset({"a2"}), [_slot("a2", 11, 12)], force=False)
    assert [s.owner_id for s in back_to_back.slots] == ["a1", "a2"]
    forced = day.rebooked(frozenset({"a2"}), [_slot("a2", 10, 12)], force=True)
    assert forced.forced_owners() == {"a2"}
    assert forced.version == 3  # the store bumps it, on the condition that it is still 3


def test_an_unchanged_slot_keeps_its_place_and_a_freed_one_is_released() -> None:
    day = _day(_slot("a1", 9, 11), _slot("a2", 10, 12))
    assert day.rebooked(frozenset({"a2"}), [_slot("a2", 10, 12)], force=False).slots == day.slots
    assert [s.owner_id for s in day.rebooked(frozenset({"a1"}), [], force=False).slots] == ["a2"]


def test_only_the_days_and_technicians_an_action_touches_are_rebooked() -> None:
    job, appointment_id = scheduled_job("tech-1")
    before = list(job.appointments)
    job.reassign(appointment_id, "tech-1", "tech-2", actor=DISPATCHER, at=NOW)
    day = at(3, 0).date()
    assert changed_days(appointment_slots(before), appointment_slots(job.appointments)) == [
        ("tech-1", day),
        ("tech-2", day),
    ]
    job.cancel("duplicate", actor=DISPATCHER, at=NOW)
    assert appointment_slots(job.appointments) == {}


def test_a_forced_double_booking_is_flagged_on_the_board() -> None:
    job, appointment_id = scheduled_job("tech-1")
    site = Site("Dana Reyes", LOCATION)
    job.flag_overlap(appointment_id, "tech-1")
    (entry,) = board_entries(job, site, 2).values()
    assert entry.alerts == (DOUBLE_BOOKED,)


def test_board_changes_move_an_appointment_between_days_and_remember_who_had_it() -> None:
    job, appointment_id = scheduled_job("tech-1")
    site = Site("Dana Reyes", LOCATION)
    before = board_entries(job, site, 2)
    job.reschedule(appointment_id, visit(day=4), ("tech-2",), actor=DISPATCHER, at=NOW)
    removed, added = board_changes(before, board_entries(job, site, 3))
    assert (removed.day.day, removed.entry, removed.previous_technician_ids) == (3, None, ("tech-1",))
    assert added.day.day == 4
    assert added.entry is not None
    assert added.entry.technician_ids == ("tech-2",)
    assert added.visible_to("tech-1") is None
    assert removed.visible_to("tech-1") == removed
    assert removed.visible_to("tech-3") is None
    assert board_changes(before, before) == []
