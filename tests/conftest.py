"""Named personas (as in healthchecks' BaseTestCase): an admin, service staff, a grid worker
of grid A, one of grid B who must see nothing of A, and an auditor."""

import os

import pgtrigger
import pytest
from django.test import TransactionTestCase

from registry.roles import Role, role_group
from tests.factories import EnterpriseFactory, GridAreaFactory, LiaisonFactory, UserFactory
from tests.workers import start_worker, worker_queue  # noqa: F401  (fixtures for every test)

# Benchmarks seed 100,000 enterprises: only `make bench` (BENCH=1) collects them.
collect_ignore = [] if os.environ.get("BENCH") else ["bench"]


# The security log refuses TRUNCATE (a trigger, registry.models.SecurityEvent); Django's
# flush after a transactional test truncates every table: that one statement only, the
# trigger is skipped.
def _flush_past_the_security_log(teardown):
    def _fixture_teardown(self):
        with pgtrigger.ignore("registry.SecurityEvent:security_log_no_truncate"):
            teardown(self)

    return _fixture_teardown


TransactionTestCase._fixture_teardown = _flush_past_the_security_log(
    TransactionTestCase._fixture_teardown
)


def _user(username: str, role: Role | None, **extra):
    user = UserFactory(username=username, **extra)
    if role is not None:
        user.groups.set([role_group(role)])
    return user


@pytest.fixture
def admin_user(db):
    return _user("alice_admin", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def staff_user(db):
    return _user("sam_staff", Role.STAFF)


@pytest.fixture
def grid_a(db):
    return GridAreaFactory(code="A", name="甲网格")


@pytest.fixture
def grid_b(db):
    return GridAreaFactory(code="B", name="乙网格")


@pytest.fixture
def worker_a(grid_a):
    user = _user("wang_grid_a", Role.GRID_WORKER)
    grid_a.workers.add(user)
    return user


@pytest.fixture
def worker_b(grid_b):
    user = _user("li_grid_b", Role.GRID_WORKER)
    grid_b.workers.add(user)
    return user


@pytest.fixture
def auditor(db):
    return _user("audrey_auditor", Role.AUDITOR)


@pytest.fixture
def enterprise_a(grid_a):
    enterprise = EnterpriseFactory(grid=grid_a, name="上海甲乙科技有限公司")
    LiaisonFactory(enterprise=enterprise, name="张伟", mobile="13912345678")
    return enterprise


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached menus (e.g. the industries filter) must not leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
