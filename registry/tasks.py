"""Celery tasks of the registry: thin wrappers over registry.spreadsheet.runs, the
retention run and the security log's purge."""

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


@shared_task(name="registry.tasks.retention_run")
def retention_run() -> dict:
    from registry import clock, retention

    return retention.retention_run(now=clock.now())


@shared_task(name="registry.tasks.security_log_purge")
def security_log_purge() -> int:
    from registry import clock, security_log

    return security_log.security_log_purge(now=clock.now())


@shared_task(name="registry.tasks.building_suggestions_refresh")
def building_suggestions_refresh() -> list[int]:
    from registry import clock
    from registry.buildings.services import building_suggestions_refresh as refresh

    return list(refresh(now=clock.now()))
