"""Background work for credit (django-tasks): scoring the whole registry."""

from django_tasks import task


@task()
def score_registry(job_id: str, version_id: int) -> dict:
    from . import services

    return services.scoring_job_run(job_id=job_id, version_id=version_id)
