"""Background work for credit (django-tasks): scoring the whole registry, training, scoring a file."""

from django_tasks import task


@task()
def score_registry(job_id: str, version_id: int) -> dict:
    from . import services

    return services.scoring_job_run(job_id=job_id, version_id=version_id)


@task()
def train_run(run_id: int) -> dict:
    from . import services

    return services.training_run(run_id=run_id)


@task()
def score_file_run(run_id: int) -> dict:
    from . import services

    return services.scoring_file_run(run_id=run_id)
