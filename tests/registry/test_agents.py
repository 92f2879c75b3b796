"""Bookkeeping agents (代账) who are the liaison of several enterprises: the list and the
enterprise page say "also liaison of N enterprises" (same mobile or ID number), in one
query for the whole list, and name only the enterprises the reader may see."""

import pytest
from django.urls import reverse

from registry.selectors import EnterpriseFilters, enterprise_list
from registry.sql.agents import also_liaison_reference
from tests.factories import EnterpriseFactory, LiaisonFactory, valid_id_number

pytestmark = pytest.mark.django_db

AGENT = "13600001234"


@pytest.fixture
def agent_park(grid_a, grid_b, enterprise_a):
    """The agent is liaison of A and B (grid A) and C (grid B) by mobile, and of D (grid B)
    by ID number with another mobile; E's PAST liaison had the agent's mobile."""
    enterprise_a.liaisons.update(mobile=AGENT, id_number=valid_id_number(3))
    park = {"A": enterprise_a}
    for key, grid in (("B", grid_a), ("C", grid_b), ("D", grid_b), ("E", grid_a)):
        park[key] = EnterpriseFactory(grid=grid, name=f"代账客户{key}有限公司")
    LiaisonFactory(enterprise=park["B"], mobile=AGENT)
    LiaisonFactory(enterprise=park["C"], mobile=AGENT)
    LiaisonFactory(enterprise=park["D"], mobile="13500009999", id_number=valid_id_number(3))
    past = LiaisonFactory(enterprise=park["E"], mobile=AGENT)
    past.started_on = past.started_on.replace(year=2020)
    past.ended_on = past.started_on.replace(year=2021)
    past.save()
    LiaisonFactory(enterprise=park["E"], mobile="13300000000")
    return park


def test_the_count_is_the_same_person_elsewhere_as_the_reference_says(agent_park, staff_user):
    counts = {
        e.name: e.also_liaison_of
        for e in enterprise_list(user=staff_user, filters=EnterpriseFilters())
    }
    for enterprise in agent_park.values():
        assert counts[enterprise.name] == also_liaison_reference(enterprise)
    a, b, d, e = (agent_park[k].name for k in "ABDE")
    # A: B, C by mobile and D by ID number; B: A and C (B has no ID number, so not D).
    assert (counts[a], counts[b], counts[d], counts[e]) == (3, 2, 1, 0)


def test_the_list_shows_the_count_in_its_bounded_queries(
    client, staff_user, agent_park, grid_a, django_assert_max_num_queries
):
    for _ in range(60):
        LiaisonFactory(enterprise=EnterpriseFactory(grid=grid_a))
    client.force_login(staff_user)
    # 13: the page's ids, then its rows with the count (a deferred join: registry.paging).
    with django_assert_max_num_queries(13):
        html = client.get(reverse("registry:enterprises")).content.decode()
    assert "另兼 3 家企业联络员" in html and "另兼 2 家企业联络员" in html
    assert AGENT not in html


def test_the_page_names_only_enterprises_in_the_readers_areas(client, worker_a, agent_park):
    client.force_login(worker_a)
    html = client.get(reverse("registry:enterprise", args=[agent_park["A"].uscc])).content
    html = html.decode()
    assert "另外 3 家企业（手机号或身份证号相同）" in html
    assert agent_park["B"].name in html  # in grid A: named, with its link
    assert agent_park["C"].name not in html and agent_park["D"].name not in html
    assert "不在您负责范围内的企业不显示名称" in html
    assert AGENT not in html


def test_staff_see_every_name(client, staff_user, agent_park):
    client.force_login(staff_user)
    html = client.get(reverse("registry:enterprise", args=[agent_park["A"].uscc])).content
    html = html.decode()
    assert all(agent_park[k].name in html for k in "BCD")
    assert agent_park["E"].name not in html and "不显示名称" not in html
