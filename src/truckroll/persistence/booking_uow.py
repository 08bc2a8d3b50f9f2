"""Booking's unit of work: the core one with the leads inbox and Reserve with Google's bookings, so
a lead is accepted, or a reservation recorded, in the transaction that books its job."""

from __future__ import annotations

from truckroll.domain.windows import Clock
from truckroll.persistence.core import DynamoCoreUnitOfWork
from truckroll.persistence.leads import DynamoLeadRepository
from truckroll.persistence.projects import DynamoEstimateRepository, DynamoProjectRepository
from truckroll.persistence.reservations import DynamoReservationRepository


class DynamoBookingUnitOfWork(DynamoCoreUnitOfWork):
    def __init__(self, *, producer: str, clock: Clock, correlation_id: str | None = None) -> None:
        super().__init__(producer=producer, clock=clock, correlation_id=correlation_id)
        self._leads = DynamoLeadRepository(self)
        self._reservations = DynamoReservationRepository(self)
        self._projects = DynamoProjectRepository(self)
        self._estimates = DynamoEstimateRepository(self)

    @property
    def leads(self) -> DynamoLeadRepository:
        return self._leads

    @property
    def reservations(self) -> DynamoReservationRepository:
        return self._reservations

    @property
    def projects(self) -> DynamoProjectRepository:
        return self._projects

    @property
    def estimates(self) -> DynamoEstimateRepository:
        return self._estimates
