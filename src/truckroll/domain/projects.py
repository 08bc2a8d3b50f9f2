"""Projects: several jobs of one customer grouped under one name (a remodel, a new build)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from truckroll.errors import RuleViolation


@dataclass(frozen=True)
class Project:
    tenant_id: str
    project_id: str
    customer_id: str
    name: str
    created_at: datetime

    def admit(self, customer_id: str) -> None:
        """A job joins the project only for the project's customer."""
        if customer_id != self.customer_id:
            raise RuleViolation("the project belongs to another customer", field="job.project_id")


@dataclass(frozen=True)
class ProjectJob:
    """A job of a project, as the project lists it."""

    job_id: str
    job_type: str
    summary: str
    booked_at: datetime
