"""Projects in the core table: the project and its jobs in one partition, so a project with its
jobs is one Query; a job joins in the transaction that books it. And sold estimates: which job each
became, written with the job."""

from __future__ import annotations

from datetime import datetime

from truckroll.domain.jobs import Job
from truckroll.domain.projects import Project, ProjectJob
from truckroll.persistence import keys
from truckroll.persistence.core_models import CoreItem, EstimateJobItem, ProjectItem, ProjectJobItem
from truckroll.persistence.leads import Stager
from truckroll.persistence.writes import Write


class DynamoProjectRepository:
    def __init__(self, uow: Stager) -> None:
        self._uow = uow

    def add(self, project: Project) -> None:
        item = ProjectItem(
            pk=keys.project_pk(project.tenant_id, project.project_id),
            sk=keys.PROJECT_SK,
            tenant_id=project.tenant_id,
            project_id=project.project_id,
            customer_id=project.customer_id,
            name=project.name,
            created_at=project.created_at.isoformat(),
        )
        self._uow.stage(Write("put", item, CoreItem.pk.does_not_exist()))

    def add_job(self, project: Project, job: Job) -> None:
        item = ProjectJobItem(
            pk=keys.project_pk(project.tenant_id, project.project_id),
            sk=keys.project_job_sk(job.job_id),
            tenant_id=project.tenant_id,
            job_id=job.job_id,
            job_type=job.details.job_type,
            summary=job.details.summary,
            booked_at=job.created_at.isoformat(),
        )
        self._uow.stage(Write("put", item, CoreItem.pk.does_not_exist()))

    def get(self, tenant_id: str, project_id: str) -> tuple[Project, list[ProjectJob]] | None:
        """The project and its jobs, oldest first (one Query)."""
        project: Project | None = None
        jobs: list[ProjectJob] = []
        for item in CoreItem.query(keys.project_pk(tenant_id, project_id), consistent_read=True):
            if isinstance(item, ProjectItem):
                project = Project(
                    item.tenant_id,
                    item.project_id,
                    item.customer_id,
                    item.name,
                    datetime.fromisoformat(item.created_at),
                )
            elif isinstance(item, ProjectJobItem):
                at = datetime.fromisoformat(item.booked_at)
                jobs.append(ProjectJob(item.job_id, item.job_type, item.summary, at))
        if project is None:
            return None
        return project, sorted(jobs, key=lambda j: (j.booked_at, j.job_id))


class DynamoEstimateRepository:
    """Which job a sold estimate became."""

    def __init__(self, uow: Stager) -> None:
        self._uow = uow

    def job_of(self, tenant_id: str, estimate_id: str) -> str | None:
        try:
            pk = keys.estimate_pk(tenant_id, estimate_id)
            return EstimateJobItem.get(pk, keys.GUARD_SK, consistent_read=True).job_id
        except EstimateJobItem.DoesNotExist:
            return None

    def converted(self, tenant_id: str, estimate_id: str, job_id: str) -> None:
        item = EstimateJobItem(
            pk=keys.estimate_pk(tenant_id, estimate_id), sk=keys.GUARD_SK, tenant_id=tenant_id, job_id=job_id
        )
        self._uow.stage(Write("put", item, CoreItem.pk.does_not_exist()))
