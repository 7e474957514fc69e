"""Background work: large imports and index recomputation (django-tasks)."""

from django_tasks import task

from innoreform.core.actor import Actor


@task()
def process_import(batch_id: int) -> dict:
    from . import services

    batch = services.import_process(batch_id=batch_id)
    return {"batch": batch.pk, "status": batch.status}


@task()
def recompute_index(year: int | None = None) -> int:
    from . import services

    return services.index_recompute(actor=Actor.system(), year=year)
