"""Tasks: at most one open per enterprise and kind, to the right person, closed once."""

import pytest
from django.db import IntegrityError, transaction

from core.errors import ServiceError
from outreach.kinds import register_task_kind, task_kinds
from outreach.models import Task
from outreach.services import (
    assignee_for,
    task_close,
    task_open,
    task_reassign,
    tasks_close_where,
)
from registry.roles import Role, role_group
from tests.concurrency import at_once
from tests.factories import EnterpriseFactory, GridAreaFactory, UserFactory

pytestmark = pytest.mark.django_db


def _open(enterprise, kind=Task.Kind.ROUTINE, **kwargs):
    return task_open(enterprise=enterprise, kind=kind, source=Task.Source.MANUAL, **kwargs)


def test_opening_a_kind_that_is_open_returns_the_existing_task(enterprise_a):
    first = _open(enterprise_a)
    again = _open(enterprise_a, note="again")

    assert again.pk == first.pk
    assert Task.objects.filter(enterprise=enterprise_a).count() == 1


def test_the_database_refuses_a_second_open_task_of_a_kind(enterprise_a):
    _open(enterprise_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(
            enterprise=enterprise_a, kind=Task.Kind.ROUTINE, source="manual", due_on="2026-12-01"
        )


def test_after_closing_a_new_task_of_the_kind_can_be_opened(enterprise_a, staff_user):
    first = task_close(task=_open(enterprise_a), by=staff_user, note="done by phone")
    second = _open(enterprise_a)

    assert second.pk != first.pk
    assert first.closed_by == staff_user and first.close_note == "done by phone"


@pytest.mark.django_db(transaction=True)
def test_two_openers_at_once_end_with_one_task(grid_a):
    enterprise = EnterpriseFactory(grid=grid_a)
    results, errors = at_once(lambda: _open(enterprise).pk, timeout=30)

    assert not errors
    assert len(set(results)) == 1
    assert Task.objects.filter(enterprise=enterprise).count() == 1


def test_a_task_goes_to_the_grid_worker_or_else_to_the_staff_pool(enterprise_a, worker_a):
    assert _open(enterprise_a).assignee == worker_a
    nobody_works_it = EnterpriseFactory(grid=GridAreaFactory())
    assert _open(nobody_works_it).assignee is None


def test_several_workers_of_a_grid_share_its_enterprises(grid_a, worker_a):
    colleague = UserFactory(username="zhao_grid_a")
    colleague.groups.set([role_group(Role.GRID_WORKER)])
    grid_a.workers.add(colleague)
    enterprises = [EnterpriseFactory(grid=grid_a) for _ in range(10)]

    counts = {worker_a.pk: 0, colleague.pk: 0}
    for enterprise in enterprises:
        counts[assignee_for(enterprise).pk] += 1
    assert counts == {worker_a.pk: 5, colleague.pk: 5}


def test_an_inactive_worker_gets_no_tasks(enterprise_a, worker_a):
    worker_a.is_active = False
    worker_a.save()
    assert _open(enterprise_a).assignee is None


def test_staff_reassign_to_a_worker_of_the_grid_or_to_the_pool(
    enterprise_a, worker_a, worker_b, staff_user
):
    task = _open(enterprise_a)
    assert task_reassign(task=task, assignee=staff_user, by=staff_user).assignee == staff_user
    assert task_reassign(task=task, assignee=None, by=staff_user).assignee is None
    with pytest.raises(ServiceError) as refused:
        task_reassign(task=task, assignee=worker_b, by=staff_user)  # another grid's worker
    assert refused.value.field == "assignee"


def test_a_closed_task_cannot_be_closed_again(enterprise_a):
    task = task_close(task=_open(enterprise_a))
    with pytest.raises(ServiceError):
        task_close(task=task)


def test_unknown_kinds_are_refused_and_higher_apps_can_add_theirs(enterprise_a):
    with pytest.raises(ServiceError):
        _open(enterprise_a, kind="no_such_kind")

    register_task_kind("test_rule_kind", "A rule's kind", answers=lambda channel, outcome: False)
    assert _open(enterprise_a, kind="test_rule_kind").kind == "test_rule_kind"


def test_every_kind_is_registered_at_start_in_the_order_apps_py_states():
    # The kinds' filter menu: outreach's own (the manual follow-up among them), self-service's,
    # then monitoring's (registered by OutreachConfig.ready and MonitoringConfig.ready, none
    # by an import).
    assert [kind.value for kind in task_kinds()][:20] == [
        *Task.Kind.values,
        "selfservice_update",
        "selfservice_locked",
        "rule_stale_liaison",
        "rule_phone_mismatch",
        "rule_not_in_service",
        "rule_frequent_changes",
        "rule_major_change",
        "rule_dead_number_major_change",
        "rule_control_change",
        "rule_annual_report_missing",
        "procedure_verification",
        "procedure_inquiry",
        "procedure_disposition",
        "signal_verification",
    ]


def test_close_where_closes_a_set_in_one_statement(
    enterprise_a, grid_a, staff_user, django_assert_num_queries
):
    others = [EnterpriseFactory(grid=grid_a) for _ in range(3)]
    for enterprise in [enterprise_a, *others]:
        _open(enterprise, kind=Task.Kind.RECHECK_CALL)
    _open(enterprise_a, kind=Task.Kind.INFO_CHECK)

    with django_assert_num_queries(1):
        closed = tasks_close_where(
            tasks=Task.objects.filter(kind=Task.Kind.RECHECK_CALL),
            by=staff_user,
            note="light green",
        )

    assert closed == 4
    assert Task.objects.filter(status=Task.Status.OPEN).count() == 1


def test_each_role_sees_the_tasks_of_the_enterprises_it_sees(
    grid_a, grid_b, worker_a, worker_b, staff_user, auditor
):
    """The tasks of visible_enterprises: the ungridded ones too for those who see
    everything; a worker of two grids sees each task once; an account without a role, none."""
    from outreach.selectors import visible_tasks
    from registry.access import visible_enterprises

    tasks = {
        key: _open(EnterpriseFactory(grid=grid)) for key, grid in (("a", grid_a), ("b", grid_b))
    }
    tasks["none"] = _open(EnterpriseFactory(grid=None))
    both = UserFactory(username="two_grids")
    both.groups.set([role_group(Role.GRID_WORKER)])
    grid_a.workers.add(both)
    grid_b.workers.add(both)
    expected = {
        worker_a: {"a"},
        worker_b: {"b"},
        both: {"a", "b"},
        staff_user: {"a", "b", "none"},
        auditor: {"a", "b", "none"},
        UserFactory(username="no_role"): set(),
    }
    for user, keys in expected.items():
        seen = list(visible_tasks(user).values_list("pk", flat=True))
        assert sorted(seen) == sorted(tasks[key].pk for key in keys), user.username
        assert set(seen) == set(
            Task.objects.filter(enterprise__in=visible_enterprises(user)).values_list(
                "pk", flat=True
            )
        )
