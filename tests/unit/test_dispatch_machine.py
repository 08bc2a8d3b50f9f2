"""Random sequences of dispatch actions on two jobs sharing three technicians, checking after
every step that the status tables and the double-booking rule hold (Hypothesis stateful testing).

Each step runs like the service does: the action on the job, then the technicians' days it touches
are rebooked; a refused action (or a refused double booking) leaves everything as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date

from builders import book, visit
from fakes import NOW
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from truckroll.domain.events import Actor
from truckroll.domain.jobs import ActionRefused, Job, TechAction, Visit
from truckroll.domain.schedule import DoubleBooked, TechDay, appointment_slots, changed_days
from truckroll.domain.status import UNDER_WAY, AppointmentStatus, JobStatus, TechStatus
from truckroll.errors import NotFound, RuleViolation

ACTOR = Actor("dispatcher-1", "dispatcher")
TECHS = ("tech-1", "tech-2", "tech-3")
VISITS = [visit(start=h, end=h + 1, window=(h, h + 2)) for h in (8, 9, 10)] + [visit(start=9, end=11)]
REFUSALS = (ActionRefused, RuleViolation, NotFound, DoubleBooked)
UNREMOVABLE = {TechStatus.DISPATCHED, TechStatus.WORKING, TechStatus.DONE}

techs = st.sampled_from(TECHS)
visits = st.sampled_from(VISITS)
jobs = st.integers(0, 1)
slots = st.integers(0, 2)


class DispatchMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.jobs = [book(), book()]
        for job in self.jobs:
            job.pull_events()
        self.days: dict[tuple[str, date], TechDay] = {}
        self.refused = 0
        self.applied = 0

    def _appointment_id(self, job: Job, index: int) -> str:
        return job.appointments[index % len(job.appointments)].appointment_id if job.appointments else "none"

    def _run(self, index: int, act: Callable[[Job], None]) -> None:
        job = self.jobs[index]
        saved_job, saved_days = copy.deepcopy(job), dict(self.days)
        before = list(job.appointments)
        try:
            act(job)
            old, new = appointment_slots(before), appointment_slots(job.appointments)
            owners = frozenset(a.appointment_id for a in (*before, *job.appointments))
            for technician, day in changed_days(old, new):
                current = self.days.get((technician, day), TechDay("t1", technician, day))
                self.days[(technician, day)] = current.rebooked(
                    owners, new.get((technician, day), []), force=False
                )
        except REFUSALS:
            self.jobs[index], self.days = saved_job, saved_days
            assert not saved_job.events
            self.refused += 1
            return
        events = job.pull_events()
        assert len(events) <= 1, "an action records at most one event"
        self.applied += 1

    @rule(index=jobs, v=visits, technician=techs)
    def add_appointment(self, index: int, v: Visit, technician: str) -> None:
        self._run(index, lambda job: job.add_appointment(v, (technician,), actor=ACTOR, at=NOW))

    @rule(index=jobs, slot=slots)
    def delete_appointment(self, index: int, slot: int) -> None:
        job = self.jobs[index]
        self._run(
            index,
            lambda j: j.delete_appointment(self._appointment_id(job, slot), actor=ACTOR, at=NOW, reason=None),
        )

    @rule(index=jobs, slot=slots, technician=techs)
    def assign(self, index: int, slot: int, technician: str) -> None:
        appointment_id = self._appointment_id(self.jobs[index], slot)
        self._run(index, lambda job: job.assign(appointment_id, (technician,), actor=ACTOR, at=NOW))

    @rule(index=jobs, slot=slots, technician=techs)
    def unassign(self, index: int, slot: int, technician: str) -> None:
        job = self.jobs[index]
        appointment_id = self._appointment_id(job, slot)
        status = next(
            (a.assignment(technician) for a in job.appointments if a.appointment_id == appointment_id), None
        )
        self._run(index, lambda j: j.unassign(appointment_id, (technician,), actor=ACTOR, at=NOW))
        if status is not None and status.status in UNREMOVABLE:
            after = self.jobs[index].appointment(appointment_id)
            assert after.assignment(technician) == status, "dispatched, working and done stay assigned"

    @rule(index=jobs, slot=slots, old=techs, new=techs)
    def reassign(self, index: int, slot: int, old: str, new: str) -> None:
        appointment_id = self._appointment_id(self.jobs[index], slot)
        self._run(index, lambda job: job.reassign(appointment_id, old, new, actor=ACTOR, at=NOW))

    @rule(index=jobs, slot=slots, v=visits)
    def reschedule(self, index: int, slot: int, v: Visit) -> None:
        appointment_id = self._appointment_id(self.jobs[index], slot)
        self._run(index, lambda job: job.reschedule(appointment_id, v, None, actor=ACTOR, at=NOW))

    @rule(index=jobs, slot=slots, technician=techs, action=st.sampled_from(TechAction))
    def progress(self, index: int, slot: int, technician: str, action: TechAction) -> None:
        appointment_id = self._appointment_id(self.jobs[index], slot)
        self._run(
            index,
            lambda job: job.progress(
                appointment_id, technician, action, actor=ACTOR, at=NOW, reason="part needed"
            ),
        )

    @rule(index=jobs, slot=slots)
    def confirm(self, index: int, slot: int) -> None:
        appointment_id = self._appointment_id(self.jobs[index], slot)
        self._run(index, lambda job: job.confirm(appointment_id, actor=ACTOR, at=NOW))

    @rule(index=jobs)
    def hold(self, index: int) -> None:
        self._run(index, lambda job: job.hold("waiting for parts", actor=ACTOR, at=NOW))

    @rule(index=jobs)
    def remove_hold(self, index: int) -> None:
        before = self.jobs[index].status
        self._run(index, lambda job: job.remove_hold(actor=ACTOR, at=NOW))
        if before is JobStatus.ON_HOLD:
            assert self.jobs[index].status is not JobStatus.ON_HOLD

    @rule(index=jobs)
    def cancel(self, index: int) -> None:
        paid = self.jobs[index].payments > 0 and self.jobs[index].status is not JobStatus.CANCELED
        self._run(index, lambda job: job.cancel("customer called", actor=ACTOR, at=NOW))
        if paid:
            assert self.jobs[index].status is not JobStatus.CANCELED, "a job with payments is never canceled"

    @rule(index=jobs)
    def uncancel(self, index: int) -> None:
        self._run(index, lambda job: job.uncancel(actor=ACTOR, at=NOW))

    @rule(index=jobs, payments=st.integers(0, 1))
    def billing(self, index: int, payments: int) -> None:
        self.jobs[index].set_billing(payments, ("labor",))

    @invariant()
    def job_status_follows_the_tables(self) -> None:
        for job in self.jobs:
            active = [a for a in job.appointments if not a.canceled]
            if job.cancel_reason is not None:
                assert job.status is JobStatus.CANCELED
                assert all(a.status is AppointmentStatus.CANCELED for a in job.appointments)
                continue
            assert len(active) == len(job.appointments), "only a canceled job has canceled appointments"
            if job.hold_reason is not None:
                assert job.status is JobStatus.ON_HOLD
                continue
            statuses = {a.status for a in active}
            expected = (
                JobStatus.UNSCHEDULED
                if not active
                else JobStatus.IN_PROGRESS
                if statuses & UNDER_WAY
                else JobStatus.SCHEDULED
                if statuses & {AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED}
                else JobStatus.PAUSED
                if AppointmentStatus.PAUSED in statuses
                else JobStatus.COMPLETE
            )
            assert job.status is expected

    @invariant()
    def appointment_status_follows_its_technicians(self) -> None:
        for job in self.jobs:
            for appointment in job.appointments:
                progress = [a.status for a in appointment.assignments]
                assert len(set(appointment.technician_ids)) == len(progress), "a technician once per visit"
                if appointment.canceled:
                    continue
                if progress and all(p is TechStatus.DONE for p in progress):
                    assert appointment.status is AppointmentStatus.DONE
                if any(p is TechStatus.WORKING for p in progress):
                    assert appointment.status is AppointmentStatus.WORKING
                if all(p is TechStatus.ASSIGNED for p in progress):
                    assert appointment.status in (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)

    @invariant()
    def no_technician_is_double_booked(self) -> None:
        for day in self.days.values():
            for i, first in enumerate(day.slots):
                for second in day.slots[i + 1 :]:
                    assert not first.overlaps(second), f"{day.technician_id} double-booked: {first} {second}"

    @invariant()
    def the_days_hold_exactly_the_jobs_bookings(self) -> None:
        expected: dict[tuple[str, date], set[tuple[str, object, object]]] = {}
        for job in self.jobs:
            for key, found in appointment_slots(job.appointments).items():
                expected.setdefault(key, set()).update((s.owner_id, s.start, s.end) for s in found)
        stored = {k: {(s.owner_id, s.start, s.end) for s in d.slots} for k, d in self.days.items() if d.slots}
        assert stored == expected

    @precondition(lambda self: self.applied + self.refused > 0)
    @rule()
    def noop(self) -> None:
        """Lets Hypothesis end a run on any state."""


DispatchMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestDispatchMachine = DispatchMachine.TestCase
