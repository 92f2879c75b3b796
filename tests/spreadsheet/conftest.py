"""Fixtures for the spreadsheet tests."""

from tests.portal.test_celery_worker import worker_queue  # noqa: F401 (a fixture)
