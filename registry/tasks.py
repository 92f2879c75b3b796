"""Celery tasks of the registry: thin wrappers over registry.spreadsheet.runs."""

from celery import shared_task

from registry.spreadsheet import runs


@shared_task(name="registry.tasks.import_run_check")
def import_run_check(run_id: int) -> None:
    runs.import_run_check(run_id=run_id)


@shared_task(name="registry.tasks.import_run_apply")
def import_run_apply(run_id: int) -> None:
    runs.import_run_apply(run_id=run_id)


@shared_task(name="registry.tasks.import_runs_expire")
def import_runs_expire() -> int:
    return runs.import_runs_expire()
