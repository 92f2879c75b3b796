"""The browser's import checked and written by a real Celery worker process, reading the
uploaded file from MEDIA_ROOT (not from the web process's memory or temp files)."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.models import Enterprise, ImportRun
from tests.registry.spreadsheet.files import HEADERS, a_row, xlsx_bytes


def _wait_for(run: ImportRun, status: str) -> ImportRun:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status == status:
            return run
        time.sleep(0.3)
    raise AssertionError(f"run stayed {run.status}, expected {status}")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_then_imports_the_upload(
    client,
    admin_user,
    grid_a,
    worker_queue,
    settings,
):
    settings.REGISTRY_IMPORT_QUEUE = worker_queue
    client.force_login(admin_user)
    rows = [HEADERS, a_row(1), a_row(2, 联络员手机="12345"), a_row(3)]
    client.post(
        reverse("registry:imports"),
        {"file": SimpleUploadedFile("名册.xlsx", xlsx_bytes(rows)), "mode": "skip_invalid"},
    )
    run = _wait_for(ImportRun.objects.get(), ImportRun.Status.CHECKED)
    assert (run.preview["created"], run.preview["invalid"]) == (2, 1)
    assert run.preview["errors"][0]["message"].startswith("请输入")  # the uploader's language
    assert not Enterprise.objects.exists()

    client.post(reverse("registry:import_confirm", args=[run.pk]), {"mode": "skip_invalid"})
    run = _wait_for(run, ImportRun.Status.DONE)
    assert run.summary["created"] == 2 and run.progress == 100
    assert Enterprise.objects.count() == 2
