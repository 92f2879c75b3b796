"""The browser's import as a sequence of states kept in ImportRun: uploaded -> checked in the
background (the preview) -> confirmed -> imported in the background -> done. The Celery
tasks are thin wrappers over the functions here; each claims its run with a conditional
UPDATE, so a task delivered twice does its work once.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from registry import clock
from registry.models import ImportRun, SecurityEvent
from registry.security_log import security_event_record
from registry.spreadsheet.importing import import_run_target, registry_import
from registry.spreadsheet.reading import UnreadableFile
from registry.sql import importing as sql

logger = logging.getLogger(__name__)


def _enqueue(task, run_id: int) -> None:
    # A queue of its own when configured (the integration tests run a private worker on one).
    queue = getattr(settings, "REGISTRY_IMPORT_QUEUE", None)
    task.apply_async(args=[run_id], **({"queue": queue} if queue else {}))


def import_run_create(*, upload, mode: str, by, language: str) -> ImportRun:
    """Store the uploaded file (under MEDIA_ROOT, readable by the worker) and queue the check."""
    from registry import tasks

    run = ImportRun(created_by=by, filename=upload.name[:255], mode=mode, language=language)
    run.file.save(upload.name, upload, save=False)
    run.save()
    security_event_record(
        action=SecurityEvent.Action.IMPORT,
        at=clock.now(),
        by=by,
        target=import_run_target(run.pk),
        detail={"step": "uploaded", "import_run": run.pk},
    )
    transaction.on_commit(lambda: _enqueue(tasks.import_run_check, run.pk))
    return run


class _ProgressWriter:
    """Progress written on a connection of its own: the import's transaction is not
    committed until the end, and the browser must see the bar move before that."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.last = -1
        self.renewed = time.monotonic()
        self.connection = None

    def __call__(self, done: int, total: int) -> None:
        percent = min(99, done * 100 // max(total, 1))
        # Each write renews the run's lease too; write at least every 30 s while working.
        if percent == self.last and time.monotonic() - self.renewed < 30:
            return
        self.last = percent
        self.renewed = time.monotonic()
        if self.connection is None:
            import psycopg2

            self.connection = psycopg2.connect(**connections["default"].get_connection_params())
            self.connection.autocommit = True
        with self.connection.cursor() as cursor:
            sql.run_progress(cursor, run_id=self.run_id, percent=percent, at=clock.now())

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _claim(run_id: int, *, from_status: str, to_status: str) -> ImportRun | None:
    claimed = ImportRun.objects.filter(pk=run_id, status=from_status).update(
        status=to_status, progress=0, heartbeat_at=clock.now()
    )
    return ImportRun.objects.get(pk=run_id) if claimed else None


def _run(run: ImportRun, *, dry_run: bool) -> dict:
    # The check plans as if the new grid areas were created, and lists them for the admin to
    # confirm; the import creates those the preview listed, and only when confirmed.
    if dry_run:
        create_grids = True
    else:
        create_grids = (run.preview or {}).get("new_grids", []) if run.create_grids else False
    progress = _ProgressWriter(run.pk)
    try:
        with run.file.open("rb") as handle, translation.override(run.language):
            summary = registry_import(
                source=_local_path(run) or handle,
                filename=run.filename,
                by=run.created_by,
                dry_run=dry_run,
                skip_invalid=run.mode == ImportRun.Mode.SKIP_INVALID,
                create_grids=create_grids,
                import_run=run.pk,
                progress=progress,
            )
    finally:
        progress.close()
    return summary.as_dict()


def _local_path(run: ImportRun) -> str | None:
    """The uploaded file's path when the storage keeps it on this machine (the reader then
    needs no copy of the bytes), else None."""
    try:
        return run.file.path
    except NotImplementedError:  # a remote storage
        return None


def import_run_check(*, run_id: int) -> None:
    """The dry run behind the preview."""
    run = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.CHECKING).first()
    if run is None:
        return
    ImportRun.objects.filter(pk=run_id).update(heartbeat_at=clock.now())
    try:
        preview = _run(run, dry_run=True)
    except UnreadableFile as error:
        ImportRun.objects.filter(pk=run_id).update(
            status=ImportRun.Status.UNREADABLE,
            reason=str(error)[:500],
            finished_at=clock.now(),
        )
        return
    preview.pop("affected", None)
    ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.CHECKING).update(
        status=ImportRun.Status.CHECKED, preview=preview, progress=100
    )


