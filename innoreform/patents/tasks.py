"""Background work: patent imports (django-tasks)."""

from django_tasks import task


@task()
def import_dataset(dataset_id: int) -> dict:
    from . import services

    dataset = services.dataset_import_run(dataset_id=dataset_id)
    return {"dataset": dataset.pk, "status": dataset.status, "patents": dataset.patents}
