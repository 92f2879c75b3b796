"""The light beside the enterprise's name on the list (issue 21), not in a column of its own."""

import pytest
from django.urls import reverse

from monitoring.models import ContactHealth
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_the_light_shows_beside_the_name(client, staff_user, grid_a):
    red = EnterpriseFactory(grid=grid_a, name="红灯企业")
    ContactHealth.objects.create(enterprise=red, light="red", consecutive_failures=3)
    EnterpriseFactory(grid=grid_a, name="绿灯企业")
    client.force_login(staff_user)

    response = client.get(reverse("registry:enterprises"))

    html = response.content.decode()
    row = html[html.index(">红灯企业</a>") - 300 : html.index(">红灯企业</a>")]
    assert 'data-light="red"' in row  # in the name's cell, before the name
    assert "<th>灯</th>" not in html and "<th>Light</th>" not in html
    green_row = html[html.index(">绿灯企业</a>") - 300 : html.index(">绿灯企业</a>")]
    assert 'data-light="green"' in green_row
    labels = [column.label for column in response.context["columns"]]
    assert not any(label in ("灯", "Light", "红黄绿灯") for label in labels)