def import_run_confirm(*, run: ImportRun, mode: str, by, create_grids: bool = False) -> bool:
    """Queue the import of a checked run, as the admin chose on its preview: ``mode`` (all or
    nothing, or the valid rows only) and ``create_grids`` (create the new grid areas the
    preview listed, or make the rows naming them invalid)."""
    from registry import tasks

    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.CHECKED).update(
        status=ImportRun.Status.QUEUED, mode=mode, create_grids=create_grids, progress=0
    )
    if claimed:
        security_event_record(
            action=SecurityEvent.Action.IMPORT,
            at=clock.now(),
            by=by,
            target=import_run_target(run.pk),
            detail={
                "step": "confirmed",
                "import_run": run.pk,
                "mode": mode,
                "create_grids": create_grids,
            },
        )
        transaction.on_commit(lambda: _enqueue(tasks.import_run_apply, run.pk))
    return bool(claimed)


def import_run_import_valid(*, run: ImportRun, by) -> bool:
    """Import the valid rows only of a run refused in the all-or-nothing mode (its file had
    invalid rows), from the file the run keeps: no second upload. The grid areas are as the
    admin chose on the preview. False when the run is not such a run any more, or its file
    is no longer kept (retention)."""
    from registry import tasks

    claimed = (
        ImportRun.objects.filter(
            pk=run.pk, status=ImportRun.Status.REFUSED, mode=ImportRun.Mode.ALL_OR_NOTHING
        )
        .exclude(file="")
        .update(
            status=ImportRun.Status.QUEUED,
            mode=ImportRun.Mode.SKIP_INVALID,
            progress=0,
            reason="",
            finished_at=None,
        )
    )
    if claimed:
        security_event_record(
            action=SecurityEvent.Action.IMPORT,
            at=clock.now(),
            by=by,
            target=import_run_target(run.pk),
            detail={
                "step": "confirmed",
                "import_run": run.pk,
                "mode": ImportRun.Mode.SKIP_INVALID,
                "after": "refused",
            },
        )
        transaction.on_commit(lambda: _enqueue(tasks.import_run_apply, run.pk))
    return bool(claimed)


def import_run_cancel(*, run: ImportRun, by) -> bool:
    return bool(
        ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.CHECKED).update(
            status=ImportRun.Status.CANCELLED, finished_at=clock.now()
        )
    )


def import_run_apply(*, run_id: int) -> None:
    run = _claim(run_id, from_status=ImportRun.Status.QUEUED, to_status=ImportRun.Status.IMPORTING)
    if run is None:
        return
    status = ImportRun.Status.DONE
    reason = ""
    try:
        summary = _run(run, dry_run=False)
    except UnreadableFile as error:
        summary, status, reason = {}, ImportRun.Status.UNREADABLE, str(error)
    except Exception as error:  # the transaction rolled back: nothing was written
        logger.exception("import run %s failed", run_id)
        summary, status = {}, ImportRun.Status.FAILED
        with translation.override(run.language):
            reason = _("The import stopped with an error and wrote nothing: %(error)s") % {
                "error": error.__class__.__name__
            }
    if summary and not summary.get("written"):
        status = ImportRun.Status.REFUSED
    ImportRun.objects.filter(pk=run_id).update(
        status=status,
        summary=summary,
        reason=reason[:500],
        progress=100,
        finished_at=clock.now(),
    )


def import_runs_expire() -> int:
    """Mark failed every checking or importing run whose worker stopped renewing its lease (a
    worker killed mid-import: its transaction rolled back, so nothing was written). Called by
    a periodic task and whenever the import pages are viewed; returns how many."""
    lease = timedelta(seconds=getattr(settings, "REGISTRY_IMPORT_LEASE_SECONDS", 600))
    cutoff = clock.now() - lease
    working = [ImportRun.Status.CHECKING, ImportRun.Status.IMPORTING]
    stale = ImportRun.objects.filter(status__in=working).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    expired = 0
    # A handful of runs at most, each in its uploader's language.
    for run in stale.only("pk", "language", "status", "heartbeat_at"):
        with translation.override(run.language):
            reason = _(
                "The import was interrupted (its worker stopped); nothing was written. "
                "Upload the file again."
            )
        expired += ImportRun.objects.filter(
            pk=run.pk, status=run.status, heartbeat_at=run.heartbeat_at
        ).update(status=ImportRun.Status.FAILED, reason=reason, finished_at=clock.now())
    return expired
